"""Parameter dtypes: η is float32 (or wider), updates keep each parameter's dtype."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import dsa_optax

TARGET = np.array([0.75, -1.5, 0.25, 2.0])
# Linear variants: an η0 and β under which this loss converges.
HYPERPARAMETERS = {
    "basic": (0.1, 1e-3, None),
    "per_parameter": (0.1, 1e-3, None),
    "exponential": (-4.0, 0.45, None),
    "full": (-4.0, 0.6, 0.3),
}


def loss(params):
  terms = [jnp.sum((p.astype(jnp.float32) - TARGET) ** 2) for p in jax.tree.leaves(params)]
  return sum(terms)


def train(opt, params, steps=30):
  state = opt.init(params)

  @jax.jit
  def step(params, state):
    updates, state = opt.update(jax.grad(loss)(params), state, params, value_fn=loss)
    return optax.apply_updates(params, updates), state, updates

  for _ in range(steps):
    params, state, updates = step(params, state)
  return params, state, updates


@pytest.mark.parametrize("dtype", [jnp.bfloat16, jnp.float16], ids=lambda d: d.__name__)
@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_half_precision_params_train_with_float32_eta(variant, dtype):
  params = {"w": jnp.zeros(4, dtype)}
  opt = dsa_optax.dsa(*HYPERPARAMETERS[variant], variant=variant)
  trained, state, updates = train(opt, params)

  assert updates["w"].dtype == dtype
  assert trained["w"].dtype == dtype
  assert all(e.dtype == jnp.float32 for e in jax.tree.leaves(optax.tree.get(state, "eta")))
  assert loss(trained) < 0.05 * loss(params)


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_mixed_dtypes_keep_each_leaf_dtype(variant):
  params = {"half": jnp.zeros(4, jnp.bfloat16), "single": jnp.zeros(4, jnp.float32)}
  opt = dsa_optax.dsa(*HYPERPARAMETERS[variant], variant=variant)
  trained, state, updates = train(opt, params, steps=3)

  assert jax.tree.map(lambda u: u.dtype, updates) == {"half": jnp.bfloat16, "single": jnp.float32}
  assert jax.tree.map(lambda p: p.dtype, trained) == {"half": jnp.bfloat16, "single": jnp.float32}
  eta = optax.tree.get(state, "eta")
  assert all(e.dtype == jnp.float32 for e in jax.tree.leaves(eta))


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_float64_params_get_float64_eta(variant):
  with jax.enable_x64(True):
    opt = dsa_optax.dsa(*HYPERPARAMETERS[variant], variant=variant)
    state = opt.init({"w": jnp.zeros(4, jnp.float64)})
    assert all(e.dtype == jnp.float64 for e in jax.tree.leaves(optax.tree.get(state, "eta")))
