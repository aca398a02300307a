"""Ablations of DSA: the paper's four variants, the η bounds, ε, and mini-batch
against full-batch DSA in the hybrid schedule's second stage.

* Variants, η bounds and ε: the MLP on the tabular sets (cheap on a CPU),
  full batch, 100 epochs, several seeds under vmap (``run_experiment``).
  The variants are the registry's ``dsa``, ``dsa_basic``,
  ``dsa_per_parameter``, ``dsa_exponential``. The bound and ε settings are
  registered at start as extra registry entries built from
  ``dsa_optax.dsa(eta_max=..., eps=...)`` (nothing is monkeypatched: new
  names are added to ``train.optimizers.REGISTRY``).
* Second stage: the DNN on the first ``--stage2-train`` MNIST training
  images, T1 epochs of mini-batch Adamax then T2 epochs of DSA, full-batch
  (the paper's) or mini-batch (batch 64, both gradients on the same batch),
  against T1 + T2 epochs of Adamax; ``train.loop.fit`` with the stages built
  here.

Usage:
  DSA_DATA_DIR=/work/shared/data python benchmarks/ablation.py --run [--seeds 0 1 2 3 4] [--stage2]
  python benchmarks/ablation.py        # the tables from the logged runs only
"""

import argparse
import dataclasses
import functools
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import dsa_optax  # noqa: E402
import logged_runs  # noqa: E402
import mlp_table7  # noqa: E402
from train import optimizers, presets, report  # noqa: E402
from train.schedule import Stage  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results"
TABULAR = ("mlp-iris", "mlp-wine", "mlp-car", "mlp-mushroom")

# name: (label, dsa_optax.dsa keyword arguments)
SETTINGS = {
    "dsa_eta_max_0": ("DSA, η ≤ 0 (step ≤ 1)", {"eta_max": 0.0}),
    "dsa_eta_max_-4": ("DSA, η ≤ -4 (step ≤ 1/16)", {"eta_max": -4.0}),
    "dsa_eps_1e-12": ("DSA, ε = 1e-12", {"eps": 1e-12}),
    "dsa_eps_1e-4": ("DSA, ε = 1e-4", {"eps": 1e-4}),
}
GROUPS = {
    "Variants (the paper's formulas 3-6)": optimizers.DSA_VARIANTS,
    "η bounds (default: float32's, [-126, 126])": ("dsa", "dsa_eta_max_0", "dsa_eta_max_-4"),
    "ε (default 1e-8)": ("dsa", "dsa_eps_1e-12", "dsa_eps_1e-4"),
}


def register_settings():
  """Adds the bound and ε settings to the registry under new names."""
  base = optimizers.get("dsa")
  for name, (label, kwargs) in SETTINGS.items():
    if name not in optimizers.REGISTRY:
      optimizers.REGISTRY[name] = dataclasses.replace(
          base, name=name, label=label, make=functools.partial(dsa_optax.dsa, variant="full", **kwargs)
      )


def stage2_schedules(t1, t2, batch):
  return {
      "dsa_full_batch": (Stage("adamax", t1, False, batch), Stage("dsa", t2, True)),
      "dsa_minibatch": (Stage("adamax", t1, False, batch), Stage("dsa", t2, False, batch)),
      "adamax": (Stage("adamax", t1 + t2, False, batch),),
  }


def run(args):
  from train import data as datasets
  from train.experiment import run_experiment, subset
  from train.loop import fit

  timings = logged_runs.load_json(RESULTS / "ablation_timings.json") or {}
  logged_runs.save_json(RESULTS / "ablation_started.json", logged_runs.machine())
  names = tuple(args.names or dict.fromkeys(n for group in GROUPS.values() for n in group))
  if not args.stage2_only:
    for preset in args.presets:
      start = time.perf_counter()
      run_experiment(preset, names, seeds=args.seeds, epochs=100,
                     out_dir=pathlib.Path(args.runs) / "tabular", checkpoint=False, progress=False)
      timings[f"{preset} ({' '.join(args.names)})" if args.names else preset] = time.perf_counter() - start
      logged_runs.save_json(RESULTS / "ablation_timings.json", timings)
      write_report(args)
  if args.stage2:
    preset = presets.get("dnn-mnist")
    data = subset(datasets.load("mnist"), args.stage2_train)
    for name, stages in stage2_schedules(*args.stage2_epochs, preset.batch_size).items():
      start = time.perf_counter()
      fit(lambda seed: preset.build_model(data.input_shape, data.n_classes, seed), data, stages,
          args.stage2_seeds, out_dir=pathlib.Path(args.runs) / "stage2" / name,
          checkpoint=False, progress=False, chunk_size=args.stage2_train)
      timings[f"stage2 {name}"] = time.perf_counter() - start
      logged_runs.save_json(RESULTS / "ablation_timings.json", timings)
      write_report(args)


