"""Case study 2 (figures 6 and 9): the ill-conditioned quadratic w1² + 1000 w2²."""

import pathlib
from typing import Sequence

import numpy as np

from train import optimizers as registry
from train.case_studies import figures, problems, report
from train.case_studies.tracks import DEFAULT_OPTIMIZERS, run_tracks

STEPS = 200  # iterations per optimizer
THRESHOLD = 1e-6  # loss; it is 4.6e-3 at the start
A, B, START = 1.0, 1000.0, (-0.06, 0.001)  # the paper's figure 6


def sign_changes(values: np.ndarray) -> int:
  """Sign flips between consecutive finite, nonzero entries of `values`."""
  signs = np.sign(values[np.isfinite(values) & (values != 0)])
  return int(np.count_nonzero(signs[1:] != signs[:-1]))


def overshoot_ratio(values: np.ndarray) -> float:
  """Largest |value| after the first sign change, over |values[0]|.

  0 when the sign never changes, inf when the values stop being finite: how
  far the oscillation swings past 0 on the scale of the start.
  """
  signs = np.sign(values)
  flipped = np.flatnonzero(signs[1:] * signs[0] < 0)
  if flipped.size == 0:
    return 0.0
  after = values[flipped[0] + 1:]
  if not np.all(np.isfinite(after)):
    return float("inf")
  return float(np.abs(after).max() / abs(values[0]))


def run_quadratic(
    out_dir: str | pathlib.Path, *, steps: int | None = None,
    optimizers: Sequence[str] | None = None,
) -> report.CaseStudyResult:
  """Runs every optimizer on `w1² + 1000 w2²` from (-0.06, 0.001).

  Writes `quadratic_tracks.png` (each optimizer's 2-D track over the
  contours) and `quadratic_step_sizes.png` (||Δw|| and loss per iteration),
  and prints the table. The paper says DSA goes "along a straight line
  without visible oscillation"; the table measures it with the number of
  sign changes of w2 until the loss reaches `THRESHOLD` (along the whole
  track if it never does) and the largest |w2| after its first sign change
  relative to |w2| at the start.

  Args:
    out_dir: folder for the figures.
    steps: iterations per optimizer (default `STEPS`).
    optimizers: registry names (default: the paper's baselines, DSA, peers).

  Returns:
    The result; each row has "optimizer", the keys of `report.threshold_row`,
    "w2_sign_changes" and "w2_overshoot".
  """
  steps = steps or STEPS
  names = tuple(optimizers or DEFAULT_OPTIMIZERS)
  problem = problems.quadratic(A, B, START)
  tracks = run_tracks(names, problem, steps)
  labels = {name: registry.get(name).label for name in names}

  rows, body = [], []
  for name, track in tracks.items():
    summary = report.threshold_row(track, THRESHOLD)
    w2 = track.params[:, 1]
    w2_on_the_way = w2 if summary["iterations"] is None else w2[:summary["iterations"] + 1]
    row = {"optimizer": name, **summary, "w2_sign_changes": sign_changes(w2_on_the_way),
           "w2_overshoot": overshoot_ratio(w2)}
    rows.append(row)
    body.append([labels[name], *report.threshold_cells(row),
                 str(row["w2_sign_changes"]), f"{row['w2_overshoot']:.3g}"])
  setting = f"{A:g}·w1² + {B:g}·w2² from {START}"
  markdown = (
      f"Quadratic {setting}, {steps} iterations; threshold: loss <= "
      f"{THRESHOLD:g} (first iteration reaching it). w2 sign changes: until "
      "the threshold is reached (whole track if never). Overshoot: largest |w2| "
      "after w2 first changes sign, over |w2| at the start.\n\n"
      + report.markdown_table(
          ["optimizer", *report.THRESHOLD_HEADER, "w2 sign changes", "w2 overshoot"],
          body)
  )
  out_dir = pathlib.Path(out_dir)
  figure_paths = (
      figures.plot_planar_tracks(problem, tracks, labels, f"Tracks on {setting}",
                                 out_dir / "quadratic_tracks.png"),
      figures.plot_step_sizes(tracks, labels, f"Step sizes on {setting}",
                              out_dir / "quadratic_step_sizes.png"),
  )
  print(markdown)
  return report.CaseStudyResult("quadratic", rows, markdown, figure_paths, tracks)
