"""`load`: any of the project's datasets by name."""

import os

from train.data import dataset
from train.data import errors
from train.data import idx_images
from train.data import locate
from train.data import tabular
from train.data import tfds_images

NAMES = (
    "iris", "wine", "car", "mushroom",
    "mnist", "fashion_mnist",
    "svhn", "cifar10", "cifar100",
)


def load(
    name: str,
    data_dir: str | os.PathLike | None = None,
    *,
    download: bool | None = None,
    mirror: str | None = None,
) -> dataset.Dataset:
  """A dataset with its fixed train/test split, as host numpy arrays.

  Splits: the paper's sizes for the tabular sets (iris 120/30, wine 142/36,
  car 1382/346, mushroom 6499/1625; stratified, seeded, the same on every
  machine), the official splits for the image sets.

  Args:
    name: one of `NAMES`.
    data_dir: the data directory; default `$DSA_DATA_DIR`, else the user
      cache (see `train.data.locate`). iris and wine come from scikit-learn,
      but an explicit `data_dir` must exist for them too.
    download: whether missing files may be downloaded (MNIST, Fashion-MNIST,
      car, mushroom); default: yes unless `DSA_OFFLINE=1`.
    mirror: base URL to download from instead of the canonical sources;
      default `$DSA_DATA_MIRROR`.

  Returns:
    A `Dataset`.

  Raises:
    UnknownDatasetError: `name` is not in `NAMES`.
    DataDirError, MissingDataError, DownloadError, ChecksumError,
    CorruptFileError: see `train.data.errors`; each message names the file,
      the places searched and the fix.

  Example:

  >>> from train.data import load
  >>> iris = load("iris")
  >>> iris.x_train.shape, iris.x_test.shape, iris.n_classes
  ((120, 4), (30, 4), 3)
  """
  if name not in NAMES:
    raise errors.UnknownDatasetError(
        f"Unknown dataset {name!r}; known: {', '.join(NAMES)}."
    )
  # An explicit data_dir must exist even for the sets scikit-learn bundles.
  root = locate.data_root(data_dir) if data_dir is not None or name not in ("iris", "wine") else None
  if name in ("iris", "wine"):
    return tabular.load_sklearn(name)
  if name in tfds_images.TFDS_NAMES:
    return tfds_images.load_tfds(name, root)
  if name in ("car", "mushroom"):
    return tabular.load_uci(name, root, download=download, mirror=mirror)
  return idx_images.load_idx_images(name, root, download=download, mirror=mirror)
