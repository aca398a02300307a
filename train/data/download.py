"""Fetching a data file: into a temporary file next to its target, verified,
then renamed atomically, so the data directory never holds a partial or
corrupt file."""

import gzip
import hashlib
import http.client
import os
import pathlib
import shutil
import tempfile
import urllib.request
import zlib

from train.data import errors
from train.data import sources

TIMEOUT_S = 30.0  # per connection attempt and per read, so a dead host fails fast


def content_sha256(path: pathlib.Path, gzipped: bool) -> str:
  """SHA-256 of a file's content, gunzipped first when `gzipped`."""
  digest = hashlib.sha256()
  with (gzip.open if gzipped else open)(path, "rb") as stream:
    while chunk := stream.read(1 << 20):
      digest.update(chunk)
  return digest.hexdigest()


def fetch(
    file: sources.DataFile,
    folder: pathlib.Path,
    urls: tuple[str, ...],
    fix: str,
    timeout: float = TIMEOUT_S,
) -> pathlib.Path:
  """Downloads `file` into `folder` from the first of `urls` that delivers it.

  Args:
    file: the file to fetch; its `sha256` is checked before the file appears.
    folder: target folder, created if needed.
    urls: sources tried in order.
    fix: what the user can do instead, appended to error messages.
    timeout: seconds allowed per connection attempt and per read.

  Returns:
    The path of the verified file, `folder / file.name`.

  Raises:
    ChecksumError: a source delivered content with the wrong digest (and none
      delivered the right one). The bad download is deleted.
    DownloadError: no source could be reached, or `folder` is not writable.
  """
  unreachable, corrupt = [], []
  for url in urls:
    part = _part_file(folder, file.name, fix)
    try:
      try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
          with open(part, "wb") as out:
            shutil.copyfileobj(response, out)
          if response.length:  # bytes promised by Content-Length, never sent
            raise http.client.IncompleteRead(b"", response.length)
      # OSError: refused, timed out, HTTP error status; HTTPException: the
      # connection dropped mid-body.
      except (OSError, http.client.HTTPException) as error:
        unreachable.append(f"  {url}: {error}")
        continue
      try:
        digest = content_sha256(part, file.name.endswith(".gz"))
      except (OSError, EOFError, zlib.error) as error:  # not gzip, truncated
        digest = f"unreadable ({error})"
      if digest == file.sha256:
        part.chmod(0o644)  # mkstemp made it private; data files are not
        os.replace(part, folder / file.name)
        return folder / file.name
      corrupt.append(f"  {url}: sha256 {digest}")
    finally:
      part.unlink(missing_ok=True)
  if corrupt:
    raise errors.ChecksumError(
        f"Downloaded {file.name} does not have the published content "
        f"(expected sha256 {file.sha256}, of the content after gunzip for .gz "
        "files):\n" + "\n".join(corrupt) + f"\nThe download was deleted; "
        f"nothing was written to {folder}.\n{fix}"
    )
  raise errors.DownloadError(
      f"Could not download {file.name}:\n" + "\n".join(unreachable) + f"\n{fix}"
  )


def _part_file(folder: pathlib.Path, name: str, fix: str) -> pathlib.Path:
  """A new empty hidden file in `folder` (created if needed) to download into."""
  try:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, path = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".part")
  except OSError as error:
    raise errors.DownloadError(
        f"Cannot write into {folder} to download {name}: {error}\n{fix}"
    ) from error
  os.close(descriptor)
  return pathlib.Path(path)
