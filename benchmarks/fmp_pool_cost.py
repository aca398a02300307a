"""Cost of fractional max-pooling in a jitted FMP train step, on the CPU.

Issue 3's target: a jitted train step (forward, backward, SGD update) of the
slim FMP network costs at most 1.3x the same network with ordinary 2x2 max
pooling at the same output sizes.

2x2 max pooling with stride 2 halves a side, √2 pooling does not (28 -> 19),
so the baseline pools 2x2 with stride 1 (``nnx.max_pool``, a reduce-window)
and keeps the first ``floor(n / √2)`` rows and columns (a static slice): the
cheapest gather-free pooling to the same sizes, so every convolution does the
same work as in FMP. A second baseline resizes the stride-1 pooled maps with
``jax.image.resize`` (linear, gather-free) instead of cropping them.

A last variant only crops (no max at all): the floor that shows what the
pooling itself costs in each variant.

Each variant's train step is a pure function of ``nnx.split`` state, jitted
once; the steps run interleaved (one of each per round, in a shuffled order)
so that load from other processes hits all variants alike; the table gives
medians.

Usage:
  python benchmarks/fmp_pool_cost.py [--rounds 300] [--output benchmarks/fmp_pool_cost.md]
"""

import argparse
import datetime
import math
import os
import pathlib
import platform
import subprocess
import sys
import time

import flax
import jax
import jax.numpy as jnp
import numpy as np
import optax
from flax import nnx

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

from models import FMP  # noqa: E402
from models.fractional_max_pool import output_size  # noqa: E402

WIDTH = 1 / 16
BATCH = 8
RATIO = math.sqrt(2)
TARGET = 1.3
SHAPES = ((28, 28, 1), (32, 32, 3))


class CroppedMaxPool(nnx.Module):
  """2x2 max pooling, stride 1, cropped to ``floor(n / ratio)``."""

  def __call__(self, x):
    h, w = output_size(x.shape[1], RATIO), output_size(x.shape[2], RATIO)
    return nnx.max_pool(x, (2, 2), strides=(1, 1))[:, :h, :w]


class Crop(nnx.Module):
  """No pooling work at all: the floor under every variant."""

  def __call__(self, x):
    h, w = output_size(x.shape[1], RATIO), output_size(x.shape[2], RATIO)
    return x[:, :h, :w]


class ResizedMaxPool(nnx.Module):
  """2x2 max pooling, stride 1, linearly resized to ``floor(n / ratio)``."""

  def __call__(self, x):
    b, h, w, c = x.shape
    x = nnx.max_pool(x, (2, 2), strides=(1, 1))
    shape = (b, output_size(h, RATIO), output_size(w, RATIO), c)
    return jax.image.resize(x, shape, 'linear', antialias=False)


VARIANTS = {
    'FMP, overlapping pseudorandom (default)': dict(),
    'FMP, disjoint random': dict(overlapping=False, pseudo_random=False),
    'baseline: 2x2 max-pool + crop': dict(pool=CroppedMaxPool),
    'baseline: 2x2 max-pool + linear resize': dict(pool=ResizedMaxPool),
    'floor: crop only, no pooling': dict(pool=Crop),
}
REFERENCE = 'baseline: 2x2 max-pool + crop'


def build_step(in_shape, pool=None, **kind):
  """A jitted SGD train step over ``nnx.split`` state, and that state."""
  model = FMP(in_shape, 10, width=WIDTH, ratio=RATIO, **kind, rngs=nnx.Rngs(0))
  if pool is not None:
    for block in model.blocks:
      block.pool = pool()
  graphdef, params, rest = nnx.split(model, nnx.Param, ...)

  @jax.jit
  def step(params, rest, x, y):
    def loss_fn(params):
      model = nnx.merge(graphdef, params, rest, copy=True)
      logits = model(x)
      loss = optax.softmax_cross_entropy_with_integer_labels(logits, y).mean()
      return loss, nnx.state(model, nnx.Not(nnx.Param))

    (loss, rest), grads = jax.value_and_grad(loss_fn, has_aux=True)(params)
    params = jax.tree.map(lambda p, g: p - 0.01 * g, params, grads)
    return params, rest, loss

  return step, (params, rest)


