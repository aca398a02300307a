"""Times `train.data.load` per dataset and writes benchmarks/data_load.md.

Usage (from the repository root):

  DSA_DATA_DIR=../shared/data python benchmarks/data_load.py

The requirement (issue 4): MNIST from gzipped IDX in under 2 s on the CPU.
Each dataset is loaded once (the cold call is reported too), then
`--repeats` more times in the same process; the table reports median and max.
"""

import argparse
import datetime
import os
import pathlib
import platform
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np

from train import data

DATASETS = ("mnist", "fashion_mnist", "car", "mushroom", "iris", "wine")
LIMIT_S = {"mnist": 2.0}


def time_load(name: str, repeats: int) -> tuple[float, list[float]]:
  """Seconds of the first `data.load(name)` call, then of `repeats` more."""
  seconds = []
  for _ in range(1 + repeats):
    start = time.perf_counter()
    data.load(name, download=False)
    seconds.append(time.perf_counter() - start)
  return seconds[0], seconds[1:]


def machine() -> str:
  """CPU model and core count, as lscpu and nproc report them."""
  model = platform.processor() or "unknown CPU"
  if shutil.which("lscpu"):
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
    for line in lscpu.splitlines():
      if line.startswith("Model name:"):
        model = line.split(":", 1)[1].strip()
  return f"{model}, nproc {len(os.sched_getaffinity(0))}"


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument("--repeats", type=int, default=5)
  parser.add_argument(
      "--output", type=pathlib.Path, default=pathlib.Path(__file__).with_suffix(".md")
  )
  args = parser.parse_args()
  load_average = os.getloadavg()[0]  # other processes compete for the cores
  rows = []
  for name in DATASETS:
    try:
      first, seconds = time_load(name, args.repeats)
    except data.MissingDataError as error:
      rows.append(f"| {name} | not available: {str(error).splitlines()[0]} | | | |")
      continue
    limit = LIMIT_S.get(name)
    passed = limit is not None and max(first, *seconds) < limit
    verdict = "pass" if passed else "FAIL"
    rows.append(
        f"| {name} | {first:.3f} | {statistics.median(seconds):.3f} | "
        f"{max(seconds):.3f} | {f'< {limit:g} s: {verdict}' if limit else ''} |"
    )
    print(rows[-1])
  data_dir = os.environ.get("DSA_DATA_DIR", "")
  command = f"DSA_DATA_DIR={data_dir} python benchmarks/data_load.py"
  if args.repeats != 5:
    command += f" --repeats {args.repeats}"
  report = f"""# Loading the datasets (`train.data.load`)

- Command: `{command}`
- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M UTC}
- Machine: {machine()}; load average (1 min) at start {load_average:.1f}
- Python {platform.python_version()}, numpy {np.__version__}

Seconds per `load`, all in one process: the first call (its files possibly
not yet in the OS page cache), then the median and maximum of {args.repeats}
more. Files come from the data directory: MNIST as
gzipped IDX, Fashion-MNIST as the gzipped files of Debian's
`dataset-fashion-mnist`, car and mushroom as the UCI `.data` files; iris and
wine from scikit-learn.

| dataset | first s | median s | max s | requirement |
|---|---|---|---|---|
{chr(10).join(rows)}

`load` returns host numpy arrays (read-only) and places nothing on a device:
the training code puts the training set on the device once (`jax.device_put`)
and takes batches from that copy by index, so no epoch copies the data again.
"""
  args.output.write_text(report)
  print(f"wrote {args.output}", file=sys.stderr)


if __name__ == "__main__":
  main()
