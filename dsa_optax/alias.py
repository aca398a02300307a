"""The user-facing DSA optimizer."""

import jax
import optax

from dsa_optax.transform import Variant, scale_by_dsa


def dsa(
    eta0: jax.typing.ArrayLike | None = None,
    beta1: jax.typing.ArrayLike | None = None,
    beta2: jax.typing.ArrayLike | None = None,
    eps: jax.typing.ArrayLike = 1e-8,
    *,
    variant: Variant = "full",
    eta_min: jax.typing.ArrayLike | None = None,
    eta_max: jax.typing.ArrayLike | None = None,
) -> optax.GradientTransformationExtraArgs:
  r"""The DSA optimizer: steps of self-adapted size :math:`2^{\eta}`.

  One iteration of the paper's Algorithm 1, with
  :math:`g = \nabla L(\theta_{t-1})` and :math:`d = g / (|g| + \epsilon)`:

  .. math::

    \tilde\theta &= \theta_{t-1} - 2^{\eta_{t-1}} d \\
    x &= \nabla L(\tilde\theta) \cdot g \\
    \eta_t &= \eta_{t-1} + \tfrac{\beta_1+\beta_2}{2}\, \tfrac{x}{|x|+\epsilon}
              + \tfrac{\beta_2-\beta_1}{2} \\
    \theta_t &= \theta_{t-1} - 2^{\eta_t} d

  η has one entry per parameter element: it grows by β2 when the gradient at
  the probe point agrees in sign with g, and drops by β1 when it does not.
  Each update evaluates a second gradient, at the probe point, through the
  keyword argument ``value_fn`` (loss of the params) or ``grad_fn``. The other
  variants of the paper (``variant="basic"``, ``"per_parameter"``,
  ``"exponential"``) and the bounds on η are described in
  :func:`scale_by_dsa`. The learned η is ``optax.tree.get(state, "eta")``.

  Args:
    eta0: initial η (log2 of the first step; default -12 for "full").
    beta1: decrease of η on a sign disagreement (default 0.6), or the single
      β of the other variants.
    beta2: increase of η on agreement (default 0.3; "full" only).
    eps: the small constant in g/(|g|+ε) and x/(|x|+ε).
    variant: "basic", "per_parameter", "exponential" or "full".
    eta_min: optional lower bound on η.
    eta_max: optional upper bound on η.

  Returns:
    The corresponding :class:`optax.GradientTransformationExtraArgs`.

  Example:
    >>> import jax, jax.numpy as jnp, optax
    >>> from dsa_optax import dsa
    >>> def loss(params):
    ...   return jnp.sum((params["w"] - jnp.array([1.0, -2.0])) ** 2)
    >>> params = {"w": jnp.zeros(2)}
    >>> opt = dsa()
    >>> state = opt.init(params)
    >>> @jax.jit
    ... def step(params, state):
    ...   grads = jax.grad(loss)(params)
    ...   updates, state = opt.update(grads, state, params, value_fn=loss)
    ...   return optax.apply_updates(params, updates), state
    >>> for _ in range(60):
    ...   params, state = step(params, state)
    >>> print(float(loss(params)) < 1e-6)
    True

  References:
    Anonymous, `Differentiable Self-Adaptive Learning Rate
    <https://openreview.net/forum?id=4ivWpK9ZSLY>`_, ICLR 2022 submission.
  """
  return optax.chain(
      scale_by_dsa(
          eta0, beta1, beta2, eps, variant=variant, eta_min=eta_min, eta_max=eta_max
      ),
      optax.scale(-1.0),
  )
