"""California housing prices: 20,640 census block groups with 8 features each.

Downloaded on first use, from the StatLib repository's copy of the 1990 US census data.
"""

from __future__ import annotations

import numpy as np

from kerasx.datasets.boston_housing import _check_test_split, _shuffle_and_split
from kerasx.utils.file_utils import get_file

_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILE_HASH = "1a2e3a52e0398de6463aebe6f4a8da34fb21fbb6b934cf88c3425e766f2a1a6f"
_SMALL_SIZE = 600


def load_data(
    version: str = "large",
    path: str = "california_housing.npz",
    test_split: float = 0.2,
    seed: int = 113,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the California housing data as ``(x_train, y_train), (x_test, y_test)``.

    Features, in column order: median income, median house age, average rooms per household,
    average bedrooms per household, population, average household size, latitude, longitude.
    The target is the median house value of the block group, in dollars. The
    ``california_housing.npz`` file is downloaded once (sha256 checked) into the kerasx cache
    (``$KERASX_HOME/datasets``, by default ``~/.kerasx/datasets``).

    Args:
        version: ``"large"`` for all 20,640 samples, or ``"small"`` for the first 600 (a
            stand-in for the Boston housing data, which it resembles in size).
        path: the file name to cache the data under, inside the cache's ``datasets`` folder.
        test_split: fraction of the samples held out for testing, in [0, 1).
        seed: seed of the shuffle applied before the split.

    Returns:
        Two tuples of NumPy arrays: features of shape ``(n, 8)`` and targets of shape
        ``(n,)``.
    """
    _check_test_split(test_split)
    if version not in ("large", "small"):
        raise ValueError(
            "Received an invalid value for `version`, expected 'large' or 'small'. "
            f"Received: version={version!r}"
        )
    local = get_file(path, origin=_ORIGIN_FOLDER + "california_housing.npz", file_hash=_FILE_HASH)
    with np.load(local, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    if version == "small":
        x, y = x[:_SMALL_SIZE], y[:_SMALL_SIZE]
    return _shuffle_and_split(x, y, test_split, seed)
