"""The fixed, stratified train/test splits of the small tabular datasets."""

import numpy as np
from sklearn import model_selection

SEED = 0  # fixes the split; sklearn draws it from numpy's legacy RandomState
TEST_SIZES = {"iris": 30, "wine": 36, "car": 346, "mushroom": 1625}  # the paper's


def stratified_split(
    labels: np.ndarray, n_test: int, seed: int = SEED
) -> tuple[np.ndarray, np.ndarray]:
  """Row indices of a stratified split with exactly `n_test` test rows.

  The split depends only on `labels`, `n_test` and `seed` (numpy's legacy
  RandomState stream is the same on every machine and numpy version), never on
  hash seeds or dict order. Indices are sorted: rows keep their file order.

  Args:
    labels: (N,) integer class labels.
    n_test: number of test rows.
    seed: random seed.

  Returns:
    `(train_indices, test_indices)`, int64, disjoint, covering `range(N)`.
  """
  train, test = model_selection.train_test_split(
      np.arange(len(labels)), test_size=n_test, stratify=labels, random_state=seed
  )
  return np.sort(train), np.sort(test)
