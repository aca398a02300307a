"""The IDX reader on small files, raw and gzipped, and on broken ones."""

import gzip
import struct

import numpy as np
import pytest

from train.data import CorruptFileError
from train.data import idx


def _idx_bytes(array: np.ndarray, code: int) -> bytes:
  header = struct.pack(f">BBBB{array.ndim}I", 0, 0, code, array.ndim, *array.shape)
  return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


@pytest.mark.parametrize(
    "array, code",
    [
        (np.arange(24, dtype=np.uint8).reshape(2, 3, 4), 0x08),
        (np.arange(-3, 3, dtype=np.int32), 0x0C),
        (np.linspace(-1, 1, 6, dtype=np.float32).reshape(2, 3), 0x0D),
    ],
)
@pytest.mark.parametrize("gzipped", [False, True])
def test_reads_raw_and_gzipped(array, code, gzipped, tmp_path):
  raw = _idx_bytes(array, code)
  path = tmp_path / ("x.idx.gz" if gzipped else "x.idx")
  path.write_bytes(gzip.compress(raw) if gzipped else raw)
  values = idx.read_idx(path)
  np.testing.assert_array_equal(values, array)
  assert values.dtype == array.dtype  # native byte order


def test_truncated_file_names_the_file(tmp_path):
  path = tmp_path / "train-images-idx3-ubyte"
  path.write_bytes(_idx_bytes(np.zeros((5, 28, 28), np.uint8), 0x08)[:-100])
  with pytest.raises(CorruptFileError, match=f"{path}.*truncated"):
    idx.read_idx(path)


def test_truncated_gzip_names_the_file(tmp_path):
  path = tmp_path / "train-images-idx3-ubyte.gz"
  full = gzip.compress(_idx_bytes(np.zeros((5, 28, 28), np.uint8), 0x08))
  path.write_bytes(full[: len(full) // 2])
  with pytest.raises(CorruptFileError, match=f"{path}.*gunzip"):
    idx.read_idx(path)


def test_cut_header_and_wrong_magic(tmp_path):
  path = tmp_path / "x.idx"
  path.write_bytes(b"\0\0\x08\x03\0\0")
  with pytest.raises(CorruptFileError, match="header"):
    idx.read_idx(path)
  path.write_bytes(b"<html>not found</html>")
  with pytest.raises(CorruptFileError, match="magic"):
    idx.read_idx(path)
