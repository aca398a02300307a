"""over_seeds: the same values and shapes as jax.vmap, for one seed and several."""

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from train.seed_axis import over_seeds


def _step(params, key, x):
  """A convolution, a random draw and a scalar: what a training step returns."""
  y = jax.lax.conv_general_dilated(x, params["w"], (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC"))
  noise = jax.random.normal(key, y.shape)
  return {"w": params["w"] * 0.5, "b": params["b"] + y.mean()}, jnp.sum((y + noise) ** 2)


@pytest.mark.parametrize("n_seeds", [1, 3])
def test_over_seeds_matches_vmap(n_seeds):
  rng = np.random.default_rng(0)
  params = {"w": jnp.asarray(rng.normal(size=(n_seeds, 3, 3, 2, 4)), jnp.float32),
            "b": jnp.asarray(rng.normal(size=(n_seeds,)), jnp.float32)}
  keys = jnp.stack([jax.random.key(s) for s in range(n_seeds)])
  x = jnp.asarray(rng.normal(size=(5, 8, 8, 2)), jnp.float32)
  in_axes = (0, 0, None)
  got = jax.jit(over_seeds(_step, in_axes))(params, keys, x)
  want = jax.jit(jax.vmap(_step, in_axes=in_axes))(params, keys, x)
  assert jax.tree.map(jnp.shape, got) == jax.tree.map(jnp.shape, want)
  jax.tree.map(lambda a, b: np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-5), got, want)


def test_one_seed_drops_the_axis_instead_of_vmapping():
  """For one seed the traced step is ``fn``'s own (squeeze, then fn's ops), not
  vmap's batched version (reshapes and transposes around the convolution)."""
  params = {"w": jnp.ones((1, 3, 3, 2, 4)), "b": jnp.zeros((1,))}
  keys = jnp.stack([jax.random.key(0)])
  x = jnp.ones((5, 8, 8, 2))
  primitives = lambda f: [e.primitive.name for e in jax.make_jaxpr(f)(params, keys, x).jaxpr.eqns]
  one = primitives(over_seeds(_step, (0, 0, None)))
  vmapped = primitives(jax.vmap(_step, in_axes=(0, 0, None)))
  assert "transpose" in vmapped and "reshape" in vmapped
  assert "transpose" not in one and "reshape" not in one
  assert one[:3] == ["squeeze"] * 3 and one[3] == "conv_general_dilated"
