"""SVHN, CIFAR-10 and CIFAR-100 from prepared TensorFlow Datasets directories.

They are read with `tfds.data_source` (random access to ArrayRecord files; no
TensorFlow needed) from `<data dir>/tfds`, then from TFDS's own default
(`$TFDS_DATA_DIR`, else `~/tensorflow_datasets`). Preparing one needs network
and TensorFlow, so it is done once elsewhere::

  tfds build cifar10 --file_format=array_record --data_dir=<data dir>/tfds

The official train and test splits are used; SVHN is `svhn_cropped` (32x32
digits), without its `extra` split.
"""

import pathlib

import numpy as np

from train.data import dataset
from train.data import errors

TFDS_NAMES = {"svhn": "svhn_cropped", "cifar10": "cifar10", "cifar100": "cifar100"}


def tfds_dirs(root: pathlib.Path) -> list[pathlib.Path]:
  """Where prepared TFDS datasets are looked for, in order."""
  from tensorflow_datasets.core import constants

  return [root / "tfds", pathlib.Path(constants.DATA_DIR)]


def load_tfds(name: str, root: pathlib.Path) -> dataset.Dataset:
  """The official train/test split of `name` ("svhn", "cifar10", "cifar100").

  Returns:
    A `Dataset` with uint8 images (N, 32, 32, 3) and int32 labels.

  Raises:
    MissingDataError: no searched directory holds the prepared dataset.
  """
  # Imported here: tensorflow_datasets is slow to import and only these
  # three datasets need it.
  import tensorflow_datasets as tfds

  tfds_name = TFDS_NAMES[name]
  for data_dir in tfds_dirs(root):
    try:
      train, test = (
          tfds.data_source(tfds_name, split=split, data_dir=data_dir, download=False)
          for split in ("train", "test")
      )
    # An unprepared dataset surfaces as various exception types
    # (NotImplementedError for a missing directory in tfds 4.9).
    except Exception:
      if tfds.builder(tfds_name, data_dir=data_dir).is_prepared():
        raise
      continue
    x_train, y_train = _to_arrays(train)
    x_test, y_test = _to_arrays(test)
    class_names = tuple(train.dataset_info.features["label"].names)
    return dataset.Dataset(name, x_train, y_train, x_test, y_test, class_names)
  searched = ", ".join(str(data_dir) for data_dir in tfds_dirs(root))
  raise errors.MissingDataError(
      f"TFDS dataset {tfds_name} is not prepared in any of: {searched}. "
      "Prepare it on a machine with network and TensorFlow, then copy the "
      f"folder: `tfds build {tfds_name} --file_format=array_record "
      f"--data_dir={root / 'tfds'}` (or `python -c \"import tensorflow_datasets "
      f"as tfds; tfds.builder('{tfds_name}', data_dir='{root / 'tfds'}')"
      ".download_and_prepare(file_format='array_record')\"`)."
  )


def _to_arrays(source) -> tuple[np.ndarray, np.ndarray]:
  """(N, H, W, C) uint8 images and (N,) int32 labels of a data source."""
  shape = source.dataset_info.features["image"].shape
  images = np.empty((len(source), *shape), np.uint8)
  labels = np.empty(len(source), np.int32)
  # Index by index: the mock in `tfds.testing.mock_data` breaks `__getitems__`.
  for index in range(len(source)):
    example = source[index]
    images[index], labels[index] = example["image"], example["label"]
  return images, labels
