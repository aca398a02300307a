"""Fixtures for the training tests: real data at small scale and model factories."""

import dataclasses

import jax
import jax.numpy as jnp
import optax
import pytest

from train import data as datasets
from train import presets


@pytest.fixture(scope="session")
def wine() -> datasets.Dataset:
  """Wine as the paper splits it: 142 training rows (13 features), 36 test rows."""
  return datasets.load("wine")


@pytest.fixture(scope="session")
def mnist_small(data_dir) -> datasets.Dataset:
  """The first 2,048 MNIST training images and the first 500 test images."""
  mnist = datasets.load("mnist", data_dir=data_dir, download=False)
  return dataclasses.replace(
      mnist,
      x_train=mnist.x_train[:2048], y_train=mnist.y_train[:2048],
      x_test=mnist.x_test[:500], y_test=mnist.y_test[:500],
  )


def model_factory(preset_name: str, data: datasets.Dataset):
  """``seed -> model`` of the preset's architecture for ``data``."""
  preset = presets.get(preset_name)
  return lambda seed: preset.build_model(data.input_shape, data.n_classes, seed)


@pytest.fixture(scope="session")
def wine_mlp(wine):
  """``seed -> MLP`` for wine (13 features, 3 classes), as the mlp-wine preset builds it."""
  return model_factory("mlp-wine", wine)


@pytest.fixture(scope="session")
def mnist_dnn(mnist_small):
  """``seed -> DNN`` (LeNet-5) for MNIST, as the dnn-mnist preset builds it."""
  return model_factory("dnn-mnist", mnist_small)


def _optax_trajectory(tx, params, grads):
  """(params, updates) after each step, in float32."""
  params = jax.tree.map(jnp.asarray, params)
  state = tx.init(params)
  update = jax.jit(tx.update)
  out = []
  for g in grads:
    updates, state = update(jax.tree.map(jnp.asarray, g), state, params)
    params = optax.apply_updates(params, updates)
    out.append((params, updates))
  return out


@pytest.fixture(scope="session")
def optax_trajectory():
  """``(tx, params, grads) -> [(params, updates)]``, one jitted update per gradient."""
  return _optax_trajectory
