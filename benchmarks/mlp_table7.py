"""The paper's MLP experiments (Table 7, figures 3 and 4) side by side with ours.

The MLP trains full-batch (one update per epoch) on iris, wine, car and
mushroom (agaricus) with every optimizer of ``train.presets.ALL_OPTIMIZERS``,
several seeds trained together under vmap by ``train.experiment.run_experiment``.

Table 7 comes from 100-epoch runs (``runs/100``), figure 4 and the
thresholds from ``--long-epochs`` runs (``runs/1000``; ``--long-optimizers``
may restrict them when CPU time is short). Full-batch training is
deterministic and no optimizer's schedule depends on the horizon, so epochs
1-100 of both must agree; the result file says whether they did.

Reported, all from the logged metrics.jsonl:
* test accuracy, macro F1, recall, precision (mean ± std over seeds) and the
  final train loss at epoch 100, with the paper's Table 7 beside them
  (``train.report``); the same at epoch 1000;
* the gradient evaluations to reach train loss 0.1 and 0.01: the logged
  ``grad_evals`` at the first epoch whose logged ``train_loss`` is <= the
  threshold (the logged loss of epoch e is the loss before that epoch's
  update, so this counts the evaluations of epoch e's update too: one more
  update than strictly needed, for every optimizer alike);
* the loss curves (figures 3 and 4).

Usage:
  DSA_DATA_DIR=/work/shared/data python benchmarks/mlp_table7.py --run [--seeds 0 1 2 3 4]
  python benchmarks/mlp_table7.py            # tables and plots from the logged runs only
"""

import argparse
import pathlib
import sys
import time

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import logged_runs  # noqa: E402
from train import optimizers, presets, report  # noqa: E402
from train.plots import plot_losses  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
PRESETS = ("mlp-iris", "mlp-wine", "mlp-car", "mlp-mushroom")
TABLE_EPOCH = 100
THRESHOLDS = (0.1, 0.01)
# The paper's claims (section 3.2, Table 7): test accuracy in %.
ACCURACY_CLAIMS = {
    "mlp-iris": {"dsa": 100.0, "adam": 100.0, "sgd": 20.0},
    "mlp-wine": {"dsa": 100.0, "adamax": 83.33, "adam": 80.56},
    "mlp-car": {"dsa": 98.55, "adagrad": 88.73, "adam": 77.46},
    "mlp-mushroom": {"dsa": 100.0, "adam": 99.94},
}
CONVERGENCE_CLAIMS = {"mlp-wine": 50, "mlp-car": 60, "mlp-mushroom": 30}
COMMAND = (
    "DSA_DATA_DIR=/work/shared/data nice -n 5 python benchmarks/mlp_table7.py --run --seeds 0 1 2 3 4` "
    "(stopped after the 100-epoch runs), then the long runs, one process per set, "
    "`... --run --long-only --presets <set> --long-optimizers <names> --seeds 0 1 2 3 4` "
    "(in two sessions: iris all at once; wine DSA, Adam, Adamax, AdaGrad, then the other nine; "
    "car DSA and Adam, then the other eleven) and `... --seeds 0` on mushroom (one seed: "
    "CPU time); tables: `python benchmarks/mlp_table7.py"
)


def run(args):
  from train.experiment import run_experiment

  if not (HERE / "results" / "mlp_table7_started.json").exists():
    logged_runs.save_json(HERE / "results" / "mlp_table7_started.json", logged_runs.machine())
  timings = logged_runs.load_json(HERE / "results" / "mlp_table7_timings.json") or {}
  # Table 7 first (100 epochs, every preset), then the long runs of figure 4.
  for epochs in (TABLE_EPOCH, args.long_epochs):
    if not epochs or (epochs == TABLE_EPOCH and args.long_only):
      continue
    for preset in args.presets:
      start = time.perf_counter()
      names = args.optimizers if epochs == TABLE_EPOCH else args.long_optimizers
      run_experiment(
          preset, names, seeds=args.seeds, epochs=epochs,
          out_dir=pathlib.Path(args.runs) / str(epochs), checkpoint=False, progress=False,
      )
      key = f"{preset} {epochs}" + (f" ({len(names)} optimizers)" if names else "")
      timings[key] = time.perf_counter() - start
      logged_runs.save_json(HERE / "results" / "mlp_table7_timings.json", timings)
      print(f"{key} epochs: {timings[key]:.0f} s", flush=True)
      write_report(args)


