"""Rprop against PyTorch's algorithm, and optax's built-in lagging a step behind it.

The reference transcribes ``torch.optim.rprop._single_tensor_rprop`` (torch
2.x) in NumPy float64.
"""

import jax.numpy as jnp
import numpy as np
import optax
import pytest

from train.optimizers import rprop

SHAPES = {"w": (3, 4), "b": (4,)}
STEPS = 8


def gradient_sequence():
  """Float32 params and gradients whose signs flip often; a zero in b[0]."""
  rng = np.random.default_rng(0)
  params = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
  grads = []
  for _ in range(STEPS):
    g = {k: rng.normal(size=s).astype(np.float32) for k, s in SHAPES.items()}
    g["b"][0] = 0.0
    grads.append(g)
  return params, grads


def rprop_reference(p, grads, lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50.0)):
  """Params after each step: PyTorch's Rprop on one array."""
  etaminus, etaplus = etas
  prev = np.zeros_like(p)
  step_size = np.full_like(p, lr)
  for g in grads:
    sign = np.sign(g * prev)
    factor = np.where(sign > 0, etaplus, np.where(sign < 0, etaminus, 1.0))
    step_size = np.clip(step_size * factor, *step_sizes)
    g = np.where(sign < 0, 0.0, g)
    p = p - step_size * np.sign(g)
    prev = g
    yield p


@pytest.mark.parametrize(
    "ours, torch_args",
    [
        ({}, {}),  # both with PyTorch's defaults
        # Bounds reached within a few steps: the clamps act.
        ({"min_step_size": 4e-3, "max_step_size": 1.3e-2}, {"step_sizes": (4e-3, 1.3e-2)}),
        (
            {"learning_rate": 0.1, "eta_minus": 0.3, "eta_plus": 1.5},
            {"lr": 0.1, "etas": (0.3, 1.5)},
        ),
    ],
)
def test_matches_pytorch(ours, torch_args, optax_trajectory):
  params, grads = gradient_sequence()
  expected = {
      k: list(
          rprop_reference(
              params[k].astype(np.float64), [g[k].astype(np.float64) for g in grads], **torch_args
          )
      )
      for k in SHAPES
  }
  for t, (p, _) in enumerate(optax_trajectory(rprop.rprop(**ours), params, grads)):
    for k in SHAPES:
      np.testing.assert_allclose(
          p[k], expected[k][t], rtol=1e-6, atol=1e-7, err_msg=f"{k}, step {t}"
      )


def test_optax_rprop_returns_the_previous_step(optax_trajectory):
  """optax.rprop (0.2.8): zero first update, then each update one step late."""
  params, grads = gradient_sequence()
  ours = [u for _, u in optax_trajectory(rprop.rprop(), params, grads)]
  stale = [u for _, u in optax_trajectory(optax.rprop(0.01), params, grads)]
  for k in SHAPES:
    nonzero_grad = grads[0][k] != 0
    assert np.all(stale[0][k] == 0)
    np.testing.assert_allclose(ours[0][k][nonzero_grad], -0.01 * np.sign(grads[0][k][nonzero_grad]))
    for t in range(1, STEPS):
      kept_sign = grads[t][k] * grads[t - 1][k] >= 0  # optax zeroes the flips
      np.testing.assert_allclose(
          stale[t][k], np.where(kept_sign, ours[t - 1][k], 0.0), rtol=1e-6, err_msg=f"{k}, step {t}"
      )


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16, jnp.float32])
def test_keeps_dtype_and_sees_signs_of_tiny_gradients(dtype):
  """sign(g)·sign(g') holds where the product g·g' underflows (1e-4² in float16)."""
  tx = rprop.rprop()
  params = jnp.ones(2, dtype)
  state = tx.init(params)
  tiny = jnp.full(2, 1e-4, dtype)
  _, state = tx.update(tiny, state, params)
  updates, state = tx.update(tiny, state, params)
  assert updates.dtype == dtype
  assert state[0].step_sizes.dtype == dtype
  np.testing.assert_allclose(np.asarray(updates, np.float32), -0.012, rtol=1e-2)
