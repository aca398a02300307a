"""MNIST and Fashion-MNIST from the original IDX files."""

import gzip
import shutil

import numpy as np
import pytest

from train.data import CorruptFileError, load


@pytest.mark.parametrize(
    "name, first_labels, first_class",
    [("mnist", [5, 0, 4, 1, 9], "0"), ("fashion_mnist", [9, 0, 0, 3, 0], "T-shirt/top")],
)
def test_official_split_shapes_and_classes(name, first_labels, first_class, data_dir):
  """Fashion-MNIST comes from data_dir/fashion_mnist or the Debian package."""
  data = load(name, data_dir)
  assert data.x_train.shape == (60000, 28, 28, 1)
  assert data.x_test.shape == (10000, 28, 28, 1)
  assert data.x_train.dtype == data.x_test.dtype == np.uint8
  assert data.y_train.dtype == data.y_test.dtype == np.int32
  assert data.n_classes == 10 and data.class_names[0] == first_class
  assert data.input_shape == (28, 28, 1)
  assert list(data.y_train[:5]) == first_labels
  np.testing.assert_array_equal(np.bincount(data.y_test, minlength=10) > 0, True)
  assert data.x_train.max() == 255 and data.x_train.min() == 0


def test_uncompressed_files_give_the_same_arrays(data_dir, tmp_path):
  for path in (data_dir / "mnist").glob("*.gz"):
    with gzip.open(path) as compressed:
      (tmp_path / "mnist").mkdir(exist_ok=True)
      (tmp_path / "mnist" / path.stem).write_bytes(compressed.read())
  raw, gzipped = load("mnist", tmp_path), load("mnist", data_dir)
  np.testing.assert_array_equal(raw.x_test, gzipped.x_test)
  np.testing.assert_array_equal(raw.y_train, gzipped.y_train)


def test_truncated_file_in_data_dir_is_named(data_dir, tmp_path):
  shutil.copytree(data_dir / "mnist", tmp_path / "mnist")
  broken = tmp_path / "mnist" / "t10k-labels-idx1-ubyte.gz"
  broken.write_bytes(gzip.compress(gzip.decompress(broken.read_bytes())[:-10]))
  with pytest.raises(CorruptFileError, match=str(broken)):
    load("mnist", tmp_path)
