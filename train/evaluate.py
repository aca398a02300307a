"""Evaluation on a held-out split: mean loss and predicted classes."""

import jax
import jax.numpy as jnp
import optax

from train.batching import sequential_chunks
from train.objective import Objective
from train.sharding import shard_batch


def evaluate(objective: Objective, params, rest, x, y, chunk_size: int, mesh=None):
  """Mean NLL and ``(n,)`` predicted labels of the model in evaluation mode."""
  indices, weights = sequential_chunks(x.shape[0], chunk_size)

  def body(total, chunk):
    idx, w = chunk
    logits, _ = objective.logits(params, rest, shard_batch(x[idx], mesh), train=False)
    logits = logits.astype(jnp.float32)
    nll = optax.softmax_cross_entropy_with_integer_labels(logits, y[idx])
    return total + jnp.sum(w * nll), jnp.argmax(logits, axis=-1)

  total, predictions = jax.lax.scan(body, jnp.zeros([], jnp.float32), (indices, weights))
  n = x.shape[0]
  return total / n, predictions.reshape(-1)[:n]
