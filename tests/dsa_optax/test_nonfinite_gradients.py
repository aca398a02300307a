"""Non-finite gradients, element by element, as scale_by_dsa's docstring defines them:

* where g is not finite, η keeps its value and the update is not finite;
* where g is finite but the probe gradient is not, "exponential" and "full"
  lower η by β ("exponential") or β1 ("full"); the linear variants keep η.
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import dsa_optax

ETA0 = {"basic": 0.1, "per_parameter": 0.1, "exponential": -3.0, "full": -3.0}
BETA1, BETA2 = 0.5, 0.2
PARAMS = jnp.zeros(4)


def make(variant):
  beta2 = BETA2 if variant == "full" else None
  return dsa_optax.scale_by_dsa(ETA0[variant], BETA1, beta2, variant=variant)


def one_update(variant, grads, probe_grads):
  opt = make(variant)
  updates, state = opt.update(
      jnp.asarray(grads), opt.init(PARAMS), PARAMS, grad_fn=lambda p: jnp.asarray(probe_grads)
  )
  return np.asarray(updates), np.asarray(state.eta)


def eta_moves(variant, x):
  """The change of η for a finite product x = g̃·g (one element)."""
  if variant == "per_parameter":
    return BETA1 * x
  if variant == "exponential":
    return BETA1 * np.sign(x)
  return BETA2 if x > 0 else -BETA1


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_where_g_is_not_finite_eta_keeps_its_value_and_the_update_is_not_finite(variant):
  grads = [1.0, jnp.nan, -2.0, jnp.inf]
  updates, eta = one_update(variant, grads, probe_grads=[1.0, 1.0, 2.0, 1.0])

  eta0 = ETA0[variant]
  assert np.all(np.isfinite(updates[[0, 2]]))
  assert not np.any(np.isfinite(updates[[1, 3]]))
  if variant == "basic":  # one η, moved by the finite products only: 1·1 + (-2)·2
    np.testing.assert_allclose(eta, eta0 + BETA1 * (1.0 - 4.0), rtol=1e-6)
  else:
    np.testing.assert_array_equal(eta[[1, 3]], np.float32(eta0))
    np.testing.assert_allclose(eta[0], eta0 + eta_moves(variant, 1.0), rtol=1e-6)
    np.testing.assert_allclose(eta[2], eta0 + eta_moves(variant, -4.0), rtol=1e-6)


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_where_only_the_probe_gradient_is_not_finite_the_exponential_variants_lower_eta(variant):
  grads = [1.0, 1.0, -2.0, 1.0]
  updates, eta = one_update(variant, grads, probe_grads=[1.0, jnp.nan, 2.0, -jnp.inf])

  eta0 = ETA0[variant]
  assert np.all(np.isfinite(updates))
  if variant == "basic":  # the non-finite products are left out of the sum
    np.testing.assert_allclose(eta, eta0 + BETA1 * (1.0 - 4.0), rtol=1e-6)
  else:
    np.testing.assert_allclose(eta[0], eta0 + eta_moves(variant, 1.0), rtol=1e-6)
    np.testing.assert_allclose(eta[2], eta0 + eta_moves(variant, -4.0), rtol=1e-6)
  if variant == "per_parameter":
    np.testing.assert_array_equal(eta[[1, 3]], np.float32(eta0))
  elif variant != "basic":  # BETA1 is the single β of "exponential" and the drop β1 of "full"
    np.testing.assert_allclose(eta[[1, 3]], eta0 - BETA1, rtol=1e-6)


def test_a_probe_outside_the_loss_domain_counts_as_a_sign_disagreement():
  # L = θ² - log θ is finite for θ > 0 only. From θ = (2, 8) a first step of
  # 2^2 = 4 probes at (-2, 4): NaN on the first element, agreement on the second.
  loss = lambda p: jnp.sum(p**2 - jnp.log(p))
  params = jnp.array([2.0, 8.0])
  opt = dsa_optax.scale_by_dsa(eta0=2.0, beta1=BETA1, beta2=BETA2)
  updates, state = opt.update(jax.grad(loss)(params), opt.init(params), params, value_fn=loss)
  np.testing.assert_allclose(state.eta, [2.0 - BETA1, 2.0 + BETA2], rtol=1e-6)
  assert np.all(np.isfinite(updates))


@pytest.mark.parametrize("variant", ["exponential", "full"])
def test_large_finite_gradients_of_the_same_sign_count_as_agreement(variant):
  # g = g̃ = 1e20 agree in sign, but their product overflows float32.
  _, eta = one_update(variant, grads=[1e20, 1.0, 1.0, 1.0], probe_grads=[1e20, 1.0, 1.0, 1.0])
  np.testing.assert_allclose(eta, ETA0[variant] + eta_moves(variant, 1.0), rtol=1e-6)
