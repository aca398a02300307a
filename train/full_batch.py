"""Full-batch loss and gradient, accumulated over chunks in bounded memory.

A gradient over all of MNIST does not fit one forward pass on most devices, so
it is summed over fixed-size chunks under ``jax.lax.scan``. The loss is also
offered as a function of the parameters whose gradient is that accumulated
gradient (a ``jax.custom_vjp``): optimizers that differentiate ``value_fn``
themselves (DSA's probe gradient, L-BFGS's line search) then cost one
accumulated forward-and-backward pass and keep memory bounded.

``unroll=True`` unrolls the loop over chunks. On XLA:CPU that runs
convolutions 2-3x faster (inside a loop body they are slower: LeNet-5, 8
chunks of 1024 MNIST images, 5.1 s rolled, 2.1 s unrolled), but XLA then
keeps every chunk's intermediates alive at once, so memory grows with the
number of chunks (all of MNIST, 3 seeds under vmap: 63 GB). The default keeps
the loop rolled and memory bounded by one chunk.
"""

import jax
import jax.numpy as jnp

from train.batching import sequential_chunks
from train.objective import Objective
from train.sharding import shard_batch

def _whole_batch_loss(objective: Objective, params, rest, x, y, mesh):
  """Mean loss of data small enough for one pass; and the model's new rest."""
  x, y = shard_batch(x, mesh), shard_batch(y, mesh)
  total, new_rest = objective.weighted_loss_sum(params, rest, x, y, jnp.ones(y.shape, jnp.float32))
  return total / x.shape[0], new_rest


def _sum_over_chunks(objective: Objective, params, rest, x, y, chunk_size, mesh, with_grad, unroll):
  indices, weights = sequential_chunks(x.shape[0], chunk_size)
  zeros = jax.tree.map(jnp.zeros_like, params)

  def body(carry, chunk):
    total, grads, _ = carry
    idx, w = chunk
    xb, yb = shard_batch(x[idx], mesh), shard_batch(y[idx], mesh)
    loss_sum = lambda p: objective.weighted_loss_sum(p, rest, xb, yb, w)
    if with_grad:
      (s, new_rest), g = jax.value_and_grad(loss_sum, has_aux=True)(params)
      grads = jax.tree.map(jnp.add, grads, g)
    else:
      s, new_rest = loss_sum(params)
    return (total + s, grads, new_rest), None

  (total, grads, new_rest), _ = jax.lax.scan(
      body, (jnp.zeros([], jnp.float32), zeros, rest), (indices, weights), unroll=unroll
  )
  n = x.shape[0]
  return total / n, jax.tree.map(lambda g: g / n, grads), new_rest


def full_batch_value_and_grad(objective, params, rest, x, y, chunk_size, mesh=None, unroll=False):
  """Mean loss over all examples, its gradient, and the model's new rest.

  ``unroll``: unroll the loop over chunks (faster on CPU, memory linear in the
  number of chunks; see the module docstring).
  """
  if x.shape[0] <= chunk_size:
    loss = lambda p: _whole_batch_loss(objective, p, rest, x, y, mesh)
    (value, new_rest), grads = jax.value_and_grad(loss, has_aux=True)(params)
    return value, grads, new_rest
  return _sum_over_chunks(objective, params, rest, x, y, chunk_size, mesh, True, unroll)


def full_batch_loss_fn(objective, rest, x, y, chunk_size, mesh=None, unroll=False):
  """``params -> mean loss`` over all examples, differentiable by accumulation."""
  if x.shape[0] <= chunk_size:
    return lambda params: _whole_batch_loss(objective, params, rest, x, y, mesh)[0]

  @jax.custom_vjp
  def loss(params):
    return _sum_over_chunks(objective, params, rest, x, y, chunk_size, mesh, False, unroll)[0]

  def forward(params):
    value, grads, _ = full_batch_value_and_grad(objective, params, rest, x, y, chunk_size, mesh, unroll)
    return value, grads

  def backward(grads, cotangent):
    return (jax.tree.map(lambda g: cotangent * g, grads),)

  loss.defvjp(forward, backward)
  return loss
