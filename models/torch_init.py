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


def uniform(fan_in: int) -> nnx.Initializer:
  """``U(-1/sqrt(fan_in), 1/sqrt(fan_in))`` for a weight or a bias."""
  bound = 1.0 / math.sqrt(fan_in)

  def init(key, shape, dtype=jnp.float32):
    # Drawn flat: the same distribution, but on CPU a 1-D draw compiles several
    # times faster than a 4-D one (jax_threefry_partitionable), which is most
    # of the cost of building a model.
    flat = jax.random.uniform(key, (math.prod(shape),), dtype, -bound, bound)
    return flat.reshape(shape)

  return init


def linear(in_features: int, out_features: int, *, rngs: nnx.Rngs) -> nnx.Linear:
  """``nnx.Linear`` initialised like ``torch.nn.Linear``."""
  init = uniform(in_features)
  return nnx.Linear(
      in_features, out_features, kernel_init=init, bias_init=init, rngs=rngs
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
  init = uniform(in_features * kernel_size * kernel_size)
  return nnx.Conv(
      in_features,
      out_features,
      kernel_size=(kernel_size, kernel_size),
      padding=padding,
      kernel_init=init,
      bias_init=init,
      rngs=rngs,
  )
