"""Finding a data file: the data directory, system folders, then a download.

The data directory is, in order: the `data_dir` argument, the `DSA_DATA_DIR`
environment variable, else the user cache `$XDG_CACHE_HOME/dsa-optax` (default
`~/.cache/dsa-optax`). A directory given explicitly must exist; the cache is
created when a download needs it.

Downloads happen only for a missing file, into the data directory. They are
allowed unless `download=False` is passed or `DSA_OFFLINE=1` is set;
`download=True` allows them even then. `mirror=` or `DSA_DATA_MIRROR` replaces
the canonical sources by `<mirror>/<folder>/<name>`, the layout of a data
directory, so `python -m http.server` run in one serves as a mirror.
"""

import os
import pathlib

from train.data import download as download_lib
from train.data import errors
from train.data import sources

ENV_DATA_DIR = "DSA_DATA_DIR"
ENV_OFFLINE = "DSA_OFFLINE"
ENV_MIRROR = "DSA_DATA_MIRROR"


def cache_dir() -> pathlib.Path:
  """The default data directory: `$XDG_CACHE_HOME/dsa-optax`."""
  base = os.environ.get("XDG_CACHE_HOME") or pathlib.Path.home() / ".cache"
  return pathlib.Path(base) / "dsa-optax"


def data_root(data_dir: str | os.PathLike | None = None) -> pathlib.Path:
  """The data directory: `data_dir`, else `$DSA_DATA_DIR`, else the cache.

  Raises:
    DataDirError: `data_dir` or `$DSA_DATA_DIR` is not an existing directory.
  """
  if data_dir is not None:
    origin = "the data_dir argument"
  elif os.environ.get(ENV_DATA_DIR):
    data_dir, origin = os.environ[ENV_DATA_DIR], f"${ENV_DATA_DIR}"
  else:
    return cache_dir()
  root = pathlib.Path(data_dir).expanduser()
  if not root.is_dir():
    raise errors.DataDirError(
        f"Data directory {root} (from {origin}) does not exist or is not a "
        "directory. Point data_dir= or DSA_DATA_DIR at the folder that holds "
        "mnist/, fashion_mnist/, uci/ and tfds/ (CI uses ../shared/data), or "
        f"leave both unset to use the cache {cache_dir()}."
    )
  return root


def download_allowed(download: bool | None) -> bool:
  """`download` if given, else True unless `DSA_OFFLINE=1`."""
  if download is not None:
    return download
  return os.environ.get(ENV_OFFLINE, "") != "1"


def find(
    file: sources.DataFile,
    root: pathlib.Path,
    *,
    download: bool | None = None,
    mirror: str | None = None,
) -> pathlib.Path:
  """The path of `file`, found locally or downloaded into `root`.

  Args:
    file: the file wanted.
    root: the data directory (see `data_root`).
    download: whether a missing file may be downloaded (see
      `download_allowed`).
    mirror: base URL replacing the canonical sources; default
      `$DSA_DATA_MIRROR`.

  Returns:
    The first of `root/<folder>/<name>[.gz]` and the system folders that
    exists; else the downloaded file.

  Raises:
    MissingDataError: not found and downloads are off.
    DownloadError, ChecksumError: see `download.fetch`.
  """
  folders = [root / file.folder, *map(pathlib.Path, file.system_dirs)]
  for folder in folders:
    for name in file.alternative_names:
      if (folder / name).is_file():
        return folder / name
  mirror = mirror or os.environ.get(ENV_MIRROR)
  urls = (f"{mirror.rstrip('/')}/{file.folder}/{file.name}",) if mirror else file.urls
  target = root / file.folder
  searched = ", ".join(str(folder) for folder in folders)
  fix = (
      f"Searched: {searched}.\nTo fix: download {urls[0]} into {target}/ "
      f"(e.g. `curl -fL --create-dirs -o {target / file.name} {urls[0]}`), "
      f"or point DSA_DATA_DIR at a directory holding {file.folder}/{file.name}"
  )
  if file.system_package:
    fix += f", or run `apt-get install {file.system_package}`"
  if not download_allowed(download):
    raise errors.MissingDataError(
        f"{file.name} not found and downloads are off (download=False or "
        f"{ENV_OFFLINE}=1). {fix}."
    )
  return download_lib.fetch(file, target, urls, fix + ".")
