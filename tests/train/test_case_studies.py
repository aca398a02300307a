"""The case studies on short runs: tracks, tables, figures, DSA's behaviour."""

import numpy as np
import pytest

from train import case_studies
from train.case_studies import problems, quadratic, report
from train.case_studies.tracks import DEFAULT_OPTIMIZERS, Track

QUADRATIC_STEPS = 60


@pytest.fixture(scope="module")
def quadratic_result(tmp_path_factory):
  """Every default optimizer on the paper's b = 1000 quadratic, 60 iterations."""
  out_dir = tmp_path_factory.mktemp("quadratic")
  return case_studies.run_case_study("quadratic", out_dir, steps=QUADRATIC_STEPS)


def rows_by_optimizer(result):
  return {row["optimizer"]: row for row in result.rows}


def test_quadratic_runs_every_optimizer_for_steps_plus_one_points(quadratic_result):
  assert list(quadratic_result.tracks) == list(DEFAULT_OPTIMIZERS)
  for track in quadratic_result.tracks.values():
    assert track.params.shape == (QUADRATIC_STEPS + 1, 2)
    assert track.loss.shape == track.grad_evals.shape == (QUADRATIC_STEPS + 1,)
    assert track.step_size.shape == (QUADRATIC_STEPS,)
    np.testing.assert_array_equal(track.params[0], np.float32(quadratic.START))
    assert track.grad_evals[0] == 0


def test_dsa_reaches_the_threshold_with_two_gradients_per_iteration(quadratic_result):
  dsa = rows_by_optimizer(quadratic_result)["dsa"]
  assert dsa["iterations"] is not None and dsa["iterations"] < QUADRATIC_STEPS
  assert dsa["grad_evals"] == 2 * dsa["iterations"]
  assert not dsa["diverged"]
  np.testing.assert_array_equal(
      quadratic_result.tracks["dsa"].grad_evals, 2 * np.arange(QUADRATIC_STEPS + 1))


def test_sgd_diverges_on_b_1000_and_the_table_says_so(quadratic_result):
  sgd = rows_by_optimizer(quadratic_result)["sgd"]
  assert sgd["diverged"] and sgd["iterations"] is None
  lines = quadratic_result.markdown.splitlines()
  sgd_line = next(line for line in lines if line.startswith("| SGD |"))
  assert "diverged" in sgd_line and "not reached" in sgd_line


def test_dsa_w2_swings_stay_small(quadratic_result):
  assert rows_by_optimizer(quadratic_result)["dsa"]["w2_overshoot"] < 0.1


def test_quadratic_writes_two_non_empty_pngs(quadratic_result):
  assert [p.name for p in quadratic_result.figures] == [
      "quadratic_tracks.png", "quadratic_step_sizes.png"]
  for path in quadratic_result.figures:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert path.stat().st_size > 10_000


def test_sum_of_four_dsa_finds_ones(tmp_path):
  result = case_studies.run_case_study(
      "sum-of-four", tmp_path, steps=100, optimizers=["dsa", "momentum"])
  np.testing.assert_allclose(result.tracks["dsa"].params[-1], np.ones(4), atol=1e-3)
  dsa = rows_by_optimizer(result)["dsa"]
  assert dsa["grad_evals"] == 2 * dsa["iterations"]
  assert result.figures[0].stat().st_size > 10_000


def test_sensitivity_covers_the_grid_in_one_sweep(tmp_path):
  result = case_studies.run_case_study("sensitivity", tmp_path, steps=40)
  assert len(result.rows) == len(result.tracks) == 4 * 3 * 3
  for track in result.tracks.values():
    assert track.params.shape == (41, 2)
  fastest = min(r["iterations"] for r in result.rows if r["iterations"] is not None)
  assert fastest < 40
  assert all(path.stat().st_size > 10_000 for path in result.figures)


def test_sensitivity_sweeps_one_optimizer_only(tmp_path):
  with pytest.raises(ValueError, match="one optimizer"):
    case_studies.run_case_study("sensitivity", tmp_path, optimizers=["dsa", "adam"])


def test_unknown_case_study_lists_the_known_ones(tmp_path):
  with pytest.raises(KeyError, match="sum-of-four"):
    case_studies.run_case_study("rosenbrock", tmp_path)


def test_sum_of_four_data_sums_rows():
  x, y = problems.sum_of_four_data(n_rows=7, seed=3)
  assert x.shape == (7, 4) and x.dtype == np.float32
  np.testing.assert_allclose(y, x.sum(axis=1))
  assert 0 <= x.min() and x.max() < 1


def test_threshold_row_counts_the_first_crossing():
  track = Track(
      params=np.zeros((4, 2), np.float32),
      loss=np.array([1.0, 1e-3, 1e-7, 1e-5], np.float32),
      grad_evals=np.array([0, 2, 4, 6], np.int32),
  )
  assert report.threshold_row(track, 1e-6) == {
      "iterations": 2, "grad_evals": 4, "final_loss": pytest.approx(1e-5),
      "diverged": False}


def test_sign_changes_and_overshoot():
  w2 = np.array([1.0, -0.5, 0.25, 0.0, -0.1, np.nan])
  assert quadratic.sign_changes(w2) == 3
  assert quadratic.overshoot_ratio(np.array([1.0, -0.5, 0.25])) == 0.5
  assert quadratic.overshoot_ratio(np.array([1.0, 0.5, 0.25])) == 0.0
  assert quadratic.overshoot_ratio(np.array([1.0, -20.0, np.inf])) == np.inf
