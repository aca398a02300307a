"""Reading IDX files (the MNIST format), gzipped or not.

An IDX file is a 4-byte magic number (two zero bytes, a dtype code, the
number of dimensions), one big-endian uint32 per dimension, then the values in
row-major order, big-endian.
"""

import gzip
import math
import pathlib
import struct
import zlib

import numpy as np

from train.data import errors

_DTYPES = {
    0x08: np.dtype(np.uint8),
    0x09: np.dtype(np.int8),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}


def read_idx(path: pathlib.Path) -> np.ndarray:
  """The array stored in the IDX file `path` (gunzipped if it ends in .gz).

  Returns:
    An array with the file's dimensions, in native byte order.

  Raises:
    CorruptFileError: the file is truncated, not gzip although named .gz, or
      not an IDX file.
  """
  path = pathlib.Path(path)
  raw = path.read_bytes()
  if path.suffix == ".gz":
    try:
      raw = gzip.decompress(raw)
    except (OSError, EOFError, zlib.error) as error:
      raise _corrupt(path, f"cannot gunzip it ({error})") from error
  if len(raw) < 4 or raw[:2] != b"\0\0" or raw[2] not in _DTYPES:
    raise _corrupt(path, f"no IDX magic number (first bytes {raw[:4].hex()})")
  dtype, ndim = _DTYPES[raw[2]], raw[3]
  header = 4 + 4 * ndim
  if len(raw) < header:
    raise _corrupt(path, f"header of {ndim} dimensions is cut short")
  shape = struct.unpack(f">{ndim}I", raw[4:header])
  expected = header + math.prod(shape) * dtype.itemsize
  if len(raw) != expected:
    raise _corrupt(
        path,
        f"{len(raw)} bytes{' after gunzip' if path.suffix == '.gz' else ''}, "
        f"but its header {shape} of {dtype} needs {expected}",
    )
  values = np.frombuffer(raw, dtype, offset=header).reshape(shape)
  return values.astype(dtype.newbyteorder("="), copy=False)


def _corrupt(path: pathlib.Path, problem: str) -> errors.CorruptFileError:
  return errors.CorruptFileError(
      f"{path} is not a valid IDX file: {problem}. It is probably truncated "
      "or corrupt: delete it and download it again."
  )
