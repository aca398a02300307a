"""The paper's MLP for the small tabular datasets."""

import jax
from flax import nnx

from models import torch_init


class MLP(nnx.Module):
  """Five dense layers: 32, 64, 256, 128, ``n_classes`` outputs.

  Sigmoid after layers 1 and 3, PReLU (one slope, initialised at 0.25 as
  ``torch.nn.PReLU()``) after layers 2 and 4, logits out: log-softmax and the
  negative log-likelihood belong to the loss. Weights and biases are
  initialised as in PyTorch (see ``models.torch_init``).

  Parameter count: ``32 * in_features + 129 * n_classes + 51_682``
  (dense layers plus two PReLU slopes). On the paper's datasets: iris (4 -> 3)
  52,197; wine (13 -> 3) 52,485; car (6 -> 4) 52,390; agaricus (116 -> 2)
  55,652.

  Args:
    in_features: number of input features.
    n_classes: number of classes.
    rngs: the ``params`` stream initialises the weights.
  """

  def __init__(self, in_features: int, n_classes: int, *, rngs: nnx.Rngs):
    self.linear1 = torch_init.linear(in_features, 32, rngs=rngs)
    self.linear2 = torch_init.linear(32, 64, rngs=rngs)
    self.prelu2 = nnx.PReLU(negative_slope_init=0.25)
    self.linear3 = torch_init.linear(64, 256, rngs=rngs)
    self.linear4 = torch_init.linear(256, 128, rngs=rngs)
    self.prelu4 = nnx.PReLU(negative_slope_init=0.25)
    self.linear5 = torch_init.linear(128, n_classes, rngs=rngs)

  def __call__(self, x: jax.Array) -> jax.Array:
    """Maps features ``(batch, in_features)`` to logits ``(batch, n_classes)``."""
    x = nnx.sigmoid(self.linear1(x))
    x = self.prelu2(self.linear2(x))
    x = nnx.sigmoid(self.linear3(x))
    x = self.prelu4(self.linear4(x))
    return self.linear5(x)
