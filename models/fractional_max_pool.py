"""Fractional max-pooling (Graham, 2014) in JAX.

An axis of length ``n`` is cut into ``n_out = floor(n / ratio)`` regions by an
increasing integer sequence ``0 = a_0 < a_1 < ... < a_{n_out} = n``. Region
``i`` is ``[a_i, a_{i+1} - 1]`` (disjoint) or ``[a_i, a_{i+1}]`` (overlapping,
clipped to ``n - 1``). Images pool rows and columns with independent sequences;
a region is the product of a row interval and a column interval, so the max
over it is a max over rows followed by a max over columns.

Like ``tf.nn.fractional_max_pool``, the sequences use the effective ratio
``α = n / n_out`` (not the nominal one) so that they end exactly at ``n``. For
``α <= 2`` the increments are 1 and 2 as in the paper. A nominal ratio close
to 2 on a short odd axis gives ``α > 2`` (e.g. ``n = 5``, ratio 1.9: ``n_out = 2``,
``α = 2.5``); the increments are then 2 and 3, which is the only way to cover
the axis with ``n_out`` regions.
"""

import math

import jax
import jax.numpy as jnp


def output_size(n: int, ratio: float) -> int:
  """Length ``floor(n / ratio)`` of a pooled axis of length ``n``."""
  if not 1.0 < ratio < 2.0:
    raise ValueError(f'ratio must be in (1, 2), got {ratio}.')
  n_out = math.floor(n / ratio)
  if n_out < 1:
    raise ValueError(f'An axis of length {n} is too short for ratio {ratio}.')
  return n_out


def _ceil_div(a: jax.Array, b: int) -> jax.Array:
  return -(-a // b)


def pseudorandom_boundaries(n: int, n_out: int, u: jax.Array) -> jax.Array:
  """Graham's pseudorandom sequence ``a_i = ceil(α(i + u)) - ceil(α u)``.

  With ``α = n / n_out``, ``ceil(α(i + u)) = ceil((n i + n u) / n_out)``
  depends on ``u`` only through ``m = ceil(n u)`` (the numerator's other term
  is an integer), so the sequence is computed exactly in integers:
  ``a_i = ceil((n i + m) / n_out) - ceil(m / n_out)``. Then ``a_0 = 0``,
  ``a_{n_out} = n`` and every increment is ``floor(α)`` or ``ceil(α)``.

  Args:
    n: input length.
    n_out: output length, ``1 <= n_out < n``.
    u: scalar offset in ``[0, 1)``.

  Returns:
    ``int32`` array of shape ``(n_out + 1,)``: the boundaries ``a_0..a_{n_out}``.
  """
  m = jnp.clip(jnp.ceil(n * u), 0, n).astype(jnp.int32)
  i = jnp.arange(n_out + 1, dtype=jnp.int32)
  return _ceil_div(n * i + m, n_out) - _ceil_div(m, n_out)


def random_boundaries(key: jax.Array, n: int, n_out: int) -> jax.Array:
  """Graham's random sequence: the cumulative sum of shuffled increments.

  The increments are ``n mod n_out`` copies of ``ceil(α)`` and the rest
  ``floor(α)`` (1s and 2s when ``α <= 2``), summing to ``n``, in an order drawn
  uniformly at random.

  Args:
    key: a PRNG key.
    n: input length.
    n_out: output length, ``1 <= n_out < n``.

  Returns:
    ``int32`` array of shape ``(n_out + 1,)``: the boundaries ``a_0..a_{n_out}``.
  """
  k, r = divmod(n, n_out)
  increments = jnp.array([k + 1] * r + [k] * (n_out - r), dtype=jnp.int32)
  increments = jax.random.permutation(key, increments)
  return jnp.concatenate([jnp.zeros(1, jnp.int32), jnp.cumsum(increments)])


def _pool_axis(
    x: jax.Array, boundaries: jax.Array, axis: int, overlapping: bool
) -> jax.Array:
  """Max of ``x`` over the regions given by ``boundaries`` along ``axis``."""
  n = x.shape[axis]
  n_out = boundaries.shape[0] - 1
  starts = boundaries[:-1]
  ends = boundaries[1:] if overlapping else boundaries[1:] - 1
  ends = jnp.minimum(ends, n - 1)
  longest = _ceil_div(n, n_out) + int(overlapping)

  def take(index):
    at = x.at[(slice(None),) * axis + (index,)]
    return at.get(mode='promise_in_bounds', indices_are_sorted=True)

  pooled = take(starts)
  for offset in range(1, longest):
    # Offsets past a region's end repeat its last element: a max is unchanged
    # by repeats, and that element's gradient shares add up to one.
    pooled = jnp.maximum(pooled, take(jnp.minimum(starts + offset, ends)))
  return pooled


def fractional_max_pool(
    x: jax.Array,
    ratio: float,
    *,
    rng: jax.Array | None,
    overlapping: bool = True,
    pseudo_random: bool = True,
    deterministic: bool = False,
) -> jax.Array:
  """Fractional max-pooling of the two spatial axes of an NHWC batch.

  Each call draws one row sequence and one column sequence from ``rng``
  (shared by the whole batch, as in Graham's paper and PyTorch): pseudorandom
  ``a_i = ceil(α(i + u))`` with ``u ~ U[0, 1)``, or random shuffled increments.
  In deterministic mode (evaluation) no key is used and both axes take the
  pseudorandom sequence with ``u = 1/2``, whatever ``pseudo_random`` says: it
  spreads the long regions evenly and is the same on every call.

  The output shape depends only on the input shape and ``ratio``, so the
  function compiles once under ``jax.jit``. It is a few gathers and a max
  (at most ``ceil(α) + 1`` per axis), with no loop over positions. The
  gradient reaches the arg-max of each region; equal maxima share it.

  Args:
    x: array of shape ``(batch, H, W, C)``.
    ratio: nominal pooling ratio ``α`` in ``(1, 2)``.
    rng: a PRNG key; may be ``None`` when ``deterministic``.
    overlapping: regions ``[a_i, a_{i+1}]`` if true, else ``[a_i, a_{i+1} - 1]``.
    pseudo_random: pseudorandom sequences if true, else random ones.
    deterministic: use the fixed evaluation sequences.

  Returns:
    Array of shape ``(batch, floor(H / ratio), floor(W / ratio), C)``.

  References:
    Graham, `Fractional Max-Pooling <https://arxiv.org/abs/1412.6071>`_, 2014.
  """
  h, w = x.shape[1], x.shape[2]
  h_out, w_out = output_size(h, ratio), output_size(w, ratio)
  if deterministic:
    rows = pseudorandom_boundaries(h, h_out, jnp.float32(0.5))
    cols = pseudorandom_boundaries(w, w_out, jnp.float32(0.5))
  elif rng is None:
    raise ValueError('fractional_max_pool needs an rng unless deterministic.')
  elif pseudo_random:
    u_rows, u_cols = jax.random.uniform(rng, (2,))
    rows = pseudorandom_boundaries(h, h_out, u_rows)
    cols = pseudorandom_boundaries(w, w_out, u_cols)
  else:
    row_key, col_key = jax.random.split(rng)
    rows = random_boundaries(row_key, h, h_out)
    cols = random_boundaries(col_key, w, w_out)
  x = _pool_axis(x, rows, axis=1, overlapping=overlapping)
  return _pool_axis(x, cols, axis=2, overlapping=overlapping)
