"""Fixtures shared by all tests: the data directory and a compilation cache.

Many tests train the same small models again (each seed alone, an interrupted
run and its resumption, ...): every ``fit`` builds fresh jitted functions, so
without help each one compiles anew. A persistent compilation cache in a
temporary folder lets identical programs compile once per test process.
"""

import os
import pathlib
import shutil
import tempfile

import jax
import pytest


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
  """The shared data directory (MNIST, car, mushroom), from `$DSA_DATA_DIR`."""
  path = os.environ.get("DSA_DATA_DIR")
  if not path or not pathlib.Path(path).is_dir():
    pytest.fail(
        "DSA_DATA_DIR must name the shared data directory (the folder with "
        f"mnist/ and uci/; CI uses ../shared/data); it is {path!r}."
    )
  return pathlib.Path(path)
