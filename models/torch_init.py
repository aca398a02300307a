"""PyTorch's default initialisation for Flax layers (the paper ran PyTorch).

``torch.nn.Linear`` and ``torch.nn.Conv2d`` draw weights with
``kaiming_uniform_(a=sqrt(5))``, i.e. ``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``,
and biases from the same interval. ``fan_in`` is ``in_features`` for a dense
layer and ``in_channels * kh * kw`` for a convolution. Flax's defaults differ
(LeCun normal weights, zero biases).
"""

import math

import jax
import jax.numpy as jnp
from flax import nnx

# variance_scaling's uniform bound is sqrt(3 * scale / fan_in): 1/sqrt(fan_in)
# for scale 1/3. Flax reads fan_in from axis -2 times the kernel's spatial dims.
kernel_init = nnx.initializers.variance_scaling(1.0 / 3.0, 'fan_in', 'uniform')


def bias_init(fan_in: int) -> nnx.Initializer:
  """``U(-1/sqrt(fan_in), 1/sqrt(fan_in))``: a bias has no fan_in of its own."""
  bound = 1.0 / math.sqrt(fan_in)

  def init(key, shape, dtype=jnp.float32):
    return jax.random.uniform(key, shape, dtype, -bound, bound)

  return init


def linear(in_features: int, out_features: int, *, rngs: nnx.Rngs) -> nnx.Linear:
  """``nnx.Linear`` initialised like ``torch.nn.Linear``."""
  return nnx.Linear(
      in_features,
      out_features,
      kernel_init=kernel_init,
      bias_init=bias_init(in_features),
      rngs=rngs,
  )


def conv(
    in_features: int,
    out_features: int,
    kernel_size: int,
    *,
    padding: int = 0,
    rngs: nnx.Rngs,
) -> nnx.Conv:
  """Square ``nnx.Conv`` (stride 1) initialised like ``torch.nn.Conv2d``."""
  return nnx.Conv(
      in_features,
      out_features,
      kernel_size=(kernel_size, kernel_size),
      padding=padding,
      kernel_init=kernel_init,
      bias_init=bias_init(in_features * kernel_size * kernel_size),
      rngs=rngs,
  )
