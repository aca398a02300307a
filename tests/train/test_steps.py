"""The jitted training steps against updates written out by hand.

A mini-batch epoch must be the plain loop over the shuffled batches (the last
one smaller, nothing dropped, padding without effect), its loss the mean over
examples; a full-batch step one update on the whole-set gradient, with
``value_fn`` the whole-set loss (what DSA's probe gradient differentiates).
"""

import functools

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from train import optimizers
from train.batching import shuffled_batches
from train.objective import Objective
from train.steps import TrainState, full_batch_step, minibatch_epoch

BATCH_SIZE = 32  # wine's 142 training rows: 4 full batches and one of 14
CHUNK_SIZE = 50  # 3 chunks, the last one padded


@pytest.fixture(scope="module")
def problem(wine, wine_mlp):
  objective, params, rest = Objective.from_model(wine_mlp(0))
  return objective, params, rest, jnp.asarray(wine.x_train), jnp.asarray(wine.y_train)


def mean_nll(objective, rest):
  """``(params, x, y) -> mean NLL`` in one pass, written out by hand."""

  def loss(params, x, y):
    log_probs = jax.nn.log_softmax(nnx.merge(objective.graphdef, params, rest)(x))
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))

  return loss


def initial_state(tx, params, rest):
  return TrainState(params, rest, tx.init(params), jnp.zeros([], jnp.int32))


def assert_trees_close(actual, expected, rtol=1e-5, atol=1e-7):
  for a, e in zip(jax.tree.leaves(actual), jax.tree.leaves(expected), strict=True):
    np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=rtol, atol=atol)


def test_minibatch_epoch_is_the_loop_over_shuffled_batches_with_a_smaller_last_one(problem):
  objective, params, rest, x, y = problem
  spec = optimizers.get("sgd")
  tx = spec.make()
  key = jax.random.key(7)
  epoch = jax.jit(functools.partial(minibatch_epoch, objective, tx, spec.grad_evals, BATCH_SIZE, None))

  state, train_loss = epoch(initial_state(tx, params, rest), key, x, y)

  indices, weights = shuffled_batches(key, x.shape[0], BATCH_SIZE)
  value_and_grad = jax.jit(jax.value_and_grad(mean_nll(objective, rest)))
  expected_params, loss_sum, sizes = params, 0.0, []
  for idx, w in zip(np.asarray(indices), np.asarray(weights)):
    idx = idx[w == 1]
    sizes.append(len(idx))
    loss, grads = value_and_grad(expected_params, x[idx], y[idx])
    expected_params = jax.tree.map(lambda p, g: p - 0.01 * g, expected_params, grads)
    loss_sum += float(loss) * len(idx)

  assert sizes == [32, 32, 32, 32, 14]
  assert_trees_close(state.params, expected_params)
  np.testing.assert_allclose(train_loss, loss_sum / x.shape[0], rtol=1e-6)
  assert int(state.grad_evals) == 5


def test_full_batch_step_is_one_sgd_update_on_the_whole_set_gradient(problem):
  objective, params, rest, x, y = problem
  spec = optimizers.get("sgd")
  tx = spec.make()
  step = jax.jit(functools.partial(full_batch_step, objective, tx, spec.grad_evals, CHUNK_SIZE, None))

  state, train_loss = step(initial_state(tx, params, rest), jax.random.key(0), x, y)

  loss, grads = jax.value_and_grad(mean_nll(objective, rest))(params, x, y)
  np.testing.assert_allclose(train_loss, loss, rtol=1e-5)  # before the update
  assert_trees_close(state.params, jax.tree.map(lambda p, g: p - 0.01 * g, params, grads))
  assert int(state.grad_evals) == 1


def test_full_batch_dsa_step_equals_dsa_given_the_whole_set_loss_as_value_fn(problem):
  """Two steps, so that the second uses the step size the first adapted."""
  objective, params, rest, x, y = problem
  spec = optimizers.get("dsa")
  tx = spec.make()
  step = jax.jit(functools.partial(full_batch_step, objective, tx, spec.grad_evals, CHUNK_SIZE, None))
  state = initial_state(tx, params, rest)
  losses = []
  for _ in range(2):
    state, loss = step(state, jax.random.key(0), x, y)
    losses.append(float(loss))

  value_fn = lambda p: mean_nll(objective, rest)(p, x, y)

  @jax.jit
  def reference_step(params, opt_state):
    loss, grads = jax.value_and_grad(value_fn)(params)
    updates, opt_state = tx.update(grads, opt_state, params, value=loss, grad=grads, value_fn=value_fn)
    return jax.tree.map(jnp.add, params, updates), opt_state, loss

  expected_params, opt_state, expected_losses = params, tx.init(params), []
  for _ in range(2):
    expected_params, opt_state, loss = reference_step(expected_params, opt_state)
    expected_losses.append(float(loss))

  np.testing.assert_allclose(losses, expected_losses, rtol=1e-5)
  assert_trees_close(state.params, expected_params, rtol=1e-4, atol=2e-5)
  assert int(state.grad_evals) == 4  # the gradient and the probe's, per step


def test_minibatch_dsa_counts_two_gradients_per_batch(problem):
  objective, params, rest, x, y = problem
  spec = optimizers.get("dsa")
  tx = spec.make()
  epoch = jax.jit(functools.partial(minibatch_epoch, objective, tx, spec.grad_evals, BATCH_SIZE, None))

  state, train_loss = epoch(initial_state(tx, params, rest), jax.random.key(0), x, y)

  assert int(state.grad_evals) == 2 * 5
  assert np.isfinite(train_loss)
