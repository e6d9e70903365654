"""NumPy kernels: shape manipulation, indexing, creation."""

from __future__ import annotations

import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx_numpy.dtypes import np_dtype


def _like(fill):
    def kernel(x, dtype):
        d = x.dtype if dtype is None else np_dtype(standardize_dtype(dtype))
        return np.full(np.shape(x), fill, dtype=d)

    return kernel


def _tuple(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


KERNELS = {
    "reshape": lambda x, newshape: np.reshape(x, _tuple(newshape)),
    "transpose": lambda x, axes: np.transpose(x, axes),
    "broadcast_to": lambda x, shape: np.broadcast_to(x, _tuple(shape)),
    "expand_dims": lambda x, axis: np.expand_dims(x, axis),
    "zeros_like": _like(0),
    "ones_like": _like(1),
}
