"""MNIST and Fashion-MNIST from their original IDX files."""

import pathlib

import numpy as np

from train.data import dataset
from train.data import errors
from train.data import idx
from train.data import locate
from train.data import sources

_CLASS_NAMES = {
    "mnist": tuple(str(digit) for digit in range(10)),
    "fashion_mnist": (
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
        "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ),
}
_FILES = {"mnist": sources.MNIST, "fashion_mnist": sources.FASHION_MNIST}


def load_idx_images(
    name: str, root: pathlib.Path, **find_kwargs
) -> dataset.Dataset:
  """The official 60000/10000 split of `name` ("mnist" or "fashion_mnist").

  Args:
    name: which of the two.
    root: the data directory.
    **find_kwargs: `download` and `mirror`, passed to `locate.find`.

  Returns:
    A `Dataset` with uint8 images (N, 28, 28, 1) and int32 labels.
  """
  files = _FILES[name]

  def read(split):
    images_path = locate.find(files[f"{split}-images-idx3-ubyte"], root, **find_kwargs)
    labels_path = locate.find(files[f"{split}-labels-idx1-ubyte"], root, **find_kwargs)
    images, labels = idx.read_idx(images_path), idx.read_idx(labels_path)
    if images.ndim != 3 or labels.shape != images.shape[:1]:
      raise errors.CorruptFileError(
          f"{labels_path} holds labels of shape {labels.shape} for images of "
          f"shape {images.shape}: the files do not belong together."
      )
    return images[..., np.newaxis], labels.astype(np.int32)

  x_train, y_train = read("train")
  x_test, y_test = read("t10k")
  return dataset.Dataset(
      name, x_train, y_train, x_test, y_test, _CLASS_NAMES[name]
  )