def measure(in_shape, rounds):
  """Median seconds per step of every variant, measured interleaved."""
  x = jax.random.uniform(jax.random.key(0), (BATCH, *in_shape))
  y = jnp.arange(BATCH) % 10
  steps, states, times = {}, {}, {}
  for name, options in VARIANTS.items():
    steps[name], states[name] = build_step(in_shape, **options)
    for _ in range(3):  # compile and warm up
      *states[name], loss = steps[name](*states[name], x, y)
    jax.block_until_ready(loss)
    times[name] = []
  order = np.random.default_rng(0)
  for _ in range(rounds):
    for name in order.permutation(list(VARIANTS)):
      start = time.perf_counter()
      *states[name], loss = steps[name](*states[name], x, y)
      jax.block_until_ready((states[name], loss))
      times[name].append(time.perf_counter() - start)
  return {name: np.asarray(t) for name, t in times.items()}


def machine():
  model = subprocess.run(
      "lscpu | grep 'Model name'", shell=True, capture_output=True, text=True
  ).stdout.split(':')[-1].strip()
  return f'{model}, nproc {os.cpu_count()}'


def report(results, args, load_before):
  load_after = os.getloadavg()
  channels = [max(1, round(c * WIDTH)) for c in (64, 128, 256, 256, 512, 512)]
  lines = [
      '# Fractional max-pooling cost in a jitted FMP train step (CPU)',
      '',
      f'- Command: `python benchmarks/fmp_pool_cost.py --rounds {args.rounds}`',
      f'- Machine: {machine()}; load average (1, 5, 15 min) before: '
      + ' '.join(f'{v:.2f}' for v in load_before)
      + ', after: ' + ' '.join(f'{v:.2f}' for v in load_after)
      + ' (the machine is shared with other jobs)',
      f'- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC',
      f'- Versions: Python {platform.python_version()}, jax {jax.__version__}, '
      f'flax {flax.__version__}, optax {optax.__version__}',
      f'- Network: `FMP(width={WIDTH})` (channels {channels}), ratio √2, batch {BATCH}, '
      'train step = forward + backward + SGD update, jitted once; '
      f'{args.rounds} interleaved rounds (shuffled order) after 3 warm-up steps each.',
      '- Baselines: the same network with every fractional max-pool replaced by '
      '2x2 max pooling with stride 1 followed by a crop to floor(n/√2) (the '
      'cheapest gather-free way to reach the same sizes: every convolution '
      'does the same work), or by a linear resize to that size. The floor only '
      'crops (no max): the difference to it is the cost of the pooling itself.',
      '',
      f'Target: FMP (default kind) at most {TARGET}x the cropped 2x2 max-pool baseline.',
      '',
  ]
  for in_shape, times in results.items():
    reference = np.median(times[REFERENCE])
    lines += [
        f'## Input {in_shape[0]}x{in_shape[1]}x{in_shape[2]}',
        '',
        '| variant | median ms | 25-75% ms | ratio to crop baseline |',
        '|---|---|---|---|',
    ]
    for name, t in times.items():
      q25, q50, q75 = np.percentile(t, [25, 50, 75]) * 1e3
      lines.append(f'| {name} | {q50:.2f} | {q25:.2f}-{q75:.2f} | {q50 / 1e3 / reference:.2f} |')
    ratio = np.median(times[next(iter(VARIANTS))]) / reference
    verdict = 'met' if ratio <= TARGET else 'MISSED'
    lines += ['', f'Default FMP / crop baseline: {ratio:.2f}x (target {TARGET}x: {verdict}).', '']
  return '\n'.join(lines)


def main():
  parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
  parser.add_argument('--rounds', type=int, default=300)
  parser.add_argument(
      '--output', type=pathlib.Path,
      default=pathlib.Path(__file__).resolve().with_suffix('.md'),
  )
  args = parser.parse_args()
  load_before = os.getloadavg()
  results = {shape: measure(shape, args.rounds) for shape in SHAPES}
  text = report(results, args, load_before)
  args.output.write_text(text)
  print(text)


if __name__ == '__main__':
  main()
