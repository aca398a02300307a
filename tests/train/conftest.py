"""Fixtures for the training tests: real data at small scale and model factories.

Many tests train the same small models again (each seed alone, an interrupted
run and its resumption, ...): every ``fit`` builds fresh jitted functions, so
without help each one compiles anew. A persistent compilation cache in a
temporary folder lets identical programs compile once per test process.
"""

import dataclasses
import os
import pathlib
import shutil
import tempfile

import jax
import pytest

from train import data as datasets
from train import presets


def pytest_configure(config):
  if jax.config.jax_compilation_cache_dir or os.environ.get("JAX_COMPILATION_CACHE_DIR"):
    return  # the user's own cache wins
  folder = tempfile.mkdtemp(prefix="dsa-optax-jax-cache-")
  config.add_cleanup(lambda: shutil.rmtree(folder, ignore_errors=True))
  jax.config.update("jax_compilation_cache_dir", folder)
  jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)
  jax.config.update("jax_persistent_cache_min_entry_size_bytes", 0)


@pytest.fixture(scope="session")
def data_dir() -> pathlib.Path:
  """The shared data directory (MNIST), from `$DSA_DATA_DIR` as CI sets it."""
  path = os.environ.get("DSA_DATA_DIR")
  if not path or not pathlib.Path(path).is_dir():
    pytest.fail(
        "DSA_DATA_DIR must name the shared data directory (the folder with "
        f"mnist/; CI uses ../shared/data); it is {path!r}."
    )
  return pathlib.Path(path)


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
