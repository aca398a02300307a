"""Compiled epochs for seeds stacked under ``jax.vmap`` (for one seed the
seed axis is dropped instead: :func:`train.seed_axis.over_seeds`).

A stage's epoch is compiled once, ahead of the first epoch (so that the logged
epoch times exclude compilation), as ``(state, keys, x, y) -> (state,
train_loss)``:

- a full-batch epoch is one jitted :func:`train.steps.full_batch_step`;
- a mini-batch epoch is either one jitted :func:`train.steps.minibatch_epoch`
  (a ``lax.scan`` over the batches: ``steps_per_call="epoch"``) or a host
  loop over jitted calls of ``steps_per_call`` updates each, unrolled.

Why two: XLA:CPU runs the operations of a loop body, convolutions above all,
2-3x slower than the same operations outside a loop (jax-ml/jax#12868). On
this 2-core CPU, 100 Adamax updates of LeNet-5 on MNIST (batch 64, one seed)
take 4.4 s as one ``lax.scan``, 1.7 s in calls of 1 update and 1.5 s in
calls of 2 or 4; but for a small MLP (mushroom, batch 16, 406 updates) one
scan takes 0.28 s and calls of 1 or 4 updates 0.42 s and 0.36 s (each call
costs a dispatch). On CPU the default is one update per call: it wins by far
where the time goes (convolutions), loses a little on small dense models, and
compiles one update only (calls of 4 compile 4 and the remainder: the test
suite took 363 s with them, 319 s with calls of one and 327 s with one scan
per epoch, one after the other on this machine); on GPU and TPU, where a loop
costs nothing of the kind and every call costs a launch, one call per epoch.
Both visit the same batches in the same order; the numbers agree up to float
rounding.
"""

import functools
from typing import Literal

import jax
import jax.numpy as jnp

from train.batching import shuffled_batches
from train.schedule import Stage
from train.seed_axis import over_seeds
from train.sharding import check_divisible
from train.steps import full_batch_step, minibatch_epoch, minibatch_steps

CPU_STEPS_PER_CALL = 1

StepsPerCall = int | Literal["epoch"] | None


def resolve_steps_per_call(steps_per_call: StepsPerCall) -> int | Literal["epoch"]:
  """None -> :data:`CPU_STEPS_PER_CALL` on CPU, "epoch" on other backends."""
  if steps_per_call is None:
    return CPU_STEPS_PER_CALL if jax.default_backend() == "cpu" else "epoch"
  if steps_per_call != "epoch" and not (isinstance(steps_per_call, int) and steps_per_call >= 1):
    raise ValueError(
        f"steps_per_call must be a positive int, 'epoch' or None (per backend); got {steps_per_call!r}."
    )
  return steps_per_call


def compile_epoch(objective, tx, spec, stage: Stage, state, keys, x, y, *, chunk_size: int, mesh,
                  unroll_chunks: bool = False, steps_per_call: StepsPerCall = None):
  """The compiled epoch of ``stage`` for the stacked ``state``.

  Args:
    objective: the model's :class:`train.objective.Objective`.
    tx: the optimizer, ``spec.make()``.
    spec: its :class:`train.optimizers.OptimizerSpec` (evaluation counting,
      whether it needs full-batch steps).
    stage: the schedule stage (mini-batch or full-batch, batch size).
    state, keys, x, y: example arguments (their shapes and shardings are
      compiled for).
    chunk_size: examples per chunk of full-batch gradients.
    mesh: the data-parallel mesh, or None.
    unroll_chunks: unroll the loop over full-batch chunks (``train.full_batch``).
    steps_per_call: mini-batch updates per jitted call, "epoch" for one
      ``lax.scan`` per epoch, None to choose by backend (see the module
      docstring).

  Returns:
    ``(state, keys, x, y) -> (state, train_loss)``, ``train_loss`` per seed.
  """
  if stage.full_batch:
    check_divisible(chunk_size, mesh, "chunk size")
    step = functools.partial(full_batch_step, objective, tx, spec.grad_evals, chunk_size, mesh,
                             unroll_chunks=unroll_chunks)
  else:
    if spec.full_batch_only:
      raise ValueError(
          f"{spec.label} needs full-batch steps (its line search assumes a "
          "deterministic loss): use it in a full-batch stage."
      )
    check_divisible(stage.batch_size, mesh)
    steps_per_call = resolve_steps_per_call(steps_per_call)
    if steps_per_call != "epoch":
      return _blocked_minibatch_epoch(objective, tx, spec.grad_evals, stage.batch_size, mesh,
                                      steps_per_call, state, keys, x, y)
    step = functools.partial(minibatch_epoch, objective, tx, spec.grad_evals, stage.batch_size, mesh)
  return jax.jit(over_seeds(step, in_axes=(0, 0, None, None))).lower(state, keys, x, y).compile()


def _blocked_minibatch_epoch(objective, tx, count_evals, batch_size, mesh, steps_per_call,
                             state, keys, x, y):
  """A mini-batch epoch as a host loop over compiled blocks of unrolled updates.

  Each call slices its block out of the epoch's batches itself (the start is
  an argument), so the host loop only dispatches the compiled calls.
  """
  n = x.shape[0]
  order = jax.jit(jax.vmap(lambda key: shuffled_batches(key, n, batch_size)))
  indices, weights = order(keys)  # (seeds, batches, batch_size)
  n_batches = indices.shape[1]
  bounds = [(a, min(a + steps_per_call, n_batches)) for a in range(0, n_batches, steps_per_call)]
  starts = [jnp.int32(a) for a, _ in bounds]

  def block(length, state, indices, weights, start, x, y):
    take = lambda a: jax.lax.dynamic_slice_in_dim(a, start, length)
    return minibatch_steps(objective, tx, count_evals, mesh, state, take(indices), take(weights), x, y,
                           unroll=True)

  compiled = {}
  for a, b in bounds:  # at most two block lengths: the full one and the remainder
    if b - a not in compiled:
      stacked = over_seeds(functools.partial(block, b - a), in_axes=(0, 0, 0, None, None, None))
      compiled[b - a] = jax.jit(stacked).lower(state, indices, weights, starts[0], x, y).compile()

  def run_epoch(state, keys, x, y):
    indices, weights = order(keys)
    weighted_losses = []
    for (a, b), start in zip(bounds, starts):
      state, weighted_loss = compiled[b - a](state, indices, weights, start, x, y)
      weighted_losses.append(weighted_loss)
    return state, jnp.sum(jnp.stack(weighted_losses), axis=0) / n

  return run_epoch
