"""Graham's fractional max-pooling network ("FMP" in the paper)."""

import math

import jax
from flax import nnx

from models import torch_init
from models.fractional_max_pool import fractional_max_pool, output_size

CHANNELS = (64, 128, 256, 256, 512, 512)


class FractionalMaxPool(nnx.Module):
  """``fractional_max_pool`` as a layer that draws its regions from an RNG stream.

  Like ``nnx.Dropout``, the layer keeps a fork of the ``rng_collection`` stream
  (``"pool"``, falling back to ``"default"``) and takes a fresh key on every
  training call; the stream's counter is state, so it travels through
  ``nnx.split``/``nnx.merge`` and a pure jitted step can return it updated.
  ``deterministic=True`` (set by ``model.eval()`` or ``nnx.view``) uses the
  fixed evaluation regions and no key.

  Args:
    ratio: pooling ratio in ``(1, 2)``.
    overlapping: overlapping regions if true, else disjoint.
    pseudo_random: pseudorandom region boundaries if true, else random.
    deterministic: evaluation mode.
    rng_collection: name of the RNG stream to fork.
    rngs: holds the stream.
  """

  def __init__(
      self,
      ratio: float,
      *,
      overlapping: bool = True,
      pseudo_random: bool = True,
      deterministic: bool = False,
      rng_collection: str = 'pool',
      rngs: nnx.Rngs,
  ):
    self.ratio = ratio
    self.overlapping = overlapping
    self.pseudo_random = pseudo_random
    self.deterministic = deterministic
    self.rngs = rngs[rng_collection].fork()

  def __call__(self, x: jax.Array) -> jax.Array:
    """Pools ``(batch, H, W, C)`` to ``(batch, floor(H/ratio), floor(W/ratio), C)``."""
    return fractional_max_pool(
        x,
        self.ratio,
        rng=None if self.deterministic else self.rngs(),
        overlapping=self.overlapping,
        pseudo_random=self.pseudo_random,
        deterministic=self.deterministic,
    )

  def set_view(self, deterministic: bool | None = None):
    """Used by ``nnx.view``: ``deterministic=True`` selects evaluation mode."""
    if deterministic is not None:
      self.deterministic = deterministic


class ConvBlock(nnx.Module):
  """Two 3x3 'same' convolutions, each followed by PReLU, then a pooling layer."""

  def __init__(self, in_features: int, out_features: int, pool: nnx.Module, *, rngs: nnx.Rngs):
    self.conv1 = torch_init.conv(in_features, out_features, 3, padding=1, rngs=rngs)
    self.prelu1 = nnx.PReLU(negative_slope_init=0.25)
    self.conv2 = torch_init.conv(out_features, out_features, 3, padding=1, rngs=rngs)
    self.prelu2 = nnx.PReLU(negative_slope_init=0.25)
    self.pool = pool

  def __call__(self, x: jax.Array) -> jax.Array:
    x = self.prelu1(self.conv1(x))
    x = self.prelu2(self.conv2(x))
    return self.pool(x)


class FMP(nnx.Module):
  """Six conv blocks with fractional max-pooling, then a linear layer.

  The paper's appendix D: each block is two convolutions with PReLU and a
  fractional max-pool; channels 64, 128, 256, 256, 512, 512; a linear block.
  The rest follows Graham (2014), whose MNIST and CIFAR-10 networks stack six
  ``FMP√2`` layers: ratio ``√2``, overlapping pseudorandom regions. Our choices
  where the paper is silent: 3x3 convolutions with padding 1, one PReLU slope
  per activation (``torch.nn.PReLU()``, 0.25), and the linear block is one
  dense layer on the flattened 2x2 maps (Graham's final 2x2 convolution).
  Initialisation as in PyTorch (see ``models.torch_init``).

  Spatial sizes: 28 -> 19 -> 13 -> 9 -> 6 -> 4 -> 2 and
  32 -> 22 -> 15 -> 10 -> 7 -> 4 -> 2. Channels are ``round(c * width)``.

  Parameter count at ``width=1``: 10,604,502 on MNIST (28x28x1, 10 classes);
  10,605,654 on SVHN and CIFAR-10 (32x32x3, 10 classes); 10,790,064 on
  CIFAR-100. At ``width=1/16`` (channels 4, 8, 16, 16, 32, 32): 42,882 on
  MNIST and 42,954 on 32x32x3 with 10 classes.

  Randomness: every pooling layer forks the ``"pool"`` stream of ``rngs``
  (``"default"`` if absent) and draws new regions per call; ``model.eval()``
  or ``nnx.view(model, deterministic=True)`` switches to the fixed
  evaluation regions (``fractional_max_pool(..., deterministic=True)``).

  Args:
    in_shape: ``(H, W, C)`` of one image.
    n_classes: number of classes.
    width: channel multiplier (``1/16`` for tests and CPU runs).
    ratio: pooling ratio in ``(1, 2)``.
    overlapping: overlapping pooling regions if true, else disjoint.
    pseudo_random: pseudorandom region boundaries if true, else random.
    rngs: ``params`` initialises the weights; ``pool`` drives the pooling.
  """

  def __init__(
      self,
      in_shape: tuple[int, int, int] = (28, 28, 1),
      n_classes: int = 10,
      *,
      width: float = 1.0,
      ratio: float = math.sqrt(2),
      overlapping: bool = True,
      pseudo_random: bool = True,
      rngs: nnx.Rngs,
  ):
    h, w, c = in_shape
    blocks = []
    for channels in CHANNELS:
      out = max(1, round(channels * width))
      pool = FractionalMaxPool(
          ratio, overlapping=overlapping, pseudo_random=pseudo_random, rngs=rngs
      )
      blocks.append(ConvBlock(c, out, pool, rngs=rngs))
      h, w, c = output_size(h, ratio), output_size(w, ratio), out
    self.blocks = nnx.List(blocks)
    self.linear = torch_init.linear(h * w * c, n_classes, rngs=rngs)

  def __call__(self, x: jax.Array) -> jax.Array:
    """Maps images ``(batch, H, W, C)`` to logits ``(batch, n_classes)``."""
    for block in self.blocks:
      x = block(x)
    return self.linear(x.reshape(x.shape[0], -1))
