"""MNIST: 70,000 grayscale 28x28 images of handwritten digits (downloaded on first use)."""

from __future__ import annotations

import numpy as np

from kerasx.utils.file_utils import get_file

_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_FILE_HASH = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"


def load_data(
    path: str = "mnist.npz",
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as ``(x_train, y_train), (x_test, y_test)``.

    The ``mnist.npz`` file is downloaded once (its sha256 is checked) into the kerasx cache
    (``$KERASX_HOME/datasets``, by default ``~/.kerasx/datasets``). MNIST is by Yann LeCun and
    Corinna Cortes, derived from NIST data, under CC BY-SA 3.0.

    Args:
        path: the file name to cache the data under, inside the cache's ``datasets`` folder.

    Returns:
        Two tuples of NumPy arrays. ``x_train``: uint8 images of shape ``(60000, 28, 28)``;
        ``x_test``: ``(10000, 28, 28)``, pixel values 0..255. ``y_train`` and ``y_test``:
        uint8 digit labels 0..9 of shape ``(60000,)`` and ``(10000,)``.
    """
    local = get_file(fname=path, origin=_ORIGIN_FOLDER + "mnist.npz", file_hash=_FILE_HASH)
    with np.load(local, allow_pickle=False) as data:
        train = (data["x_train"], data["y_train"])
        test = (data["x_test"], data["y_test"])
    return train, test
