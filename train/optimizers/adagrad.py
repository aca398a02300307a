"""AdaGrad as PyTorch computes it: ε outside the square root, zero start.

``optax.adagrad`` differs in two ways: its accumulator starts at 0.1 and its ε
sits inside the square root (with a zero update where the accumulator is 0).
"""

from typing import Any, NamedTuple

import jax
import jax.numpy as jnp
import optax


class ScaleByAdagradState(NamedTuple):
  """State of :func:`scale_by_adagrad`."""

  sum_of_squares: Any  # Σ g² so far; same pytree, shapes and dtypes as params.


def scale_by_adagrad(
    initial_accumulator_value: jax.typing.ArrayLike = 0.0,
    eps: jax.typing.ArrayLike = 1e-10,
) -> optax.GradientTransformationExtraArgs:
  r"""Scales gradients by AdaGrad's accumulated norms, as ``torch.optim.Adagrad``.

  .. math::

    s_t &= s_{t-1} + g_t^2, \quad s_0 = \text{initial\_accumulator\_value} \\
    \text{returns}\ & g_t / (\sqrt{s_t} + \epsilon)

  Args:
    initial_accumulator_value: :math:`s_0` (PyTorch's default 0).
    eps: added to :math:`\sqrt{s_t}` (PyTorch's default 1e-10).

  Returns:
    The corresponding :class:`optax.GradientTransformationExtraArgs`.
  """

  def init_fn(params):
    return ScaleByAdagradState(
        sum_of_squares=optax.tree.full_like(params, initial_accumulator_value)
    )

  def update_fn(updates, state, params=None):
    del params
    sum_of_squares = jax.tree.map(
        lambda g, s: s + jnp.square(g), updates, state.sum_of_squares
    )
    updates = jax.tree.map(
        lambda g, s: g / (jnp.sqrt(s) + eps), updates, sum_of_squares
    )
    return updates, ScaleByAdagradState(sum_of_squares=sum_of_squares)

  return optax.with_extra_args_support(
      optax.GradientTransformation(init_fn, update_fn)
  )


def adagrad(
    learning_rate: optax.ScalarOrSchedule = 0.01,
    initial_accumulator_value: jax.typing.ArrayLike = 0.0,
    eps: jax.typing.ArrayLike = 1e-10,
) -> optax.GradientTransformationExtraArgs:
  r"""AdaGrad with the update and defaults of ``torch.optim.Adagrad`` (torch 2.x).

  .. math::

    s_t &= s_{t-1} + g_t^2 \\
    \theta_t &= \theta_{t-1} - \gamma\, g_t / (\sqrt{s_t} + \epsilon)

  PyTorch's ``lr_decay`` and ``weight_decay`` (both 0 by default) are left
  out.

  Args:
    learning_rate: γ (PyTorch's default 0.01).
    initial_accumulator_value: :math:`s_0` (default 0).
    eps: added outside the square root (default 1e-10).

  Returns:
    The corresponding :class:`optax.GradientTransformationExtraArgs`.

  Example:
    >>> import jax.numpy as jnp
    >>> from train.optimizers.adagrad import adagrad
    >>> tx = adagrad()
    >>> params = jnp.array([1.0, 1.0])
    >>> updates, _ = tx.update(jnp.array([2.0, 0.0]), tx.init(params), params)
    >>> print(updates)  # -lr · g/|g| on the first step, 0 where g = 0
    [-0.01 -0.  ]

  References:
    Duchi et al., `Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization <https://jmlr.org/papers/v12/duchi11a.html>`_,
    JMLR 2011.
  """
  return optax.chain(
      scale_by_adagrad(initial_accumulator_value, eps),
      optax.scale_by_learning_rate(learning_rate),
  )
