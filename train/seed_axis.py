"""The leading seed axis of the trainer's stacked states.

Seeds train together: their states are stacked along axis 0 and every step is
``jax.vmap``-ed over it. For a single seed :func:`over_seeds` drops the axis
and restores it instead of vmapping over an axis of size 1: XLA:CPU runs the
batched convolutions of such a vmap slower than plain ones (LeNet-5, 32 Adam
steps of batch 64 in one jitted call each: 0.43 s under a vmap of size 1,
0.39 s with the axis dropped, 0.38 s without any seed axis).
"""

from typing import Any, Callable, Sequence

import jax


def over_seeds(fn: Callable[..., Any], in_axes: Sequence[int | None]) -> Callable[..., Any]:
  """``jax.vmap(fn, in_axes)`` with the output stacked on axis 0, or, when the
  stacked arguments hold one seed, ``fn`` on their only entry with the axis
  put back on the outputs (same values; decided from the static shapes)."""
  vmapped = jax.vmap(fn, in_axes=in_axes)

  def stacked(*args):
    sizes = {leaf.shape[0] for a, axis in zip(args, in_axes) if axis == 0 for leaf in jax.tree.leaves(a)}
    if sizes != {1}:
      return vmapped(*args)
    args = [jax.tree.map(lambda v: v[0], a) if axis == 0 else a for a, axis in zip(args, in_axes)]
    return jax.tree.map(lambda v: v[None], fn(*args))

  return stacked
