"""The part of the paper's FMP experiment (Table 1) that a CPU can run: the
FMP network at 1/16 of its channels on an MNIST subset, the hybrid schedule
(Adamax mini-batch, then full-batch DSA) against Adamax alone.

The paper's FMP runs (``fmp-mnist``: 50 + 15 epochs on all 60,000 images,
full width, 10.6 M parameters) need a GPU; this checks the pipeline end to
end on real data (fractional max-pooling under the jitted mini-batch scan,
the chunked full-batch pass and DSA's probe gradient) and gives the
per-epoch costs. The accuracies are not comparable with the paper's.

Usage:
  DSA_DATA_DIR=/work/shared/data python benchmarks/fmp_slim.py --run   # ~15 min here
  python benchmarks/fmp_slim.py          # the tables from the logged runs
"""

import argparse
import pathlib
import sys

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import logged_runs  # noqa: E402
from train import optimizers, report  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
RUNS = HERE / "runs_committed" / "fmp_slim"
STARTED = HERE / "results" / "fmp_slim_started.json"
PRESET = "fmp-mnist"
NAMES = ("dsa", "adamax")


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--run", action="store_true")
  parser.add_argument("--width", type=float, default=1 / 16)
  parser.add_argument("--max-train", type=int, default=4096)
  parser.add_argument("--epochs", nargs=2, type=int, default=(5, 5), metavar=("T1", "T2"))
  parser.add_argument("--seeds", nargs="+", type=int, default=[0])
  args = parser.parse_args()
  if args.run:
    from train.experiment import run_experiment

    logged_runs.save_json(STARTED, logged_runs.machine())
    run_experiment(PRESET, NAMES, seeds=args.seeds, epochs=tuple(args.epochs), width=args.width,
                   max_train=args.max_train, chunk_size=args.max_train, out_dir=RUNS,
                   checkpoint=False, progress=False)
  runs = logged_runs.read_preset(RUNS, PRESET, NAMES)
  t1, t2 = args.epochs
  command = (f"DSA_DATA_DIR=/work/shared/data nice -n 5 python benchmarks/fmp_slim.py --run "
             f"--width {args.width:g} --max-train {args.max_train} --epochs {t1} {t2} "
             f"--seeds {' '.join(map(str, args.seeds))}")
  lines = ["# FMP, slim, on an MNIST subset: the hybrid schedule on a CPU", ""]
  lines += logged_runs.header_lines(command, logged_runs.machine(), logged_runs.load_json(STARTED))
  lines += [
      "- Runs: `benchmarks/runs_committed/fmp_slim/` (compilation excluded from `epoch_seconds`)",
      "",
      f"FMP (the paper's six blocks) at width {args.width:g} of its channels, on the first "
      f"{args.max_train} MNIST training images, evaluated on all 10,000 test images. DSA: {t1} "
      f"epochs of mini-batch Adamax (batch 64), then {t2} full-batch DSA epochs (one chunk). "
      f"Adamax: {t1 + t2} mini-batch epochs from the same initialisation. **Not the paper's "
      "protocol** (50 + 15 epochs, all images, full width, on a GPU): the `paper` columns are "
      "Table 1's numbers for that protocol, shown for scale only.",
      "",
  ]
  if not runs:
    lines += ["Not run yet."]
  else:
    lines += [report.markdown_table(report.summarize(PRESET, runs)), "",
              "Per epoch (mean over seeds): train loss, test accuracy %, seconds.", "",
              "| epoch | " + " | ".join(f"{optimizers.get(n).label} {c}" for n in runs
                                       for c in ("train loss", "test acc", "s")) + " |",
              "|---|" + "---|---|---|" * len(runs)]
    epochs = sorted({r["epoch"] for run in runs.values() for r in run.history})
    for epoch in epochs:
      cells = []
      for run in runs.values():
        rs = [r for r in run.history if r["epoch"] == epoch]
        cells += ([f"{np.mean([r['train_loss'] for r in rs]):.4f}",
                   f"{100 * np.mean([r['accuracy'] for r in rs]):.2f}",
                   f"{np.mean([r['epoch_seconds'] for r in rs]):.1f}"] if rs else ["", "", ""])
      lines.append(f"| {epoch} | " + " | ".join(cells) + " |")
    if set(NAMES) <= set(runs):
      dsa_s = [r["epoch_seconds"] for r in runs["dsa"].history if r["full_batch"]]
      adamax_s = [r["epoch_seconds"] for r in runs["adamax"].history]
      if dsa_s and adamax_s:
        lines += ["", f"A full-batch DSA epoch (two passes) took {np.median(dsa_s) / np.median(adamax_s):.2f}x "
                  "a mini-batch Adamax epoch (one pass in batches of 64), medians over epochs, "
                  "in the same process."]
  (HERE / "fmp_slim.md").write_text("\n".join(lines) + "\n")
  print("\n".join(lines))


if __name__ == "__main__":
  main()
