"""Full-batch loss and gradient accumulated over chunks, and padded batches.

The reference is the plain mean NLL over all examples in one pass and its
``jax.grad``; the accumulated versions must equal it whether the examples fill
the chunks or not, through ``full_batch_value_and_grad`` and through the
``custom_vjp`` of ``full_batch_loss_fn`` (which DSA's probe gradient and L-BFGS
differentiate themselves).
"""

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from train.batching import batch_indices, num_batches, sequential_chunks, shuffled_batches
from train.full_batch import full_batch_loss_fn, full_batch_value_and_grad
from train.objective import Objective

RTOL, ATOL = 2e-5, 1e-7


def as_problem(model, x, y):
  objective, params, rest = Objective.from_model(model)
  return objective, params, rest, jnp.asarray(x), jnp.asarray(y)


@pytest.fixture(scope="module")
def problem(wine, wine_mlp):
  """``(objective, params, rest, x, y)``: the MLP on all 142 wine training rows."""
  return as_problem(wine_mlp(0), wine.x_train, wine.y_train)


@pytest.fixture(scope="module")
def expected(problem):
  """The direct loss and gradient at the initial params and at perturbed ones."""
  objective, params, rest, x, y = problem
  value_and_grad = jax.jit(jax.value_and_grad(direct_loss(objective, rest, x, y)))
  return {"start": value_and_grad(params), "perturbed": value_and_grad(perturbed(params))}


def direct_loss(objective, rest, x, y):
  """``params -> mean NLL`` over all examples in one pass, written out by hand."""

  def loss(params):
    model = nnx.merge(objective.graphdef, params, rest)
    x_in = x.astype(jnp.float32) / 255.0 if x.dtype == jnp.uint8 else x
    log_probs = jax.nn.log_softmax(model(x_in))
    return -jnp.mean(jnp.take_along_axis(log_probs, y[:, None], axis=1))

  return loss


def assert_trees_close(actual, expected, rtol=RTOL, atol=ATOL):
  actual_leaves, actual_tree = jax.tree.flatten(actual)
  expected_leaves, expected_tree = jax.tree.flatten(expected)
  assert actual_tree == expected_tree
  for a, e in zip(actual_leaves, expected_leaves):
    np.testing.assert_allclose(np.asarray(a), np.asarray(e), rtol=rtol, atol=atol)


def perturbed(params, scale=0.05):
  """Params moved off the initialisation, as DSA's probe point is."""
  leaves, tree = jax.tree.flatten(params)
  keys = jax.random.split(jax.random.key(1), len(leaves))
  return jax.tree.unflatten(
      tree, [p + scale * jax.random.normal(k, p.shape, p.dtype) for p, k in zip(leaves, keys)]
  )


