"""The deterministic problems of the paper's case studies (section 3.3, appendix H)."""

from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import numpy as np


class Problem(NamedTuple):
  """A loss of one parameter vector, where to start, and where it is minimal."""

  loss: Callable[[jax.Array], jax.Array]  # w (n,) float32 -> scalar loss
  start: jax.Array  # (n,) float32 starting point
  optimum: jax.Array  # (n,) float32 minimiser


def sum_of_four_data(n_rows: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
  """Rows of four numbers and their sums: the regression data of figure 5.

  Args:
    n_rows: number of rows.
    seed: seed of the NumPy generator that draws the rows.

  Returns:
    `(x, y)`: `x` float32 `(n_rows, 4)` uniform in [0, 1), `y = x.sum(1)`.
  """
  x = np.random.default_rng(seed).random((n_rows, 4), dtype=np.float32)
  return x, x.sum(axis=1)


def sum_of_four(n_rows: int = 100, seed: int = 0) -> Problem:
  """Least squares `mean((x w - y)^2)` over `sum_of_four_data`, from w = 0.

  The optimum is w = (1, 1, 1, 1): the loss is zero there.
  """
  x, y = (jnp.asarray(a) for a in sum_of_four_data(n_rows, seed))

  def mean_squared_error(w):
    return jnp.mean((x @ w - y) ** 2)

  return Problem(mean_squared_error, jnp.zeros(4), jnp.ones(4))


def quadratic(a: float, b: float, start: tuple[float, float]) -> Problem:
  """The quadratic `a w1^2 + b w2^2` of figures 6, 9 and 10, minimal at 0."""

  def loss(w):
    return a * w[0] ** 2 + b * w[1] ** 2

  return Problem(loss, jnp.asarray(start, jnp.float32), jnp.zeros(2))
