"""fractional_max_pool against a brute-force reading of Graham's definition.

One call pools a batch whose first images are ramps: the max of the increasing
ramp ``r * W + c`` over a region is at its last row and column, the max of the
decreasing ramp at its first, so one output reveals every region the call drew
(all images share the draw). The regions are then checked against the
definition, and every other output against a brute-force max over them.
"""

import fractions
import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from models import fractional_max_pool

# (H, W) and ratio: even and odd sides; 9 with ratio 1.9 gives n / n_out = 2.25,
# where increments of 2 and 3 are needed to cover the axis.
SIZES_AND_RATIOS = [
    ((28, 28), math.sqrt(2)),
    ((13, 7), 1.1),
    ((10, 12), 1.3),
    ((11, 8), 1.6),
    ((9, 10), 1.9),
]
KINDS = [
    dict(overlapping=True, pseudo_random=True),
    dict(overlapping=True, pseudo_random=False),
    dict(overlapping=False, pseudo_random=True),
    dict(overlapping=False, pseudo_random=False),
]


def probe_batch(h, w, seed=0):
  """Batch ``(4, h, w, 2)``: increasing ramp, decreasing ramp, two noises."""
  ramp = np.arange(h * w, dtype=np.float32).reshape(h, w)
  noise = np.random.default_rng(seed).normal(size=(2, h, w)).astype(np.float32)
  x = np.stack([ramp, -ramp, noise[0], noise[1]])[..., None]
  return np.concatenate([x, -x], axis=-1)


