"""The paper's experiments as named presets (SPEC section 3, paper section 3.1).

Small tabular data trains full-batch, one update per epoch, for 100 epochs.
Image data follows the paper's hybrid schedule for DSA (T1 epochs of
mini-batch Adamax, then T2 epochs of full-batch DSA); every other optimizer
trains mini-batch for T1 + T2 epochs, as in the paper's comparison. L-BFGS
needs a deterministic loss, so on image data it takes DSA's place in the
second stage.
"""

import dataclasses

from flax import nnx

import models
from train import optimizers
from train.schedule import Stage, full_batch_schedule, hybrid_schedule, minibatch_schedule

ALL_OPTIMIZERS = ("dsa",) + optimizers.PAPER_BASELINES + optimizers.PEERS


@dataclasses.dataclass(frozen=True)
class Preset:
  """One experiment of the paper.

  Attributes:
    name: e.g. "mlp-wine".
    model: "mlp", "dnn" or "fmp".
    dataset: a name known to ``train.data.load``.
    epochs: (T1, T2) of the hybrid schedule, or (epochs, 0) for full-batch.
    batch_size: mini-batch size of the first stage (None: full-batch only).
  """

  name: str
  model: str
  dataset: str
  epochs: tuple[int, int]
  batch_size: int | None = None

  @property
  def full_batch(self) -> bool:
    return self.batch_size is None

  def schedule(self, optimizer: str, epochs=None, batch_size=None) -> tuple[Stage, ...]:
    """The stages ``optimizer`` trains through in this experiment.

    Args:
      optimizer: registry name.
      epochs: override: (T1, T2) for a hybrid preset, an int for a full-batch
        one.
      batch_size: override of the mini-batch size.
    """
    if self.full_batch:
      return full_batch_schedule(optimizer, self.epochs[0] if epochs is None else epochs)
    t1, t2 = epochs if epochs is not None else self.epochs
    batch_size = batch_size or self.batch_size
    spec = optimizers.get(optimizer)
    if spec.group == "dsa" or spec.full_batch_only:
      return hybrid_schedule(t1, t2, batch_size, first="adamax", second=optimizer)
    return minibatch_schedule(optimizer, t1 + t2, batch_size)

  def build_model(self, input_shape, n_classes: int, seed: int, width: float = 1.0) -> nnx.Module:
    """A freshly initialised model for this experiment."""
    rngs = nnx.Rngs(params=seed, pool=seed)
    if self.model == "mlp":
      return models.MLP(input_shape[0], n_classes, rngs=rngs)
    if self.model == "dnn":
      return models.DNN(tuple(input_shape), n_classes, rngs=rngs)
    return models.FMP(tuple(input_shape), n_classes, width=width, rngs=rngs)


def _presets():
  presets = [
      Preset(f"mlp-{d}", "mlp", d, (100, 0)) for d in ("iris", "wine", "car", "mushroom")
  ]
  for dataset, batch in (("mnist", 64), ("fashion_mnist", 64), ("svhn", 64), ("cifar10", 64), ("cifar100", 32)):
    presets.append(Preset(f"dnn-{dataset.replace('_', '-')}", "dnn", dataset, (15, 15), batch))
  for dataset, batch, epochs in (
      ("mnist", 64, (50, 15)), ("svhn", 64, (75, 15)), ("cifar10", 128, (75, 15)), ("cifar100", 256, (50, 15))
  ):
    presets.append(Preset(f"fmp-{dataset}", "fmp", dataset, epochs, batch))
  return {p.name: p for p in presets}


PRESETS: dict[str, Preset] = _presets()


def get(name: str) -> Preset:
  """The preset called ``name``; a ValueError listing them all otherwise."""
  if name not in PRESETS:
    raise ValueError(f"Unknown preset {name!r}. Known presets: {', '.join(PRESETS)}.")
  return PRESETS[name]
