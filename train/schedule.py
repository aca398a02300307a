"""Training schedules: a sequence of stages, each one optimizer in one mode."""

import dataclasses


@dataclasses.dataclass(frozen=True)
class Stage:
  """Some epochs with one optimizer.

  Attributes:
    optimizer: registry name (see ``train.optimizers``), e.g. "adamax".
    epochs: number of epochs.
    full_batch: True for one update per epoch on the whole training set (the
      paper's "batch training"), False for shuffled mini-batches.
    batch_size: examples per mini-batch (ignored when ``full_batch``).
  """

  optimizer: str
  epochs: int
  full_batch: bool
  batch_size: int = 64

  def describe(self) -> str:
    mode = "full-batch" if self.full_batch else f"mini-batch {self.batch_size}"
    return f"{self.optimizer} ({mode}, {self.epochs} epochs)"


def full_batch_schedule(optimizer: str, epochs: int) -> tuple[Stage, ...]:
  """The paper's schedule for small data: every epoch one full-batch update."""
  return (Stage(optimizer, epochs, full_batch=True),)


def minibatch_schedule(optimizer: str, epochs: int, batch_size: int) -> tuple[Stage, ...]:
  """Plain mini-batch training."""
  return (Stage(optimizer, epochs, full_batch=False, batch_size=batch_size),)


def hybrid_schedule(
    first_epochs: int,
    second_epochs: int,
    batch_size: int,
    first: str = "adamax",
    second: str = "dsa",
) -> tuple[Stage, ...]:
  """The paper's schedule for large data (section 2.3).

  ``first_epochs`` (T1) of mini-batch ``first`` (Adamax), then
  ``second_epochs`` (T2) of full-batch ``second`` (DSA), which starts from its
  initial state (η0) at the parameters the first stage reached.
  """
  return (
      Stage(first, first_epochs, full_batch=False, batch_size=batch_size),
      Stage(second, second_epochs, full_batch=True),
  )