def recover_regions(out, w):
  """Row and column intervals ``[(start, end)]`` from the two ramp outputs."""
  last = out[0, :, :, 0].astype(np.int64)
  first = (-out[1, :, :, 0]).astype(np.int64)
  rows = list(zip(first[:, 0] // w, last[:, 0] // w))
  cols = list(zip(first[0, :] % w, last[0, :] % w))
  return rows, cols


@functools.cache
def pseudorandom_sequences(n, n_out):
  """Every ``ceil(α(i + u)) - ceil(α u)``, ``α = n / n_out``, u in [0, 1).

  ``α(i + u) = (n i + n u) / n_out`` crosses an integer only where ``n u`` is
  an integer, so u = 0 and the midpoints ``(k + 1/2) / n`` reach every
  sequence. Exact rational arithmetic.
  """
  alpha = fractions.Fraction(n, n_out)
  us = [fractions.Fraction(0)] + [fractions.Fraction(2 * k + 1, 2 * n) for k in range(n)]
  return {
      tuple(math.ceil(alpha * (i + u)) - math.ceil(alpha * u) for i in range(n_out + 1))
      for u in us
  }


def boundaries_of(regions, n, overlapping):
  """The sequence ``a_0..a_{n_out}`` that the intervals were cut from."""
  starts = [s for s, _ in regions]
  if overlapping:
    assert all(e == min(s_next, n - 1) for (_, e), s_next in zip(regions, starts[1:] + [n]))
  else:
    assert all(e == s_next - 1 for (_, e), s_next in zip(regions, starts[1:] + [n]))
  return tuple(starts + [n])


def check_regions(regions, n, ratio, overlapping, pseudo_random):
  n_out = math.floor(n / ratio)
  assert len(regions) == n_out
  a = boundaries_of(regions, n, overlapping)
  assert a[0] == 0 and a[-1] == n
  increments = np.diff(a)
  assert set(increments) <= {n // n_out, -(-n // n_out)}
  covered = set()
  for s, e in regions:
    assert 0 <= s <= e <= n - 1
    covered.update(range(s, e + 1))
  assert covered == set(range(n))
  if pseudo_random:
    assert a in pseudorandom_sequences(n, n_out)
  return a


def brute_force(x, rows, cols):
  out = np.empty((x.shape[0], len(rows), len(cols), x.shape[3]), x.dtype)
  for i, (r0, r1) in enumerate(rows):
    for j, (c0, c1) in enumerate(cols):
      out[:, i, j] = x[:, r0 : r1 + 1, c0 : c1 + 1].max(axis=(1, 2))
  return out


@pytest.mark.parametrize('kind', KINDS, ids=lambda k: '-'.join(n for n, v in k.items() if v) or 'disjoint-random')
@pytest.mark.parametrize('size, ratio', SIZES_AND_RATIOS, ids=str)
def test_matches_brute_force(size, ratio, kind):
  h, w = size
  x = probe_batch(h, w)
  for seed in range(2):
    out = np.asarray(fractional_max_pool(jnp.asarray(x), ratio, rng=jax.random.key(seed), **kind))
    assert out.shape == (4, math.floor(h / ratio), math.floor(w / ratio), 2)
    rows, cols = recover_regions(out, w)
    check_regions(rows, h, ratio, **kind)
    check_regions(cols, w, ratio, **kind)
    np.testing.assert_array_equal(out, brute_force(x, rows, cols))


@pytest.mark.parametrize('overlapping', [True, False])
@pytest.mark.parametrize('pseudo_random', [True, False])
def test_deterministic_uses_u_one_half(overlapping, pseudo_random):
  h, w = 13, 28
  x = jnp.asarray(probe_batch(h, w))
  out = np.asarray(
      fractional_max_pool(
          x, math.sqrt(2), rng=None, overlapping=overlapping,
          pseudo_random=pseudo_random, deterministic=True,
      )
  )
  rows, cols = recover_regions(out, w)
  for regions, n in [(rows, h), (cols, w)]:
    n_out = len(regions)
    alpha, half = fractions.Fraction(n, n_out), fractions.Fraction(1, 2)
    expected = tuple(math.ceil(alpha * (i + half)) - math.ceil(alpha * half) for i in range(n_out + 1))
    assert boundaries_of(regions, n, overlapping) == expected
  np.testing.assert_array_equal(out, brute_force(np.asarray(x), rows, cols))


@pytest.mark.parametrize('kind', KINDS[:1] + KINDS[3:])
def test_gradient_reaches_only_arg_max(kind):
  h, w = 11, 12
  x = jnp.asarray(probe_batch(h, w, seed=1))
  key = jax.random.key(7)
  weights = np.random.default_rng(2).normal(size=(4, 7, 8, 2)).astype(np.float32)

  def weighted_sum(x):
    return jnp.sum(weights * fractional_max_pool(x, 1.5, rng=key, **kind))

  grad = np.asarray(jax.grad(weighted_sum)(x))
  rows, cols = recover_regions(np.asarray(fractional_max_pool(x, 1.5, rng=key, **kind)), w)
  expected = np.zeros_like(grad)
  xs = np.asarray(x)
  for b in range(xs.shape[0]):
    for c in range(xs.shape[3]):
      for i, (r0, r1) in enumerate(rows):
        for j, (c0, c1) in enumerate(cols):
          region = xs[b, r0 : r1 + 1, c0 : c1 + 1, c]
          r, s = np.unravel_index(np.argmax(region), region.shape)
          expected[b, r0 + r, c0 + s, c] += weights[b, i, j, c]
  np.testing.assert_allclose(grad, expected, rtol=1e-6, atol=1e-6)


def test_same_rng_same_output_and_fresh_draws():
  x = jnp.asarray(probe_batch(28, 28))
  outs = [fractional_max_pool(x, math.sqrt(2), rng=jax.random.key(s)) for s in (0, 0, 1, 2, 3)]
  np.testing.assert_array_equal(outs[0], outs[1])
  assert any(not np.array_equal(outs[0], o) for o in outs[2:])


def test_random_kind_leaves_the_pseudorandom_family():
  n, n_out = 28, 19
  family = pseudorandom_sequences(n, n_out)
  x = jnp.asarray(probe_batch(n, n))
  drawn = set()
  for seed in range(5):
    out = fractional_max_pool(x, math.sqrt(2), rng=jax.random.key(seed), pseudo_random=False)
    rows, _ = recover_regions(np.asarray(out), n)
    drawn.add(boundaries_of(rows, n, overlapping=True))
  assert drawn - family


def test_compiles_once():
  traces = []

  @jax.jit
  def pool(x, key):
    traces.append(None)
    return fractional_max_pool(x, math.sqrt(2), rng=key)

  x = jnp.asarray(probe_batch(32, 32))
  shapes = {pool(x, jax.random.key(s)).shape for s in range(3)}
  assert shapes == {(4, 22, 22, 2)} and len(traces) == 1


def test_rejects_bad_ratio_and_missing_rng():
  x = jnp.zeros((1, 8, 8, 1))
  with pytest.raises(ValueError):
    fractional_max_pool(x, 2.0, rng=jax.random.key(0))
  with pytest.raises(ValueError):
    fractional_max_pool(x, 1.5, rng=None)
