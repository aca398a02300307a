"""Reading logged runs (metrics.jsonl) and describing the machine, for the
benchmark scripts of this folder (mlp_table7, dnn_hybrid, ablation, summary).

Every table of these benchmarks is computed from the ``metrics.jsonl`` files
that ``train.experiment.run_experiment`` (or ``train.loop.fit``) writes, one
JSON record per epoch and seed.
"""

import dataclasses
import datetime
import json
import math
import os
import pathlib
import platform
import subprocess

import numpy as np


@dataclasses.dataclass
class LoggedRun:
  """A run read back from disk, shaped like ``train.loop.RunResult`` for
  ``train.report.summarize`` and ``train.plots.plot_losses``."""

  history: list[dict]
  stopped: str | None = None


def read_metrics(path: str | pathlib.Path) -> list[dict]:
  """The records of one metrics.jsonl file (an empty list if it is missing)."""
  path = pathlib.Path(path)
  if not path.exists():
    return []
  return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def read_run(path: str | pathlib.Path, max_epoch: int | None = None) -> LoggedRun | None:
  """One optimizer's run, truncated to ``max_epoch``; None when nothing was logged.

  A run whose last logged training loss is not finite stopped early (``fit``
  stops there); ``stopped`` says so.
  """
  history = read_metrics(path)
  if max_epoch is not None:
    history = [r for r in history if r["epoch"] <= max_epoch]
  if not history:
    return None
  stopped = None
  bad = [r for r in history if not math.isfinite(r["train_loss"])]
  if bad:
    stopped = f"non-finite training loss at epoch {bad[0]['epoch']}"
  return LoggedRun(history, stopped)


def read_preset(roots, preset: str, names, max_epoch=None) -> dict[str, LoggedRun]:
  """``{optimizer: LoggedRun}`` for the runs of ``root/<preset>/<optimizer>/``.

  ``roots``: one root, or several (e.g. one per seed) whose runs of the same
  optimizer are merged into one.
  """
  roots = [roots] if isinstance(roots, (str, pathlib.Path)) else list(roots)
  runs = {}
  for name in names:
    found = [run for run in (read_run(pathlib.Path(root) / preset / name / "metrics.jsonl", max_epoch)
                             for root in roots) if run is not None]
    if found:
      stopped = next((run.stopped for run in found if run.stopped), None)
      runs[name] = LoggedRun([record for run in found for record in run.history], stopped)
  return runs


def by_seed(history: list[dict]) -> dict[int, list[dict]]:
  """The records of each seed, in epoch order."""
  seeds: dict[int, list[dict]] = {}
  for record in history:
    seeds.setdefault(record["seed"], []).append(record)
  return {s: sorted(rs, key=lambda r: r["epoch"]) for s, rs in seeds.items()}


def first_reaching(records: list[dict], threshold: float, key: str = "train_loss"):
  """The first record whose ``key`` is <= ``threshold``, or None."""
  for record in records:
    if math.isfinite(record[key]) and record[key] <= threshold:
      return record
  return None


def mean_std(values) -> tuple[float, float]:
  values = np.asarray(values, dtype=float)
  return float(values.mean()), float(values.std())


def machine() -> dict:
  """The machine and software, for the header of a results file."""
  model = platform.processor() or "unknown"
  try:
    for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
      if line.startswith("Model name:"):
        model = line.split(":", 1)[1].strip()
  except OSError:
    pass
  versions = {}
  for module in ("jax", "jaxlib", "optax", "flax", "numpy"):
    try:
      versions[module] = __import__(module).__version__
    except ImportError:
      versions[module] = "absent"
  try:
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "status", "--porcelain", "--", "dsa_optax", "models", "train"],
        capture_output=True, text=True,
    ).stdout.strip()
  except OSError:
    commit, dirty = "unknown", ""
  return {
      "cpu": model,
      "nproc": os.cpu_count(),
      "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
      "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
      "python": platform.python_version(),
      "versions": versions,
      "commit": commit + (" (with uncommitted changes in dsa_optax/models/train)" if dirty else ""),
  }


def header_lines(command: str, info: dict, started: dict | None = None) -> list[str]:
  """Markdown lines: command, machine, date, versions."""
  v = info["versions"]
  lines = [
      f"- Command: `{command}`",
      f"- Machine: {info['cpu']}, nproc {info['nproc']} (shared with other jobs); "
      f"load average (1, 5, 15 min) when this file was written: {info['load']}"
      + (f"; when the runs started: {started['load']}" if started else ""),
      f"- Date: {info['date']}" + (f" (runs started {started['date']})" if started else ""),
      f"- Versions: Python {info['python']}, jax {v['jax']}, jaxlib {v['jaxlib']}, "
      f"optax {v['optax']}, flax {v['flax']}, numpy {v['numpy']}; project commit "
      + (f"{started['commit']} when the runs started, " if started and "commit" in started else "")
      + f"{info['commit']} when this file was written",
  ]
  return lines


def save_json(path, obj):
  pathlib.Path(path).parent.mkdir(parents=True, exist_ok=True)
  pathlib.Path(path).write_text(json.dumps(obj, indent=1))


def load_json(path):
  path = pathlib.Path(path)
  return json.loads(path.read_text()) if path.exists() else None
