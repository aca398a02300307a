"""Every notebook in notebooks/ runs top to bottom without an error."""

import os
import pathlib

import nbformat
import pytest
from nbclient import NotebookClient

REPO = pathlib.Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def kernel_env() -> dict[str, str]:
  """The test's environment, headless, with the packages and the data directory."""
  env = dict(os.environ)
  env["MPLBACKEND"] = "Agg"
  # The notebooks import the packages as a user would; the kernel runs in a
  # temporary folder, so put the repository on its path even without an install.
  env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
  shared = REPO.parent / "shared" / "data"
  if env.get("DSA_DATA_DIR"):  # the kernel runs elsewhere: make a relative path absolute
    env["DSA_DATA_DIR"] = str(pathlib.Path(env["DSA_DATA_DIR"]).resolve())
  elif shared.is_dir():
    env["DSA_DATA_DIR"] = str(shared)
  return env


def test_there_are_notebooks():
  assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path, tmp_path):
  notebook = nbformat.read(path, as_version=4)
  client = NotebookClient(
      notebook,
      kernel_name="python3",
      timeout=300,
      resources={"metadata": {"path": str(tmp_path)}},
  )
  # A failing cell raises CellExecutionError, naming the cell and the traceback.
  client.execute(env=kernel_env())
