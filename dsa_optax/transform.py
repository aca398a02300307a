"""DSA: the Differentiable Self-Adaptive learning rate, as an optax transform."""

from typing import Any, Callable, Literal, NamedTuple

import jax
import jax.numpy as jnp
import optax

from dsa_optax.bounds import eta_bounds
from dsa_optax.probe import probe_gradient_fn

Variant = Literal["basic", "per_parameter", "exponential", "full"]
VARIANTS = ("basic", "per_parameter", "exponential", "full")

# Defaults per variant: (eta0, beta1, beta2). The exponential variants use the
# paper's settings (η0 = -12, β1 = 0.6, β2 = 0.3); "exponential" has a single β,
# which defaults to (β1 + β2) / 2, the symmetric part of formula 6. The linear
# variants start from PyTorch's SGD learning rate 0.01 (the paper's SGD
# baseline) and use β = 1e-3, the hypergradient step of Baydin et al. (2018),
# whose rule the basic variant is.
DEFAULTS = {
    "basic": (0.01, 1e-3, None),
    "per_parameter": (0.01, 1e-3, None),
    "exponential": (-12.0, 0.45, None),
    "full": (-12.0, 0.6, 0.3),
}


class ScaleByDSAState(NamedTuple):
  """State of :func:`scale_by_dsa`."""

  count: jax.Array  # int32 scalar: number of updates made so far.
  # Learning-rate state η, a log2 step size ("exponential", "full") or a plain
  # learning rate ("basic", "per_parameter"). Same pytree and shapes as params
  # (a float32 scalar for "basic"), dtype float32 or the params' if wider.
  eta: Any


def _eta_dtype(dtype) -> jnp.dtype:
  return jnp.promote_types(dtype, jnp.float32)


def _resolve(variant, eta0, beta1, beta2):
  if variant not in VARIANTS:
    raise ValueError(f"variant must be one of {VARIANTS}; got {variant!r}.")
  default_eta0, default_beta1, default_beta2 = DEFAULTS[variant]
  if variant != "full" and beta2 is not None:
    raise ValueError(
        f"variant={variant!r} has a single step β for η: pass it as beta1 "
        "(beta2 is used only by variant='full')."
    )
  return (
      default_eta0 if eta0 is None else eta0,
      default_beta1 if beta1 is None else beta1,
      default_beta2 if beta2 is None else beta2,
  )


