"""Fixtures for the model tests: a small real MNIST batch and a short fit."""

import gzip
import os
import pathlib

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

REPO = pathlib.Path(__file__).resolve().parents[2]


def _read_idx(path: pathlib.Path, header: int, count: int, item: int) -> np.ndarray:
  with gzip.open(path, 'rb') as f:
    return np.frombuffer(f.read(header + count * item)[header:], np.uint8)


@pytest.fixture(scope='session')
def mnist_batch():
  """The first 64 MNIST training images ``(64, 28, 28, 1)`` in [0, 1] and labels."""
  data = pathlib.Path(os.environ.get('DSA_DATA_DIR') or REPO.parent / 'shared' / 'data')
  count = 64
  images = _read_idx(data / 'mnist' / 'train-images-idx3-ubyte.gz', 16, count, 784)
  labels = _read_idx(data / 'mnist' / 'train-labels-idx1-ubyte.gz', 8, count, 1)
  x = images.reshape(count, 28, 28, 1).astype(np.float32) / 255.0
  return jnp.asarray(x), jnp.asarray(labels, jnp.int32)


def _loss(model, x, y):
  return optax.softmax_cross_entropy_with_integer_labels(model(x), y).mean()


@pytest.fixture
def fit():
  """Returns ``fit(model, x, y, steps)``: Adam steps on one batch with the train
  step written as a pure jitted function of ``nnx.split`` state; gives the
  evaluation-mode loss before and after, and leaves the model trained."""

  def run(model, x, y, steps=10, learning_rate=3e-3):
    evaluate = nnx.jit(_loss)
    model.eval()
    before = evaluate(model, x, y)
    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    tx = optax.adam(learning_rate)
    opt_state = tx.init(params)

    @jax.jit
    def step(params, rest, opt_state):
      def loss_fn(params):
        model = nnx.merge(graphdef, params, rest, copy=True)
        return _loss(model, x, y), nnx.state(model, nnx.Not(nnx.Param))

      (_, rest), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
      updates, opt_state = tx.update(grads, opt_state, params)
      return optax.apply_updates(params, updates), rest, opt_state

    for _ in range(steps):
      params, rest, opt_state = step(params, rest, opt_state)
    nnx.update(model, params, rest)
    model.eval()
    return float(before), float(evaluate(model, x, y))

  return run
