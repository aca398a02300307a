"""Classification metrics of the paper: accuracy and macro F1, recall, precision.

Macro averages over all classes, with 0 for a class that is never predicted
(precision) or never present (recall), as scikit-learn's ``zero_division=0``.
The paper's tables seem to swap recall and precision (see README); these are
the standard definitions.
"""

import numpy as np


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
  """``(n_classes, n_classes)`` counts, rows true labels, columns predictions."""
  counts = np.zeros((n_classes, n_classes), np.int64)
  np.add.at(counts, (np.asarray(y_true), np.asarray(y_pred)), 1)
  return counts


def classification_metrics(y_true, y_pred, n_classes: int) -> dict[str, float]:
  """Accuracy and macro F1, recall and precision, each a fraction in [0, 1]."""
  counts = confusion_matrix(y_true, y_pred, n_classes)
  hits = np.diag(counts).astype(np.float64)
  actual, predicted = counts.sum(axis=1), counts.sum(axis=0)
  recall = np.divide(hits, actual, out=np.zeros_like(hits), where=actual > 0)
  precision = np.divide(hits, predicted, out=np.zeros_like(hits), where=predicted > 0)
  denominator = recall + precision
  f1 = np.divide(2 * recall * precision, denominator, out=np.zeros_like(hits), where=denominator > 0)
  return {
      "accuracy": float(hits.sum() / max(counts.sum(), 1)),
      "f1": float(f1.mean()),
      "recall": float(recall.mean()),
      "precision": float(precision.mean()),
  }
