"""DSA on parameters sharded over a 4-device CPU mesh.

The mesh needs XLA_FLAGS before JAX starts, so the checks run in a subprocess
that prints its findings as JSON; each test reads one of them.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

SCRIPT = textwrap.dedent(
    """
    import json
    import jax, jax.numpy as jnp, numpy as np, optax
    from jax.sharding import Mesh, NamedSharding, PartitionSpec as P
    import dsa_optax

    # "basic" has one scalar η; the other variants share the elementwise code of "full".
    VARIANTS = ("basic", "full")
    assert jax.device_count() == 4
    rng = np.random.default_rng(0)
    host_params = {
        "w": rng.normal(size=(8, 3)).astype(np.float32),
        "v": rng.normal(size=(8,)).astype(np.float32),
        "b": np.float32(0.5),
    }
    x = rng.normal(size=(8, 3)).astype(np.float32)

    def loss(p):
        return jnp.sum((p["w"] - x) ** 2) + jnp.sum(p["v"] ** 2 * p["b"]) + (p["b"] - 2.0) ** 2

    def train(opt, params, steps=10):
        @jax.jit
        def step(params, state):
            updates, state = opt.update(jax.grad(loss)(params), state, params, value_fn=loss)
            return optax.apply_updates(params, updates), state
        state = opt.init(params)
        init_state = state
        for _ in range(steps):
            params, state = step(params, state)
        return init_state, params, state

    def same_sharding(arrays, like):
        return all(
            a.sharding.is_equivalent_to(p.sharding, p.ndim)
            for a, p in zip(jax.tree.leaves(arrays), jax.tree.leaves(like))
        )

    def max_difference(a, b):
        return max(
            float(np.max(np.abs(np.asarray(u) - np.asarray(v))))
            for u, v in zip(jax.tree.leaves(a), jax.tree.leaves(b))
        )

    mesh = Mesh(np.array(jax.devices()), ("d",))
    specs = {"w": P("d", None), "v": P("d"), "b": P()}
    sharded = {k: jax.device_put(v, NamedSharding(mesh, specs[k])) for k, v in host_params.items()}
    single = jax.device_put(host_params, jax.devices()[0])

    results = {}
    for variant in VARIANTS:
        opt = dsa_optax.dsa(variant=variant)
        init_state, params, state = train(opt, sharded)
        _, expected_params, expected_state = train(opt, single)
        eta = optax.tree.get(state, "eta")
        results[variant] = {
            "eta_sharded_like_params_after_init": same_sharding(optax.tree.get(init_state, "eta"), sharded),
            "eta_sharded_like_params_after_steps": same_sharding(eta, sharded),
            "eta_replicated_after_steps": all(e.sharding.is_fully_replicated for e in jax.tree.leaves(eta)),
            "params_keep_sharding": same_sharding(params, sharded),
            "params_difference": max_difference(params, expected_params),
            "eta_difference": max_difference(eta, optax.tree.get(expected_state, "eta")),
            "loss_before": float(loss(single)),
            "loss_after": float(loss(expected_params)),
        }

    # Explicit sharding (sharding in types), as in optax's own sharding tests: the
    # state's types match between init, jit(init) and update.
    explicit = jax.make_mesh((4,), ("d",), axis_types=(jax.sharding.AxisType.Explicit,))
    with jax.set_mesh(explicit):
        params = {k: jax.device_put(v, NamedSharding(explicit, specs[k])) for k, v in host_params.items()}
        for variant in VARIANTS:
            opt = dsa_optax.dsa(variant=variant)
            types = lambda tree: jax.tree.map(jax.typeof, tree)
            state = opt.init(params)
            _, updated = jax.jit(lambda p, s: opt.update(jax.grad(loss)(p), s, p, value_fn=loss))(params, state)
            results[variant]["explicit_types_stable"] = (
                types(state) == types(jax.jit(opt.init)(params)) == types(updated)
            )
    print(json.dumps(results))
    """
)

VARIANTS = ("basic", "full")


@pytest.fixture(scope="module")
def sharded_results():
  env = {**os.environ, "XLA_FLAGS": "--xla_force_host_platform_device_count=4", "JAX_PLATFORMS": "cpu"}
  completed = subprocess.run(
      [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
  )
  assert completed.returncode == 0, completed.stderr
  return json.loads(completed.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("variant", VARIANTS)
def test_sharded_steps_equal_single_device_steps(sharded_results, variant):
  result = sharded_results[variant]
  assert result["params_difference"] < 1e-5
  assert result["eta_difference"] < 1e-5
  assert result["loss_after"] < result["loss_before"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_params_keep_their_sharding(sharded_results, variant):
  assert sharded_results[variant]["params_keep_sharding"]


def test_eta_is_sharded_like_the_params_after_init_and_after_steps(sharded_results):
  assert sharded_results["full"]["eta_sharded_like_params_after_init"]
  assert sharded_results["full"]["eta_sharded_like_params_after_steps"]


def test_the_scalar_eta_of_basic_is_replicated(sharded_results):
  assert sharded_results["basic"]["eta_replicated_after_steps"]


@pytest.mark.parametrize("variant", VARIANTS)
def test_state_types_are_stable_under_an_explicit_mesh(sharded_results, variant):
  assert sharded_results[variant]["explicit_types_stable"]