def horizon_check(runs_root, long_epochs) -> str:
  """Per set: whether epochs <= 100 of the long runs equal those of the 100-epoch runs."""
  keys = ("train_loss", "test_loss", "accuracy", "grad_evals")
  parts = []
  for preset in PRESETS:
    worst, compared, seeds_long = 0.0, 0, set()
    for name in presets.ALL_OPTIMIZERS:
      short = logged_runs.read_metrics(pathlib.Path(runs_root) / str(TABLE_EPOCH) / preset / name / "metrics.jsonl")
      long = logged_runs.read_metrics(pathlib.Path(runs_root) / str(long_epochs) / preset / name / "metrics.jsonl")
      seeds_long |= {r["seed"] for r in long}
      long = {(r["epoch"], r["seed"]): r for r in long if r["epoch"] <= TABLE_EPOCH}
      for r in short:
        other = long.get((r["epoch"], r["seed"]))
        if other is None:
          continue
        compared += 1
        for k in keys:
          a, b = r[k], other[k]
          if np.isfinite(a) and np.isfinite(b):
            worst = max(worst, abs(a - b) / max(abs(a), 1e-12))
          elif not (np.isnan(a) and np.isnan(b)) and a != b:
            worst = float("inf")
    if compared:
      parts.append(f"{preset[4:]}: {compared} records, largest relative difference {worst:.2g}"
                   + (f" (long runs with seeds {sorted(seeds_long)} only)" if len(seeds_long) < 5 else ""))
  if not parts:
    return "no long runs to compare"
  return "; ".join(parts)


def threshold_stats(run, threshold):
  """Per seed: (epoch, grad_evals) at the first epoch with train loss <= threshold."""
  reached = []
  seeds = logged_runs.by_seed(run.history)
  for records in seeds.values():
    r = logged_runs.first_reaching(records, threshold)
    reached.append(None if r is None else (r["epoch"], r["grad_evals"]))
  return reached, len(seeds)


def describe_reached(reached, n):
  """Text for the table and ``(median epoch, median evals, seeds reached)`` or None.

  Medians over all seeds, a seed that never reached the threshold counting as
  infinitely slow: the threshold counts as reached when at least half the
  seeds reached it.
  """
  hits = [r for r in reached if r is not None]
  if not hits:
    return "not reached", None
  epochs = np.array([np.inf if r is None else r[0] for r in reached], dtype=float)
  evals = np.array([np.inf if r is None else r[1] for r in reached], dtype=float)
  med_epoch, med_evals = float(np.median(epochs)), float(np.median(evals))
  if not np.isfinite(med_epoch):
    return f"{len(hits)}/{n} seeds only", None
  text = f"{med_evals:.0f} (epoch {med_epoch:.0f})"
  if len(hits) < n:
    text += f", {len(hits)}/{n} seeds"
  return text, (med_epoch, med_evals, len(hits))