def scale_by_dsa(
    eta0: jax.typing.ArrayLike | None = None,
    beta1: jax.typing.ArrayLike | None = None,
    beta2: jax.typing.ArrayLike | None = None,
    eps: jax.typing.ArrayLike = 1e-8,
    *,
    variant: Variant = "full",
    eta_min: jax.typing.ArrayLike | None = None,
    eta_max: jax.typing.ArrayLike | None = None,
) -> optax.GradientTransformationExtraArgs:
  r"""Scales gradients by DSA's self-adapted step sizes.

  With :math:`g = \nabla L(\theta_{t-1})` the incoming updates, the direction
  :math:`d = g / (|g| + \epsilon)` and :math:`s(\eta) = 2^{\eta}` (variant
  ``"full"``, the paper's Algorithm 1):

  .. math::

    \tilde\theta &= \theta_{t-1} - s(\eta_{t-1})\, d \\
    x &= \nabla L(\tilde\theta) \cdot g \\
    \eta_t &= \eta_{t-1} + \tfrac{\beta_1+\beta_2}{2}\, \tfrac{x}{|x|+\epsilon}
              + \tfrac{\beta_2-\beta_1}{2} \\
    \text{returns}\ & s(\eta_t)\, d

  so that ``-updates`` is the paper's step: :func:`dsa` negates it. The other
  variants (the paper's formulas 3 to 5) change one line each:

  ============== ================ ================== =========================
  variant        η                s(η), d            η update
  ============== ================ ================== =========================
  basic          one scalar       η, g               η + β Σ x
  per_parameter  per element      η, g               η + β x
  exponential    per element      2^η, g/(|g|+ε)     η + β x/(|x|+ε)
  full           per element      2^η, g/(|g|+ε)     as above (formula 6)
  ============== ================ ================== =========================

  where β is ``beta1``. η is clipped to keep the step finite in each
  parameter's dtype (see :mod:`dsa_optax.bounds`: for float32, [-126, 126] in
  the exponential variants). η is stored in float32 (or the parameter's dtype
  if wider); updates come back in each parameter's dtype.

  The probe gradient :math:`\nabla L(\tilde\theta)` comes from the keyword
  argument ``value_fn`` (a scalar loss of the parameters, differentiated with
  :func:`jax.vjp`) or ``grad_fn`` (a function returning the gradient, e.g.
  accumulated over chunks of a full batch). Exactly one must be given. Other
  keyword arguments that the function's signature names are passed to it; the
  rest are ignored. In a chain, the probe gradient is the raw gradient of the
  loss: transforms placed before DSA do not see it.

  Non-finite values: where g is not finite, η keeps its value and the update
  is not finite (as in every optax transform; wrap with
  :func:`optax.apply_if_finite` to skip such steps). Where g is finite but
  the probe gradient is not (the probe left the region where the loss is
  finite), the exponential variants treat it as a sign disagreement, so η
  drops by β1 ("full") or β ("exponential"); the linear variants keep η.
  Where both are finite but their product overflows, the exponential variants
  use its sign (the limit of x/(|x|+ε)) and the linear ones saturate η at
  its bound. For the linear variants the bound keeps η finite, not the step
  η·g, which a huge gradient can still overflow.

  Args:
    eta0: initial η: log2 of the initial step for "exponential" and "full"
      (default -12, a first step of 2^-12), the initial learning rate for
      "basic" and "per_parameter" (default 0.01).
    beta1: step by which η drops when g̃ and g disagree in sign ("full",
      default 0.6), or the single β of the other variants (defaults: 0.45 for
      "exponential", 1e-3 for the linear variants).
    beta2: step by which η grows when g̃ and g agree ("full" only, default
      0.3).
    eps: the paper's "infinitesimal" in g/(|g|+ε) and x/(|x|+ε).
    variant: one of "basic", "per_parameter", "exponential", "full".
    eta_min: optional lower bound on η, tighter than the dtype's.
    eta_max: optional upper bound on η, tighter than the dtype's.

  Returns:
    A :class:`optax.GradientTransformationExtraArgs` whose ``update`` takes
    ``(updates, state, params, *, value_fn=None, grad_fn=None, **extra_args)``.

  Example:
    >>> import jax, jax.numpy as jnp, optax
    >>> from dsa_optax import scale_by_dsa
    >>> loss = lambda p: jnp.sum((p - 3.0) ** 2)
    >>> tx = optax.chain(scale_by_dsa(), optax.scale(-1.0))
    >>> params = jnp.zeros(2)
    >>> state = tx.init(params)
    >>> for _ in range(60):
    ...   updates, state = tx.update(
    ...       jax.grad(loss)(params), state, params, value_fn=loss)
    ...   params = optax.apply_updates(params, updates)
    >>> print(float(loss(params)) < 1e-6)
    True

  References:
    Anonymous, `Differentiable Self-Adaptive Learning Rate
    <https://openreview.net/forum?id=4ivWpK9ZSLY>`_, ICLR 2022 submission,
    formulas 3 to 6 and Algorithm 1.
  """
  eta0, beta1, beta2 = _resolve(variant, eta0, beta1, beta2)
  exponential = variant in ("exponential", "full")

  def init_fn(params):
    if variant == "basic":
      dtype = _eta_dtype(jnp.result_type(*jax.tree.leaves(params)))
      eta = jnp.asarray(eta0, dtype=dtype)
    else:
      eta = jax.tree.map(
          lambda p: jnp.full_like(p, eta0, dtype=_eta_dtype(p.dtype)), params
      )
    return ScaleByDSAState(count=jnp.zeros([], jnp.int32), eta=eta)

  def direction(g, eta_dtype):
    g = g.astype(eta_dtype)
    return g / (jnp.abs(g) + eps) if exponential else g

  def step_size(eta):
    return jnp.exp2(eta) if exponential else eta

  def sign_signal(x, g, g_probe):
    """x/(|x|+ε); its limit ±1 where x overflows; -1 where g̃ is not finite."""
    overflowed = jnp.sign(g) * jnp.sign(g_probe)
    return jnp.where(
        jnp.isfinite(x),
        x / (jnp.abs(x) + eps),
        jnp.where(jnp.isfinite(g_probe), overflowed, -1.0),
    )

  def new_eta_elementwise(eta, g, g_probe, p):
    g, g_probe = g.astype(eta.dtype), g_probe.astype(eta.dtype)
    x = g_probe * g
    if variant == "per_parameter":
      eta_t = eta + beta1 * jnp.where(jnp.isfinite(g_probe), x, 0.0)
    elif variant == "exponential":
      eta_t = eta + beta1 * sign_signal(x, g, g_probe)
    else:  # full, formula 6
      eta_t = (
          eta + (beta1 + beta2) / 2 * sign_signal(x, g, g_probe) + (beta2 - beta1) / 2
      )
    eta_t = jnp.where(jnp.isfinite(g), eta_t, eta)
    return jnp.clip(eta_t, *eta_bounds(p.dtype, exponential, eta_min, eta_max))

  def new_eta_scalar(eta, grads, probe_grads, params):
    """Formula 3: one η for all parameters, moved by β Σ(g̃·g)."""
    products = jax.tree.map(
        lambda g, gp: jnp.where(
            jnp.isfinite(g) & jnp.isfinite(gp), g.astype(eta.dtype) * gp.astype(eta.dtype), 0.0
        ),
        grads,
        probe_grads,
    )
    # An overflowing sum saturates (and is clipped below); inf - inf counts as 0.
    total = jnp.nan_to_num(sum(jnp.sum(x) for x in jax.tree.leaves(products)), nan=0.0)
    narrowest = min((p.dtype for p in jax.tree.leaves(params)), key=lambda d: jnp.finfo(d).max)
    return jnp.clip(eta + beta1 * total, *eta_bounds(narrowest, False, eta_min, eta_max))

  def update_fn(
      updates,
      state: ScaleByDSAState,
      params=None,
      *,
      value_fn: Callable[..., Any] | None = None,
      grad_fn: Callable[..., Any] | None = None,
      **extra_args,
  ):
    if params is None:
      raise ValueError(
          "DSA needs the current params to place its probe point: call "
          "`update(grads, state, params, value_fn=...)`."
    )
    gradient_at = probe_gradient_fn(value_fn, grad_fn, extra_args)
    eta = state.eta
    etas = jax.tree.map(lambda _: eta, params) if variant == "basic" else eta

    def scaled(g, e):
      return step_size(e) * direction(g, e.dtype)

    probe = jax.tree.map(
        lambda p, g, e: p - scaled(g, e).astype(p.dtype), params, updates, etas
    )
    probe_grads = gradient_at(probe)

    if variant == "basic":
      eta = new_eta_scalar(eta, updates, probe_grads, params)
      etas = jax.tree.map(lambda _: eta, params)
    else:
      eta = jax.tree.map(new_eta_elementwise, eta, updates, probe_grads, params)
      etas = eta
    new_updates = jax.tree.map(
        lambda g, e, p: scaled(g, e).astype(p.dtype), updates, etas, params
    )
    return new_updates, ScaleByDSAState(
        count=optax.safe_increment(state.count), eta=eta
    )

  return optax.GradientTransformationExtraArgs(init_fn, update_fn)