def write_report(args):
  info = logged_runs.machine()
  started = logged_runs.load_json(RESULTS / "ablation_started.json")
  timings = logged_runs.load_json(RESULTS / "ablation_timings.json") or {}
  command = (
      "DSA_DATA_DIR=/work/shared/data nice -n 5 python benchmarks/ablation.py --run --seeds 0 1 2 3 4` "
      "(stopped after mlp-car for CPU time), in parallel with `... --run --stage2-only --stage2 "
      f"--stage2-train {args.stage2_train} --stage2-epochs {' '.join(map(str, args.stage2_epochs))} "
      f"--stage2-seeds {' '.join(map(str, args.stage2_seeds))}`, then `... --run --presets mlp-mushroom "
      "--names dsa dsa_eps_1e-12 dsa_exponential --seeds 0 1 2 3 4` and `... --run --presets mlp-mushroom "
      "--names dsa_basic dsa_per_parameter dsa_eta_max_0 dsa_eta_max_-4 dsa_eps_1e-4 --seeds 0 1 2 3 4`; "
      "tables: `python benchmarks/ablation.py "
      "--presets mlp-iris mlp-wine mlp-car mlp-mushroom --stage2 ..."
  )
  lines = ["# DSA ablations", ""]
  lines += logged_runs.header_lines(command, info, started)
  lines += [
      "- Wall time: " + (", ".join(f"{k} {v:.0f} s" for k, v in timings.items()) or "not run"),
      f"- Runs in `{args.runs}` (not committed).",
      "",
      "Variants, η bounds and ε: the MLP, full batch, 100 epochs, on the tabular sets "
      "(chosen because they are cheap on this CPU; the image models were not ablated). "
      "Test metrics in %, mean ± std over seeds; `paper` is the paper's Table 7 "
      "for full DSA only.",
      "",
  ]
  summary = {}
  for preset in args.presets:
    for title, names in GROUPS.items():
      runs = logged_runs.read_preset(pathlib.Path(args.runs) / "tabular", preset, names)
      if not runs:
        continue
      if title.startswith("Variants"):
        lines += [f"## {preset}", ""]
      rows = report.summarize(preset, runs)
      lines += [f"### {preset}: {title}", "", report.markdown_table(rows), ""]
      lines += ["Epochs (median over seeds; gradient evaluations in brackets) to reach train loss "
                "0.1 and 0.01 within the 100 epochs:", "",
                "| setting | loss ≤ 0.1 | loss ≤ 0.01 |", "|---|---|---|"]
      for name, run in runs.items():
        cells = []
        for t in (0.1, 0.01):
          _, stats = mlp_table7.describe_reached(*mlp_table7.threshold_stats(run, t))
          cells.append("not reached" if stats is None else f"{stats[0]:.0f} ({stats[1]:.0f})")
          summary.setdefault(preset, {}).setdefault(name, {})[f"epoch_to_{t}"] = None if stats is None else stats[0]
        lines.append(f"| {optimizers.get(name).label} | " + " | ".join(cells) + " |")
      lines.append("")
      for row in rows:
        summary.setdefault(preset, {}).setdefault(row["optimizer"], {}).update({
            "accuracy": row["accuracy_mean"], "accuracy_std": row["accuracy_std"],
            "train_loss": row["train_loss_mean"], "stopped": row["stopped"],
        })
  stage2_root = pathlib.Path(args.runs) / "stage2"
  schedules = stage2_schedules(*args.stage2_epochs, 64)
  runs = {}
  for name in schedules:
    run = logged_runs.read_run(stage2_root / name / "metrics.jsonl")
    if run is not None:
      runs[name] = run
  lines += ["## Second stage: full-batch against mini-batch DSA (DNN, MNIST subset)", ""]
  if not runs:
    lines += ["Not run (CPU time).", ""]
  else:
    t1, t2 = args.stage2_epochs
    lines += [
        f"The DNN on the first {args.stage2_train} MNIST training images (full test set), "
        f"seeds {args.stage2_seeds}: {t1} epochs of mini-batch Adamax (batch 64), then {t2} "
        "epochs of DSA full-batch (the paper) or mini-batch (batch 64), against "
        f"{t1 + t2} epochs of Adamax. Grad evals count batch or full-batch gradients alike. "
        f"Full-batch gradients in one pass (chunk size {args.stage2_train}): the trainer's "
        "chunked path is far slower on this CPU (see `full_batch_cost.md`).",
        "",
        "| schedule | epochs | test accuracy % | macro F1 % | final train loss | grad evals |",
        "|---|---|---|---|---|---|",
    ]
    for name, run in runs.items():
      final = report.final_records(run.history)
      acc = logged_runs.mean_std([100 * r["accuracy"] for r in final])
      f1 = logged_runs.mean_std([100 * r["f1"] for r in final])
      loss = logged_runs.mean_std([r["train_loss"] for r in final])
      epochs = max(r["epoch"] for r in final)
      evals = int(sum(r["grad_evals"] for r in final) / len(final))
      desc = " then ".join(s.describe() for s in schedules[name])
      lines.append(f"| {desc} | {epochs} | {acc[0]:.2f} ± {acc[1]:.2f} | {f1[0]:.2f} ± {f1[1]:.2f} | "
                   f"{loss[0]:.4g} | {evals} |")
      summary.setdefault("stage2", {})[name] = {"accuracy": acc[0], "train_loss": loss[0], "epochs": epochs}
    lines.append("")
  logged_runs.save_json(RESULTS / "ablation.json", summary)
  (HERE / "ablation.md").write_text("\n".join(lines) + "\n")


def main():
  register_settings()
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--run", action="store_true")
  parser.add_argument("--presets", nargs="+", default=list(TABULAR))
  parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
  parser.add_argument("--names", nargs="+", default=None, help="only these settings")
  parser.add_argument("--stage2", action="store_true")
  parser.add_argument("--stage2-only", action="store_true")
  parser.add_argument("--stage2-train", type=int, default=8192)
  parser.add_argument("--stage2-epochs", nargs=2, type=int, default=[5, 5])
  parser.add_argument("--stage2-seeds", nargs="+", type=int, default=[0])
  parser.add_argument("--runs", default=str(HERE / "runs" / "ablation"))
  args = parser.parse_args()
  if args.run:
    run(args)
  write_report(args)


if __name__ == "__main__":
  main()
