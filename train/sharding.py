"""Data parallelism with JAX's own sharding.

Batches are split along their first axis over a 1-D device mesh named
``"data"``; parameters and optimizer state are replicated. The compiler then
partitions the forward and backward passes and reduces the gradients across
devices. On several hosts, call ``jax.distributed.initialize()`` first (see
the README): ``jax.devices()`` then lists every host's devices and the same
code runs unchanged, each host feeding the same global arrays.
"""

import jax
import numpy as np
from jax.sharding import Mesh, NamedSharding, PartitionSpec


def data_mesh(devices=None) -> Mesh:
  """A 1-D mesh named "data" over ``devices`` (default: all devices)."""
  devices = jax.devices() if devices is None else devices
  return Mesh(np.asarray(devices), ("data",))


def replicate(tree, mesh: Mesh | None):
  """Places every leaf of ``tree`` on all devices of ``mesh``."""
  if mesh is None:
    return tree
  return jax.device_put(tree, NamedSharding(mesh, PartitionSpec()))


def shard_batch(x: jax.Array, mesh: Mesh | None) -> jax.Array:
  """Asks the compiler to split ``x`` along its first axis over the mesh."""
  if mesh is None:
    return x
  return jax.lax.with_sharding_constraint(x, NamedSharding(mesh, PartitionSpec("data")))


def check_divisible(batch_size: int, mesh: Mesh | None, what: str = "batch size"):
  """Raises when a batch cannot be split evenly over the mesh."""
  if mesh is not None and batch_size % mesh.size:
    raise ValueError(
        f"The {what} ({batch_size}) must be a multiple of the number of devices "
        f"({mesh.size}) for data-parallel training: pass a {what} divisible by "
        f"{mesh.size}, or fewer devices."
    )
