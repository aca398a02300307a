"""Rprop as PyTorch computes it.

``optax.scale_by_rprop`` (optax 0.2.8) returns the step it computed on the
previous update, not the current one: its first update is zero and every later
one lags by a step. This module computes the current step.
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


class ScaleByRpropState(NamedTuple):
  """State of :func:`scale_by_rprop`."""

  step_sizes: Any  # per-element step size Δ; same pytree, shapes, dtypes as params.
  prev_grads: Any  # previous gradient, zeroed where its sign flipped; like params.


def scale_by_rprop(
    learning_rate: jax.typing.ArrayLike = 0.01,
    eta_minus: jax.typing.ArrayLike = 0.5,
    eta_plus: jax.typing.ArrayLike = 1.2,
    min_step_size: jax.typing.ArrayLike = 1e-6,
    max_step_size: jax.typing.ArrayLike = 50.0,
) -> optax.GradientTransformationExtraArgs:
  r"""Scales gradients to Rprop's signed steps, as ``torch.optim.Rprop``.

  With :math:`g'_{t-1}` the previous gradient (zeroed where its sign flipped)
  and :math:`s = \operatorname{sign}(g_t\, g'_{t-1})`:

  .. math::

    \Delta_t &= \operatorname{clip}(\Delta_{t-1} \cdot
      \{\eta_+ \text{ if } s>0,\ \eta_- \text{ if } s<0,\ 1 \text{ if } s=0\},
      \Delta_{\min}, \Delta_{\max}), \quad \Delta_0 = \text{learning\_rate} \\
    g'_t &= 0 \text{ where } s < 0, \text{ else } g_t \\
    \text{returns}\ & \Delta_t \operatorname{sign}(g'_t)

  The sign s is taken as sign(g)·sign(g'), which equals PyTorch's
  sign(g·g') except where that product underflows (half precision).

  Args:
    learning_rate: the initial step size :math:`\Delta_0`.
    eta_minus: factor :math:`\eta_-` applied to Δ when the gradient flips sign.
    eta_plus: factor :math:`\eta_+` applied to Δ when the sign is kept.
    min_step_size: :math:`\Delta_{\min}`.
    max_step_size: :math:`\Delta_{\max}`.

  Returns:
    The corresponding :class:`optax.GradientTransformationExtraArgs`.
  """

  def init_fn(params):
    return ScaleByRpropState(
        step_sizes=optax.tree.full_like(params, learning_rate),
        prev_grads=optax.tree.zeros_like(params),
    )

  def update_fn(updates, state, params=None):
    del params
    sign = jax.tree.map(
        lambda g, prev: jnp.sign(g) * jnp.sign(prev), updates, state.prev_grads
    )
    step_sizes = jax.tree.map(
        lambda s, step: jnp.clip(
            step * jnp.where(s > 0, eta_plus, jnp.where(s < 0, eta_minus, 1.0)),
            min_step_size,
            max_step_size,
        ),
        sign,
        state.step_sizes,
    )
    grads = jax.tree.map(
        lambda s, g: jnp.where(s < 0, jnp.zeros_like(g), g), sign, updates
    )
    updates = jax.tree.map(
        lambda g, step: step * jnp.sign(g), grads, step_sizes
    )
    return updates, ScaleByRpropState(step_sizes=step_sizes, prev_grads=grads)

  return optax.with_extra_args_support(
      optax.GradientTransformation(init_fn, update_fn)
  )


def rprop(
    learning_rate: jax.typing.ArrayLike = 0.01,
    eta_minus: jax.typing.ArrayLike = 0.5,
    eta_plus: jax.typing.ArrayLike = 1.2,
    min_step_size: jax.typing.ArrayLike = 1e-6,
    max_step_size: jax.typing.ArrayLike = 50.0,
) -> optax.GradientTransformationExtraArgs:
  r"""Rprop with the update and defaults of ``torch.optim.Rprop`` (torch 2.x).

  :math:`\theta_t = \theta_{t-1} - \Delta_t \operatorname{sign}(g'_t)`, with
  the step sizes Δ and the masked gradient g' of :func:`scale_by_rprop`.
  Defaults are PyTorch's: ``lr=0.01, etas=(0.5, 1.2), step_sizes=(1e-6, 50)``.

  Args:
    learning_rate: the initial step size (PyTorch's ``lr``).
    eta_minus: step-size factor on a sign flip (``etas[0]``).
    eta_plus: step-size factor when the sign is kept (``etas[1]``).
    min_step_size: smallest step size (``step_sizes[0]``).
    max_step_size: largest step size (``step_sizes[1]``).

  Returns:
    The corresponding :class:`optax.GradientTransformationExtraArgs`.

  Example:
    >>> import jax.numpy as jnp
    >>> from train.optimizers.rprop import rprop
    >>> tx = rprop()
    >>> params = jnp.array([1.0, 1.0, 1.0])
    >>> state = tx.init(params)
    >>> updates, state = tx.update(jnp.array([3.0, -1.0, 0.0]), state, params)
    >>> print(updates)  # a full first step of lr · sign(g)
    [-0.01  0.01 -0.  ]
    >>> updates, state = tx.update(jnp.array([1.0, 1.0, 0.0]), state, params)
    >>> print(updates)  # grown by 1.2 where the sign held, 0 where it flipped
    [-0.012 -0.    -0.   ]

  References:
    Riedmiller and Braun, `A Direct Adaptive Method for Faster Backpropagation
    Learning: The RPROP Algorithm <https://doi.org/10.1109/ICNN.1993.298623>`_,
    ICNN 1993.
  """
  return optax.chain(
      scale_by_rprop(
          learning_rate, eta_minus, eta_plus, min_step_size, max_step_size
      ),
      optax.scale(-1.0),
  )
