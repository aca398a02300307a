"""Compiled epochs: the host loop over blocks of unrolled updates is the same
epoch as one ``lax.scan`` over it (same batches, same order, same updates),
for stacked seeds, with a shorter last block; and the choice by backend."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from train import optimizers
from train.epochs import CPU_STEPS_PER_CALL, compile_epoch, resolve_steps_per_call
from train.loop import fit
from train.objective import Objective
from train.schedule import Stage, minibatch_schedule
from train.steps import TrainState

BATCH_SIZE = 32  # wine's 142 training rows: 5 batches, so blocks of 2 leave one of 1


def _stacked_state(wine_mlp, tx, seeds):
  objective, params, rest = None, [], []
  for seed in seeds:
    objective, p, r = Objective.from_model(wine_mlp(seed))
    params.append(p)
    rest.append(r)
  stack = lambda trees: jax.tree.map(lambda *xs: jnp.stack(xs), *trees)
  params, rest = stack(params), stack(rest)
  state = TrainState(params, rest, jax.vmap(tx.init)(params), jnp.zeros(len(seeds), jnp.int32))
  return objective, state


@pytest.mark.parametrize("name", ["adamax", "dsa"])
def test_blocks_of_unrolled_updates_make_the_same_epoch_as_one_scan(wine, wine_mlp, name):
  spec = optimizers.get(name)
  tx = spec.make()
  objective, state = _stacked_state(wine_mlp, tx, (0, 1))
  keys = jnp.stack([jax.random.key(5), jax.random.key(6)])
  x, y = jnp.asarray(wine.x_train), jnp.asarray(wine.y_train)
  stage = Stage(name, 1, BATCH_SIZE)

  def two_epochs(steps_per_call):
    run = compile_epoch(objective, tx, spec, stage, state, keys, x, y, chunk_size=64, mesh=None,
                        steps_per_call=steps_per_call)
    s, first = run(state, keys, x, y)
    s, second = run(s, jax.vmap(jax.random.fold_in, in_axes=(0, None))(keys, 1), x, y)
    return s, np.stack([first, second])

  scanned, scanned_losses = two_epochs("epoch")
  blocked, blocked_losses = two_epochs(2)

  np.testing.assert_allclose(blocked_losses, scanned_losses, rtol=1e-5)
  for a, b in zip(jax.tree.leaves(blocked.params), jax.tree.leaves(scanned.params), strict=True):
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-4, atol=1e-6)
  np.testing.assert_array_equal(blocked.grad_evals, scanned.grad_evals)
  # The two seeds stay apart (different initialisations and orders).
  assert not np.allclose(blocked_losses[:, 0], blocked_losses[:, 1])


def test_fit_trains_the_same_with_blocks_as_with_one_scan_per_epoch(wine, wine_mlp):
  runs = {
      spc: fit(wine_mlp, wine, minibatch_schedule("adam", 3, BATCH_SIZE), (0,),
               steps_per_call=spc, checkpoint=False, progress=False)
      for spc in ("epoch", 3)
  }
  for scanned, blocked in zip(runs["epoch"].history, runs[3].history, strict=True):
    np.testing.assert_allclose(blocked["train_loss"], scanned["train_loss"], rtol=1e-5)
    np.testing.assert_allclose(blocked["test_loss"], scanned["test_loss"], rtol=1e-4)


def test_steps_per_call_defaults_by_backend_and_rejects_nonsense():
  expected = CPU_STEPS_PER_CALL if jax.default_backend() == "cpu" else "epoch"
  assert resolve_steps_per_call(None) == expected
  assert resolve_steps_per_call("epoch") == "epoch"
  assert resolve_steps_per_call(4) == 4
  for bad in (0, -1, 2.5, "scan"):
    with pytest.raises(ValueError, match="steps_per_call"):
      resolve_steps_per_call(bad)
