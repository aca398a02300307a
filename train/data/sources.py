"""Where each data file lives under a data directory and where it comes from.

A data directory is laid out as::

  mnist/{train,t10k}-{images-idx3,labels-idx1}-ubyte[.gz]
  fashion_mnist/  (same four names)
  uci/car.data
  uci/agaricus-lepiota.data
  tfds/           (prepared TFDS datasets: svhn_cropped, cifar10, cifar100)

`sha256` is the digest of the file's content, after gunzip for `.gz` files:
mirrors recompress the same IDX bytes, so the digest of the `.gz` itself is not
stable. The uncompressed MNIST and Fashion-MNIST files these digests were
computed from have the published MD5s (e.g. MNIST train-images
6bbc9ace898e44ae57da46a324031adb, Fashion-MNIST train-images
f4a8712d7a061bf5bd6d2ca38dc4d50a); the UCI files have the MD5s in the
project's SPEC (car a7cc161391b3c8de17f04dc835fbbf68, agaricus-lepiota
08abc775ae2a79b402cc75f3a29e4b7d). `tests/data/test_sources.py` checks both.
"""

import dataclasses

_MNIST_URLS = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "http://yann.lecun.com/exdb/mnist/",
)
_FASHION_URLS = (
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
    "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
)
_UCI = "https://archive.ics.uci.edu/ml/machine-learning-databases/"

# Debian's `dataset-fashion-mnist` package installs the four original files here.
FASHION_MNIST_SYSTEM_DIR = "/usr/share/datasets/fashion-mnist"


@dataclasses.dataclass(frozen=True)
class DataFile:
  """One file of a dataset: its place in a data directory and its sources."""

  folder: str  # folder under the data directory, e.g. "mnist"
  name: str  # file name as published, e.g. "train-images-idx3-ubyte.gz"
  urls: tuple[str, ...]  # canonical sources, tried in order
  sha256: str  # digest of the content (decompressed when `name` ends in .gz)
  system_dirs: tuple[str, ...] = ()  # read-only places searched too
  system_package: str = ""  # Debian package that fills `system_dirs`

  @property
  def alternative_names(self) -> tuple[str, ...]:
    """Names the file may have on disk: as published, then uncompressed."""
    if self.name.endswith(".gz"):
      return (self.name, self.name.removesuffix(".gz"))
    return (self.name,)


def _idx_files(folder, urls, digests, **system):
  return {
      stem: DataFile(
          folder,
          f"{stem}.gz",
          tuple(f"{base}{stem}.gz" for base in urls),
          digest,
          **system,
      )
      for stem, digest in digests.items()
  }


MNIST = _idx_files(
    "mnist",
    _MNIST_URLS,
    {
        "train-images-idx3-ubyte": "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        "train-labels-idx1-ubyte": "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        "t10k-images-idx3-ubyte": "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        "t10k-labels-idx1-ubyte": "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    },
)

FASHION_MNIST = _idx_files(
    "fashion_mnist",
    _FASHION_URLS,
    {
        "train-images-idx3-ubyte": "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        "train-labels-idx1-ubyte": "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        "t10k-images-idx3-ubyte": "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        "t10k-labels-idx1-ubyte": "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    },
    system_dirs=(FASHION_MNIST_SYSTEM_DIR,),
    system_package="dataset-fashion-mnist",
)

CAR = DataFile(
    "uci",
    "car.data",
    (f"{_UCI}car/car.data",),
    "b703a9ac69f11e64ce8c223c0a40de4d2e9d769f7fb20be5f8f2e8a619893d83",
)

MUSHROOM = DataFile(
    "uci",
    "agaricus-lepiota.data",
    (f"{_UCI}mushroom/agaricus-lepiota.data",),
    "e65d082030501a3ebcbcd7c9f7c71aa9d28fdfff463bf4cf4716a3fe13ac360e",
)
