"""The slim FMP through ``train.loop.fit``: the hybrid schedule runs end to end.

FMP is the one model with randomness in its forward pass (the ``"pool"``
stream of fractional max-pooling): under ``fit`` it is traced inside the
jitted mini-batch scan, the full-batch pass over chunks, DSA's probe
gradient and vmap over seeds. The paper's runs are GPU-sized; here the
network has 1/16 of the channels and sees 256 images.
"""

import dataclasses

import numpy as np
import pytest

from train import presets
from train.loop import fit
from train.schedule import hybrid_schedule


@pytest.fixture(scope="module")
def mnist_256(mnist_small):
  return dataclasses.replace(mnist_small, x_train=mnist_small.x_train[:256],
                             y_train=mnist_small.y_train[:256])


def test_fmp_goes_through_the_hybrid_schedule_for_two_seeds(mnist_256):
  preset = presets.get("fmp-mnist")
  result = fit(lambda seed: preset.build_model(mnist_256.input_shape, 10, seed, width=1 / 16),
               mnist_256, hybrid_schedule(2, 2, 64), [0, 1], chunk_size=128, progress=False)
  history = result.history

  assert result.stopped is None
  assert [(r["epoch"], r["optimizer"], r["full_batch"], r["grad_evals"]) for r in history if r["seed"] == 0] == [
      (1, "adamax", False, 4), (2, "adamax", False, 8), (3, "dsa", True, 10), (4, "dsa", True, 12)]
  for key in ("train_loss", "test_loss", "accuracy"):
    assert np.isfinite([r[key] for r in history]).all(), key
  by_seed = {s: [r for r in history if r["seed"] == s] for s in (0, 1)}
  # Different seeds: different initialisations and pooling regions.
  assert by_seed[0][0]["train_loss"] != by_seed[1][0]["train_loss"]
  # Learning, not just running: the full training loss falls below chance.
  assert all(rs[-1]["train_loss"] < np.log(10) for rs in by_seed.values())
