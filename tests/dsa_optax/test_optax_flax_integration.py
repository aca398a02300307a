"""DSA inside the usual optax and Flax machinery: jit, chain, inject_hyperparams,
apply_if_finite, vmap, nnx.Optimizer, and a step that compiles once."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest
from flax import nnx

import dsa_optax

TARGET = jnp.array([1.0, -2.0, 0.5])
PARAMS = {"w": jnp.array([0.3, 0.1, -0.4]), "b": jnp.asarray(0.2, jnp.float32)}


def loss(params):
  return jnp.sum(jnp.array([1.0, 2.0, 0.5]) * (params["w"] - TARGET) ** 2) + (params["b"] - 1.0) ** 2


def make_step(opt, loss_fn=loss):
  def step(params, state):
    updates, state = opt.update(jax.grad(loss_fn)(params), state, params, value_fn=loss_fn)
    return optax.apply_updates(params, updates), state

  return step


def run(step, params, state, steps):
  for _ in range(steps):
    params, state = step(params, state)
  return params, state


def assert_trees_close(actual, expected, rtol=1e-6, atol=1e-7):
  jax.tree.map(lambda a, e: np.testing.assert_allclose(a, e, rtol=rtol, atol=atol), actual, expected)


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_jit_and_eager_steps_agree(variant):
  opt = dsa_optax.dsa(variant=variant)
  step = make_step(opt)
  eager = run(step, PARAMS, opt.init(PARAMS), 3)
  jitted = run(jax.jit(step), PARAMS, opt.init(PARAMS), 3)
  assert_trees_close(jitted, eager)


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_a_jitted_step_compiles_once(variant):
  opt = dsa_optax.dsa(variant=variant)
  traces = []

  def traced_step(params, state):
    traces.append(1)
    return make_step(opt)(params, state)

  step = jax.jit(traced_step)
  run(step, PARAMS, opt.init(PARAMS), 5)
  assert len(traces) == 1
  assert step._cache_size() == 1


def test_in_a_chain_dsa_sees_the_clipped_gradient_and_the_extra_args():
  # "per_parameter" steps by η·g, so clipping g changes the step (unlike g/(|g|+ε)).
  clip = optax.clip_by_global_norm(0.5)
  dsa = dsa_optax.dsa(variant="per_parameter")
  chained = optax.chain(clip, dsa)
  grads = jax.grad(loss)(PARAMS)

  updates, state = chained.update(grads, chained.init(PARAMS), PARAMS, value_fn=loss)

  clipped, _ = clip.update(grads, clip.init(PARAMS))
  expected_updates, expected_state = dsa.update(clipped, dsa.init(PARAMS), PARAMS, value_fn=loss)
  assert_trees_close(updates, expected_updates)
  assert_trees_close(optax.tree.get(state, "eta"), optax.tree.get(expected_state, "eta"))
  unclipped_updates, _ = dsa.update(grads, dsa.init(PARAMS), PARAMS, value_fn=loss)
  assert not np.allclose(updates["w"], unclipped_updates["w"])


HYPERPARAMETERS = {"eta0": -10.0, "beta1": 0.5, "beta2": 0.2, "eps": 1e-7}


def test_inject_hyperparams_follows_the_plain_optimizer():
  injected = optax.inject_hyperparams(dsa_optax.dsa)(**HYPERPARAMETERS)
  plain = dsa_optax.dsa(**HYPERPARAMETERS)
  params, state = run(jax.jit(make_step(injected)), PARAMS, injected.init(PARAMS), 20)
  expected_params, expected_state = run(jax.jit(make_step(plain)), PARAMS, plain.init(PARAMS), 20)
  assert_trees_close(params, expected_params)
  assert_trees_close(optax.tree.get(state, "eta"), optax.tree.get(expected_state, "eta"))


def test_a_hyperparameter_changed_in_the_injected_state_changes_the_step():
  injected = optax.inject_hyperparams(dsa_optax.dsa)(**HYPERPARAMETERS)
  step = jax.jit(make_step(injected))
  params, state = run(step, PARAMS, injected.init(PARAMS), 3)
  _, unchanged = step(params, state)
  state.hyperparams["beta2"] = jnp.asarray(0.05)
  _, changed = step(params, state)

  # The changed step is the step of a plain optimizer built with beta2=0.05.
  plain = dsa_optax.dsa(**{**HYPERPARAMETERS, "beta2": 0.05})
  _, expected = make_step(plain)(params, state.inner_state)
  eta_changed = optax.tree.get(changed, "eta")
  assert_trees_close(eta_changed, optax.tree.get(expected, "eta"))
  assert not np.allclose(eta_changed["w"], optax.tree.get(unchanged, "eta")["w"])


def test_apply_if_finite_skips_a_nan_step_and_keeps_the_state():
  opt = optax.apply_if_finite(dsa_optax.dsa(), max_consecutive_errors=3)
  step = jax.jit(make_step(opt))
  params, state = run(step, PARAMS, opt.init(PARAMS), 3)

  grads = jax.grad(loss)(params)
  nan_grads = {**grads, "w": grads["w"].at[1].set(jnp.nan)}
  updates, skipped = jax.jit(lambda g, s, p: opt.update(g, s, p, value_fn=loss))(nan_grads, state, params)

  assert all(np.all(u == 0) for u in jax.tree.leaves(updates))
  assert skipped.notfinite_count == 1
  assert_trees_close(skipped.inner_state, state.inner_state, rtol=0, atol=0)
  # The next finite step is the one the optimizer would have made anyway.
  after_skip, _ = step(params, skipped)
  expected, _ = step(params, state)
  assert_trees_close(after_skip, expected, rtol=0, atol=0)


def test_vmap_over_seeds_equals_separate_runs():
  rng = np.random.default_rng(0)
  x = rng.normal(size=(4, 16, 3)).astype(np.float32)
  batches = (x, x @ np.array([1.0, -2.0, 0.5], np.float32) + 0.3)

  def init_params(key):
    return {"w": jax.random.normal(key, (3,)), "b": jnp.zeros(())}

  def batch_loss(params, batch):
    x, y = batch
    return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)

  opt = dsa_optax.dsa()

  def step(params, state, batch):
    return make_step(opt, lambda p: batch_loss(p, batch))(params, state)

  init = jax.jit(lambda: jax.vmap(init_params)(jax.random.split(jax.random.key(0), 4)))
  initial = init()
  params, state = initial, jax.vmap(opt.init)(initial)
  vmapped = jax.jit(jax.vmap(step))
  for _ in range(20):
    params, state = vmapped(params, state, batches)

  single = jax.jit(step)
  for seed in range(4):
    seed_params = jax.tree.map(lambda p: p[seed], initial)
    seed_state = opt.init(seed_params)
    batch = jax.tree.map(lambda b: b[seed], batches)
    for _ in range(20):
      seed_params, seed_state = single(seed_params, seed_state, batch)
    assert_trees_close(jax.tree.map(lambda p: p[seed], params), seed_params, rtol=1e-5, atol=1e-6)
    assert_trees_close(
        jax.tree.map(lambda e: e[seed], optax.tree.get(state, "eta")),
        optax.tree.get(seed_state, "eta"),
        rtol=1e-5,
        atol=1e-6,
    )


def test_nnx_optimizer_trains_a_linear_regression_like_a_manual_loop():
  x = jax.random.normal(jax.random.key(1), (32, 3))
  y = x @ jnp.array([[1.0], [-2.0], [0.5]]) + 0.3

  def model_loss(model):
    return jnp.mean((model(x) - y) ** 2)

  model = nnx.Linear(3, 1, rngs=nnx.Rngs(0))
  graphdef, params, rest = nnx.split(model, nnx.Param, ...)
  params = nnx.to_pure_dict(params)  # a copy: training updates the model's variables in place

  def value_fn(params):
    return model_loss(nnx.merge(graphdef, params, rest))

  optimizer = nnx.Optimizer(model, dsa_optax.dsa(), wrt=nnx.Param)

  @nnx.jit
  def train_step(model, optimizer):
    loss_value, grads = nnx.value_and_grad(model_loss)(model)
    optimizer.update(model, grads, value_fn=value_fn)
    return loss_value

  losses = [float(train_step(model, optimizer)) for _ in range(40)]

  tx = dsa_optax.dsa()
  pure_value_fn = lambda p: value_fn(nnx.State(p))
  params, _ = run(jax.jit(make_step(tx, pure_value_fn)), params, tx.init(params), 40)

  assert losses[-1] < 0.01 * losses[0]
  assert_trees_close(nnx.to_pure_dict(nnx.state(model, nnx.Param)), params, rtol=1e-5, atol=1e-6)
