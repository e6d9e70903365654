"""Safe reading of pickled dataset files: CIFAR batches and ragged `.npz` arrays.

The CIFAR archives hold Python pickles (a dict per batch, written by Python 2), and the IMDB and
Reuters `.npz` files hold ragged sequences as object arrays, which NumPy can only store as a
pickle. A pickle can name any importable callable, so loading one from the network with the
plain `pickle` module could run arbitrary code. `SafeUnpickler` resolves only the handful of
NumPy names needed to rebuild an array and refuses every other one.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from typing import Any

import numpy as np

# The function NumPy's pickles call to rebuild an ndarray, taken from NumPy itself so that the
# old (`numpy.core`) and new (`numpy._core`) module spellings resolve without importing either.
_RECONSTRUCT = np.empty(0).__reduce__()[0]

_ALLOWED = {
    ("numpy", "ndarray"): np.ndarray,
    ("numpy", "dtype"): np.dtype,
    ("numpy.core.multiarray", "_reconstruct"): _RECONSTRUCT,
    ("numpy._core.multiarray", "_reconstruct"): _RECONSTRUCT,
}


class SafeUnpickler(pickle.Unpickler):
    """A pickle reader that can rebuild NumPy arrays, lists, dicts and scalars, nothing more.

    Any other global a pickle asks for (a function to call, a class to build) raises
    `pickle.UnpicklingError`, so a tampered dataset file cannot run code.
    """

    def find_class(self, module: str, name: str) -> Any:
        """Resolve `module.name` when it is one of the NumPy array builders, else refuse."""
        found = _ALLOWED.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f"Refusing to load `{module}.{name}` from a dataset file: only NumPy arrays may "
                "be stored there. The file may be corrupted or malicious; delete it from the "
                "cache and download it again."
            )
        return found


def _read_npy(stream: io.BytesIO) -> np.ndarray:
    """Read one `.npy` stream; object arrays go through `SafeUnpickler`."""
    major, _ = np.lib.format.read_magic(stream)
    if major == 1:
        _, _, dtype = np.lib.format.read_array_header_1_0(stream)
    elif major in (2, 3):
        # Format 3 differs from 2 only in the header's text encoding (utf-8 for latin-1);
        # the length field before it, which is all the reader needs, is laid out the same.
        _, _, dtype = np.lib.format.read_array_header_2_0(stream)
    else:
        raise ValueError(f"Unsupported .npy format version {major} in a dataset file.")
    if dtype.hasobject:
        return SafeUnpickler(stream).load()
    stream.seek(0)
    return np.lib.format.read_array(stream, allow_pickle=False)


def load_npz(path: str) -> dict[str, np.ndarray]:
    """Read every array of an `.npz` file, object arrays included, without unsafe unpickling.

    Args:
        path: the `.npz` file.

    Returns:
        A dict from member name (without ``.npy``) to array.
    """
    arrays = {}
    with zipfile.ZipFile(path) as archive:
        for member in archive.namelist():
            if not member.endswith(".npy"):
                continue
            with archive.open(member) as raw:
                stream = io.BytesIO(raw.read())
            arrays[member[: -len(".npy")]] = _read_npy(stream)
    return arrays
