"""What a case study returns: table rows, their markdown, and the figure files."""

import dataclasses
import pathlib
from typing import Any, Sequence

import numpy as np

from train.case_studies.tracks import Track


@dataclasses.dataclass(frozen=True)
class CaseStudyResult:
  """The outcome of one case study."""

  name: str  # the key in `CASE_STUDIES`
  rows: list[dict[str, Any]]  # one dict per optimizer (or setting), see `threshold_row`
  markdown: str  # `rows` as a markdown table, with a line on the threshold
  figures: tuple[pathlib.Path, ...]  # the PNG files written
  tracks: dict[str, Track]  # the runs the rows summarise, by optimizer (or setting)


def iterations_to(track: Track, threshold: float) -> int | None:
  """The first iteration t with `loss[t] <= threshold` (0 is the start), or None."""
  reached = np.flatnonzero(track.loss <= threshold)
  return int(reached[0]) if reached.size else None


def has_diverged(track: Track) -> bool:
  """True when the final loss is not finite or is above the starting loss."""
  final = track.loss[-1]
  return bool(not np.isfinite(final) or final > track.loss[0])


def threshold_row(track: Track, threshold: float) -> dict[str, Any]:
  """Iterations and gradient evaluations to reach `threshold`, final loss.

  Returns:
    `{"iterations": int | None, "grad_evals": int | None, "final_loss": float,
    "diverged": bool}`; None where the loss never reached the threshold.
  """
  iterations = iterations_to(track, threshold)
  return {
      "iterations": iterations,
      "grad_evals": None if iterations is None else int(track.grad_evals[iterations]),
      "final_loss": float(track.loss[-1]),
      "diverged": has_diverged(track),
  }


def threshold_cells(row: dict[str, Any]) -> list[str]:
  """The markdown cells of `threshold_row`'s entries."""
  def count(value):
    return "not reached" if value is None else str(value)

  final = f"{row['final_loss']:.3g}"
  if row["diverged"]:
    final = f"diverged ({final})" if np.isfinite(row["final_loss"]) else "diverged"
  return [count(row["iterations"]), count(row["grad_evals"]), final]


THRESHOLD_HEADER = ["iterations", "grad evals", "final loss"]


def markdown_table(header: Sequence[str], body: Sequence[Sequence[str]]) -> str:
  """A GitHub markdown table."""
  lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
  lines += ["| " + " | ".join(cells) + " |" for cells in body]
  return "\n".join(lines)
