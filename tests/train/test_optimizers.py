"""The optimizer registry: PyTorch's updates for the paper's baselines, one call for all.

The references below transcribe the algorithm boxes of ``torch.optim`` (torch
2.x, ``_single_tensor_*``) in NumPy float64; the optimizers run in float32 on
the same gradients. The gradients span seven orders of magnitude so that where
ε sits (inside or outside a square root) changes the result.
"""

import functools
from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

from train import optimizers
from train.optimizers import adagrad

SHAPES = {"w": (3, 4), "b": (4,)}
STEPS = 5


def fixed_problem():
  """Float32 params and STEPS gradients: mixed scales, a sign flip, zeros."""
  rng = np.random.default_rng(0)
  params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
  grads = []
  for t in range(STEPS):
    g = {
        k: (rng.normal(size=s) * 10.0 ** rng.uniform(-6, 1, size=s)).astype(np.float32)
        for k, s in SHAPES.items()
    }
    if t == 2:
      g = {k: -grads[1][k] for k in g}  # every element flips sign
    g["b"][0] = 0.0
    grads.append(g)
  return params, grads


# --- NumPy transcriptions of torch.optim (one array; every rule is elementwise). ---


def sgd_reference(p, grads, lr=0.01):
  for g in grads:
    p = p - lr * g
    yield p


def momentum_reference(p, grads, lr=0.01, momentum=0.9):
  buf = None
  for g in grads:
    buf = g.copy() if buf is None else momentum * buf + g  # dampening 0
    p = p - lr * buf
    yield p


def adagrad_reference(p, grads, lr=0.01, eps=1e-10, initial_accumulator_value=0.0):
  state_sum = np.full_like(p, initial_accumulator_value)
  for g in grads:
    state_sum = state_sum + g * g
    p = p - lr * g / (np.sqrt(state_sum) + eps)
    yield p


def adadelta_reference(p, grads, lr=1.0, rho=0.9, eps=1e-6):
  square_avg = np.zeros_like(p)
  acc_delta = np.zeros_like(p)
  for g in grads:
    square_avg = rho * square_avg + (1 - rho) * g * g
    delta = np.sqrt(acc_delta + eps) / np.sqrt(square_avg + eps) * g
    acc_delta = rho * acc_delta + (1 - rho) * delta * delta
    p = p - lr * delta
    yield p


def rmsprop_reference(p, grads, lr=0.01, alpha=0.99, eps=1e-8):
  square_avg = np.zeros_like(p)
  for g in grads:
    square_avg = alpha * square_avg + (1 - alpha) * g * g
    p = p - lr * g / (np.sqrt(square_avg) + eps)
    yield p


def adamw_reference(p, grads, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8, weight_decay=1e-2):
  m = np.zeros_like(p)
  v = np.zeros_like(p)
  for t, g in enumerate(grads, start=1):
    p = p * (1 - lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g * g
    denom = np.sqrt(v) / np.sqrt(1 - beta2**t) + eps
    p = p - lr / (1 - beta1**t) * m / denom
    yield p


def adam_reference(p, grads):
  return adamw_reference(p, grads, weight_decay=0.0)


def adamax_reference(p, grads, lr=2e-3, beta1=0.9, beta2=0.999, eps=1e-8):
  m = np.zeros_like(p)
  u = np.zeros_like(p)
  for t, g in enumerate(grads, start=1):
    m = beta1 * m + (1 - beta1) * g
    u = np.maximum(beta2 * u, np.abs(g) + eps)
    p = p - lr / (1 - beta1**t) * m / u
    yield p


REFERENCES = {
    "sgd": sgd_reference,
    "momentum": momentum_reference,
    "adagrad": adagrad_reference,
    "adadelta": adadelta_reference,
    "rmsprop": rmsprop_reference,
    "adam": adam_reference,
    "adamax": adamax_reference,
    "adamw": adamw_reference,
}


def reference_trajectory(reference, params, grads):
  """Params after each step, in float64, leaf by leaf."""
  per_leaf = {
      k: list(reference(params[k].astype(np.float64), [g[k].astype(np.float64) for g in grads]))
      for k in params
  }
  return [{k: per_leaf[k][t] for k in params} for t in range(len(grads))]


def assert_close(actual, desired, rtol, what):
  """Relative to the array's scale: float32 rounds each element to that."""
  atol = rtol * np.max(np.abs(desired))
  np.testing.assert_allclose(actual, desired, rtol=rtol, atol=atol, err_msg=what)


def test_registry_lists_each_group():
  assert optimizers.PAPER_BASELINES == (
      "sgd", "momentum", "adagrad", "adadelta", "rmsprop", "adam", "adamax", "adamw"
  )
  assert optimizers.PEERS == ("rprop", "lbfgs", "prodigy", "sf_adamw")
  assert set(optimizers.REGISTRY) == set(
      optimizers.PAPER_BASELINES + optimizers.DSA_VARIANTS + optimizers.PEERS
  )
  for names, group in (
      (optimizers.PAPER_BASELINES, "paper"),
      (optimizers.DSA_VARIANTS, "dsa"),
      (optimizers.PEERS, "peer"),
  ):
    assert {optimizers.get(n).group for n in names} == {group}


@pytest.mark.parametrize("name", sorted(REFERENCES))
def test_paper_baseline_matches_pytorch(name, optax_trajectory):
  params, grads = fixed_problem()
  expected = reference_trajectory(REFERENCES[name], params, grads)
  actual = optax_trajectory(optimizers.get(name).make(), params, grads)
  previous = params
  for t, ((p, updates), want) in enumerate(zip(actual, expected)):
    for k in SHAPES:
      assert_close(updates[k], want[k] - previous[k], 2e-5, f"update of {k}, step {t}")
      assert_close(p[k], want[k], 1e-6, f"{k} after step {t}")
    previous = want


def test_optax_adagrad_differs_from_pytorch(optax_trajectory):
  """Why AdaGrad has its own transform: optax starts at 0.1, puts ε in the sqrt."""
  params, grads = fixed_problem()
  expected = reference_trajectory(adagrad_reference, params, grads)[0]["w"]
  for tx in (optax.adagrad(0.01), optax.adagrad(0.01, initial_accumulator_value=0.0, eps=1e-10)):
    first_params = optax_trajectory(tx, params, grads)[0][0]["w"]
    assert not np.allclose(first_params, expected, rtol=1e-3)


def test_make_takes_overrides(optax_trajectory):
  params, grads = fixed_problem()
  tx = optimizers.get("adagrad").make(learning_rate=0.5, eps=1e-3)
  actual = optax_trajectory(tx, params, grads)
  expected = reference_trajectory(
      lambda p, gs: adagrad_reference(p, gs, lr=0.5, eps=1e-3), params, grads
  )
  assert_close(actual[-1][0]["w"], expected[-1]["w"], 1e-6, "w")


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float32])
def test_adagrad_keeps_dtype(dtype):
  tx = adagrad.adagrad()
  params = {"w": jnp.ones((2, 3), dtype)}
  state = tx.init(params)
  updates, state = tx.update({"w": jnp.full((2, 3), 0.5, dtype)}, state, params)
  assert updates["w"].dtype == dtype
  assert state[0].sum_of_squares["w"].dtype == dtype


