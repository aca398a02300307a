"""DNN (LeNet-5): shapes, parameter counts, and a short fit on MNIST."""

import math

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from models import DNN


@pytest.mark.parametrize(
    'in_shape, n_classes, expected',
    [((28, 28, 1), 10, 61_706), ((32, 32, 3), 10, 62_006), ((32, 32, 3), 100, 69_656)],
)
def test_shapes_and_parameter_count(in_shape, n_classes, expected):
  model = nnx.eval_shape(lambda: DNN(in_shape, n_classes, rngs=nnx.Rngs(0)))
  logits = nnx.eval_shape(lambda m, x: m(x), model, jnp.zeros((2, *in_shape)))
  assert logits.shape == (2, n_classes)
  assert sum(math.prod(p.shape) for p in jax.tree.leaves(nnx.state(model, nnx.Param))) == expected


def test_a_few_steps_lower_the_loss(mnist_batch, fit):
  x, y = mnist_batch
  model = DNN((28, 28, 1), 10, rngs=nnx.Rngs(0))
  before, after = fit(model, x, y, steps=10)
  assert after < 0.8 * before
