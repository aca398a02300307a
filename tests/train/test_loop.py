"""``train.loop.fit`` on real data at small scale: it learns, logs, and is reproducible.

The MLP on wine trains as in the paper (100 full-batch DSA epochs) and in
mini-batch mode; LeNet on 2,048 MNIST images goes through the hybrid schedule
(Adamax mini-batch, then full-batch DSA); seeds trained together under vmap
give what each seed gives alone; the same seed gives the same numbers.
"""

import json

import jax
import numpy as np
import pytest

from train.loop import fit
from train.schedule import Stage, full_batch_schedule, hybrid_schedule, minibatch_schedule

# Both step kinds, each long enough to compound differences: 5 mini-batch
# updates per epoch (batch 32), then DSA on the whole set in 3 chunks.
TWO_STAGES = (Stage("adam", 2, full_batch=False, batch_size=32), Stage("dsa", 2, full_batch=True))
CHUNK_SIZE = 64
SEEDS = (0, 1, 2)


def numbers(history):
  """The logged records without their wall-clock times."""
  return [{k: v for k, v in r.items() if k != "epoch_seconds"} for r in history]


def of_seed(tree, i):
  return jax.tree.map(lambda x: np.asarray(x[i]), tree)


def test_dsa_full_batch_mlp_on_wine_fits_the_training_set(wine, wine_mlp, tmp_path):
  """The paper's MLP experiment: 100 full-batch DSA epochs (a smoke run ended at ~6e-8)."""
  result = fit(wine_mlp, wine, full_batch_schedule("dsa", 100), [0],
               out_dir=tmp_path, checkpoint=False, progress=False)
  history = result.history

  assert result.stopped is None
  assert [r["epoch"] for r in history] == list(range(1, 101))
  assert all(r["optimizer"] == "dsa" and r["full_batch"] and r["stage"] == 0 for r in history)
  assert [r["grad_evals"] for r in history] == [2 * e for e in range(1, 101)]
  assert history[0]["train_loss"] == pytest.approx(np.log(3), rel=0.05)  # chance level
  assert history[-1]["train_loss"] < 1e-3
  assert history[-1]["accuracy"] >= 0.9
  assert history[-1]["test_loss"] < history[0]["test_loss"]
  logged = [json.loads(line) for line in (tmp_path / "metrics.jsonl").read_text().splitlines()]
  assert logged == history
  assert not (tmp_path / "checkpoints").exists()


def test_adam_minibatch_mlp_on_wine_learns(wine, wine_mlp):
  result = fit(wine_mlp, wine, minibatch_schedule("adam", 20, 16), [0], progress=False)
  history = result.history

  assert result.stopped is None
  assert all(not r["full_batch"] for r in history)
  assert [r["grad_evals"] for r in history] == [9 * e for e in range(1, 21)]  # ceil(142 / 16)
  assert history[-1]["train_loss"] < 0.1
  assert history[-1]["accuracy"] >= 0.9


def test_dnn_on_mnist_goes_through_the_hybrid_schedule(mnist_small, mnist_dnn):
  """2 epochs of Adamax on 2,048 images in batches of 64, then 2 of full-batch DSA."""
  result = fit(mnist_dnn, mnist_small, hybrid_schedule(2, 2, 64), [0],
               chunk_size=1024, progress=False)
  history = result.history

  assert result.stopped is None
  assert [(r["epoch"], r["stage"], r["optimizer"], r["full_batch"]) for r in history] == [
      (1, 0, "adamax", False), (2, 0, "adamax", False), (3, 1, "dsa", True), (4, 1, "dsa", True)]
  assert [r["grad_evals"] for r in history] == [32, 64, 66, 68]
  losses = [r["train_loss"] for r in history]
  assert losses[0] < np.log(10) and losses[1] < losses[0]
  assert losses[3] < losses[2] < losses[1]  # DSA keeps lowering the full training loss
  assert history[-1]["accuracy"] > 0.5  # chance is 0.1
  assert history[-1]["test_loss"] < history[0]["test_loss"]


@pytest.fixture(scope="module")
def seed_runs(wine, wine_mlp):
  """The two-stage schedule with SEEDS under vmap, and each seed alone."""
  run = lambda seeds: fit(wine_mlp, wine, TWO_STAGES, seeds, chunk_size=CHUNK_SIZE, progress=False)
  return run(list(SEEDS)), {s: run([s]) for s in SEEDS}


def test_seeds_under_vmap_give_each_seeds_own_run(seed_runs):
  together, alone = seed_runs

  assert [r["seed"] for r in together.history] == list(SEEDS) * 4
  for i, seed in enumerate(SEEDS):
    mine = [r for r in numbers(together.history) if r["seed"] == seed]
    theirs = numbers(alone[seed].history)
    assert len(mine) == len(theirs) == 4
    for a, b in zip(mine, theirs):
      for key in ("epoch", "stage", "optimizer", "full_batch", "seed", "grad_evals"):
        assert a[key] == b[key]
      for key in ("train_loss", "test_loss"):
        assert a[key] == pytest.approx(b[key], rel=1e-5), (seed, a["epoch"], key)
      for key in ("accuracy", "f1", "recall", "precision"):
        assert a[key] == pytest.approx(b[key], abs=1 / 36 + 1e-9)  # at most one test row
    for a, b in zip(jax.tree.leaves(of_seed(together.state.params, i)),
                    jax.tree.leaves(of_seed(alone[seed].state.params, 0)), strict=True):
      np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def test_seeds_start_from_different_initialisations(seed_runs):
  together, _ = seed_runs
  first = [r["train_loss"] for r in together.history if r["epoch"] == 1]
  assert len(set(first)) == len(SEEDS)


def test_the_same_seed_gives_the_same_numbers(wine, wine_mlp, seed_runs):
  _, alone = seed_runs
  again = fit(wine_mlp, wine, TWO_STAGES, [0], chunk_size=CHUNK_SIZE, progress=False)

  assert numbers(again.history) == numbers(alone[0].history)
  for a, b in zip(jax.tree.leaves(again.state), jax.tree.leaves(alone[0].state), strict=True):
    np.testing.assert_array_equal(a, b)
