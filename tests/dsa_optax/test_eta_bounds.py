"""The bounds on η that keep DSA's step finite (dsa_optax.bounds), where they are hit.

The parameters stay fixed and the gradients are constants (a linear loss, or a
constant probe gradient), so η moves by the same amount every step until it
reaches a bound.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dsa_optax

# Upper bound of η for the exponential variants: maxexp - 2 of the param dtype.
EXPONENT_BOUND = {jnp.float32: 126.0, jnp.bfloat16: 126.0, jnp.float16: 14.0}
GRADS = np.array([1.0, -2.0, 0.5])


def linear_loss(params):
  """A loss whose gradient is GRADS everywhere: the probe always agrees with g."""
  return jnp.sum(GRADS.astype(params.dtype) * params)


def constant_gradient(values):
  return lambda params: jnp.asarray(values, params.dtype)


def eta_trajectory(opt, params, steps, **probe):
  """η and the updates after each of `steps` updates at the same params."""
  grads = GRADS.astype(params.dtype)
  state = opt.init(params)
  update = jax.jit(lambda s: opt.update(grads, s, params, **probe))
  etas, updates = [], []
  for _ in range(steps):
    step_updates, state = update(state)
    etas.append(np.asarray(state.eta, np.float64))
    updates.append(step_updates)
  return np.array(etas), updates


@pytest.mark.parametrize("dtype", list(EXPONENT_BOUND), ids=lambda d: d.__name__)
def test_agreeing_signs_raise_eta_by_beta2_until_the_dtype_bound(dtype):
  bound = EXPONENT_BOUND[dtype]
  beta2 = 0.3
  opt = dsa_optax.scale_by_dsa(eta0=bound - 5.0, beta2=beta2)
  etas, updates = eta_trajectory(opt, jnp.zeros(3, dtype), steps=25, value_fn=linear_loss)

  climbing = etas[etas[:, 0] < bound]
  assert len(climbing) == 16  # the 17th step of 0.3 passes the bound
  np.testing.assert_allclose(np.diff(climbing, axis=0), beta2, atol=1e-4)
  np.testing.assert_array_equal(etas[16:], bound)
  step = updates[-1]
  assert step.dtype == dtype
  assert np.all(np.isfinite(np.asarray(step, np.float64)))
  np.testing.assert_allclose(np.asarray(step, np.float64), 2.0**bound * np.sign(GRADS), rtol=1e-2)


@pytest.mark.parametrize("dtype", list(EXPONENT_BOUND), ids=lambda d: d.__name__)
def test_disagreeing_signs_lower_eta_by_beta1_until_the_smallest_normal_exponent(dtype):
  opt = dsa_optax.scale_by_dsa(eta0=-EXPONENT_BOUND[dtype] + 2.0, beta1=0.6)
  etas, _ = eta_trajectory(opt, jnp.zeros(3, dtype), steps=10, grad_fn=constant_gradient(-GRADS))

  np.testing.assert_allclose(np.diff(etas[:3], axis=0), -0.6, atol=1e-4)
  np.testing.assert_array_equal(etas[-1], jnp.finfo(dtype).minexp)


def test_exponential_variant_stops_at_the_same_bound():
  opt = dsa_optax.scale_by_dsa(eta0=120.0, beta1=0.45, variant="exponential")
  etas, _ = eta_trajectory(opt, jnp.zeros(3), steps=20, value_fn=linear_loss)
  np.testing.assert_allclose(etas[1] - etas[0], 0.45, atol=1e-4)
  np.testing.assert_array_equal(etas[-1], 126.0)


def test_float64_params_are_bounded_at_1022():
  with jax.enable_x64(True):
    opt = dsa_optax.scale_by_dsa(eta0=1020.0)
    etas, updates = eta_trajectory(opt, jnp.zeros(3, jnp.float64), steps=10, value_fn=linear_loss)
    np.testing.assert_array_equal(etas[-1], 1022.0)
    assert np.all(np.isfinite(updates[-1]))


@pytest.mark.parametrize("variant", ["basic", "per_parameter"])
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float16], ids=lambda d: d.__name__)
def test_linear_variants_bound_eta_at_a_quarter_of_the_largest_float(variant, dtype):
  bound = 2.0 ** (jnp.finfo(dtype).maxexp - 2)
  # g̃·g = [0.4, -0.8, -0.4]·bound: with β = 1, η passes the bounds within three steps.
  probe = np.array([0.4, 0.4, -0.8]) * bound
  opt = dsa_optax.scale_by_dsa(eta0=0.0, beta1=1.0, variant=variant)
  etas, updates = eta_trajectory(opt, jnp.zeros(3, dtype), steps=4, grad_fn=constant_gradient(probe))

  expected = -bound if variant == "basic" else [bound, -bound, -bound]
  np.testing.assert_array_equal(etas[-1], expected)
  # The step η·g stays finite because |g| <= 2 here.
  assert np.all(np.isfinite(np.asarray(updates[-1], np.float64)))


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_eta_min_and_eta_max_tighten_the_bounds(variant):
  exponential = variant in ("exponential", "full")
  low, high = (-20.0, -3.0) if exponential else (0.0, 0.5)
  opt = dsa_optax.scale_by_dsa(
      eta0=-5.0 if exponential else 0.2, beta1=1.0, variant=variant, eta_min=low, eta_max=high
  )
  up, _ = eta_trajectory(opt, jnp.zeros(3), steps=30, value_fn=linear_loss)
  down, _ = eta_trajectory(opt, jnp.zeros(3), steps=30, grad_fn=constant_gradient(-GRADS))
  np.testing.assert_array_equal(up[-1], np.full_like(up[-1], high))
  np.testing.assert_array_equal(down[-1], np.full_like(down[-1], low))


def test_user_bounds_cannot_loosen_the_dtype_bounds():
  opt = dsa_optax.scale_by_dsa(eta0=125.0, eta_max=1000.0)
  etas, _ = eta_trajectory(opt, jnp.zeros(3), steps=10, value_fn=linear_loss)
  np.testing.assert_array_equal(etas[-1], 126.0)
