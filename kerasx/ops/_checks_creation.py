"""Engine-neutral argument checks of the creation kernels (shapes, integer arguments, num, ...).

Pure Python on static arguments and shapes; the NumPy and JAX kernels import them so every
engine rejects the same arguments with the same messages.
"""

from __future__ import annotations

import numpy as np

from kerasx.engine import dtypes as _dt


def _shape(shape):
    if isinstance(shape, (int, np.integer)):
        return (int(shape),)
    return tuple(int(s) for s in np.asarray(shape).reshape(-1))


def _int(value, name):
    try:
        return int(np.asarray(value).reshape(()))
    except (TypeError, ValueError):
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int. Received: {name}={value!r}"
        ) from None


def _space_target(start, stop, dtype):
    if dtype is not None:
        return _dt.standardize_dtype(dtype)
    return _dt.float_result(_dt.result_type(start.dtype, stop.dtype))


def _check_num(num):
    if not isinstance(num, (int, np.integer)) or num < 0:
        raise ValueError(
            f"Received an invalid value for `num`, expected an int >= 0. Received: num={num}"
        )


def _check_vander(x):
    if x.ndim != 1:
        raise ValueError(
            f"Received an invalid value for `x`, expected a 1-D tensor. Received: x.shape={x.shape}"
        )


def _check_meshgrid(indexing):
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"Received an invalid value for `indexing`, expected 'xy' or 'ij'. Received: indexing={indexing!r}"
        )
