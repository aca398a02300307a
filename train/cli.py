"""Command line: ``python -m train [main | run | case-study | presets] ...``."""

import argparse
import logging
import sys

DESCRIPTION = """\
Train the paper's models with DSA and the baseline optimizers.

  python -m train                         the main job: MLP on iris and wine,
                                          100 full-batch epochs, every optimizer,
                                          3 seeds, table next to the paper's
  python -m train run --preset dnn-mnist  one of the paper's experiments
  python -m train case-study quadratic    the paper's case studies (figures)
  python -m train presets                 list the experiments and optimizers

Results go to --out-dir (metrics.jsonl per run, checkpoints, tables, plots).
Datasets are read from --data-dir, else $DSA_DATA_DIR, else the user cache.
"""


def _steps_per_call(text: str):
  """``--steps-per-call``: a positive int or "epoch"."""
  if text == "epoch":
    return text
  try:
    value = int(text)
  except ValueError:
    value = 0
  if value < 1:
    raise argparse.ArgumentTypeError(f"expected a positive integer or 'epoch', got {text!r}")
  return value


def _parser() -> argparse.ArgumentParser:
  from train import optimizers, presets
  from train.case_studies import CASE_STUDIES

  parser = argparse.ArgumentParser(
      prog="python -m train", description=DESCRIPTION,
      formatter_class=argparse.RawDescriptionHelpFormatter,
  )
  commands = parser.add_subparsers(dest="command", metavar="COMMAND")

  main = commands.add_parser("main", help="the main job (the default)")
  main.add_argument("--epochs", type=int, default=100, help="full-batch epochs (default 100)")
  main.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
  main.add_argument("--optimizer", nargs="+", choices=sorted(optimizers.REGISTRY), help="default: all")
  main.add_argument("--out-dir", default="outputs")

  run = commands.add_parser("run", help="run one of the paper's experiments")
  run.add_argument("--preset", required=True, choices=sorted(presets.PRESETS), metavar="NAME",
                   help="one of: " + ", ".join(presets.PRESETS))
  run.add_argument("--optimizer", nargs="+", choices=sorted(optimizers.REGISTRY), metavar="NAME",
                   help="optimizers to compare (default: all): " + ", ".join(optimizers.REGISTRY))
  run.add_argument("--epochs", type=int, nargs="+", metavar="N",
                   help="full-batch presets: N epochs; hybrid presets: T1 T2")
  run.add_argument("--batch-size", type=int, help="mini-batch size of the first stage")
  run.add_argument("--seeds", type=int, nargs="+", default=[0])
  run.add_argument("--data-dir", help="dataset directory (default: $DSA_DATA_DIR, then the cache)")
  run.add_argument("--out-dir", default="outputs")
  run.add_argument("--width", type=float, default=1.0, help="FMP channel multiplier")
  run.add_argument("--max-train", type=int, help="use only the first N training examples")
  run.add_argument("--max-test", type=int, help="evaluate on the first N test examples only")
  run.add_argument("--chunk-size", type=int, default=2048, help="examples per full-batch chunk")
  run.add_argument("--unroll-chunks", action="store_true",
                   help="unroll the loop over full-batch chunks: 2-3x faster convolutions on "
                        "CPU, memory linear in the number of chunks")
  run.add_argument("--steps-per-call", type=_steps_per_call, default=None, metavar="N|epoch",
                   help="mini-batch updates per jitted call, or 'epoch' for one lax.scan per "
                        "epoch (default: 1 on CPU, where XLA runs loop bodies 2-3x slower; "
                        "'epoch' elsewhere)")
  run.add_argument("--data-parallel", action="store_true",
                   help="shard batches over all devices (jax.sharding)")
  run.add_argument("--resume", action="store_true", help="continue from the latest checkpoints")
  run.add_argument("--coordinator", metavar="HOST:PORT",
                   help="multi-host: address of process 0; with --num-processes and --process-id "
                        "calls jax.distributed.initialize before anything else")
  run.add_argument("--num-processes", type=int, help="multi-host: number of processes")
  run.add_argument("--process-id", type=int, help="multi-host: this process's index")

  case = commands.add_parser("case-study", help="the paper's case studies")
  case.add_argument("name", choices=sorted(CASE_STUDIES))
  case.add_argument("--steps", type=int, help="iterations per optimizer")
  case.add_argument("--out-dir", default="outputs/case_studies")

  commands.add_parser("presets", help="list the presets and optimizers")
  return parser


def _run(args) -> None:
  from train import presets
  from train.experiment import run_experiment
  from train.plots import plot_losses
  from train.report import markdown_table, summarize
  from train.sharding import data_mesh

  if args.coordinator:
    import jax

    jax.distributed.initialize(args.coordinator, args.num_processes, args.process_id)
  preset = presets.get(args.preset)
  epochs = None
  if args.epochs:
    want = 1 if preset.full_batch else 2
    if len(args.epochs) != want:
      raise SystemExit(f"--epochs for {preset.name} takes {want} number(s)"
                       + ("" if want == 1 else ": T1 (mini-batch) and T2 (full-batch)"))
    epochs = args.epochs[0] if want == 1 else tuple(args.epochs)
  results = run_experiment(
      preset.name, args.optimizer, args.seeds, epochs=epochs, batch_size=args.batch_size,
      data_dir=args.data_dir, out_dir=args.out_dir, width=args.width, max_train=args.max_train, max_test=args.max_test,
      chunk_size=args.chunk_size, unroll_chunks=args.unroll_chunks, steps_per_call=args.steps_per_call,
      mesh=data_mesh() if args.data_parallel else None,
      resume=args.resume,
  )
  print(markdown_table(summarize(preset.name, results)))
  print("Loss curves:", plot_losses({preset.name: results}, f"{args.out_dir}/{preset.name}/losses.png"))


def _list_presets() -> None:
  from train import optimizers, presets

  for p in presets.PRESETS.values():
    schedule = f"{p.epochs[0]} full-batch epochs" if p.full_batch else (
        f"batch {p.batch_size}, T1={p.epochs[0]} mini-batch Adamax + T2={p.epochs[1]} full-batch DSA")
    print(f"{p.name:18s} {p.model.upper():4s} on {p.dataset:14s} {schedule}")
  print("\noptimizers:", ", ".join(optimizers.REGISTRY))


def main(argv=None) -> int:
  logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
  args = _parser().parse_args(sys.argv[1:] if argv is None else argv)
  try:
    if args.command in (None, "main"):
      from train.main_job import main_job

      main_job(**({} if args.command is None else dict(
          out_dir=args.out_dir, epochs=args.epochs, seeds=args.seeds, optimizer_names=args.optimizer)))
    elif args.command == "run":
      _run(args)
    elif args.command == "case-study":
      from train.case_studies import run_case_study

      run_case_study(args.name, args.out_dir, steps=args.steps)
    else:
      _list_presets()
  except (FileNotFoundError, ValueError) as error:
    print(f"error: {error}", file=sys.stderr)
    return 2
  return 0
