"""The digest table in `sources` describes the published files: the files in
the data directory have the MD5s published for them, and those digests."""

import gzip
import hashlib

import pytest

from train.data import download
from train.data import locate
from train.data import sources

# MD5 of the uncompressed files as published (MNIST and Fashion-MNIST
# READMEs, torchvision; the UCI MD5s from the project's SPEC).
_PUBLISHED_MD5 = {
    "mnist/train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "mnist/train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "mnist/t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "mnist/t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
    "fashion_mnist/train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
    "fashion_mnist/train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
    "fashion_mnist/t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
    "fashion_mnist/t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
    "uci/car.data": "a7cc161391b3c8de17f04dc835fbbf68",
    "uci/agaricus-lepiota.data": "08abc775ae2a79b402cc75f3a29e4b7d",
}

_FILES = [
    *sources.MNIST.values(), *sources.FASHION_MNIST.values(), sources.CAR, sources.MUSHROOM,
]


@pytest.mark.parametrize("file", _FILES, ids=lambda file: f"{file.folder}/{file.name}")
def test_local_file_is_the_published_one(file, data_dir):
  path = locate.find(file, data_dir, download=False)
  gzipped = path.suffix == ".gz"
  md5 = hashlib.md5()
  with (gzip.open if gzipped else open)(path, "rb") as stream:
    md5.update(stream.read())
  assert md5.hexdigest() == _PUBLISHED_MD5[f"{file.folder}/{file.name.removesuffix('.gz')}"]
  assert download.content_sha256(path, gzipped) == file.sha256


def test_every_file_has_a_canonical_https_or_http_source():
  for file in _FILES:
    assert file.urls and all(url.startswith(("https://", "http://")) for url in file.urls)
    assert all(url.endswith(file.name) for url in file.urls)
