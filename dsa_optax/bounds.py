"""Bounds on the learning-rate state η, so that the step stays finite.

The paper leaves η unbounded. A parameter whose gradient never changes sign
(a logit on separable data) then gains β2 every step in the exponential
variants, and 2^η overflows float32 after a few hundred steps. We clip η after
every update:

* exponential and full variants (step size 2^η):
  ``minexp <= η <= maxexp - 2`` of the parameter's dtype
  (float32 and bfloat16: [-126, 126]; float16: [-14, 14]; float64:
  [-1022, 1022]). The upper bound keeps ``2^η`` at most a quarter of the
  largest finite number, so ``θ ± 2^η`` is finite for any ``|θ|`` up to half of
  it; the lower bound is the smallest normal exponent: a smaller step is
  subnormal or zero anyway, and a floor lets η climb back in a bounded number
  of steps instead of drifting to -inf.
* basic and per-parameter variants (step η·g): ``|η| <= 2^(maxexp - 2)``,
  which keeps η itself finite; the step η·g can still overflow for a huge
  gradient, as with any fixed learning rate.

Users may tighten the bounds with ``eta_min`` / ``eta_max``; they are then
intersected with the dtype bounds above.
"""

import jax.numpy as jnp


def eta_bounds(
    param_dtype, exponential: bool, eta_min=None, eta_max=None
) -> tuple:
  """The interval η is clipped to for a parameter of dtype ``param_dtype``.

  Args:
    param_dtype: the floating dtype of the parameter.
    exponential: True when the step size is 2^η, False when it is η.
    eta_min: optional user lower bound (a number, possibly traced).
    eta_max: optional user upper bound.

  Returns:
    ``(low, high)``.
  """
  info = jnp.finfo(param_dtype)
  if exponential:
    low, high = float(info.minexp), float(info.maxexp - 2)
  else:
    high = 2.0 ** (info.maxexp - 2)
    low = -high
  if eta_min is not None:
    low = jnp.maximum(low, eta_min)
  if eta_max is not None:
    high = jnp.minimum(high, eta_max)
  return low, high
