"""The shared initialisation matches PyTorch's nn.Linear / nn.Conv2d defaults."""

import math

import numpy as np
import pytest
from flax import nnx

from models import torch_init


@pytest.mark.parametrize(
    'layer, fan_in',
    [
        (lambda rngs: torch_init.linear(300, 400, rngs=rngs), 300),
        (lambda rngs: torch_init.conv(32, 64, 3, rngs=rngs), 32 * 9),
        (lambda rngs: torch_init.conv(3, 600, 5, rngs=rngs), 3 * 25),
    ],
)
def test_uniform_with_bound_one_over_sqrt_fan_in(layer, fan_in):
  module = layer(nnx.Rngs(0))
  bound = 1.0 / math.sqrt(fan_in)
  for values in (np.asarray(module.kernel[...]), np.asarray(module.bias[...])):
    assert np.abs(values).max() <= bound
    assert np.abs(values).max() > 0.95 * bound
    # U(-b, b) has standard deviation b / sqrt(3).
    np.testing.assert_allclose(values.std(), bound / math.sqrt(3), rtol=0.1)
  kernel = np.asarray(module.kernel[...])
  np.testing.assert_allclose(kernel.std(), bound / math.sqrt(3), rtol=0.01)
