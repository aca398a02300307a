"""Errors raised while loading data, each with a message a user can act on."""


class UnknownDatasetError(ValueError):
  """The dataset name is not one `train.data.load` knows."""


class DataDirError(FileNotFoundError):
  """A data directory given explicitly (argument or `DSA_DATA_DIR`) is unusable."""


class MissingDataError(FileNotFoundError):
  """A data file is in none of the searched places and was not downloaded."""


class DownloadError(MissingDataError):
  """A data file is missing and no source could deliver it."""


class ChecksumError(ValueError):
  """A downloaded file's content differs from the published one."""


class CorruptFileError(ValueError):
  """A data file is present but cannot be parsed (truncated, wrong format)."""
