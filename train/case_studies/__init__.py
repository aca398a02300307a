"""The paper's case studies (section 3.3 and appendix H) as library functions.

Each case study runs every optimizer on a small deterministic problem, one
jitted `lax.scan` per optimizer, writes its figures (PNG) to a folder and
prints a markdown table of iterations and gradient evaluations to reach a
loss threshold (DSA evaluates two gradients per iteration).

  >>> from train.case_studies import run_case_study
  >>> result = run_case_study("quadratic", "out/")  # doctest: +SKIP
"""

import pathlib
from typing import Callable, Sequence

from train.case_studies.quadratic import run_quadratic
from train.case_studies.report import CaseStudyResult
from train.case_studies.sensitivity import run_sensitivity
from train.case_studies.sum_of_four import run_sum_of_four

CaseStudy = Callable[..., CaseStudyResult]

CASE_STUDIES: dict[str, CaseStudy] = {
    "sum-of-four": run_sum_of_four,
    "quadratic": run_quadratic,
    "sensitivity": run_sensitivity,
}


def run_case_study(
    name: str, out_dir: str | pathlib.Path, *, steps: int | None = None,
    optimizers: Sequence[str] | None = None,
) -> CaseStudyResult:
  """Runs the case study `name`, writes its figures to `out_dir`, prints its table.

  Args:
    name: a key of `CASE_STUDIES`: "sum-of-four", "quadratic", "sensitivity".
    out_dir: folder for the PNG figures (created if missing).
    steps: iterations per optimizer (default: the study's own).
    optimizers: registry names to run (default: the study's own).

  Returns:
    The `CaseStudyResult`: table rows, markdown, figure paths and tracks.

  Raises:
    KeyError: if `name` is not a case study.
  """
  if name not in CASE_STUDIES:
    raise KeyError(f"unknown case study {name!r}; choose one of {sorted(CASE_STUDIES)}.")
  return CASE_STUDIES[name](out_dir, steps=steps, optimizers=optimizers)


__all__ = ["CASE_STUDIES", "CaseStudyResult", "run_case_study"]
