"""Every optimizer the experiments compare, by name, behind one update call.

Each entry's ``make(**overrides)`` returns an
:class:`optax.GradientTransformationExtraArgs` whose ``update`` is called the
same way for all of them::

  updates, state = tx.update(
      grads, state, params, **update_kwargs(loss, grads, loss_fn))

DSA and L-BFGS use the keyword arguments; first-order methods ignore them.
"""

import dataclasses
import functools
from typing import Any, Callable

import jax
import jax.numpy as jnp
import optax
from optax import contrib

import dsa_optax
from train.optimizers import torch_defaults
from train.optimizers.adagrad import adagrad
from train.optimizers.rprop import rprop

PAPER_BASELINES = (
    "sgd", "momentum", "adagrad", "adadelta", "rmsprop", "adam", "adamax", "adamw"
)
DSA_VARIANTS = ("dsa", "dsa_basic", "dsa_per_parameter", "dsa_exponential")
PEERS = ("rprop", "lbfgs", "prodigy", "sf_adamw")


@dataclasses.dataclass(frozen=True)
class OptimizerSpec:
  """An optimizer of the experiments: how to build it and how to account for it.

  Attributes:
    name: registry key, e.g. ``"adamax"``.
    label: display name for tables and plots, e.g. ``"Adamax"``.
    make: ``make(**overrides)`` builds the transform, with PyTorch's defaults
      for the paper's baselines and Rprop, and the defaults of ``dsa_optax``
      or optax otherwise.
    needs_value_fn: whether ``update`` uses ``value_fn`` (DSA, L-BFGS).
    full_batch_only: whether the method is meaningful only with full-batch
      steps (L-BFGS: its line search and curvature pairs need one objective).
    group: ``"paper"`` (the paper's baselines), ``"dsa"`` or ``"peer"``.
    evals_per_update: gradient evaluations per update outside any line search,
      counting the caller's own (2 for DSA: the caller's and the probe's).
    line_search: whether ``update`` runs optax's line search, whose
      evaluations (value and gradient each) add to ``evals_per_update``.
    eval_params_fn: ``(state, params) -> params`` at which to evaluate the
      model, when these are not the trained params (schedule-free AdamW).
  """

  name: str
  label: str
  make: Callable[..., optax.GradientTransformationExtraArgs]
  needs_value_fn: bool
  full_batch_only: bool
  group: str
  evals_per_update: int = 1
  line_search: bool = False
  eval_params_fn: Callable[[optax.OptState, optax.Params], optax.Params] | None = None

  def grad_evals(self, state_before: optax.OptState, state_after: optax.OptState) -> jax.Array:
    """Gradient evaluations that one update used, as an int32 scalar (jit-able).

    Args:
      state_before: the state the update started from. The current entries
        record per-update counts in the new state and do not read it.
      state_after: the state the update returned.

    Returns:
      ``evals_per_update``, plus the line search's steps for L-BFGS (read from
      optax's ``num_linesearch_steps``). A caller that reuses the line search's
      last value and gradient (:func:`optax.value_and_grad_from_state`) saves
      one of these.
    """
    del state_before
    evals = jnp.asarray(self.evals_per_update, jnp.int32)
    if self.line_search:
      evals += optax.tree.get(state_after, "num_linesearch_steps").astype(jnp.int32)
    return evals

  def eval_params(self, state: optax.OptState, params: optax.Params) -> optax.Params:
    """The params to evaluate the model with (the trained ones but for schedule-free)."""
    if self.eval_params_fn is None:
      return params
    return self.eval_params_fn(state, params)


def _paper(name: str, label: str, make: Callable[..., Any]) -> OptimizerSpec:
  return OptimizerSpec(
      name, label, make, needs_value_fn=False, full_batch_only=False, group="paper"
  )


def _dsa(name: str, label: str, variant: str) -> OptimizerSpec:
  return OptimizerSpec(
      name,
      label,
      functools.partial(dsa_optax.dsa, variant=variant),
      needs_value_fn=True,
      full_batch_only=False,
      group="dsa",
      evals_per_update=2,
  )


