"""The per-variant defaults documented in scale_by_dsa's docstring, and which
hyperparameters each variant accepts."""

import jax.numpy as jnp
import numpy as np
import optax
import pytest

import dsa_optax

# From the docstring of scale_by_dsa: (eta0, beta1, beta2).
DOCUMENTED_DEFAULTS = {
    "basic": (0.01, 1e-3, None),
    "per_parameter": (0.01, 1e-3, None),
    "exponential": (-12.0, 0.45, None),
    "full": (-12.0, 0.6, 0.3),
}

PARAMS = jnp.zeros(2)
GRADS = jnp.array([1.0, 1.0])
# The probe gradient agrees in sign with GRADS on the first element, not on the second.
PROBE_GRADS = jnp.array([3.0, -1.0])


def eta_after_one_step(opt):
  """η after one update with the products g̃·g = [3, -1], and η at init."""
  state = opt.init(PARAMS)
  _, new_state = opt.update(GRADS, state, PARAMS, grad_fn=lambda p: PROBE_GRADS)
  return optax.tree.get(state, "eta"), optax.tree.get(new_state, "eta")


def expected_eta(variant, eta0, beta1, beta2):
  x = np.array([3.0, -1.0])
  if variant == "basic":
    return eta0 + beta1 * x.sum()
  if variant == "per_parameter":
    return eta0 + beta1 * x
  if variant == "exponential":
    return eta0 + beta1 * np.sign(x)
  return np.where(x > 0, eta0 + beta2, eta0 - beta1)


@pytest.mark.parametrize("make", [dsa_optax.dsa, dsa_optax.scale_by_dsa])
@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_defaults_are_the_documented_ones(variant, make):
  eta0, beta1, beta2 = DOCUMENTED_DEFAULTS[variant]
  initial, after = eta_after_one_step(make(variant=variant))
  np.testing.assert_allclose(initial, eta0)
  np.testing.assert_allclose(after, expected_eta(variant, eta0, beta1, beta2), rtol=1e-6)


def test_full_is_the_default_variant():
  np.testing.assert_array_equal(
      eta_after_one_step(dsa_optax.dsa())[1], eta_after_one_step(dsa_optax.dsa(variant="full"))[1]
  )


def test_the_first_default_step_is_two_to_the_eta():
  opt = dsa_optax.dsa()
  updates, state = opt.update(GRADS, opt.init(PARAMS), PARAMS, grad_fn=lambda p: PROBE_GRADS)
  eta = optax.tree.get(state, "eta")
  np.testing.assert_allclose(updates, -(2.0**eta) * GRADS / (1.0 + 1e-8), rtol=1e-6)


@pytest.mark.parametrize("variant", ["basic", "per_parameter", "exponential"])
def test_beta2_with_a_single_beta_variant_is_an_error(variant):
  with pytest.raises(ValueError, match=rf"variant='{variant}' has a single step β for η: pass it as beta1"):
    dsa_optax.dsa(beta2=0.3, variant=variant)


GIVEN = {
    "basic": (0.05, 0.02, None),
    "per_parameter": (0.05, 0.02, None),
    "exponential": (-3.0, 0.2, None),
    "full": (-3.0, 0.2, 0.1),
}


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_given_hyperparameters_replace_the_defaults(variant):
  eta0, beta1, beta2 = GIVEN[variant]
  initial, after = eta_after_one_step(dsa_optax.dsa(eta0, beta1, beta2, variant=variant))
  np.testing.assert_allclose(initial, eta0)
  np.testing.assert_allclose(after, expected_eta(variant, eta0, beta1, beta2), rtol=1e-6)
