"""The paper's small LeNet-style CNN ("DNN")."""

import jax
from flax import nnx

from models import torch_init


class DNN(nnx.Module):
  """LeNet-5 (LeCun et al., 1998) with ReLU and max-pooling.

  The paper cites LeNet and Fukushima's Neocognitron, says the channel counts
  are small on purpose, and gives no layers; we take LeNet-5's:
  conv 5x5 -> 6, max-pool 2x2, conv 5x5 -> 16, max-pool 2x2, dense 120, 84,
  ``n_classes``, with ReLU after every layer but the last (the usual PyTorch
  rendering of LeNet-5, instead of its scaled tanh and trainable subsampling).
  LeNet-5 reads 32x32 images and MNIST's 28x28 digits were padded by 2 to fit:
  the first convolution pads by ``(32 - H) // 2`` when ``H < 32``, so both
  28x28 and 32x32 inputs reach the dense layers as 16 maps of 5x5.
  Initialisation as in PyTorch (see ``models.torch_init``).

  Parameter count: 61,706 on MNIST (28x28x1, 10 classes); 62,006 on SVHN and
  CIFAR-10 (32x32x3, 10 classes); 69,656 on CIFAR-100.

  Args:
    in_shape: ``(H, W, C)`` of one image.
    n_classes: number of classes.
    rngs: the ``params`` stream initialises the weights.
  """

  def __init__(
      self,
      in_shape: tuple[int, int, int] = (28, 28, 1),
      n_classes: int = 10,
      *,
      rngs: nnx.Rngs,
  ):
    h, w, c = in_shape
    pad = max(0, (32 - h) // 2)
    self.conv1 = torch_init.conv(c, 6, 5, padding=pad, rngs=rngs)
    self.conv2 = torch_init.conv(6, 16, 5, rngs=rngs)
    h = ((h + 2 * pad - 4) // 2 - 4) // 2
    w = ((w + 2 * pad - 4) // 2 - 4) // 2
    self.linear1 = torch_init.linear(16 * h * w, 120, rngs=rngs)
    self.linear2 = torch_init.linear(120, 84, rngs=rngs)
    self.linear3 = torch_init.linear(84, n_classes, rngs=rngs)

  def __call__(self, x: jax.Array) -> jax.Array:
    """Maps images ``(batch, H, W, C)`` to logits ``(batch, n_classes)``."""
    x = nnx.max_pool(nnx.relu(self.conv1(x)), (2, 2), strides=(2, 2))
    x = nnx.max_pool(nnx.relu(self.conv2(x)), (2, 2), strides=(2, 2))
    x = x.reshape(x.shape[0], -1)
    x = nnx.relu(self.linear1(x))
    x = nnx.relu(self.linear2(x))
    return self.linear3(x)
