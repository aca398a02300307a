"""The training objective: a Flax NNX model as pure functions of its state.

The model is split once with ``nnx.split(model, nnx.Param, ...)`` into a static
graph definition, the trainable parameters and the rest of its state (e.g. the
random-stream counters of fractional max-pooling). Every jitted step works on
the two state pytrees; nothing in the hot path touches Python objects.
"""

import dataclasses
from typing import Any

import jax
import jax.numpy as jnp
import optax
from flax import nnx


def as_model_input(x: jax.Array) -> jax.Array:
  """uint8 images to float32 in [0, 1]; float features unchanged."""
  if x.dtype == jnp.uint8:
    return x.astype(jnp.float32) / 255.0
  return x


@dataclasses.dataclass(frozen=True)
class Objective:
  """Negative log-likelihood of a classifier, as pure functions of its state.

  Attributes:
    graphdef: the static graph of the model in training mode.
    eval_graphdef: the same model in evaluation mode (deterministic pooling).
  """

  graphdef: Any
  eval_graphdef: Any

  @classmethod
  def from_model(cls, model: nnx.Module) -> tuple["Objective", Any, Any]:
    """Splits ``model``; returns ``(objective, params, rest)``."""
    model.train()
    graphdef, params, rest = nnx.split(model, nnx.Param, ...)
    model.eval()
    eval_graphdef, _, _ = nnx.split(model, nnx.Param, ...)
    model.train()
    return cls(graphdef, eval_graphdef), params, rest

  def logits(self, params, rest, x, *, train: bool = True):
    """Logits ``(batch, n_classes)`` and the model's updated non-param state."""
    # copy=True: the merged module is local to this trace (FMP mutates its RNG counter).
    model = nnx.merge(self.graphdef if train else self.eval_graphdef, params, rest, copy=True)
    logits = model(as_model_input(x))
    return logits, nnx.split(model, nnx.Param, ...)[2]

  def weighted_loss_sum(self, params, rest, x, y, weights):
    """Σ_i w_i · NLL_i over a batch (weights 0 mark padding); and new rest."""
    logits, new_rest = self.logits(params, rest, x)
    nll = optax.softmax_cross_entropy_with_integer_labels(logits.astype(jnp.float32), y)
    return jnp.sum(weights * nll), new_rest

  def batch_loss(self, params, rest, x, y, weights):
    """Mean NLL over the real (weight 1) examples of a batch; and new rest."""
    total, new_rest = self.weighted_loss_sum(params, rest, x, y, weights)
    return total / jnp.maximum(jnp.sum(weights), 1.0), new_rest
