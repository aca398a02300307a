"""The paper's DNN experiment (Table 2, appendix E): the 15+15 hybrid schedule
for DSA against pure mini-batch training, on MNIST and Fashion-MNIST.

DSA trains T1 = 15 epochs of mini-batch Adamax (batch 64), then T2 = 15
epochs of full-batch DSA from η0 (``train.presets``: ``dnn-mnist``). Pure
mini-batch Adamax for 30 epochs shares its first 15 epochs exactly (same
initialisation, same shuffles: the order of epoch e is drawn from
``fold_in(key(seed), e)``), so the two differ only in the last 15 epochs:
the comparison isolates the DSA stage. To save CPU time the shared prefix is
trained once (``train.loop.fit`` with a checkpoint after epoch 15) and both
continuations resume from a copy of that checkpoint (``fit(resume=True)``,
which gives the numbers of an uninterrupted run). Other optimizers train
mini-batch for 30 epochs from scratch (``--others``), as CPU time allows.

Usage:
  DSA_DATA_DIR=/work/shared/data python benchmarks/dnn_hybrid.py --run \
      --presets dnn-mnist [--seeds 0] [--others adagrad sgd] [--max-train N]
  python benchmarks/dnn_hybrid.py      # the tables from the logged runs only
"""

import argparse
import pathlib
import shutil
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import logged_runs  # noqa: E402
from train import optimizers, presets, report  # noqa: E402
from train.schedule import minibatch_schedule  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
RESULTS = HERE / "results"
ACCURACY_CLAIMS = {"dnn-mnist": {"dsa": 98.93, "adamax": 98.80, "adagrad": 98.48}}


FIT_OPTIONS = {}  # chunk_size, unroll_chunks: set from the command line


def _fit(preset, data, stages, seeds, out_dir, resume, checkpoint):
  from train.loop import fit

  return fit(
      lambda seed: preset.build_model(data.input_shape, data.n_classes, seed),
      data, stages, seeds, out_dir=out_dir, resume=resume, checkpoint=checkpoint, progress=False,
      **FIT_OPTIONS,
  )


def _roots(args):
  """Where the runs are: ``--runs``, or ``--runs``/seed<s> with ``--seed-at-a-time``."""
  if args.seed_at_a_time:
    return [pathlib.Path(args.runs) / f"seed{s}" for s in args.seeds]
  return [pathlib.Path(args.runs)]


def _preset(args, preset_name):
  """The preset, with (T1, T2) replaced by ``--epochs`` (smoke tests only)."""
  import dataclasses

  preset = presets.get(preset_name)
  return dataclasses.replace(preset, epochs=tuple(args.epochs)) if args.epochs else preset


def run_prefix(args, preset_name):
  """The shared 15 Adamax epochs, checkpointed after the last one."""
  from train import data as datasets
  from train.experiment import subset

  preset = _preset(args, preset_name)
  data = subset(datasets.load(preset.dataset), args.max_train)
  t1, _ = preset.epochs
  root = pathlib.Path(args.runs) / preset_name
  prefix = root / "prefix-adamax"
  start = time.perf_counter()
  _fit(preset, data, minibatch_schedule("adamax", t1, preset.batch_size), args.seeds, prefix, False, True)
  return preset, data, prefix, time.perf_counter() - start


def run_continuation(args, preset, data, prefix, name):
  """``name``'s stages of the preset, resumed from the prefix's last checkpoint."""
  t1, _ = preset.epochs
  run_dir = pathlib.Path(args.runs) / preset.name / name
  if run_dir.exists():
    shutil.rmtree(run_dir)
  (run_dir / "checkpoints").mkdir(parents=True)
  shutil.copytree(prefix / "checkpoints" / str(t1), run_dir / "checkpoints" / str(t1))
  stages = preset.schedule(name)
  start = time.perf_counter()
  # resume needs checkpoint=True (fit ignores resume without checkpoints).
  _fit(preset, data, stages, args.seeds, run_dir, True, True)
  shutil.rmtree(run_dir / "checkpoints", ignore_errors=True)
  return time.perf_counter() - start


