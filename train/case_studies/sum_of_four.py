"""Case study 1 (figure 5): learn the sum of four numbers by least squares."""

import pathlib
from typing import Sequence

import numpy as np

from train import optimizers as registry
from train.case_studies import figures, problems, report
from train.case_studies.tracks import DEFAULT_OPTIMIZERS, run_tracks

STEPS = 300  # iterations per optimizer (full-batch updates)
THRESHOLD = 1e-4  # mean squared error; the residual's RMS is then 0.01
N_ROWS, SEED = 100, 0  # rows of X, uniform in [0, 1), drawn with this seed


def run_sum_of_four(
    out_dir: str | pathlib.Path, *, steps: int | None = None,
    optimizers: Sequence[str] | None = None,
) -> report.CaseStudyResult:
  """Runs every optimizer on `mean((X w - y)^2)`, y = sum of each row of X.

  Writes `sum_of_four.png` (loss trend and the track of each w_i) and prints
  the table: iterations and gradient evaluations until the loss first falls
  to `THRESHOLD`, the final loss and the final distance to w = (1, 1, 1, 1).

  Args:
    out_dir: folder for the figure.
    steps: iterations per optimizer (default `STEPS`).
    optimizers: registry names (default: the paper's baselines, DSA, peers).

  Returns:
    The result; each row has "optimizer", the keys of `report.threshold_row`
    and "distance_to_optimum".
  """
  steps = steps or STEPS
  names = tuple(optimizers or DEFAULT_OPTIMIZERS)
  problem = problems.sum_of_four(N_ROWS, SEED)
  tracks = run_tracks(names, problem, steps)
  labels = {name: registry.get(name).label for name in names}

  rows, body = [], []
  for name, track in tracks.items():
    distance = float(np.linalg.norm(track.params[-1] - np.asarray(problem.optimum)))
    row = {"optimizer": name, **report.threshold_row(track, THRESHOLD),
           "distance_to_optimum": distance}
    rows.append(row)
    body.append([labels[name], *report.threshold_cells(row), f"{distance:.3g}"])
  markdown = (
      f"Sum of four numbers: {N_ROWS} rows uniform in [0, 1) (seed {SEED}), "
      f"{steps} full-batch iterations from w = 0; threshold: MSE <= {THRESHOLD:g} "
      "(first iteration reaching it).\n\n"
      + report.markdown_table(
          ["optimizer", *report.THRESHOLD_HEADER, "final ||w - 1||"], body)
  )
  figure = figures.plot_sum_of_four(
      tracks, labels, THRESHOLD, pathlib.Path(out_dir) / "sum_of_four.png")
  print(markdown)
  return report.CaseStudyResult("sum-of-four", rows, markdown, (figure,), tracks)
