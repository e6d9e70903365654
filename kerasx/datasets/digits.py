"""The UCI handwritten digits (8x8 images, 10 classes), shipped with kerasx.

Optical Recognition of Handwritten Digits, UCI Machine Learning Repository, by E. Alpaydin and
C. Kaynak (1998), CC BY 4.0. See DATA_ATTRIBUTION.md beside this file.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

_PATH = os.path.join(os.path.dirname(__file__), "digits.csv.gz")


def load_data(test_split: float = 0.2, seed: int = 113) -> tuple:
    """Load the digits as ``(x_train, y_train), (x_test, y_test)``.

    Args:
        test_split: fraction of the 1797 samples held out for testing, in [0, 1).
        seed: seed of the shuffle before the split.

    Returns:
        Two tuples of NumPy arrays: images of shape ``(n, 8, 8)`` with uint8 values 0..16 and
        labels of shape ``(n,)`` with uint8 values 0..9.
    """
    if not isinstance(test_split, (int, float)) or not 0.0 <= test_split < 1.0:
        raise ValueError(
            "Received an invalid value for `test_split`, expected a float in [0, 1). "
            f"Received: test_split={test_split!r}"
        )
    with gzip.open(_PATH, "rt") as f:
        data = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    x = data[:, :64].reshape(-1, 8, 8)
    y = data[:, 64]
    order = np.random.default_rng(seed).permutation(len(y))
    x, y = x[order], y[order]
    n_test = int(round(len(y) * test_split))
    n_train = len(y) - n_test
    return (x[:n_train], y[:n_train]), (x[n_train:], y[n_train:])
