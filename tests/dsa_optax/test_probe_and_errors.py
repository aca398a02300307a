"""The probe gradient (value_fn or grad_fn, forwarded extra args) and the error
messages of DSA."""

import jax
import jax.numpy as jnp
import numpy as np
import optax
import pytest

import dsa_optax

X = jnp.array([[1.0, 2.0], [0.5, -1.0], [-1.5, 0.3], [2.0, 1.0]])
BATCH = (X, jnp.array([1.0, -0.5, 0.2, 3.0]))
OTHER_BATCH = (X, jnp.array([-2.0, 0.5, 1.2, 0.0]))
PARAMS = {"w": jnp.array([0.1, -0.2]), "b": jnp.zeros([], jnp.float32)}


def batch_loss(params, batch):
  x, y = batch
  return jnp.mean((x @ params["w"] + params["b"] - y) ** 2)


def one_update(opt, **extra_args):
  """One update from PARAMS, with the gradient of the loss on BATCH."""
  grads = jax.grad(batch_loss)(PARAMS, BATCH)
  return opt.update(grads, opt.init(PARAMS), PARAMS, **extra_args)


def assert_updates_equal(actual, expected):
  (updates, state), (expected_updates, expected_state) = actual, expected
  close = lambda a, e: np.testing.assert_allclose(a, e, rtol=1e-6)
  jax.tree.map(close, updates, expected_updates)
  jax.tree.map(close, optax.tree.get(state, "eta"), optax.tree.get(expected_state, "eta"))


def assert_updates_differ(actual, expected):
  eta, expected_eta = (optax.tree.get(state, "eta") for _, state in (actual, expected))
  assert not all(np.array_equal(a, e) for a, e in zip(jax.tree.leaves(eta), jax.tree.leaves(expected_eta)))


# --- value_fn, grad_fn and the extra arguments they receive. ---


@pytest.mark.parametrize("variant", dsa_optax.VARIANTS)
def test_value_fn_and_grad_fn_give_the_same_step(variant):
  opt = dsa_optax.dsa(variant=variant)
  loss = lambda p: batch_loss(p, BATCH)
  with_value_fn = one_update(opt, value_fn=loss)
  with_grad_fn = one_update(opt, grad_fn=jax.grad(loss))
  assert_updates_equal(with_value_fn, with_grad_fn)


def test_extra_args_named_by_value_fn_are_forwarded_to_it():
  opt = dsa_optax.dsa(variant="per_parameter")
  forwarded = one_update(opt, value_fn=batch_loss, batch=BATCH)
  assert_updates_equal(forwarded, one_update(opt, value_fn=lambda p: batch_loss(p, BATCH)))
  # The batch really reaches the probe: another batch gives another η.
  assert_updates_differ(forwarded, one_update(opt, value_fn=batch_loss, batch=OTHER_BATCH))


def test_extra_args_named_by_grad_fn_are_forwarded_to_it():
  opt = dsa_optax.dsa(variant="per_parameter")
  grad_fn = lambda params, batch: jax.grad(batch_loss)(params, batch)
  forwarded = one_update(opt, grad_fn=grad_fn, batch=OTHER_BATCH)
  assert_updates_equal(forwarded, one_update(opt, grad_fn=lambda p: grad_fn(p, OTHER_BATCH)))


def test_keyword_only_parameters_are_forwarded():
  opt = dsa_optax.dsa(variant="per_parameter")

  def loss(params, *, batch):
    return batch_loss(params, batch)

  assert_updates_equal(
      one_update(opt, value_fn=loss, batch=BATCH),
      one_update(opt, value_fn=lambda p: batch_loss(p, BATCH)),
  )


def test_extra_args_the_function_does_not_name_are_ignored():
  opt = dsa_optax.dsa(variant="per_parameter")
  loss = lambda p: batch_loss(p, BATCH)
  assert_updates_equal(
      one_update(opt, value_fn=loss, batch=OTHER_BATCH, step_number=3),
      one_update(opt, value_fn=loss),
  )


def test_extra_args_reach_dsa_through_a_chain_and_under_jit():
  opt = optax.chain(optax.clip_by_global_norm(10.0), dsa_optax.dsa(variant="per_parameter"))
  grads = jax.grad(batch_loss)(PARAMS, BATCH)
  update = jax.jit(lambda g, s, p, batch: opt.update(g, s, p, value_fn=batch_loss, batch=batch))
  assert_updates_equal(
      update(grads, opt.init(PARAMS), PARAMS, BATCH),
      one_update(opt, value_fn=lambda p: batch_loss(p, BATCH)),
  )


# --- Error messages. ---


def test_missing_probe_function_names_both_options():
  with pytest.raises(ValueError, match=r"value_fn.*grad_fn.*Neither was given"):
    one_update(dsa_optax.dsa())


def test_both_probe_functions_is_an_error():
  loss = lambda p: batch_loss(p, BATCH)
  with pytest.raises(ValueError, match="Both were given: pass only one"):
    one_update(dsa_optax.dsa(), value_fn=loss, grad_fn=jax.grad(loss))


def test_value_fn_returning_a_vector_is_an_error():
  with pytest.raises(ValueError, match=r"value_fn must return a scalar loss .*got \(4,\)"):
    one_update(dsa_optax.dsa(), value_fn=lambda p: BATCH[0] @ p["w"])


def test_value_fn_returning_loss_and_aux_is_an_error_that_shows_the_fix():
  loss_and_aux = lambda p: (batch_loss(p, BATCH), {"accuracy": jnp.ones([])})
  with pytest.raises(ValueError, match=r"returns \(loss, aux\), pass `value_fn=lambda p: loss_fn\(p\)\[0\]`"):
    one_update(dsa_optax.dsa(), value_fn=loss_and_aux)


def test_grad_fn_returning_another_structure_is_an_error():
  with pytest.raises(ValueError, match="grad_fn must return gradients with the same pytree structure as params"):
    one_update(dsa_optax.dsa(), grad_fn=lambda p: p["w"])


def test_grad_fn_returning_leaves_of_another_shape_is_an_error():
  wrong_shapes = lambda p: {"w": p["w"][None, :], "b": p["b"]}
  with pytest.raises(ValueError, match="grad_fn"):
    one_update(dsa_optax.dsa(), grad_fn=wrong_shapes)


def test_update_without_params_is_an_error():
  opt = dsa_optax.dsa()
  grads = jax.grad(batch_loss)(PARAMS, BATCH)
  with pytest.raises(ValueError, match=r"DSA needs the current params .*update\(grads, state, params, value_fn=\.\.\.\)"):
    opt.update(grads, opt.init(PARAMS), value_fn=lambda p: batch_loss(p, BATCH))


def test_unknown_variant_is_an_error():
  with pytest.raises(ValueError, match=r"variant must be one of \('basic', 'per_parameter', 'exponential', 'full'\); got 'adam'"):
    dsa_optax.dsa(variant="adam")
