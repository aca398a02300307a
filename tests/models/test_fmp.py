"""FMP: shapes, parameter counts, pooling randomness, and a short fit on MNIST."""

import functools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from flax import nnx

from models import FMP

SLIM = 1 / 16


def count_params(model):
  return sum(math.prod(p.shape) for p in jax.tree.leaves(nnx.state(model, nnx.Param)))


@pytest.mark.parametrize(
    'in_shape, n_classes, width, expected',
    [
        ((28, 28, 1), 10, 1.0, 10_604_502),
        ((32, 32, 3), 10, 1.0, 10_605_654),
        ((32, 32, 3), 100, 1.0, 10_790_064),
        ((28, 28, 1), 10, SLIM, 42_882),
        ((32, 32, 3), 10, SLIM, 42_954),
    ],
)
def test_parameter_count(in_shape, n_classes, width, expected):
  model = nnx.eval_shape(lambda: FMP(in_shape, n_classes, width=width, rngs=nnx.Rngs(0)))
  assert count_params(model) == expected


@pytest.mark.parametrize('in_shape', [(28, 28, 1), (32, 32, 3)])
@pytest.mark.parametrize('deterministic', [False, True])
def test_output_shape_and_final_maps(in_shape, deterministic):
  # Abstract evaluation: shapes without compiling anything.
  model = nnx.eval_shape(lambda: FMP(in_shape, 10, width=SLIM, rngs=nnx.Rngs(0)))
  model.set_attributes(deterministic=deterministic)
  logits = nnx.eval_shape(lambda m, x: m(x), model, jnp.zeros((2, *in_shape)))
  assert logits.shape == (2, 10)
  # Six √2 poolings end at 2x2 maps of round(512 / 16) = 32 channels.
  assert model.linear.in_features == 2 * 2 * 32


def test_pooling_randomness_through_split_and_merge(mnist_batch):
  """In a pure jitted function the regions depend only on the state passed in,
  and the returned state holds the advanced counters; in evaluation mode they
  are fixed."""
  x = mnist_batch[0][:4]
  model = FMP(width=SLIM, rngs=nnx.Rngs(0))

  @functools.partial(jax.jit, static_argnums=0)
  def forward(graphdef, state):
    model = nnx.merge(graphdef, state, copy=True)
    return model(x), nnx.state(model)

  graphdef, state = nnx.split(model)
  first, advanced = forward(graphdef, state)
  again, _ = forward(graphdef, state)
  second, _ = forward(graphdef, advanced)
  np.testing.assert_array_equal(first, again)
  assert not np.allclose(first, second)

  view = nnx.view(model, deterministic=True)
  model.eval()
  eval_graphdef, _ = nnx.split(model)
  assert nnx.split(view)[0] == eval_graphdef
  fixed, _ = forward(eval_graphdef, state)
  np.testing.assert_array_equal(fixed, forward(eval_graphdef, advanced)[0])


def test_a_few_steps_lower_the_loss(mnist_batch, fit):
  # With PyTorch's initialisation each conv + PReLU scales the input's signal
  # by about 0.4, so after twelve of them the logits hardly depend on the
  # image: the first steps learn the class frequencies (the loss falls from
  # log 10 towards their entropy); using the image takes tens of steps more.
  x, y = mnist_batch
  model = FMP((28, 28, 1), 10, width=SLIM, rngs=nnx.Rngs(0))
  before, after = fit(model, x[:32], y[:32], steps=10)
  assert after < before - 0.02
