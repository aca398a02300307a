"""Result tables: our final-epoch test metrics next to the paper's numbers."""

import numpy as np

from train import optimizers
from train.paper_results import METRICS, PAPER_RESULTS


def final_records(history: list[dict]) -> list[dict]:
  """The last logged epoch of each seed."""
  last = {}
  for record in history:
    last[record["seed"]] = record
  return list(last.values())


def summarize(preset_name: str, results: dict) -> list[dict]:
  """One row per optimizer: mean and std over seeds of the final metrics.

  Args:
    preset_name: the experiment, to look up the paper's numbers.
    results: ``{optimizer: RunResult}`` from ``run_experiment``.

  Returns:
    Rows with keys ``optimizer``, ``label``, ``seeds``, ``epochs``,
    ``stopped``, ``<metric>_mean``, ``<metric>_std`` (percent) for accuracy,
    f1, recall, precision; ``train_loss_mean``/``_std``, ``grad_evals`` and
    ``paper_<metric>`` where the paper reports one.
  """
  paper = PAPER_RESULTS.get(preset_name, {})
  rows = []
  for name, result in results.items():
    final = final_records(result.history)
    row = {
        "optimizer": name,
        "label": optimizers.get(name).label,
        "seeds": len(final),
        "epochs": max(r["epoch"] for r in final),
        "stopped": result.stopped,
        "grad_evals": int(np.mean([r["grad_evals"] for r in final])),
    }
    for metric in METRICS:
      values = 100 * np.array([r[metric] for r in final])
      row[f"{metric}_mean"], row[f"{metric}_std"] = float(values.mean()), float(values.std())
    losses = np.array([r["train_loss"] for r in final])
    row["train_loss_mean"], row["train_loss_std"] = float(losses.mean()), float(losses.std())
    if name in paper:
      row.update({f"paper_{m}": v for m, v in zip(METRICS, paper[name])})
    rows.append(row)
  return rows


def markdown_table(rows: list[dict]) -> str:
  """Test metrics (%, mean ± std over seeds) with the paper's value beside each."""
  header = ["optimizer"]
  for metric in METRICS:
    header += [metric, "paper"]
  header += ["final train loss", "grad evals"]
  lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
  for row in rows:
    cells = [row["label"] + (" (diverged)" if row["stopped"] else "")]
    for metric in METRICS:
      cells.append(f"{row[f'{metric}_mean']:.2f} ± {row[f'{metric}_std']:.2f}")
      paper = row.get(f"paper_{metric}")
      cells.append("" if paper is None else f"{paper:.2f}")
    cells.append(f"{row['train_loss_mean']:.3g} ± {row['train_loss_std']:.2g}")
    cells.append(str(row["grad_evals"]))
    lines.append("| " + " | ".join(cells) + " |")
  return "\n".join(lines)
