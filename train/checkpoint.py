"""Checkpoints of a training run with orbax: state and progress after each epoch.

Typed PRNG keys (the random streams of fractional max-pooling) are stored as
their raw key data and re-wrapped on restore.
"""

import pathlib

import jax
import orbax.checkpoint as ocp


def _is_key(leaf) -> bool:
  return hasattr(leaf, "dtype") and jax.dtypes.issubdtype(leaf.dtype, jax.dtypes.prng_key)


def _to_storable(tree):
  return jax.tree.map(lambda x: jax.random.key_data(x) if _is_key(x) else x, tree)


def _from_storable(stored, like):
  return jax.tree.map(
      lambda s, x: jax.random.wrap_key_data(s, impl=jax.random.key_impl(x)) if _is_key(x) else s,
      stored,
      like,
  )


class Checkpoints:
  """The checkpoints of one run in ``directory`` (the two latest are kept)."""

  def __init__(self, directory: str | pathlib.Path):
    self.directory = pathlib.Path(directory).absolute()
    self._manager = ocp.CheckpointManager(
        self.directory, options=ocp.CheckpointManagerOptions(max_to_keep=2, create=True)
    )

  def latest_epoch(self) -> int | None:
    """The last epoch with a finished checkpoint, or None."""
    return self._manager.latest_step()

  def save(self, epoch: int, state, progress: dict) -> None:
    """Saves ``state`` and the JSON-able ``progress`` after ``epoch``; waits."""
    self._manager.save(
        epoch,
        args=ocp.args.Composite(
            state=ocp.args.StandardSave(_to_storable(state)),
            progress=ocp.args.JsonSave(progress),
        ),
    )
    self._manager.wait_until_finished()

  def restore(self, epoch: int, like_state):
    """``(state, progress)`` saved after ``epoch``; ``like_state`` gives the structure."""
    abstract = jax.tree.map(ocp.utils.to_shape_dtype_struct, _to_storable(like_state))
    restored = self._manager.restore(
        epoch,
        args=ocp.args.Composite(
            state=ocp.args.StandardRestore(abstract), progress=ocp.args.JsonRestore()
        ),
    )
    return _from_storable(restored.state, like_state), restored.progress

  def progress(self, epoch: int) -> dict:
    """Only the JSON progress saved after ``epoch``."""
    restored = self._manager.restore(
        epoch, args=ocp.args.Composite(progress=ocp.args.JsonRestore())
    )
    return restored.progress

  def close(self) -> None:
    self._manager.close()