def run(args):
  from train import data as datasets
  from train.experiment import subset

  timings = logged_runs.load_json(RESULTS / f"{args.report}_timings.json") or {}
  for preset_name in args.presets:
    if args.others_only:
      preset = _preset(args, preset_name)
      data = subset(datasets.load(preset.dataset), args.max_train)
    elif args.continuation:
      preset = _preset(args, preset_name)
      data = subset(datasets.load(preset.dataset), args.max_train)
      prefix = pathlib.Path(args.runs) / preset_name / "prefix-adamax"
    else:
      preset, data, prefix, seconds = run_prefix(args, preset_name)
      timings[f"{preset_name} prefix (adamax 15 epochs)"] = seconds
      logged_runs.save_json(RESULTS / f"{args.report}_timings.json", timings)
    for name in () if args.others_only else (args.continuation or ("dsa", "adamax")):
      seconds = run_continuation(args, preset, data, prefix, name)
      timings[f"{preset_name} {name} (last 15 epochs)"] = seconds
      logged_runs.save_json(RESULTS / f"{args.report}_timings.json", timings)
      write_report(args)
    for name in args.others:
      start = time.perf_counter()
      _fit(preset, data, preset.schedule(name), args.seeds,
           pathlib.Path(args.runs) / preset_name / name, False, False)
      timings[f"{preset_name} {name} (30 epochs)"] = time.perf_counter() - start
      logged_runs.save_json(RESULTS / f"{args.report}_timings.json", timings)
      write_report(args)


