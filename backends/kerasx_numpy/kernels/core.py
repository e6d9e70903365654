"""NumPy kernels: casting and core ops."""

from __future__ import annotations

import numpy as np

from kerasx.engine.dtypes import standardize_dtype
from kerasx_numpy.dtypes import np_dtype


def cast(x, dtype):
    target = np_dtype(standardize_dtype(dtype))
    x = np.asarray(x)
    return x if x.dtype == target else x.astype(target)


KERNELS = {
    "cast": cast,
}

KERNELS["stop_gradient"] = lambda variable: variable
