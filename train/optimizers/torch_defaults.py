"""The paper's baselines that optax computes as PyTorch does, with PyTorch's defaults.

The paper ran its baselines with ``torch.optim``'s built-in defaults; optax's
defaults differ. Each factory here is an optax built-in whose update equals
PyTorch's (torch 2.x ``_single_tensor_*``), up to float rounding, with
PyTorch's default hyperparameters. AdaGrad and Rprop need their own transforms
(:mod:`train.optimizers.adagrad`, :mod:`train.optimizers.rprop`). Argument
names are optax's. PyTorch options left at their default are not exposed
(weight_decay 0 except in AdamW, no Nesterov, no ``centered``, no
``amsgrad``, no ``maximize``).
"""

import jax
import optax


def sgd(learning_rate: optax.ScalarOrSchedule = 0.01) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.SGD(lr=0.01)``: :math:`\theta_t = \theta_{t-1} - \gamma g_t`.

  0.01 is the paper's setting: torch 2.x defaults ``lr`` to 1e-3 (older
  versions required it).
  """
  return optax.sgd(learning_rate)


def momentum(
    learning_rate: optax.ScalarOrSchedule = 0.01,
    momentum: jax.typing.ArrayLike = 0.9,
) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.SGD(lr=0.01, momentum=0.9)`` (dampening 0, no Nesterov).

  .. math::

    b_t &= \mu b_{t-1} + g_t, \quad b_1 = g_1 \\
    \theta_t &= \theta_{t-1} - \gamma b_t

  ``optax.sgd(momentum=μ)`` traces :math:`b_t = g_t + \mu b_{t-1}` from
  :math:`b_0 = 0`, hence the same :math:`b_1 = g_1`.
  """
  return optax.sgd(learning_rate, momentum=momentum)


def adadelta(
    learning_rate: optax.ScalarOrSchedule = 1.0,
    rho: jax.typing.ArrayLike = 0.9,
    eps: jax.typing.ArrayLike = 1e-6,
) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.Adadelta(lr=1.0, rho=0.9, eps=1e-6)``.

  .. math::

    v_t &= \rho v_{t-1} + (1-\rho) g_t^2 \\
    \delta_t &= \sqrt{u_{t-1} + \epsilon} / \sqrt{v_t + \epsilon} \cdot g_t \\
    u_t &= \rho u_{t-1} + (1-\rho) \delta_t^2 \\
    \theta_t &= \theta_{t-1} - \gamma \delta_t

  ``optax.adadelta`` computes the same; only its learning rate needs setting.
  """
  return optax.adadelta(learning_rate, rho=rho, eps=eps)


def rmsprop(
    learning_rate: optax.ScalarOrSchedule = 0.01,
    decay: jax.typing.ArrayLike = 0.99,
    eps: jax.typing.ArrayLike = 1e-8,
) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.RMSprop(lr=0.01, alpha=0.99, eps=1e-8)`` (not centered, no momentum).

  .. math::

    v_t &= \alpha v_{t-1} + (1-\alpha) g_t^2, \quad v_0 = 0 \\
    \theta_t &= \theta_{t-1} - \gamma g_t / (\sqrt{v_t} + \epsilon)

  ``decay`` is PyTorch's ``alpha``. optax's defaults differ (decay 0.9, ε
  inside the square root): ``eps_in_sqrt=False`` puts it outside.
  """
  return optax.rmsprop(learning_rate, decay=decay, eps=eps, eps_in_sqrt=False)


def adam(
    learning_rate: optax.ScalarOrSchedule = 1e-3,
    b1: jax.typing.ArrayLike = 0.9,
    b2: jax.typing.ArrayLike = 0.999,
    eps: jax.typing.ArrayLike = 1e-8,
) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.Adam(lr=1e-3, betas=(0.9, 0.999), eps=1e-8)``.

  .. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t, \quad
    v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2 \\
    \theta_t &= \theta_{t-1} - \gamma \frac{m_t / (1-\beta_1^t)}
      {\sqrt{v_t / (1-\beta_2^t)} + \epsilon}
  """
  return optax.adam(learning_rate, b1=b1, b2=b2, eps=eps)


def adamax(
    learning_rate: optax.ScalarOrSchedule = 2e-3,
    b1: jax.typing.ArrayLike = 0.9,
    b2: jax.typing.ArrayLike = 0.999,
    eps: jax.typing.ArrayLike = 1e-8,
) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.Adamax(lr=2e-3, betas=(0.9, 0.999), eps=1e-8)``.

  .. math::

    m_t &= \beta_1 m_{t-1} + (1-\beta_1) g_t \\
    u_t &= \max(\beta_2 u_{t-1}, |g_t| + \epsilon) \\
    \theta_t &= \theta_{t-1} - \frac{\gamma}{1-\beta_1^t} \frac{m_t}{u_t}

  ``optax.adamax`` puts ε in the same place (inside the max).
  """
  return optax.adamax(learning_rate, b1=b1, b2=b2, eps=eps)


def adamw(
    learning_rate: optax.ScalarOrSchedule = 1e-3,
    b1: jax.typing.ArrayLike = 0.9,
    b2: jax.typing.ArrayLike = 0.999,
    eps: jax.typing.ArrayLike = 1e-8,
    weight_decay: jax.typing.ArrayLike = 1e-2,
) -> optax.GradientTransformationExtraArgs:
  r"""``torch.optim.AdamW(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2)``.

  Decoupled weight decay λ, then the Adam step of :func:`adam`:
  :math:`\theta_t = \theta_{t-1}(1 - \gamma\lambda) - \gamma\,
  \hat m_t / (\sqrt{\hat v_t} + \epsilon)`. ``optax.adamw`` adds
  :math:`\lambda\theta_{t-1}` to the Adam direction before scaling by
  :math:`-\gamma`: the same step. Its default λ is 1e-4, PyTorch's 1e-2.
  """
  return optax.adamw(learning_rate, b1=b1, b2=b2, eps=eps, weight_decay=weight_decay)
