"""CIFAR-100: 60,000 colour images of 32x32 pixels in 100 classes grouped into 20 superclasses.

Downloaded on first use.
"""

from __future__ import annotations

import os

import numpy as np

from kerasx import config
from kerasx.datasets.cifar import load_batch
from kerasx.utils.file_utils import get_file

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-100-python.tar.gz"
_FILE_HASH = "85cd44d02ba6437773c5bbd22e183051d648de2e7d6b014e1ef29b855ba677a7"
_CACHE_NAME = "cifar-100-python-target"
_ARCHIVE_DIR = "cifar-100-python"
_LABEL_MODES = ("fine", "coarse")


def load_data(
    label_mode: str = "fine",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-100 as ``(x_train, y_train), (x_test, y_test)``.

    The archive from the CIFAR authors' site is downloaded once (its sha256 is checked) and
    extracted into the kerasx cache (``$KERASX_HOME/datasets``, by default
    ``~/.kerasx/datasets``).

    Args:
        label_mode: ``"fine"`` for the 100 class labels (0..99) or ``"coarse"`` for the 20
            superclass labels (0..19).

    Returns:
        Two tuples of NumPy arrays. ``x_train``: uint8, shape ``(50000, 32, 32, 3)``;
        ``x_test``: uint8, ``(10000, 32, 32, 3)``, pixel values 0..255 (``(n, 3, 32, 32)``
        when `kerasx.config.image_data_format()` is ``"channels_first"``). ``y_train`` and
        ``y_test``: int64 labels of shape ``(50000, 1)`` and ``(10000, 1)``.
    """
    if label_mode not in _LABEL_MODES:
        raise ValueError(
            "Received an invalid value for `label_mode`, expected 'fine' or 'coarse'. "
            f"Received: label_mode={label_mode!r}"
        )
    root = get_file(fname=_CACHE_NAME, origin=_ORIGIN, extract=True, file_hash=_FILE_HASH)
    folder = os.path.join(root, _ARCHIVE_DIR)
    key = f"{label_mode}_labels"
    x_train, train_labels = load_batch(os.path.join(folder, "train"), label_key=key)
    x_test, test_labels = load_batch(os.path.join(folder, "test"), label_key=key)
    y_train = np.asarray(train_labels, dtype=np.int64).reshape(-1, 1)
    y_test = np.asarray(test_labels, dtype=np.int64).reshape(-1, 1)
    if config.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train), (x_test, y_test)
