"""Fixed-shape batches of example indices, so one compiled step serves them all.

An epoch of ``n`` examples in batches of ``b`` has ``ceil(n / b)`` batches; the
last one is padded with weight-0 entries, which keeps PyTorch's semantics (the
last batch is smaller, nothing is dropped) with a single batch shape.
"""

import jax
import jax.numpy as jnp


def num_batches(n: int, batch_size: int) -> int:
  return -(-n // batch_size)


def batch_indices(order: jax.Array, batch_size: int) -> tuple[jax.Array, jax.Array]:
  """Splits an ordering of ``n`` examples into padded batches.

  Args:
    order: ``(n,)`` example indices in the order to visit them.
    batch_size: examples per batch.

  Returns:
    ``(indices, weights)``, both ``(num_batches, batch_size)``; padding entries
    point at example 0 with weight 0.
  """
  n = order.shape[0]
  padded = num_batches(n, batch_size) * batch_size
  indices = jnp.zeros(padded, order.dtype).at[:n].set(order)
  weights = (jnp.arange(padded) < n).astype(jnp.float32)
  return indices.reshape(-1, batch_size), weights.reshape(-1, batch_size)


def shuffled_batches(key: jax.Array, n: int, batch_size: int):
  """A fresh random order of the ``n`` examples, in padded batches."""
  return batch_indices(jax.random.permutation(key, n), batch_size)


def sequential_chunks(n: int, chunk_size: int):
  """All ``n`` examples in order, in padded chunks (for full-batch passes)."""
  return batch_indices(jnp.arange(n), min(chunk_size, n))
