"""The `Dataset` record every loader returns."""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
  """A dataset with its fixed train/test split, as read-only host arrays.

  Images are uint8 NHWC, `(N, 28, 28, 1)` or `(N, 32, 32, 3)`; tabular
  features are float32 `(N, F)`; labels are int32 `(N,)` in
  `[0, n_classes)`. The arrays stay on the host: the training code puts the
  training set on the device once (`jax.device_put`) and slices batches there.
  """

  name: str  # the name given to `train.data.load`
  x_train: np.ndarray  # (N_train, ...) uint8 images or float32 features
  y_train: np.ndarray  # (N_train,) int32 labels
  x_test: np.ndarray  # (N_test, ...) same dtype and feature shape as x_train
  y_test: np.ndarray  # (N_test,) int32 labels
  class_names: tuple[str, ...]  # label i is class_names[i]

  def __post_init__(self):
    for array in (self.x_train, self.y_train, self.x_test, self.y_test):
      array.flags.writeable = False

  @property
  def n_classes(self) -> int:
    """Number of classes, `len(class_names)`."""
    return len(self.class_names)

  @property
  def input_shape(self) -> tuple[int, ...]:
    """Shape of one example, e.g. `(28, 28, 1)` or `(116,)`."""
    return self.x_train.shape[1:]


def to_float_images(images: np.ndarray) -> np.ndarray:
  """Scales uint8 images to float32 in [0, 1], keeping the shape."""
  return np.asarray(images, np.float32) / np.float32(255)