def chunk_sizes(n):
  """Several chunks with a padded last one, and the single-chunk paths."""
  return [n // 3 + 1, n, n + 1000]


CHUNKS = ["several", "exact", "larger"]


def test_chunk_sizes_cover_padded_and_single_chunk_paths(problem):
  n = problem[3].shape[0]
  several, exact, larger = chunk_sizes(n)
  assert num_batches(n, several) == 3 and n % several != 0
  assert num_batches(n, exact) == num_batches(n, larger) == 1


@pytest.mark.parametrize("which", CHUNKS)
def test_value_and_grad_equal_the_direct_mean_loss_and_its_grad(problem, expected, which):
  objective, params, rest, x, y = problem
  chunk_size = dict(zip(CHUNKS, chunk_sizes(x.shape[0])))[which]
  expected_value, expected_grads = expected["start"]

  value, grads, new_rest = jax.jit(
      full_batch_value_and_grad, static_argnums=(0, 5)
  )(objective, params, rest, x, y, chunk_size)

  np.testing.assert_allclose(value, expected_value, rtol=RTOL)
  assert_trees_close(grads, expected_grads)
  assert jax.tree.structure(new_rest) == jax.tree.structure(rest)


@pytest.mark.parametrize("which", ["several", "larger"])
def test_loss_fn_value_and_grad_equal_the_direct_ones_off_the_start(problem, expected, which):
  objective, params, rest, x, y = problem
  chunk_size = dict(zip(CHUNKS, chunk_sizes(x.shape[0])))[which]
  expected_value, expected_grads = expected["perturbed"]

  loss_fn = full_batch_loss_fn(objective, rest, x, y, chunk_size)
  value, grads = jax.jit(jax.value_and_grad(loss_fn))(perturbed(params))

  np.testing.assert_allclose(value, expected_value, rtol=RTOL)
  assert_trees_close(grads, expected_grads)


def test_loss_fn_vjp_scales_the_accumulated_gradient_by_the_cotangent(problem, expected):
  objective, params, rest, x, y = problem
  chunk_size = chunk_sizes(x.shape[0])[0]
  expected_value, expected_grads = expected["start"]

  def value_and_vjp(params):
    value, vjp = jax.vjp(full_batch_loss_fn(objective, rest, x, y, chunk_size), params)
    return value, vjp(jnp.float32(-2.5))[0]

  value, cotangent_grads = jax.jit(value_and_vjp)(params)

  np.testing.assert_allclose(value, expected_value, rtol=RTOL)
  assert_trees_close(cotangent_grads, jax.tree.map(lambda g: -2.5 * g, expected_grads))


def test_loss_fn_gradient_under_vmap_over_params(problem, expected):
  """The loop vmaps the full-batch step over seeds; the custom_vjp must batch."""
  objective, params, rest, x, y = problem
  chunk_size = chunk_sizes(x.shape[0])[0]
  stacked = jax.tree.map(lambda *p: jnp.stack(p), params, perturbed(params))

  grads = jax.jit(jax.vmap(jax.grad(full_batch_loss_fn(objective, rest, x, y, chunk_size))))(stacked)

  for i, at in enumerate(["start", "perturbed"]):
    assert_trees_close(jax.tree.map(lambda g: g[i], grads), expected[at][1])


@pytest.mark.parametrize("unroll", [False, True], ids=["rolled", "unrolled"])
def test_dnn_on_uint8_mnist_images_over_padded_chunks(mnist_small, mnist_dnn, unroll):
  """The convolutional net on 100 raw uint8 images, in chunks of 32 (4 padded),
  with the loop over chunks rolled (the default) or unrolled (the fast CPU path)."""
  objective, params, rest, x, y = as_problem(
      mnist_dnn(0), mnist_small.x_train[:100], mnist_small.y_train[:100])
  at = perturbed(params, scale=0.01)
  expected_value, expected_grads = jax.jit(jax.value_and_grad(direct_loss(objective, rest, x, y)))(at)

  def both(params):
    value, grads, _ = full_batch_value_and_grad(objective, params, rest, x, y, 32, unroll=unroll)
    return value, grads, jax.grad(full_batch_loss_fn(objective, rest, x, y, 32, unroll=unroll))(params)

  value, grads, loss_fn_grads = jax.jit(both)(at)

  np.testing.assert_allclose(value, expected_value, rtol=RTOL)
  assert_trees_close(grads, expected_grads)
  assert_trees_close(loss_fn_grads, expected_grads)


def _temp_mib(objective, params, rest, n_chunks, chunk, unroll):
  x = jnp.zeros((n_chunks * chunk, 28, 28, 1), jnp.uint8)
  y = jnp.zeros((n_chunks * chunk,), jnp.int32)
  f = jax.jit(lambda p: full_batch_value_and_grad(objective, p, rest, x, y, chunk, unroll=unroll)[:2])
  return f.lower(params).compile().memory_analysis().temp_size_in_bytes / 2**20


def test_memory_of_the_default_pass_does_not_grow_with_the_number_of_chunks(mnist_dnn):
  """The point of chunking: 2 or 8 chunks need the same scratch memory (XLA's
  own accounting of the compiled pass). Unrolled, XLA 0.10 lets it grow with
  the chunks (44 -> 166 MiB here), which is why unrolling is opt-in."""
  objective, params, rest = Objective.from_model(mnist_dnn(0))
  two, eight = (_temp_mib(objective, params, rest, n, 128, False) for n in (2, 8))

  assert eight <= 1.1 * two


# Padded batches.


def test_batch_indices_pad_the_last_batch_with_weight_zero():
  order = jnp.array([7, 3, 9, 0, 1, 8, 2, 6, 5, 4])
  indices, weights = batch_indices(order, 4)

  assert indices.shape == weights.shape == (3, 4)
  np.testing.assert_array_equal(indices.reshape(-1)[:10], order)
  np.testing.assert_array_equal(weights.reshape(-1), [1] * 10 + [0, 0])
  assert weights.dtype == jnp.float32


@pytest.mark.parametrize("n, batch_size", [(142, 16), (142, 64), (128, 16), (5, 64), (1, 1)])
def test_shuffled_batches_visit_every_example_once_with_weight_one(n, batch_size):
  indices, weights = shuffled_batches(jax.random.key(3), n, batch_size)
  indices, weights = np.asarray(indices).reshape(-1), np.asarray(weights).reshape(-1)

  assert len(indices) == num_batches(n, batch_size) * batch_size
  assert len(indices) - n < batch_size  # only the last batch is padded
  real = indices[weights == 1]
  np.testing.assert_array_equal(np.sort(real), np.arange(n))
  assert set(np.unique(weights)) <= {0.0, 1.0}
  assert np.sum(weights == 0) == len(indices) - n
  np.testing.assert_array_equal(weights[:n], 1)  # padding only at the end


def test_shuffled_batches_draw_a_new_order_per_key():
  first, _ = shuffled_batches(jax.random.key(0), 142, 16)
  again, _ = shuffled_batches(jax.random.key(0), 142, 16)
  other, _ = shuffled_batches(jax.random.key(1), 142, 16)

  np.testing.assert_array_equal(first, again)
  assert not np.array_equal(first, other)
  assert not np.array_equal(np.asarray(first).reshape(-1)[:142], np.arange(142))


@pytest.mark.parametrize("n, chunk_size, shape", [(142, 50, (3, 50)), (142, 142, (1, 142)), (36, 2048, (1, 36))])
def test_sequential_chunks_keep_the_order_and_never_exceed_n(n, chunk_size, shape):
  indices, weights = sequential_chunks(n, chunk_size)

  assert indices.shape == weights.shape == shape
  np.testing.assert_array_equal(np.asarray(indices).reshape(-1)[:n], np.arange(n))
  assert float(jnp.sum(weights)) == n
