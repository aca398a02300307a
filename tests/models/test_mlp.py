"""MLP: shapes, parameter counts, and a short fit on MNIST."""

import math

import jax
import jax.numpy as jnp
import pytest
from flax import nnx

from models import MLP


def count_params(model):
  return sum(math.prod(p.shape) for p in jax.tree.leaves(nnx.state(model, nnx.Param)))


@pytest.mark.parametrize(
    'in_features, n_classes, expected',
    [(4, 3, 52_197), (13, 3, 52_485), (6, 4, 52_390), (116, 2, 55_652)],
)
def test_shapes_and_parameter_count(in_features, n_classes, expected):
  model = nnx.eval_shape(lambda: MLP(in_features, n_classes, rngs=nnx.Rngs(0)))
  logits = nnx.eval_shape(lambda m, x: m(x), model, jnp.zeros((5, in_features)))
  assert logits.shape == (5, n_classes)
  assert count_params(model) == expected == 32 * in_features + 129 * n_classes + 51_682


def test_prelu_slopes_start_at_torch_default():
  model = MLP(784, 10, rngs=nnx.Rngs(0))
  assert float(model.prelu2.negative_slope[...]) == 0.25
  assert float(model.prelu4.negative_slope[...]) == 0.25


def test_a_few_steps_lower_the_loss(mnist_batch, fit):
  x, y = mnist_batch
  model = MLP(784, 10, rngs=nnx.Rngs(0))
  # The sigmoid layers sit on a plateau for the first 15 or so steps.
  before, after = fit(model, x.reshape(len(x), -1), y, steps=30)
  assert after < 0.8 * before
