"""Fashion-MNIST: 70,000 grayscale 28x28 images of clothing in 10 classes.

Downloaded on first use. By Zalando SE, under the MIT license.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

from kerasx.utils.file_utils import get_file

_ORIGIN_FOLDER = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
_CACHE_SUBDIR = os.path.join("datasets", "fashion-mnist")
_TRAIN_LABELS = "train-labels-idx1-ubyte.gz"
_TRAIN_IMAGES = "train-images-idx3-ubyte.gz"
_TEST_LABELS = "t10k-labels-idx1-ubyte.gz"
_TEST_IMAGES = "t10k-images-idx3-ubyte.gz"

# IDX files start with a 4-byte magic number, 0x0000 then a dtype code (0x08: unsigned byte)
# then the number of dimensions, followed by one big-endian 4-byte size per dimension.
_IDX_UBYTE = 0x08


def _read_idx(path: str, ndim: int) -> np.ndarray:
    """Read a gzipped IDX file of unsigned bytes with `ndim` dimensions."""
    with gzip.open(path, "rb") as f:
        raw = bytearray(f.read())
    header = 4 + 4 * ndim
    magic = bytes(raw[:4])
    if len(raw) < header or magic[:2] != b"\0\0" or magic[2] != _IDX_UBYTE or magic[3] != ndim:
        raise ValueError(
            f"{path!r} is not an IDX file of unsigned bytes with {ndim} dimensions (it starts "
            f"with {magic!r}). The file may be corrupted; delete it from the cache."
        )
    shape = tuple(int.from_bytes(raw[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    # A bytearray buffer keeps the returned array writeable without another copy.
    return np.frombuffer(raw, dtype=np.uint8, offset=header).reshape(shape)


def load_data() -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load Fashion-MNIST as ``(x_train, y_train), (x_test, y_test)``.

    The four IDX files are downloaded once into ``datasets/fashion-mnist`` inside the kerasx
    cache (``$KERASX_HOME``, by default ``~/.kerasx``). It is a drop-in replacement for MNIST.
    The labels are 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt,
    7 sneaker, 8 bag, 9 ankle boot.

    Returns:
        Two tuples of NumPy arrays. ``x_train``: uint8 images of shape ``(60000, 28, 28)``;
        ``x_test``: ``(10000, 28, 28)``, pixel values 0..255. ``y_train`` and ``y_test``:
        uint8 labels 0..9 of shape ``(60000,)`` and ``(10000,)``.
    """
    paths = {
        name: get_file(name, origin=_ORIGIN_FOLDER + name, cache_subdir=_CACHE_SUBDIR)
        for name in (_TRAIN_LABELS, _TRAIN_IMAGES, _TEST_LABELS, _TEST_IMAGES)
    }
    y_train = _read_idx(paths[_TRAIN_LABELS], 1)
    x_train = _read_idx(paths[_TRAIN_IMAGES], 3)
    y_test = _read_idx(paths[_TEST_LABELS], 1)
    x_test = _read_idx(paths[_TEST_IMAGES], 3)
    return (x_train, y_train), (x_test, y_test)
