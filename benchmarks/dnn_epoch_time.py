"""Planning measurement: one DNN epoch on all of MNIST, mini-batch (Adamax,
batch 64, 938 steps) and full-batch (DSA, chunks of 2048, the chunk loop
unrolled), with the trainer (``run_experiment("dnn-mnist", ["dsa"], seeds=[0],
epochs=(1, 1), unroll_chunks=True)``). One seed: unrolled, XLA keeps every
chunk's intermediates (63 GB for 3 seeds, so about 21 GB for one), and this
machine has 23 GB.

Usage:
  DSA_DATA_DIR=/work/shared/data python benchmarks/dnn_epoch_time.py --run   # ~2 min here (quiet machine)
  python benchmarks/dnn_epoch_time.py         # the table from the logged run
"""

import argparse
import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import logged_runs  # noqa: E402

HERE = pathlib.Path(__file__).resolve().parent
RUNS = HERE / "runs_committed" / "dnn_epoch_time"


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--run", action="store_true")
  args = parser.parse_args()
  if args.run:
    from train.experiment import run_experiment

    logged_runs.save_json(HERE / "results" / "dnn_epoch_time_started.json", logged_runs.machine())
    run_experiment("dnn-mnist", ["dsa"], seeds=[0], epochs=(1, 1), out_dir=RUNS,
                   unroll_chunks=True, checkpoint=False, progress=False)
  started = logged_runs.load_json(HERE / "results" / "dnn_epoch_time_started.json")
  records = logged_runs.read_metrics(RUNS / "dnn-mnist" / "dsa" / "metrics.jsonl")
  lines = ["# One DNN epoch on all of MNIST, with the trainer", ""]
  lines += logged_runs.header_lines(
      "DSA_DATA_DIR=/work/shared/data nice -n 5 python benchmarks/dnn_epoch_time.py --run",
      logged_runs.machine(), started)
  lines += ["- Run: `benchmarks/runs_committed/dnn_epoch_time/` (seed 0, compilation excluded "
            "from `epoch_seconds`)", "",
            "| epoch | optimizer | mode | seconds | gradient evaluations (cumulative) | test accuracy % |",
            "|---|---|---|---|---|---|"]
  for r in records:
    mode = "full batch, 30 chunks of 2048, unrolled" if r["full_batch"] else "mini-batch 64 (938 steps, one jitted call each: the CPU default)"
    lines.append(f"| {r['epoch']} | {r['optimizer']} | {mode} | {r['epoch_seconds']:.1f} | "
                 f"{r['grad_evals']} | {100 * r['accuracy']:.2f} |")
  if len(records) == 2:
    ratio = records[1]["epoch_seconds"] / records[0]["epoch_seconds"]
    lines += ["", f"The full-batch DSA epoch (two passes over the 60,000 images: the gradient at "
              f"θ and at the probe point, in 30 chunks of 2048) took {ratio:.1f}x the mini-batch "
              f"epoch (one pass in 938 batches of 64): {ratio / 2:.1f}x the time per pass. The "
              "run unrolls the loop over chunks (`unroll_chunks=True`); under `lax.scan`, the "
              "trainer's default, XLA:CPU runs the convolutions about 2.5x slower ([full_batch_cost](full_batch_cost.md)) but "
              "memory stays bounded by one chunk."]
  (HERE / "dnn_epoch_time.md").write_text("\n".join(lines) + "\n")
  print("\n".join(lines))


if __name__ == "__main__":
  main()
