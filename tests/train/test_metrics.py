"""The paper's test metrics against scikit-learn, and the results table.

Macro averages run over all ``n_classes`` classes; scikit-learn does that
when given ``labels=range(n_classes)`` (without it, it averages over the
classes that occur in either array only).
"""

import numpy as np
import pytest
from sklearn import metrics as skm

from train.loop import RunResult
from train.metrics import classification_metrics, confusion_matrix
from train.paper_results import PAPER_RESULTS
from train.report import final_records, markdown_table, summarize


def sklearn_metrics(y_true, y_pred, n_classes, all_labels=True):
  macro = dict(average="macro", zero_division=0)
  if all_labels:
    macro["labels"] = np.arange(n_classes)
  return {
      "accuracy": skm.accuracy_score(y_true, y_pred),
      "f1": skm.f1_score(y_true, y_pred, **macro),
      "recall": skm.recall_score(y_true, y_pred, **macro),
      "precision": skm.precision_score(y_true, y_pred, **macro),
  }


def assert_metrics_equal(y_true, y_pred, n_classes, all_labels=True):
  ours = classification_metrics(y_true, y_pred, n_classes)
  theirs = sklearn_metrics(y_true, y_pred, n_classes, all_labels)
  assert set(ours) == set(theirs)
  for name in theirs:
    assert ours[name] == pytest.approx(theirs[name], rel=1e-12, abs=1e-12), name
    assert isinstance(ours[name], float)


@pytest.mark.parametrize("seed", range(5))
def test_random_predictions_match_sklearn(seed):
  rng = np.random.default_rng(seed)
  n_classes = 10
  y_true = np.concatenate([np.arange(n_classes), rng.integers(0, n_classes, size=490)])
  y_pred = np.where(rng.random(500) < 0.6, y_true, rng.integers(0, n_classes, size=500))
  assert_metrics_equal(y_true, y_pred, n_classes)
  assert_metrics_equal(y_true, y_pred, n_classes, all_labels=False)


@pytest.mark.parametrize("all_labels", [True, False])
def test_classes_never_predicted_count_as_zero_precision(all_labels):
  """Every class occurs in the test labels, so sklearn's default labels agree too."""
  rng = np.random.default_rng(0)
  y_true = np.concatenate([np.arange(10), rng.integers(0, 10, size=290)])
  y_pred = rng.integers(0, 4, size=300)  # classes 4..9 are never predicted
  assert_metrics_equal(y_true, y_pred, 10, all_labels)


def test_classes_never_present_count_as_zero_recall():
  rng = np.random.default_rng(1)
  y_true = rng.integers(0, 3, size=200)  # classes 3..5 never occur
  y_pred = rng.integers(0, 6, size=200)
  assert_metrics_equal(y_true, y_pred, 6)


def test_a_constant_predictor_on_ten_balanced_classes():
  """The paper's degenerate MNIST rows: recall 10 %, precision 1 % (and 10 % accuracy)."""
  y_true = np.repeat(np.arange(10), 20)
  y_pred = np.full(200, 3)
  assert_metrics_equal(y_true, y_pred, 10)
  ours = classification_metrics(y_true, y_pred, 10)
  assert ours["accuracy"] == pytest.approx(0.1)
  assert ours["recall"] == pytest.approx(0.1)
  assert ours["precision"] == pytest.approx(0.01)


def test_perfect_predictions_score_one_everywhere():
  y = np.array([0, 1, 2, 2, 1, 0, 2])
  assert classification_metrics(y, y, 3) == {"accuracy": 1.0, "f1": 1.0, "recall": 1.0, "precision": 1.0}


def test_confusion_matrix_matches_sklearn():
  rng = np.random.default_rng(2)
  y_true, y_pred = rng.integers(0, 7, size=400), rng.integers(0, 7, size=400)
  np.testing.assert_array_equal(
      confusion_matrix(y_true, y_pred, 7), skm.confusion_matrix(y_true, y_pred, labels=np.arange(7))
  )


# The results table.


def record(epoch, seed, accuracy, train_loss=0.5, grad_evals=None):
  return {
      "epoch": epoch, "stage": 0, "optimizer": "x", "full_batch": True, "seed": seed,
      "train_loss": train_loss, "test_loss": 0.6, "accuracy": accuracy, "f1": accuracy / 2,
      "recall": accuracy / 4, "precision": accuracy / 8, "epoch_seconds": 0.1,
      "grad_evals": 2 * epoch if grad_evals is None else grad_evals,
  }


def fake_result(history, stopped=None):
  return RunResult(history=history, state=None, objective=None, stopped=stopped)


def test_final_records_take_each_seeds_last_epoch():
  history = [record(e, s, 0.1 * e) for e in (1, 2, 3) for s in (0, 1)]
  assert [(r["epoch"], r["seed"]) for r in final_records(history)] == [(3, 0), (3, 1)]


def test_summary_puts_the_papers_numbers_next_to_the_mean_over_seeds():
  results = {
      "dsa": fake_result([record(e, s, a) for e in (1, 2) for s, a in ((0, 0.5), (1, 1.0))]),
      "prodigy": fake_result([record(1, 0, 0.25)], stopped="non-finite training loss"),
  }
  dsa, prodigy = summarize("mlp-wine", results)

  assert dsa["label"] == "DSA" and dsa["seeds"] == 2 and dsa["epochs"] == 2
  assert dsa["accuracy_mean"] == pytest.approx(75.0) and dsa["accuracy_std"] == pytest.approx(25.0)
  assert dsa["precision_mean"] == pytest.approx(75.0 / 8)
  assert dsa["grad_evals"] == 4 and dsa["stopped"] is None
  paper = PAPER_RESULTS["mlp-wine"]["dsa"]
  assert [dsa[f"paper_{m}"] for m in ("accuracy", "f1", "recall", "precision")] == list(paper)
  assert "paper_accuracy" not in prodigy  # the paper did not run the peers
  assert prodigy["stopped"]


def test_markdown_table_shows_ours_beside_the_papers_and_marks_divergence():
  results = {
      "dsa": fake_result([record(100, 0, 1.0, train_loss=6.2e-8, grad_evals=200)]),
      "adam": fake_result([record(100, 0, 0.75)]),
      "sgd": fake_result([record(3, 0, 0.25)], stopped="non-finite"),
  }
  lines = markdown_table(summarize("mlp-wine", results)).splitlines()

  assert lines[0].startswith("| optimizer | accuracy | paper | f1 | paper |")
  assert len(lines) == 5 and all(line.count("|") == lines[0].count("|") for line in lines)
  dsa = lines[2].split(" | ")
  assert dsa[0] == "| DSA" and dsa[1] == "100.00 ± 0.00" and dsa[2] == "100.00"
  assert "6.2e-08" in lines[2] and lines[2].endswith("| 200 |")
  adam = lines[3].split(" | ")
  assert adam[1] == "75.00 ± 0.00" and adam[2] == "80.56"
  assert lines[4].startswith("| SGD (diverged) | 25.00 ± 0.00 | 77.78 |")


def test_markdown_table_leaves_the_paper_column_empty_where_it_has_no_number():
  lines = markdown_table(summarize("mlp-wine", {"prodigy": fake_result([record(1, 0, 0.5)])})).splitlines()
  assert lines[2].startswith("| Prodigy | 50.00 ± 0.00 |  | 25.00 ± 0.00 |  |")
