"""Jitted training steps: a mini-batch epoch and a full-batch step.

Both are pure functions ``TrainState -> (TrainState, train_loss)``. Every
optimizer is called the same way, ``tx.update(grads, opt_state, params,
value=..., grad=..., value_fn=...)``, so DSA (which needs ``value_fn`` for its
probe gradient) and L-BFGS (which needs all three) share the steps of the
first-order baselines, which ignore the extra arguments.
"""

from typing import Any, Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

from train.batching import shuffled_batches
from train.full_batch import full_batch_loss_fn, full_batch_value_and_grad
from train.objective import Objective
from train.sharding import shard_batch


class TrainState(NamedTuple):
  """Everything a training run carries from step to step."""

  params: Any  # nnx.State of the model's nnx.Param variables.
  rest: Any  # nnx.State of the model's other variables (e.g. RNG counters).
  opt_state: Any  # the optimizer's state.
  grad_evals: jax.Array  # int32 scalar: gradient evaluations (batch or full) so far.


def _apply_update(tx, count_evals, state: TrainState, loss, grads, value_fn, new_rest):
  updates, opt_state = tx.update(
      grads, state.opt_state, state.params, value=loss, grad=grads, value_fn=value_fn
  )
  return TrainState(
      params=optax.apply_updates(state.params, updates),
      rest=new_rest,
      opt_state=opt_state,
      grad_evals=state.grad_evals + count_evals(state.opt_state, opt_state),
  )


def minibatch_steps(
    objective: Objective,
    tx: optax.GradientTransformationExtraArgs,
    count_evals: Callable[[Any, Any], jax.Array],
    mesh,
    state: TrainState,
    indices: jax.Array,
    weights: jax.Array,
    x: jax.Array,
    y: jax.Array,
    *,
    unroll: bool = False,
) -> tuple[TrainState, jax.Array]:
  """One update per batch of ``indices`` ``(n_batches, batch_size)``, in order.

  Both of DSA's gradients use the same mini-batch (and the same pooling draw).
  ``unroll`` unrolls the loop over the batches (no XLA while loop: see
  ``train.epochs``).

  Returns:
    The new state and Σ over the batches of (batch loss × batch weight).
  """

  def body(state, batch):
    idx, w = batch
    xb, yb = shard_batch(x[idx], mesh), shard_batch(y[idx], mesh)

    def loss_fn(params):
      return objective.batch_loss(params, state.rest, xb, yb, w)

    (loss, new_rest), grads = jax.value_and_grad(loss_fn, has_aux=True)(state.params)
    value_fn = lambda p: loss_fn(p)[0]
    state = _apply_update(tx, count_evals, state, loss, grads, value_fn, new_rest)
    return state, loss * jnp.sum(w)

  if not unroll:
    state, weighted_losses = jax.lax.scan(body, state, (indices, weights))
    return state, jnp.sum(weighted_losses)
  total = jnp.zeros([], jnp.float32)
  for i in range(indices.shape[0]):  # traced once per batch: no loop in the program
    state, weighted_loss = body(state, (indices[i], weights[i]))
    total = total + weighted_loss
  return state, total


def minibatch_epoch(
    objective: Objective,
    tx: optax.GradientTransformationExtraArgs,
    count_evals: Callable[[Any, Any], jax.Array],
    batch_size: int,
    mesh,
    state: TrainState,
    key: jax.Array,
    x: jax.Array,
    y: jax.Array,
) -> tuple[TrainState, jax.Array]:
  """One epoch of shuffled mini-batches, one update per batch.

  Returns:
    The new state and the mean training loss over the epoch's batches
    (weighted by batch size, as PyTorch's running loss is).
  """
  indices, weights = shuffled_batches(key, x.shape[0], batch_size)
  state, total = minibatch_steps(objective, tx, count_evals, mesh, state, indices, weights, x, y)
  return state, total / x.shape[0]


def full_batch_step(
    objective: Objective,
    tx: optax.GradientTransformationExtraArgs,
    count_evals: Callable[[Any, Any], jax.Array],
    chunk_size: int,
    mesh,
    state: TrainState,
    key: jax.Array,
    x: jax.Array,
    y: jax.Array,
    *,
    unroll_chunks: bool = False,
) -> tuple[TrainState, jax.Array]:
  """One update on the whole training set (the paper's "batch training").

  The gradient, and any gradient the optimizer asks of ``value_fn``, is
  accumulated over chunks of ``chunk_size`` examples (the loop over chunks
  unrolled if ``unroll_chunks``: see ``train.full_batch``). ``key`` is unused:
  it keeps the signature of :func:`minibatch_epoch`.

  Returns:
    The new state and the full training loss at the parameters before the
    update.
  """
  del key
  loss, grads, new_rest = full_batch_value_and_grad(
      objective, state.params, state.rest, x, y, chunk_size, mesh, unroll_chunks
  )
  value_fn = full_batch_loss_fn(objective, state.rest, x, y, chunk_size, mesh, unroll_chunks)
  return _apply_update(tx, count_evals, state, loss, grads, value_fn, new_rest), loss
