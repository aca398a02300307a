"""Loss curves per optimizer, as the paper's figures 3, 4 and 8."""

import pathlib

import numpy as np
from matplotlib.figure import Figure

from train import optimizers


def mean_curve(history: list[dict], key: str = "train_loss"):
  """Epochs and the mean of ``key`` over seeds at each epoch."""
  by_epoch: dict[int, list[float]] = {}
  for record in history:
    by_epoch.setdefault(record["epoch"], []).append(record[key])
  epochs = sorted(by_epoch)
  return np.array(epochs), np.array([np.mean(by_epoch[e]) for e in epochs])


def plot_losses(panels: dict[str, dict], path: str | pathlib.Path, key: str = "train_loss"):
  """One panel per experiment, one curve per optimizer; saves a PNG.

  Args:
    panels: ``{title: {optimizer: RunResult}}``.
    path: the PNG file to write.
    key: the logged quantity to plot (``train_loss`` or ``test_loss``).

  Returns:
    The path written.
  """
  # A bare Figure (no pyplot): no global backend change, safe in notebooks.
  figure = Figure(figsize=(5.5 * len(panels), 4.2))
  axes = figure.subplots(1, len(panels), squeeze=False)
  for ax, (title, results) in zip(axes[0], panels.items()):
    for name, result in results.items():
      epochs, values = mean_curve(result.history, key)
      style = {"linewidth": 2.5, "color": "black"} if name == "dsa" else {"linewidth": 1.2}
      ax.plot(epochs, values, label=optimizers.get(name).label, **style)
    ax.set_yscale("log")
    ax.set_title(title)
    ax.set_xlabel("epoch")
    ax.set_ylabel(key.replace("_", " "))
    ax.grid(alpha=0.3)
  axes[0][-1].legend(fontsize=8, loc="center left", bbox_to_anchor=(1.0, 0.5))
  figure.tight_layout()
  path = pathlib.Path(path)
  path.parent.mkdir(parents=True, exist_ok=True)
  figure.savefig(path, dpi=120)
  return path
