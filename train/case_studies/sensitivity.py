"""Appendix H (figure 10): DSA's tracks for a grid of η0, β1 and β2."""

import itertools
import pathlib
from typing import Sequence

import numpy as np

from train import optimizers as registry
from train.case_studies import figures, problems, report
from train.case_studies.tracks import sweep_tracks

STEPS = 300  # iterations per setting
THRESHOLD = 1e-6  # loss; it is 96 at the start
A, B, START = 1.0, 95.0, (-1.0, 1.0)  # the paper's figure 10
ETA0S = (-16.0, -12.0, -8.0, -4.0)
BETA1S = (0.3, 0.6, 0.9)
BETA2S = (0.1, 0.3, 0.5)


def settings_grid() -> dict[str, np.ndarray]:
  """Every (η0, β1, β2) of the grid, as three aligned float32 arrays."""
  grid = np.array(list(itertools.product(ETA0S, BETA1S, BETA2S)), np.float32)
  return {"eta0": grid[:, 0], "beta1": grid[:, 1], "beta2": grid[:, 2]}


def run_sensitivity(
    out_dir: str | pathlib.Path, *, steps: int | None = None,
    optimizers: Sequence[str] | None = None,
) -> report.CaseStudyResult:
  """Runs DSA on `w1² + 95 w2²` from (-1, 1) for every setting of the grid.

  All settings run in one jitted, vectorised scan. Writes
  `sensitivity_tracks.png` (a panel per (β1, β2), a line per η0) and its
  loss curves `sensitivity_losses.png`, and prints the table of iterations
  and gradient evaluations to reach `THRESHOLD`.

  Args:
    out_dir: folder for the figures.
    steps: iterations per setting (default `STEPS`).
    optimizers: None, or one registry name whose `make` takes `eta0`,
      `beta1` and `beta2` (default "dsa").

  Returns:
    The result; each row has "eta0", "beta1", "beta2" and the keys of
    `report.threshold_row`; tracks are keyed "eta0=.. beta1=.. beta2=..".

  Raises:
    ValueError: if `optimizers` is given and does not name exactly one.
  """
  if optimizers is not None and len(optimizers) != 1:
    raise ValueError(
        f"the sensitivity study sweeps one optimizer's η0, β1, β2; got {optimizers}.")
  steps = steps or STEPS
  spec = registry.get(optimizers[0] if optimizers else "dsa")
  problem = problems.quadratic(A, B, START)
  settings = settings_grid()
  swept = sweep_tracks(spec, problem, steps, settings)

  rows, body, tracks = [], [], {}
  for i, (eta0, beta1, beta2) in enumerate(zip(*settings.values())):
    track = swept.at(i)
    key = f"eta0={eta0:g} beta1={beta1:g} beta2={beta2:g}"
    tracks[key] = track
    row = {"eta0": float(eta0), "beta1": float(beta1), "beta2": float(beta2),
           **report.threshold_row(track, THRESHOLD)}
    rows.append(row)
    body.append([f"{eta0:g}", f"{beta1:g}", f"{beta2:g}", *report.threshold_cells(row)])
  setting = f"{A:g}·w1² + {B:g}·w2² from {START}"
  markdown = (
      f"{spec.label} sensitivity on {setting}, {steps} iterations; threshold: "
      f"loss <= {THRESHOLD:g} (first iteration reaching it).\n\n"
      + report.markdown_table(["η0", "β1", "β2", *report.THRESHOLD_HEADER], body)
  )
  out_dir = pathlib.Path(out_dir)
  figure_paths = (
      figures.plot_sensitivity(problem, swept, settings,
                               f"{spec.label} tracks on {setting}",
                               out_dir / "sensitivity_tracks.png"),
      figures.plot_sensitivity_losses(swept, settings, THRESHOLD,
                                      f"{spec.label} loss on {setting}",
                                      out_dir / "sensitivity_losses.png"),
  )
  print(markdown)
  return report.CaseStudyResult("sensitivity", rows, markdown, figure_paths, tracks)