# --- Every entry through one call, jitted, on a small full-batch problem. ---


def least_squares():
  """loss(params) = mean((X w + b - Y)²) on a fixed 32x5 X, Y = X W* + b*."""
  rng = np.random.default_rng(1)
  x = jnp.asarray(rng.normal(size=(32, 5)), jnp.float32)
  y = x @ jnp.asarray(rng.normal(size=(5, 3)), jnp.float32) + 0.5

  def loss_fn(params):
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

  return loss_fn, {"w": jnp.zeros((5, 3)), "b": jnp.zeros(3)}


def run_steps(spec, loss_fn, params, steps, on_loss_eval=lambda: None):
  """``steps`` jitted updates through the shared call.

  Returns:
    (params, state, grad_evals per step); ``on_loss_eval`` fires at every
    evaluation of the loss (forward pass), inside or outside ``update``.
  """
  tx = spec.make()

  def counted_loss(p):
    jax.debug.callback(on_loss_eval)
    return loss_fn(p)

  @jax.jit
  def step(params, state):
    loss, grads = jax.value_and_grad(counted_loss)(params)
    updates, new_state = tx.update(
        grads, state, params, **optimizers.update_kwargs(loss, grads, counted_loss)
    )
    return optax.apply_updates(params, updates), new_state, spec.grad_evals(state, new_state)

  state = tx.init(params)
  evals = []
  for _ in range(steps):
    params, state, n = step(params, state)
    evals.append(int(n))
  return params, state, evals


class RegistryRun(NamedTuple):
  initial_loss: float
  final_loss: float  # at the params spec.eval_params returns
  grad_evals: list[int]  # per step, from spec.grad_evals
  loss_evaluations: int  # counted by a callback in the loss
  params: Any  # the trained params
  eval_params: Any  # spec.eval_params(state, params)


@functools.cache
def registry_run(name):
  """30 steps of entry ``name`` on the least-squares problem (shared by tests)."""
  spec = optimizers.get(name)
  loss_fn, params = least_squares()
  calls = []
  final, state, evals = run_steps(spec, loss_fn, params, 30, lambda: calls.append(1))
  jax.effects_barrier()
  evaluated = spec.eval_params(state, final)
  return RegistryRun(
      float(loss_fn(params)), float(loss_fn(evaluated)), evals, len(calls), final, evaluated
  )


@pytest.mark.parametrize("name", sorted(optimizers.REGISTRY))
def test_every_entry_lowers_the_loss_with_the_shared_call(name):
  assert isinstance(optimizers.get(name).make(), optax.GradientTransformationExtraArgs)
  run = registry_run(name)
  assert np.isfinite(run.final_loss)
  assert run.final_loss < 0.99 * run.initial_loss, (run.initial_loss, run.final_loss)


@pytest.mark.parametrize("name", sorted(optimizers.REGISTRY))
def test_grad_evals_counts_the_loss_evaluations(name):
  """Each evaluation of value and gradient runs the loss once: the counts agree."""
  evals = registry_run(name).grad_evals
  assert sum(evals) == registry_run(name).loss_evaluations
  if optimizers.get(name).group == "dsa":
    assert set(evals) == {2}
  elif name == "lbfgs":
    assert min(evals) >= 2
  else:
    assert set(evals) == {1}


def test_value_fn_and_full_batch_flags():
  needs_value_fn = {n for n, s in optimizers.REGISTRY.items() if s.needs_value_fn}
  assert needs_value_fn == set(optimizers.DSA_VARIANTS) | {"lbfgs"}
  full_batch = {n for n, s in optimizers.REGISTRY.items() if s.full_batch_only}
  assert full_batch == {"lbfgs"}


@pytest.mark.parametrize("name", ["sf_adamw", "adam"])
def test_only_schedule_free_evaluates_away_from_its_params(name):
  run = registry_run(name)
  differs = not np.allclose(run.eval_params["w"], run.params["w"])
  assert differs == (name == "sf_adamw")


def test_unknown_name_lists_the_known_ones():
  with pytest.raises(ValueError, match="'adamx'.*adamax.*sf_adamw"):
    optimizers.get("adamx")