def write_report(args):
  info = logged_runs.machine()
  started = logged_runs.load_json(RESULTS / f"{args.report}_started.json")
  command = (
      "DSA_DATA_DIR=/work/shared/data nice -n 5 python benchmarks/dnn_hybrid.py --run "
      f"--presets <preset> --seeds {' '.join(map(str, args.seeds))}"
      + (f" --max-train {args.max_train}" if args.max_train else "")
      + f" --chunk-size {args.chunk_size}"
      + (" --unroll-chunks" if args.unroll_chunks else "")
      + (" --seed-at-a-time" if args.seed_at_a_time else "")
      + (f" --report {args.report} --runs {args.runs}" if args.report != "dnn_hybrid" else "")
      + ("`, in parallel with `... --run --others-only --seeds <seed> --others <names> ...` for the other "
         "optimizers (their seeds are listed under each table; each process pinned to one core: see "
         "Protocol); "
         if args.seed_at_a_time else
         "` (one process per preset, run in parallel; "
         "other optimizers: `... --run --others-only --presets dnn-mnist --others <name> ...`, one process "
         "each, started when the continuations were done; ")
      + "then `python benchmarks/dnn_hybrid.py` with the same flags and "
      f"`--presets {' '.join(args.presets)}` for the tables"
  )
  lines = ["# DNN (LeNet-5): the 15+15 hybrid schedule against mini-batch Adamax", ""]
  lines += logged_runs.header_lines(command, info, started)
  lines += [
      "- Training time (sum of the logged `epoch_seconds`, seed 0; compilation and evaluation "
      "excluded; the first 15 epochs of DSA and Adamax are the shared prefix, counted once): "
      + (", ".join(
          f"{pre} {name} {sum(r['epoch_seconds'] for r in run.history if r['seed'] == run.history[0]['seed'] and r['epoch'] > (sum(_preset(args, pre).epochs) - _preset(args, pre).epochs[1] if name in ('dsa', 'adamax') else 0)) / 60:.1f} min"
          + (f" (epochs {_preset(args, pre).epochs[0] + 1}-{max(r['epoch'] for r in run.history)})" if name in ("dsa", "adamax") else "")
          for pre in args.presets
          for name, run in logged_runs.read_preset(_roots(args), pre, ("prefix-adamax",) + tuple(presets.ALL_OPTIMIZERS)).items()
      ) or "not run"),
      f"- Runs in `{args.runs}`" + (" (their metrics.jsonl, committed)." if "runs_committed" in str(args.runs) else
      " (not committed); copies of their metrics.jsonl in "
      f"`benchmarks/runs_committed/{pathlib.Path(args.runs).name}/` when small."),
      "",
      "DSA: 15 epochs of mini-batch Adamax (batch 64), then 15 full-batch DSA epochs "
      f"(both gradients on all training examples, accumulated over chunks of {args.chunk_size}). "
      "Adamax: 30 mini-batch epochs; its first 15 are the same run as DSA's "
      "(one shared prefix). Test metrics in %, on the full test split.",
      "",
      ("**Reduced protocol (CPU time).** The paper trains every optimizer on all 60,000 images; "
       f"here: the first {args.max_train} training images, " if args.max_train else
       "**Protocol.** All 60,000 training images, as in the paper; ")
      + f"seed{'s' if len(args.seeds) > 1 else ''} {', '.join(map(str, args.seeds))} "
      "for DSA and Adamax; the other optimizers with the seeds given under each table, as CPU time allowed. "
      + ("Seeds trained one after the other (`--seed-at-a-time`: on CPU, XLA runs the seeds' convolutions "
         "under vmap as slower grouped ones) in two processes pinned to one core each "
         "(`taskset`, `XLA_FLAGS=--xla_cpu_multi_thread_eigen=false`): DSA and Adamax in one, the other "
         "optimizers in the other (and in both once DSA and Adamax were done); the full-batch chunk loop unrolled (`--unroll-chunks`). "
         if args.seed_at_a_time else "")
      + (f"With chunks of {args.chunk_size} the whole subset is one chunk; the gradients are the same "
         "as with smaller chunks. (The subset dates from when the chunked pass was 16x slower "
         "than it is now; [dnn_hybrid_full](dnn_hybrid_full.md) has the runs on all of MNIST.)"
         if args.max_train and args.chunk_size >= args.max_train else ""),
      "",
  ]
  summary = {"accuracy_claims": [], "curves": {}}
  for preset_name in args.presets:
    names = ("dsa", "adamax") + tuple(n for n in presets.ALL_OPTIMIZERS if n not in ("dsa", "adamax"))
    runs = logged_runs.read_preset(_roots(args), preset_name, names)
    if not runs:
      lines += [f"## {preset_name}", "", "Not run.", ""]
      continue
    seeds = sorted({r["seed"] for run in runs.values() for r in run.history})
    rows = report.summarize(preset_name, runs)
    lines += [f"## {preset_name} (seeds {seeds})", ""]
    if args.max_train:
      lines += [f"Trained on the first {args.max_train} training examples only.", ""]
    lines += [report.markdown_table(rows), "",
              "Seeds per optimizer: " + ", ".join(f"{r['label']} {r['seeds']}" for r in rows) + ".", ""]
    final_by_seed = {name: {str(seed): 100 * records[-1]["accuracy"]
                            for seed, records in logged_runs.by_seed(run.history).items()}
                     for name, run in runs.items()}
    summary.setdefault("table", {})[preset_name] = {
        r["optimizer"]: {"accuracy": r["accuracy_mean"], "epochs": r["epochs"], "seeds": r["seeds"],
                         "accuracy_by_seed": final_by_seed[r["optimizer"]]}
        for r in rows}
    total = sum(_preset(args, preset_name).epochs)
    incomplete = [f"{r['label']} ({r['epochs']} of {total} epochs)" for r in rows if r["epochs"] < total]
    if incomplete:
      lines += ["Incomplete runs (stopped by the time limit): " + ", ".join(incomplete) + ".", ""]
    # Per-epoch: the stage that differs.
    lines += ["Per epoch (mean over seeds): train loss (logged before each full-batch "
              "update; the mean over the epoch's batches for mini-batch) and test accuracy %.", "",
              "| epoch | " + " | ".join(f"{optimizers.get(n).label} train loss | {optimizers.get(n).label} test acc" for n in runs) + " |",
              "|---|" + "---|---|" * len(runs)]
    per = {}
    for n, run in runs.items():
      for r in run.history:
        per.setdefault(r["epoch"], {}).setdefault(n, []).append(r)
    for epoch in sorted(per):
      if epoch < _preset(args, preset_name).epochs[0]:
        continue
      cells = []
      for n in runs:
        rs = per[epoch].get(n)
        if rs:
          cells += [f"{np.mean([r['train_loss'] for r in rs]):.4f}", f"{100 * np.mean([r['accuracy'] for r in rs]):.2f}"]
        else:
          cells += ["", ""]
      lines.append(f"| {epoch} | " + " | ".join(cells) + " |")
    lines.append("")
    for name, claimed in ACCURACY_CLAIMS.get(preset_name, {}).items():
      row = next((r for r in rows if r["optimizer"] == name), None)
      if row is not None:
        summary["accuracy_claims"].append({
            "preset": preset_name, "optimizer": name, "claimed": claimed,
            "measured": row["accuracy_mean"], "std": row["accuracy_std"], "seeds": row["seeds"],
            "epochs": row["epochs"], "max_train": args.max_train,
        })
    dsa = next((r for r in rows if r["optimizer"] == "dsa"), None)
    adamax = next((r for r in rows if r["optimizer"] == "adamax"), None)
    if dsa and adamax and dsa["epochs"] != adamax["epochs"]:
      # One run stopped early (time limit): compare both at their last common epoch.
      common = min(dsa["epochs"], adamax["epochs"])
      pair = {r["optimizer"]: r for r in report.summarize(preset_name, logged_runs.read_preset(
          _roots(args), preset_name, ("dsa", "adamax"), max_epoch=common))}
      dsa, adamax = pair["dsa"], pair["adamax"]
    if dsa and adamax:
      common = dsa["epochs"]
      summary["dsa_vs_adamax"] = summary.get("dsa_vs_adamax", {})
      summary["dsa_vs_adamax"][preset_name] = {
          "dsa": dsa["accuracy_mean"], "adamax": adamax["accuracy_mean"],
          "dsa_loss": dsa["train_loss_mean"], "adamax_loss": adamax["train_loss_mean"],
          "dsa_epochs": dsa["epochs"], "adamax_epochs": adamax["epochs"],
          "seeds": dsa["seeds"], "max_train": args.max_train,
          # Noise scale for one seed: the spread of Adamax's test accuracy over its last 5 epochs.
          "adamax_last5_std": float(np.std([
              100 * np.mean([r["accuracy"] for r in per[e]["adamax"]])
              for e in sorted(e for e in per if e <= common)[-5:] if "adamax" in per[e]])),
      }
      lines += [
          f"DSA stage against Adamax on {preset_name} at epoch {common}: test accuracy "
          f"{dsa['accuracy_mean']:.2f} vs {adamax['accuracy_mean']:.2f} "
          f"({dsa['accuracy_mean'] - adamax['accuracy_mean']:+.2f} points), final train loss "
          f"{dsa['train_loss_mean']:.4g} vs {adamax['train_loss_mean']:.4g}.", "",
      ]
  logged_runs.save_json(RESULTS / f"{args.report}.json", summary)
  (HERE / f"{args.report}.md").write_text("\n".join(lines) + "\n")


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--run", action="store_true")
  parser.add_argument("--presets", nargs="+", default=["dnn-mnist"])
  parser.add_argument("--seeds", nargs="+", type=int, default=[0])
  parser.add_argument("--others", nargs="*", default=[])
  parser.add_argument("--continuation", nargs="*", default=None,
                      help="only resume these from an existing prefix")
  parser.add_argument("--others-only", action="store_true", help="only the --others runs")
  parser.add_argument("--max-train", type=int, default=None)
  parser.add_argument("--chunk-size", type=int, default=2048)
  parser.add_argument("--unroll-chunks", action="store_true",
                      help="unroll the full-batch chunk loop (faster on CPU; memory grows with the chunks)")
  parser.add_argument("--seed-at-a-time", action="store_true",
                      help="train the seeds one after the other (runs in <runs>/seed<s>) instead of under "
                           "one vmap: on CPU faster for convolutions, and unrolled chunks fit in memory")
  parser.add_argument("--epochs", nargs=2, type=int, default=None, help="T1 T2 (smoke tests)")
  parser.add_argument("--runs", default=str(HERE / "runs" / "dnn"))
  parser.add_argument("--report", default="dnn_hybrid",
                      help="stem of the result files: <report>.md, results/<report>*.json")
  args = parser.parse_args()
  FIT_OPTIONS.update(chunk_size=args.chunk_size, unroll_chunks=args.unroll_chunks)
  if args.run:
    logged_runs.save_json(RESULTS / f"{args.report}_started.json", logged_runs.machine())
    if args.seed_at_a_time:
      for seed, root in zip(args.seeds, _roots(args)):
        run(argparse.Namespace(**{**vars(args), "seeds": [seed], "runs": str(root), "seed_at_a_time": False}))
    else:
      run(args)
  write_report(args)


if __name__ == "__main__":
  main()
