"""Optimizer tracks: every iterate of a run, from one jitted `lax.scan`."""

from typing import Any, Mapping, NamedTuple, Sequence

import jax
import jax.numpy as jnp
import numpy as np
import optax

from train import optimizers
from train.case_studies.problems import Problem

# Every registry entry that works on a full-batch deterministic problem.
DEFAULT_OPTIMIZERS = optimizers.PAPER_BASELINES + ("dsa",) + optimizers.PEERS


class Track(NamedTuple):
  """The iterates of one run, the start included (index t = after t updates).

  Fields may carry leading batch axes (a sweep over hyperparameters).
  """

  params: np.ndarray  # (steps + 1, n) float32 evaluated point after each update
  loss: np.ndarray  # (steps + 1,) float32 loss at those points
  grad_evals: np.ndarray  # (steps + 1,) int32 gradient evaluations so far, 0 first

  @property
  def step_size(self) -> np.ndarray:
    """`||w_t - w_{t-1}||` for t = 1..steps, shape `(steps,)`."""
    with np.errstate(over="ignore", invalid="ignore"):  # diverged tracks
      return np.linalg.norm(np.diff(self.params, axis=-2), axis=-1)

  def at(self, index: int) -> "Track":
    """Entry `index` of a track with a leading batch axis (`sweep_tracks`)."""
    return Track(*(field[index] for field in self))


def _scan_track(
    spec: optimizers.OptimizerSpec, problem: Problem, steps: int,
    overrides: Mapping[str, Any],
) -> Track:
  """Runs `spec.make(**overrides)` for `steps` updates; traceable."""
  tx = spec.make(**overrides)
  value_and_grad = jax.value_and_grad(problem.loss)

  def iteration(carry, _):
    params, state, grad_evals = carry
    loss, grads = value_and_grad(params)
    updates, new_state = tx.update(
        grads, state, params,
        **optimizers.update_kwargs(loss, grads, problem.loss),
    )
    params = optax.apply_updates(params, updates)
    grad_evals = grad_evals + spec.grad_evals(state, new_state)
    point = spec.eval_params(new_state, params)
    return (params, new_state, grad_evals), (point, problem.loss(point), grad_evals)

  carry = (problem.start, tx.init(problem.start), jnp.zeros([], jnp.int32))
  _, (points, losses, grad_evals) = jax.lax.scan(iteration, carry, length=steps)
  return Track(
      params=jnp.concatenate([problem.start[None], points]),
      loss=jnp.concatenate([problem.loss(problem.start)[None], losses]),
      grad_evals=jnp.concatenate([jnp.zeros([1], jnp.int32), grad_evals]),
  )


def run_track(
    spec: optimizers.OptimizerSpec, problem: Problem, steps: int, **overrides
) -> Track:
  """One optimizer's track on `problem`: a single jitted scan of `steps` updates.

  Args:
    spec: the registry entry of the optimizer.
    problem: the loss, start and optimum.
    steps: number of updates.
    **overrides: hyperparameters passed to `spec.make`.

  Returns:
    The `Track`, as host arrays of `steps + 1` points.
  """
  run = jax.jit(lambda: _scan_track(spec, problem, steps, overrides))
  return jax.device_get(run())


def run_tracks(
    names: Sequence[str], problem: Problem, steps: int
) -> dict[str, Track]:
  """`run_track` with the registry's defaults for each optimizer name."""
  return {name: run_track(optimizers.get(name), problem, steps) for name in names}


def sweep_tracks(
    spec: optimizers.OptimizerSpec, problem: Problem, steps: int,
    settings: Mapping[str, Sequence[float]],
) -> Track:
  """Tracks for many hyperparameter settings, vectorised in one jitted scan.

  Args:
    spec: the registry entry of the optimizer; its `make` must accept traced
      values for the swept hyperparameters.
    problem: the loss, start and optimum.
    steps: number of updates.
    settings: hyperparameter name -> values, all of one length k (setting i
      takes the i-th value of each).

  Returns:
    A `Track` whose fields have a leading axis of length k.
  """
  values = {name: jnp.asarray(v, jnp.float32) for name, v in settings.items()}
  run = jax.jit(jax.vmap(lambda o: _scan_track(spec, problem, steps, o)))
  return jax.device_get(run(values))
