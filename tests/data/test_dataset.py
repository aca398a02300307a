"""The `Dataset` record."""

import dataclasses

import numpy as np
import pytest

from train.data import Dataset, load


def test_arrays_are_read_only_views():
  x = np.zeros((4, 3), np.float32)
  y = np.array([0, 1, 0, 1], np.int32)
  data = Dataset("toy", x, y, x[:2], y[:2], ("a", "b"))
  with pytest.raises(ValueError, match="read-only"):
    data.x_train[0, 0] = 1.0
  x[0, 0] = 1.0  # the caller's array keeps its flags
  assert data.x_train[0, 0] == 1.0
  assert data.n_classes == 2 and data.input_shape == (3,)


def test_replace_keeps_the_record_read_only():
  data = load("iris")
  fewer = dataclasses.replace(data, x_train=data.x_train[:10], y_train=data.y_train[:10])
  assert fewer.x_train.shape == (10, 4) and not fewer.y_train.flags.writeable
