"""A run whose loss becomes non-finite stops, says why, and keeps a usable checkpoint.

Divergent optimizers enter through the registry (``Stage`` takes a name):
SGD with a step of 1e30, which overflows on its first update, and SGD that
writes NaN into the parameters at one chosen update.
"""

import functools
import json

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from train import optimizers
from train.checkpoint import Checkpoints
from train.full_batch import full_batch_value_and_grad
from train.loop import fit
from train.schedule import Stage

SEEDS = [0, 1]


def nan_at_update(at_update: int) -> optax.GradientTransformationExtraArgs:
  """SGD (lr 0.01) whose update number ``at_update`` (from 0) is NaN."""

  def init(params):
    del params
    return jnp.zeros([], jnp.int32)

  def update(updates, count, params=None, **extra_args):
    del params, extra_args
    scale = jnp.where(count == at_update, jnp.float32(jnp.nan), jnp.float32(-0.01))
    return jax.tree.map(lambda g: scale * g, updates), count + 1

  return optax.GradientTransformationExtraArgs(init, update)


DIVERGENT = {
    # Full-batch: the first update takes the weights to ~1e25, the loss there is NaN.
    "sgd_huge": functools.partial(optax.sgd, 1e30),
    # Mini-batch, 5 batches of 32 per epoch: NaN in the first update of epoch 3.
    "nan_at_10": functools.partial(nan_at_update, 10),
    # NaN in the last update of epoch 2: every loss of epoch 2 is still finite.
    "nan_at_9": functools.partial(nan_at_update, 9),
}
STAGES = {
    "sgd_huge": Stage("sgd_huge", 4, full_batch=True),
    "nan_at_10": Stage("nan_at_10", 4, full_batch=False, batch_size=32),
    "nan_at_9": Stage("nan_at_9", 4, full_batch=False, batch_size=32),
}


@pytest.fixture(scope="module")
def diverged(wine, wine_mlp, tmp_path_factory):
  """``name -> (RunResult, out_dir)`` of each divergent optimizer, fitted on demand."""
  runs = {}

  def get(name):
    if name not in runs:
      out_dir = tmp_path_factory.mktemp(name)
      spec = optimizers.OptimizerSpec(
          name, name, DIVERGENT[name], needs_value_fn=False, full_batch_only=False, group="peer")
      with pytest.MonkeyPatch.context() as patch:
        patch.setitem(optimizers.REGISTRY, name, spec)
        runs[name] = fit(wine_mlp, wine, [STAGES[name]], SEEDS, out_dir=out_dir, progress=False), out_dir
    return runs[name]

  return get


def latest_checkpoint(out_dir, like_state):
  checkpoints = Checkpoints(out_dir / "checkpoints")
  try:
    epoch = checkpoints.latest_epoch()
    state, progress = checkpoints.restore(epoch, like_state)
  finally:
    checkpoints.close()
  return epoch, state, progress


def training_loss(objective, state, wine):
  """The full training loss of each seed's params."""
  loss = lambda p, r: full_batch_value_and_grad(objective, p, r, wine.x_train, wine.y_train, 2048)[0]
  return np.asarray(jax.jit(jax.vmap(loss))(state.params, state.rest))


# The run stops at the first epoch after which a loss (train, measured before
# the update, or test, after it) or a parameter is not finite.
STOP_EPOCHS = [("sgd_huge", 1), ("nan_at_10", 3), ("nan_at_9", 2)]


@pytest.mark.parametrize("name, stop_epoch", STOP_EPOCHS)
def test_a_diverging_run_stops_with_a_message_naming_optimizer_epoch_and_seeds(
    diverged, name, stop_epoch):
  result, _ = diverged(name)

  assert result.stopped == (
      f"non-finite loss or parameters with {name} at epoch {stop_epoch} for seeds {SEEDS}; "
      "the checkpoint of the last finite epoch is kept")
  assert [r["epoch"] for r in result.history] == [e for e in range(1, stop_epoch + 1) for _ in SEEDS]
  losses = np.array([[r["train_loss"], r["test_loss"]] for r in result.history])
  assert np.all(np.isfinite(losses[: -len(SEEDS)]))
  assert not np.any(np.all(np.isfinite(losses[-len(SEEDS):]), axis=1))


def test_a_run_that_diverges_in_its_first_epoch_keeps_no_checkpoint(diverged):
  _, out_dir = diverged("sgd_huge")
  checkpoints = Checkpoints(out_dir / "checkpoints")
  try:
    assert checkpoints.latest_epoch() is None
  finally:
    checkpoints.close()


@pytest.mark.parametrize("name, stop_epoch", STOP_EPOCHS[1:])
def test_the_checkpoint_before_the_non_finite_epoch_is_kept_and_restorable(
    diverged, name, stop_epoch):
  result, out_dir = diverged(name)

  epoch, state, progress = latest_checkpoint(out_dir, result.state)

  assert epoch == stop_epoch - 1
  # As JSON: NaN != NaN, and the test loss after a divergent update is NaN.
  assert json.dumps(progress["history"]) == json.dumps(result.history[: -len(SEEDS)])
  for leaf in jax.tree.leaves(state.params):
    assert np.all(np.isfinite(leaf))


def test_a_checkpoint_in_the_middle_of_a_minibatch_run_has_finite_loss(diverged, wine):
  result, out_dir = diverged("nan_at_10")
  _, state, _ = latest_checkpoint(out_dir, result.state)
  assert np.all(np.isfinite(training_loss(result.objective, state, wine)))


@pytest.mark.parametrize("name", ["nan_at_10", "nan_at_9"])
def test_the_kept_checkpoint_has_a_finite_training_loss(diverged, wine, name):
  result, out_dir = diverged(name)
  assert result.stopped is not None
  _, state, _ = latest_checkpoint(out_dir, result.state)
  assert np.all(np.isfinite(training_loss(result.objective, state, wine)))
