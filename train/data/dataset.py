"""The `Dataset` record every loader returns."""

import dataclasses

import numpy as np


@dataclasses.dataclass(frozen=True, eq=False)
class Dataset:
  """A dataset with its fixed train/test split, as read-only host arrays.

  Images are uint8 NHWC, `(N, 28, 28, 1)` or `(N, 32, 32, 3)`; tabular
  features are float32 `(N, F)`; labels are int32 `(N,)` in
  `[0, n_classes)`; images are not scaled (the model side maps uint8 to
  [0, 1]). The arrays stay on the host: the training code puts the training
  set on the device once (`jax.device_put`) and slices batches there.
  """

  name: str  # the name given to `train.data.load`
  x_train: np.ndarray  # (N_train, ...) uint8 images or float32 features
  y_train: np.ndarray  # (N_train,) int32 labels
  x_test: np.ndarray  # (N_test, ...) same dtype and feature shape as x_train
  y_test: np.ndarray  # (N_test,) int32 labels
  class_names: tuple[str, ...]  # label i is class_names[i]

  def __post_init__(self):
    # Read-only views: a frozen record whose arrays could change would mislead,
    # and the caller's own arrays keep their flags.
    for field in ("x_train", "y_train", "x_test", "y_test"):
      view = np.asarray(getattr(self, field)).view()
      view.flags.writeable = False
      object.__setattr__(self, field, view)

  @property
  def n_classes(self) -> int:
    """Number of classes, `len(class_names)`."""
    return len(self.class_names)

  @property
  def input_shape(self) -> tuple[int, ...]:
    """Shape of one example, e.g. `(28, 28, 1)` or `(21,)`."""
    return self.x_train.shape[1:]

