"""The main job: the paper's MLP experiment on the bundled iris and wine data.

100 full-batch epochs of every optimizer (DSA, the paper's 8 baselines with
PyTorch's defaults, and the peers), 3 seeds each, offline: iris and wine ship
with scikit-learn. Prints the results next to the paper's Table 7 and saves the
loss curves (the paper's figure 3).
"""

import pathlib

from train.experiment import run_experiment
from train.plots import plot_losses
from train.report import markdown_table, summarize

MAIN_PRESETS = ("mlp-iris", "mlp-wine")


def main_job(
    out_dir: str | pathlib.Path = "outputs",
    epochs: int = 100,
    seeds=(0, 1, 2),
    optimizer_names=None,
    progress: bool = True,
) -> str:
  """Runs the main job; returns the markdown report it also writes and prints."""
  out_dir = pathlib.Path(out_dir)
  panels, sections = {}, []
  for preset in MAIN_PRESETS:
    results = run_experiment(
        preset, optimizer_names, seeds, epochs=epochs, out_dir=out_dir / "runs",
        checkpoint=False, progress=progress,
    )
    panels[preset] = results
    sections.append(
        f"## {preset}: MLP, {epochs} full-batch epochs, {len(seeds)} seeds\n\n"
        "Test metrics in %, mean ± std over seeds; `paper` is Table 7.\n\n"
        + markdown_table(summarize(preset, results))
    )
  plot = plot_losses(panels, out_dir / "mlp_losses.png")
  report = "\n\n".join(sections) + f"\n\nLoss curves: {plot}\n"
  (out_dir / "results.md").write_text(report)
  print(report)
  return report
