"""The paper's datasets as numpy arrays with fixed train/test splits.

`load(name, data_dir=None)` returns a `Dataset`. Files are read from a data
directory (the `data_dir` argument, `$DSA_DATA_DIR`, else the user cache) and
downloaded, checksum-verified, when missing and allowed; see `locate` for the
search order and the download policy.
"""

from train.data.catalog import NAMES, load
from train.data.dataset import Dataset
from train.data.errors import (
    ChecksumError,
    CorruptFileError,
    DataDirError,
    DownloadError,
    MissingDataError,
    UnknownDatasetError,
)