_SPECS = (
    _paper("sgd", "SGD", torch_defaults.sgd),
    _paper("momentum", "Momentum", torch_defaults.momentum),
    _paper("adagrad", "AdaGrad", adagrad),
    _paper("adadelta", "AdaDelta", torch_defaults.adadelta),
    _paper("rmsprop", "RMSProp", torch_defaults.rmsprop),
    _paper("adam", "Adam", torch_defaults.adam),
    _paper("adamax", "Adamax", torch_defaults.adamax),
    _paper("adamw", "AdamW", torch_defaults.adamw),
    _dsa("dsa", "DSA", "full"),
    _dsa("dsa_basic", "DSA (basic)", "basic"),
    _dsa("dsa_per_parameter", "DSA (per-parameter)", "per_parameter"),
    _dsa("dsa_exponential", "DSA (exponential)", "exponential"),
    # PyTorch's defaults: lr 0.01, etas (0.5, 1.2), step sizes (1e-6, 50).
    OptimizerSpec(
        "rprop", "Rprop", rprop, needs_value_fn=False, full_batch_only=False, group="peer"
    ),
    # optax.lbfgs() defaults: memory 10, scaled initial preconditioner, step
    # from a zoom line search (strong Wolfe, at most 20 steps, first guess 1).
    OptimizerSpec(
        "lbfgs",
        "L-BFGS",
        optax.lbfgs,
        needs_value_fn=True,
        full_batch_only=True,
        group="peer",
        line_search=True,
    ),
    # optax.contrib.prodigy() defaults: learning rate 1 (a multiplier of the
    # estimated step d, starting at 1e-6), betas (0.9, 0.999), no weight decay.
    OptimizerSpec(
        "prodigy",
        "Prodigy",
        contrib.prodigy,
        needs_value_fn=False,
        full_batch_only=False,
        group="peer",
    ),
    # optax.contrib.schedule_free_adamw() defaults: learning rate 0.0025 held
    # constant, no warmup (warmup_steps=None), b1 0.9, b2 0.999, no weight decay.
    OptimizerSpec(
        "sf_adamw",
        "Schedule-free AdamW",
        contrib.schedule_free_adamw,
        needs_value_fn=False,
        full_batch_only=False,
        group="peer",
        eval_params_fn=contrib.schedule_free_eval_params,
    ),
)
REGISTRY: dict[str, OptimizerSpec] = {spec.name: spec for spec in _SPECS}


def get(name: str) -> OptimizerSpec:
  """The registry entry called ``name``.

  Args:
    name: a key of :data:`REGISTRY`, e.g. ``"adamax"``.

  Returns:
    The :class:`OptimizerSpec`.

  Raises:
    ValueError: if ``name`` is unknown; the message lists the known names.

  Example:
    >>> from train.optimizers import get
    >>> spec = get("adamax")
    >>> spec.label, spec.group
    ('Adamax', 'paper')
  """
  try:
    return REGISTRY[name]
  except KeyError:
    raise ValueError(
        f"Unknown optimizer {name!r}; known: {', '.join(REGISTRY)}."
    ) from None


def update_kwargs(
    loss_value: jax.typing.ArrayLike,
    grads: optax.Updates,
    loss_fn: Callable[[optax.Params], jax.Array],
) -> dict[str, Any]:
  """The keyword arguments every registry optimizer's ``update`` is called with.

  Exactly these three: optax's L-BFGS line search rejects any keyword that
  ``value_fn`` does not consume.

  Args:
    loss_value: the loss at the current params.
    grads: its gradient (the ``updates`` passed to ``update``).
    loss_fn: ``params -> scalar loss``, on the same batch.

  Returns:
    ``dict(value=loss_value, grad=grads, value_fn=loss_fn)``.
  """
  return dict(value=loss_value, grad=grads, value_fn=loss_fn)
