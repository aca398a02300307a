"""The DSA update, step by step, against a NumPy float64 transcription of SPEC §1.

The reference below is written from the formulas of the paper (SPEC.md §1 and its
variant table), not from the library: plain float64, an explicit loop over steps,
gradients derived by hand. Every step compares params and η to 1e-10.
"""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import dsa_optax

STEPS = 50
EPS = 1e-8


# --- Problems: a loss for JAX and its hand-derived gradient for NumPy. ---


def quadratic_problem():
  """L(θ) = Σ a·(θ - c)²: an elongated bowl in three dimensions."""
  a = np.array([1.0, 10.0, 3.0])
  c = np.array([0.5, -0.25, 2.0])

  def loss(params):
    return jnp.sum(a * (params["w"] - c) ** 2)

  def grad(params):
    return {"w": 2.0 * a * (params["w"] - c)}

  return loss, grad, {"w": np.array([-1.0, 1.0, 0.3])}


def least_squares_problem():
  """L(w, b) = mean((X w + b - y)²) on a random 20x4 X: two leaves, one scalar."""
  rng = np.random.default_rng(0)
  x = rng.normal(size=(20, 4)) * 2.0
  y = x @ np.array([1.0, -2.0, 0.5, 3.0]) + 0.7 + 0.1 * rng.normal(size=20)

  def loss(params):
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

  def grad(params):
    residual = x @ params["w"] + params["b"] - y
    return {"w": 2.0 / len(y) * x.T @ residual, "b": 2.0 / len(y) * np.sum(residual)}

  return loss, grad, {"w": np.zeros(4), "b": np.array(0.0)}


def nested_problem():
  """A nested dict/list/tuple pytree with a scalar, a vector, a matrix and a 3-D leaf."""
  rng = np.random.default_rng(1)
  params = {
      "scalar": np.array(0.5),
      "layers": [rng.normal(size=(3,)), (rng.normal(size=(2, 3)), rng.normal(size=(2, 2, 2)))],
  }
  targets = jax.tree.map(lambda p: rng.normal(size=p.shape), params)
  weights = jax.tree.map(lambda p: rng.uniform(0.5, 10.0, size=p.shape), params)

  def loss(params):
    terms = jax.tree.map(lambda p, t, a: jnp.sum(a * (p - t) ** 2), params, targets, weights)
    return sum(jax.tree.leaves(terms))

  def grad(params):
    return jax.tree.map(lambda p, t, a: 2.0 * a * (p - t), params, targets, weights)

  return loss, grad, params


PROBLEMS = {
    "quadratic": quadratic_problem,
    "least_squares": least_squares_problem,
    "nested": nested_problem,
}

# (eta0, beta1, beta2) under which η never reaches the float64 bounds.
HYPERPARAMETERS = {
    "basic": (0.12, 1e-5, None),
    "per_parameter": (0.1, 3e-5, None),
    "exponential": (-10.0, 0.2, None),
    "full": (-10.0, 0.5, 0.2),
}


# --- The reference: SPEC §1 in float64, one leaf at a time. ---


def reference_trajectory(variant, grad, params, eta0, beta1, beta2, steps):
  """Returns the lists of params and η after each of `steps` DSA iterations."""
  leaves, treedef = jax.tree.flatten(params)
  theta = [np.asarray(p, np.float64) for p in leaves]
  if variant == "basic":
    eta = float(eta0)
  else:
    eta = [np.full(p.shape, float(eta0)) for p in theta]

  def gradient(theta):
    return [np.asarray(g, np.float64) for g in jax.tree.leaves(grad(treedef.unflatten(theta)))]

  params_history, eta_history = [], []
  for _ in range(steps):
    g = gradient(theta)
    if variant == "basic":  # formula 3
      probe = [t - eta * gi for t, gi in zip(theta, g)]
      g_probe = gradient(probe)
      eta = eta + beta1 * sum(np.sum(gp * gi) for gp, gi in zip(g_probe, g))
      theta = [t - eta * gi for t, gi in zip(theta, g)]
    elif variant == "per_parameter":  # formula 4
      probe = [t - e * gi for t, e, gi in zip(theta, eta, g)]
      g_probe = gradient(probe)
      eta = [e + beta1 * gp * gi for e, gp, gi in zip(eta, g_probe, g)]
      theta = [t - e * gi for t, e, gi in zip(theta, eta, g)]
    else:  # formulas 5 and 6, Algorithm 1
      d = [gi / (np.abs(gi) + EPS) for gi in g]
      probe = [t - 2.0**e * di for t, e, di in zip(theta, eta, d)]
      g_probe = gradient(probe)
      x = [gp * gi for gp, gi in zip(g_probe, g)]
      sign = [xi / (np.abs(xi) + EPS) for xi in x]
      if variant == "exponential":
        eta = [e + beta1 * s for e, s in zip(eta, sign)]
      else:
        eta = [e + (beta1 + beta2) / 2 * s + (beta2 - beta1) / 2 for e, s in zip(eta, sign)]
      theta = [t - 2.0**e * di for t, e, di in zip(theta, eta, d)]
    params_history.append(treedef.unflatten(theta))
    eta_history.append(eta if variant == "basic" else treedef.unflatten(eta))
  return params_history, eta_history


def library_trajectory(opt, loss, params, steps):
  """The same iterations with the library, jitted, recording every step."""
  params = jax.tree.map(jnp.asarray, params)
  state = opt.init(params)

  @jax.jit
  def step(params, state):
    updates, state = opt.update(jax.grad(loss)(params), state, params, value_fn=loss)
    return optax.apply_updates(params, updates), state

  params_history, eta_history = [], []
  for _ in range(steps):
    params, state = step(params, state)
    params_history.append(params)
    eta_history.append(optax.tree.get(state, "eta"))
  return params_history, eta_history


def assert_trees_close(actual, expected, step, what):
  jax.tree.map(
      lambda a, e: np.testing.assert_allclose(
          np.asarray(a), e, rtol=1e-10, atol=1e-10, err_msg=f"{what} at step {step + 1}"
      ),
      actual,
      expected,
  )


@pytest.mark.parametrize("problem", sorted(PROBLEMS))
@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_every_step_matches_the_numpy_reference(variant, problem):
  loss, grad, params = PROBLEMS[problem]()
  eta0, beta1, beta2 = HYPERPARAMETERS[variant]
  expected_params, expected_eta = reference_trajectory(
      variant, grad, params, eta0, beta1, beta2, STEPS
  )
  with jax.enable_x64(True):
    opt = dsa_optax.dsa(eta0, beta1, beta2, EPS, variant=variant)
    actual_params, actual_eta = library_trajectory(opt, loss, params, STEPS)
    for step in range(STEPS):
      assert_trees_close(actual_params[step], expected_params[step], step, "params")
      assert_trees_close(actual_eta[step], expected_eta[step], step, "eta")
    assert jax.tree.leaves(actual_eta[-1])[0].dtype == jnp.float64

  # The comparison means something only if η both rose and fell and the loss fell.
  eta_steps = np.diff([np.concatenate([np.ravel(e) for e in jax.tree.leaves(eta)]) for eta in expected_eta], axis=0)
  assert np.any(eta_steps > 0) and np.any(eta_steps < 0)
  assert loss(expected_params[-1]) < 0.1 * loss(params)
