"""SVHN, CIFAR-10 and CIFAR-100 through `tfds.data_source`, under
`tfds.testing.mock_data` (no prepared dataset is available offline)."""

from unittest import mock

import numpy as np
import pytest
import tensorflow_datasets as tfds

from train.data import MissingDataError, load


@pytest.mark.parametrize(
    "name, tfds_name, n_classes",
    [
        ("svhn", "svhn_cropped", 10),
        ("cifar10", "cifar10", 10),
        ("cifar100", "cifar100", 100),
    ],
)
def test_loads_official_splits_under_mock_data(name, tfds_name, n_classes, tmp_path):
  with tfds.testing.mock_data(num_examples=6, policy=tfds.testing.MockPolicy.USE_CODE):
    with mock.patch.object(tfds, "data_source", wraps=tfds.data_source) as spy:
      data = load(name, tmp_path)
  requested = {(call.args[0], call.kwargs["split"]) for call in spy.call_args_list}
  assert requested == {(tfds_name, "train"), (tfds_name, "test")}
  assert all(call.kwargs["download"] is False for call in spy.call_args_list)
  assert data.x_train.shape == data.x_test.shape == (6, 32, 32, 3)
  assert data.x_train.dtype == np.uint8
  assert data.y_train.dtype == np.int32
  assert data.n_classes == n_classes and data.input_shape == (32, 32, 3)
  assert 0 <= data.y_train.min() and data.y_train.max() < n_classes


def test_unprepared_dataset_names_the_directory_and_the_command(tmp_path):
  with pytest.raises(MissingDataError) as raised:
    load("cifar10", tmp_path)
  message = str(raised.value)
  assert str(tmp_path / "tfds") in message
  assert "tfds build cifar10" in message and "array_record" in message