def write_report(args):
  info = logged_runs.machine()
  started = logged_runs.load_json(HERE / "results" / "mlp_table7_started.json")
  timings = logged_runs.load_json(HERE / "results" / "mlp_table7_timings.json") or {}
  names = presets.ALL_OPTIMIZERS
  lines = ["# MLP, full batch: the paper's Table 7 and figures 3-4 side by side", ""]
  lines += logged_runs.header_lines(COMMAND, info, started)
  lines += [
      "- Tables regenerated from the logged runs by `python benchmarks/mlp_table7.py` "
      f"(runs in `{args.runs}`, not committed: "
      "`metrics.jsonl`, one record per epoch and seed)",
      "- Wall time per preset and horizon (all optimizers run, all seeds, including "
      "compilation and per-epoch evaluation): "
      + (", ".join(f"{p} {s:.0f} s" for p, s in timings.items()) or "not run"),
      f"- Table 7 from 100-epoch runs; the long runs ({args.long_epochs} epochs) should "
      f"repeat their first 100 epochs (full-batch training is deterministic): "
      f"{horizon_check(args.runs, args.long_epochs)}. They do, to the bit, where the long run "
      "trained the same seeds together; the mushroom long run trained seed 0 alone, and a "
      "vmap over 1 seed instead of 5 rounds differently (about 1e-6 at epoch 33), which DSA's "
      "sign decisions then amplify: its mushroom long run is one more sample, not a copy.",
      "",
      "Metrics are percentages on the test split, mean ± std over seeds; `paper` is "
      "the paper's Table 7 (its recall and precision columns are kept as printed; "
      "they look swapped, see `train/paper_results.py`). Rprop, L-BFGS, Prodigy and "
      "schedule-free AdamW are not in the paper. `grad evals` counts full-batch "
      "gradient evaluations (DSA: 2 per epoch; L-BFGS: 1 plus its line-search steps).",
      "",
  ]
  summary = {"accuracy_claims": [], "convergence": {}, "faster": {}, "table": {}}
  panels_100, panels_long = {}, {}
  for preset in PRESETS:
    runs_100 = logged_runs.read_preset(pathlib.Path(args.runs) / str(TABLE_EPOCH), preset, names)
    runs_long = logged_runs.read_preset(pathlib.Path(args.runs) / str(args.long_epochs), preset, names)
    if not runs_long:
      runs_long = runs_100
    if not runs_100:
      lines += [f"## {preset}", "", "Not run.", ""]
      continue
    seeds = sorted({r["seed"] for run in runs_100.values() for r in run.history})
    last_epoch = max(r["epoch"] for run in runs_long.values() for r in run.history)
    panels_100[preset] = runs_100
    panels_long[preset] = runs_long
    rows = report.summarize(preset, runs_100)
    lines += [f"## {preset} (seeds {seeds})", "", f"### Epoch {TABLE_EPOCH} (Table 7)", ""]
    lines += [report.markdown_table(rows), ""]
    summary["table"][preset] = {
        row["optimizer"]: {k: row[k] for k in ("accuracy_mean", "accuracy_std", "train_loss_mean")}
        for row in rows
    }
    for name, claimed in ACCURACY_CLAIMS[preset].items():
      row = next((r for r in rows if r["optimizer"] == name), None)
      if row is None:
        continue
      summary["accuracy_claims"].append({
          "preset": preset, "optimizer": name, "claimed": claimed,
          "measured": row["accuracy_mean"], "std": row["accuracy_std"], "seeds": row["seeds"],
      })
    if last_epoch > TABLE_EPOCH:
      short = [f"{optimizers.get(n).label} ({max(r['epoch'] for r in run.history)} epochs)"
               for n, run in runs_long.items() if max(r["epoch"] for r in run.history) < last_epoch
               and not run.stopped]
      if short:
        lines += [f"Stopped early by the session's time limit (not diverged): {', '.join(short)}; "
                  "their row below is their last epoch.", ""]
      missing = [optimizers.get(n).label for n in runs_100 if n not in runs_long]
      if missing:
        lines += [f"Not run for {last_epoch} epochs (CPU time): {', '.join(missing)}.", ""]
      rows_long = report.summarize(preset, runs_long)
      summary.setdefault("table_long", {})[preset] = {
          row["optimizer"]: {k: row[k] for k in ("accuracy_mean", "train_loss_mean", "epochs", "stopped")}
          for row in rows_long
      }
      lines += [f"### Epoch {last_epoch} (figure 4's horizon)", ""]
      lines += [report.markdown_table(rows_long), ""]
    runs_reach = {**runs_100, **runs_long}
    lines += [
        f"### Gradient evaluations to reach train loss {' and '.join(map(str, THRESHOLDS))}",
        "",
        "Median over seeds of the gradient evaluations (and of the epoch, in brackets) at "
        "the first epoch whose logged train loss is at most the threshold; a seed that never "
        "gets there counts as infinitely slow, so a threshold that fewer than half the seeds "
        "reach shows as not reached. From the 100-epoch runs (all seeds) when they reach it, "
        "else from the long run, marked [epochs run, seeds].",
        "",
        "| optimizer | " + " | ".join(f"loss ≤ {t}" for t in THRESHOLDS) + " |",
        "|---|" + "---|" * len(THRESHOLDS),
    ]
    reach = {}
    for name in runs_reach:
      cells = []
      for t in THRESHOLDS:
        text, stats = describe_reached(*threshold_stats(runs_100[name], t)) if name in runs_100 else ("", None)
        if stats is None and name in runs_long and runs_long[name] is not runs_100.get(name):
          run = runs_long[name]
          text, stats = describe_reached(*threshold_stats(run, t))
          horizon = max(r["epoch"] for r in run.history)
          text += f" [{horizon} epochs, {len({r['seed'] for r in run.history})} seeds]"
        elif stats is None:
          text += " [100 epochs]"
        reach[(name, t)] = stats
        cells.append(text)
      lines.append(f"| {optimizers.get(name).label} | " + " | ".join(cells) + " |")
    lines.append("")
    # "30 times faster": the best other optimizer's epochs to DSA's, at each threshold.
    faster = {}
    for t in THRESHOLDS:
      dsa = reach.get(("dsa", t))
      others = {n: reach[(n, t)] for n in runs_reach if n != "dsa" and reach.get((n, t))}
      paper_others = {n: s for n, s in others.items() if n in optimizers.PAPER_BASELINES}
      if dsa is None:
        faster[t] = {"dsa_epoch": None, "text": f"DSA does not reach {t}"}
        continue
      entry = {"dsa_epoch": dsa[0], "dsa_evals": dsa[1]}
      for group, pool in (("paper", paper_others), ("all", others)):
        if pool:
          best = min(pool, key=lambda n: pool[n][0])
          entry[f"best_{group}"] = best
          entry[f"best_{group}_epoch"] = pool[best][0]
          entry[f"ratio_{group}_epochs"] = pool[best][0] / dsa[0]
          entry[f"ratio_{group}_evals"] = pool[best][1] / dsa[1]
      faster[t] = entry
    summary["faster"][preset] = {str(t): v for t, v in faster.items()}
    summary["convergence"][preset] = {str(t): reach.get(("dsa", t)) for t in THRESHOLDS}
    lines += ["Speed-up of DSA (epochs of the fastest other optimizer to reach the "
              "threshold / DSA's epochs; gradient evaluations likewise):", ""]
    for t, e in faster.items():
      if e.get("dsa_epoch") is None:
        lines.append(f"- loss ≤ {t}: {e['text']}.")
        continue
      parts = [f"DSA epoch {e['dsa_epoch']:.0f}"]
      for group, what in (("paper", "the paper's baselines"), ("all", "all others")):
        if f"best_{group}" in e:
          parts.append(
              f"fastest of {what}: {optimizers.get(e[f'best_{group}']).label} epoch "
              f"{e[f'best_{group}_epoch']:.0f}, ratio {e[f'ratio_{group}_epochs']:.2f}x in epochs, "
              f"{e[f'ratio_{group}_evals']:.2f}x in gradient evaluations"
          )
        else:
          parts.append(f"none of {what} reaches it")
      lines.append(f"- loss ≤ {t}: " + "; ".join(parts) + ".")
    lines.append("")

  if panels_100:
    plot_losses(panels_100, HERE / "mlp_losses_100.png")
    # One file per set: the long runs cover different optimizers, and the
    # legend of plot_losses describes its last panel only.
    long_pngs = []
    for preset, runs in panels_long.items():
      path = HERE / f"mlp_losses_long_{preset[4:]}.png"
      plot_losses({f"{preset}, long runs": runs}, path)
      long_pngs.append(f"![{preset}]({path.name})")
    lines += [
        "## Loss curves",
        "",
        "Train loss (mean over seeds, log scale), 100 epochs (figure 3; the legend of the "
        "last panel holds for all four): ![100 epochs](mlp_losses_100.png)",
        "",
        "Long runs (figure 4; the optimizers and seeds that were run, see above): "
        + " ".join(long_pngs),
        "",
    ]
  lines += claims_section(summary)
  (HERE / "mlp_table7.md").write_text("\n".join(lines) + "\n")
  logged_runs.save_json(HERE / "results" / "mlp_table7.json", summary)


