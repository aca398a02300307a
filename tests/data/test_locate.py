"""Where files are looked for, and the errors for bad input."""

import pathlib

import pytest

from train.data import (
    NAMES,
    DataDirError,
    MissingDataError,
    UnknownDatasetError,
    load,
)
from train.data import locate
from train.data import sources

_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/"


def test_unknown_name_lists_the_known_ones():
  with pytest.raises(UnknownDatasetError) as raised:
    load("agaricus")
  assert "'agaricus'" in str(raised.value)
  assert all(name in str(raised.value) for name in NAMES)


def test_missing_data_dir_argument(tmp_path):
  wrong = tmp_path / "no-such-dir"
  with pytest.raises(DataDirError, match=f"{wrong}.*data_dir argument"):
    load("mnist", wrong)


def test_missing_data_dir_from_environment(tmp_path, monkeypatch):
  wrong = tmp_path / "no-such-dir"
  monkeypatch.setenv("DSA_DATA_DIR", str(wrong))
  with pytest.raises(DataDirError, match=f"{wrong}.*DSA_DATA_DIR"):
    load("car")


@pytest.mark.parametrize(
    "name, missing, url",
    [
        ("mnist", "train-images-idx3-ubyte.gz",
         "https://ossci-datasets.s3.amazonaws.com/mnist/"),
        ("car", "car.data", f"{_UCI}car/"),
        ("mushroom", "agaricus-lepiota.data", f"{_UCI}mushroom/"),
    ],
)
def test_data_dir_without_the_file_offline(name, missing, url, tmp_path):
  with pytest.raises(MissingDataError) as raised:
    load(name, tmp_path)  # DSA_OFFLINE=1 in these tests
  message = str(raised.value)
  assert missing in message and str(tmp_path) in message
  assert url + missing in message and "DSA_OFFLINE" in message


def test_system_folder_and_package_are_named(tmp_path):
  file = sources.DataFile(
      "fashion_mnist", "t10k-labels-idx1-ubyte.gz", ("http://example.invalid/x.gz",),
      "0" * 64,
      system_dirs=(str(tmp_path / "system"),),
      system_package="dataset-fashion-mnist",
  )
  with pytest.raises(MissingDataError) as raised:
    locate.find(file, tmp_path / "data", download=False)
  message = str(raised.value)
  assert str(tmp_path / "system") in message
  assert str(tmp_path / "data" / "fashion_mnist") in message
  assert "apt-get install dataset-fashion-mnist" in message


def test_system_folder_is_searched_after_the_data_dir(tmp_path):
  system = tmp_path / "system"
  system.mkdir()
  (system / "car.data").write_text("x")
  file = sources.DataFile("uci", "car.data", (), "0" * 64, system_dirs=(str(system),))
  assert locate.find(file, tmp_path, download=False) == system / "car.data"
  (tmp_path / "uci").mkdir()
  (tmp_path / "uci" / "car.data").write_text("x")
  assert locate.find(file, tmp_path, download=False) == tmp_path / "uci" / "car.data"


def test_default_directory_is_the_user_cache(tmp_path, monkeypatch):
  monkeypatch.delenv("DSA_DATA_DIR", raising=False)
  assert locate.data_root() == tmp_path / "cache" / "dsa-optax"
  monkeypatch.delenv("XDG_CACHE_HOME")
  assert locate.data_root() == pathlib.Path.home() / ".cache" / "dsa-optax"


def test_download_policy(monkeypatch):
  assert locate.download_allowed(True) and not locate.download_allowed(False)
  assert not locate.download_allowed(None)  # DSA_OFFLINE=1 here
  monkeypatch.delenv("DSA_OFFLINE")
  assert locate.download_allowed(None)
