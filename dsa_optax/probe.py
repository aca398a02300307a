"""The probe gradient g̃ = ∇L(θ̃) that DSA needs at a second point.

Optax hands extra information to ``update`` as keyword arguments. DSA accepts
either the loss (``value_fn``, the convention of optax's line searches) or a
gradient function (``grad_fn``, for gradients accumulated over chunks of a full
batch). Keyword arguments that the function's signature names are forwarded to
it (e.g. ``batch=...``); the others are ignored, as optax's protocol asks.
"""

import inspect
from typing import Any, Callable

import jax
import jax.numpy as jnp


_MISSING = (
    "DSA evaluates a second gradient at a probe point, so `update` needs the "
    "loss or its gradient: call `update(grads, state, params, value_fn=loss_fn)` "
    "with `loss_fn(params) -> scalar`, or `update(..., grad_fn=g)` with "
    "`g(params) -> grads` (for accumulated full-batch gradients). {}"
)


def _accepted_kwargs(fn: Callable[..., Any], extra_args: dict[str, Any]) -> dict[str, Any]:
  """The entries of ``extra_args`` that ``fn``'s signature names."""
  try:
    parameters = inspect.signature(fn).parameters
  except (TypeError, ValueError):  # builtins and some C callables
    return {}
  names = {
      name
      for name, p in parameters.items()
      if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
  }
  return {k: v for k, v in extra_args.items() if k in names}


def probe_gradient_fn(
    value_fn: Callable[..., Any] | None,
    grad_fn: Callable[..., Any] | None,
    extra_args: dict[str, Any],
) -> Callable[[Any], Any]:
  """Returns ``params -> ∇L(params)`` from exactly one of the two functions.

  Args:
    value_fn: ``value_fn(params, **kwargs) -> scalar loss`` or None.
    grad_fn: ``grad_fn(params, **kwargs) -> grads`` (same pytree as params) or
      None.
    extra_args: the other keyword arguments given to ``update``; those that the
      chosen function names in its signature are passed on to it.

  Returns:
    A function of the parameters that returns the gradient pytree.

  Raises:
    ValueError: if neither or both functions are given.
  """
  if value_fn is None and grad_fn is None:
    raise ValueError(_MISSING.format("Neither was given."))
  if value_fn is not None and grad_fn is not None:
    raise ValueError(_MISSING.format("Both were given: pass only one."))

  if grad_fn is not None:
    kwargs = _accepted_kwargs(grad_fn, extra_args)

    def checked_grad(params):
      grads = grad_fn(params, **kwargs)
      shapes = jax.tree.map(jnp.shape, grads)
      expected = jax.tree.map(jnp.shape, params)
      if jax.tree.structure(grads) != jax.tree.structure(params) or shapes != expected:
        raise ValueError(
            "grad_fn must return gradients with the same pytree structure as "
            f"params, and the same shapes ({expected}); got {shapes}."
        )
      return grads

    return checked_grad

  kwargs = _accepted_kwargs(value_fn, extra_args)

  def value_gradient(params):
    loss, pullback = jax.vjp(lambda p: value_fn(p, **kwargs), params)
    if not isinstance(loss, jax.Array) or jnp.shape(loss) != ():
      got = (
          f"{loss.shape}" if isinstance(loss, jax.Array) else f"a {type(loss).__name__}"
      )
      raise ValueError(
          "value_fn must return a scalar loss (a JAX array of shape () that "
          f"depends on params); got {got}. If your loss function returns "
          "(loss, aux), pass `value_fn=lambda p: loss_fn(p)[0]`."
      )
    (grads,) = pullback(jnp.ones_like(loss))
    return grads

  return value_gradient
