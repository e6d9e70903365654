"""CIFAR-10: 60,000 colour images of 32x32 pixels in 10 classes (downloaded on first use)."""

from __future__ import annotations

import os

import numpy as np

from kerasx import config
from kerasx.datasets.cifar import load_batch
from kerasx.utils.file_utils import get_file

_ORIGIN = "https://www.cs.toronto.edu/~kriz/cifar-10-python.tar.gz"
_FILE_HASH = "6d958be074577803d12ecdefd02955f39262c83c16fe9348329d7fe0b5c001ce"
_CACHE_NAME = "cifar-10-batches-py-target"
_ARCHIVE_DIR = "cifar-10-batches-py"
_TRAIN_BATCHES = tuple(f"data_batch_{i}" for i in range(1, 6))


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load CIFAR-10 as ``(x_train, y_train), (x_test, y_test)``.

    The archive from the CIFAR authors' site is downloaded once (its sha256 is checked) and
    extracted into the kerasx cache (``$KERASX_HOME/datasets``, by default
    ``~/.kerasx/datasets``). The labels are 0 airplane, 1 automobile, 2 bird, 3 cat, 4 deer,
    5 dog, 6 frog, 7 horse, 8 ship, 9 truck.

    Returns:
        Two tuples of NumPy arrays. ``x_train``: uint8, shape ``(50000, 32, 32, 3)``;
        ``x_test``: uint8, ``(10000, 32, 32, 3)``, pixel values 0..255. When
        `kerasx.config.image_data_format()` is ``"channels_first"`` the images are
        ``(n, 3, 32, 32)`` instead. ``y_train`` and ``y_test``: uint8 labels 0..9 of shape
        ``(50000, 1)`` and ``(10000, 1)``.
    """
    root = get_file(fname=_CACHE_NAME, origin=_ORIGIN, extract=True, file_hash=_FILE_HASH)
    folder = os.path.join(root, _ARCHIVE_DIR)
    parts = [load_batch(os.path.join(folder, name)) for name in _TRAIN_BATCHES]
    x_train = np.concatenate([images for images, _ in parts]).astype(np.uint8, copy=False)
    y_train = np.concatenate([np.asarray(labels, np.uint8) for _, labels in parts])
    x_test, test_labels = load_batch(os.path.join(folder, "test_batch"))
    x_test = x_test.astype(np.uint8, copy=False)
    y_test = np.asarray(test_labels, np.uint8)
    if config.image_data_format() == "channels_last":
        x_train = x_train.transpose(0, 2, 3, 1)
        x_test = x_test.transpose(0, 2, 3, 1)
    return (x_train, y_train.reshape(-1, 1)), (x_test, y_test.reshape(-1, 1))