def claims_section(summary):
  lines = ["## The paper's claims against these runs", "",
           "| claim | paper | measured (mean ± std over seeds) | held? |", "|---|---|---|---|"]
  for c in summary["accuracy_claims"]:
    label = optimizers.get(c["optimizer"]).label
    # Held when the paper's number is within 2 std (or 1 point) of our mean.
    tolerance = max(1.0, 2 * c["std"])
    held = "yes" if abs(c["measured"] - c["claimed"]) <= tolerance else (
        "no (higher)" if c["measured"] > c["claimed"] else "no (lower)")
    lines.append(
        f"| {c['preset']} {label} test accuracy | {c['claimed']:.2f} | "
        f"{c['measured']:.2f} ± {c['std']:.2f} | {held} |")
  for preset, claimed in CONVERGENCE_CLAIMS.items():
    conv = summary["convergence"].get(preset)
    if conv is None:
      continue
    cells = []
    for t in THRESHOLDS:
      s = conv.get(str(t))
      cells.append(f"loss ≤ {t} at epoch {s[0]:.0f}" if s else f"loss ≤ {t} not reached")
    s01 = conv.get("0.1")
    held = "yes" if s01 and s01[0] <= claimed else "no"
    lines.append(f"| DSA converges on {preset} within | {claimed} epochs | {'; '.join(cells)} | "
                 f"{held} (judged at loss ≤ 0.1) |")
  f = summary["faster"].get("mlp-mushroom", {})
  for t in map(str, THRESHOLDS):
    e = f.get(t)
    if not e:
      continue
    if e.get("dsa_epoch") is None:
      lines.append(f"| mushroom: DSA 30x faster (loss ≤ {t}) | 30x | {e['text']} | no |")
    elif "ratio_paper_epochs" in e:
      r = e["ratio_paper_epochs"]
      lines.append(
          f"| mushroom: DSA 30x faster than the paper's baselines (loss ≤ {t}) | 30x | "
          f"{r:.2f}x in epochs, {e['ratio_paper_evals']:.2f}x in gradient evaluations "
          f"(vs {optimizers.get(e['best_paper']).label}) | {'yes' if r >= 30 else 'no'} |")
    else:
      lines.append(f"| mushroom: DSA 30x faster (loss ≤ {t}) | 30x | no paper baseline reaches it "
                   f"(DSA at epoch {e['dsa_epoch']:.0f}) | yes (stronger) |")
  lines += ["", "Held: the paper's accuracy lies within max(1 point, 2 std) of our mean. "
            "\"Converges in N epochs\" is read as reaching train loss 0.1 within N epochs "
            "(the paper gives no definition; loss ≤ 0.01 is shown too).", ""]
  return lines


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--run", action="store_true", help="train (else only report)")
  parser.add_argument("--presets", nargs="+", default=list(PRESETS))
  parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
  parser.add_argument("--long-epochs", type=int, default=1000, help="0: no long runs")
  parser.add_argument("--long-only", action="store_true", help="skip the 100-epoch runs")
  parser.add_argument("--optimizers", nargs="+", default=list(presets.ALL_OPTIMIZERS))
  parser.add_argument("--long-optimizers", nargs="+", default=list(presets.ALL_OPTIMIZERS))
  parser.add_argument("--runs", default=str(HERE / "runs" / "mlp"))
  args = parser.parse_args()
  if args.run:
    run(args)
  write_report(args)


if __name__ == "__main__":
  main()
