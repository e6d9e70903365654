"""Boston housing prices: 506 districts with 13 features each (downloaded on first use).

The data has known ethical problems (one feature encodes the share of Black residents); prefer
`california_housing` for new work.
"""

from __future__ import annotations

import numpy as np

from kerasx.utils.file_utils import get_file

_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILE_HASH = "f553886a1f8d56431e820c5b82552d9d95cfcb96d1e678153f8839538947dff5"


def _check_test_split(test_split: float) -> None:
    """Raise a ValueError unless `test_split` is a fraction in [0, 1)."""
    if not isinstance(test_split, (int, float)) or not 0 <= test_split < 1:
        raise ValueError(
            "Received an invalid value for `test_split`, expected a fraction in [0, 1) "
            f"(1 excluded). Received: test_split={test_split!r}"
        )


def _shuffle_and_split(
    x: np.ndarray, y: np.ndarray, test_split: float, seed: int
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Shuffle `x` and `y` together with `seed`; the last `test_split` fraction is the test set."""
    order = np.random.RandomState(seed).permutation(len(x))
    x, y = x[order], y[order]
    n_train = int(len(x) * (1 - test_split))
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])


def load_data(
    path: str = "boston_housing.npz", test_split: float = 0.2, seed: int = 113
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load the Boston housing data as ``(x_train, y_train), (x_test, y_test)``.

    The ``boston_housing.npz`` file (from StatLib, via the Carnegie Mellon University
    archive) is downloaded once (sha256 checked) into the kerasx cache
    (``$KERASX_HOME/datasets``, by default ``~/.kerasx/datasets``).

    Args:
        path: the file name to cache the data under, inside the cache's ``datasets`` folder.
        test_split: fraction of the samples held out for testing, in [0, 1).
        seed: seed of the shuffle applied before the split.

    Returns:
        Two tuples of NumPy arrays: features of shape ``(n, 13)`` and targets of shape
        ``(n,)`` (median home values in thousands of dollars, roughly 10 to 50).
    """
    _check_test_split(test_split)
    local = get_file(path, origin=_ORIGIN_FOLDER + "boston_housing.npz", file_hash=_FILE_HASH)
    with np.load(local, allow_pickle=False) as data:
        x, y = data["x"], data["y"]
    return _shuffle_and_split(x, y, test_split, seed)
