"""NumPy dtype objects for kerasx dtype names."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np


@functools.lru_cache(maxsize=64)
def np_dtype(name: str) -> Any:
    """NumPy dtype for a kerasx dtype name (bfloat16/float8 need ml_dtypes)."""
    if name == "string":
        return np.dtype(object)
    if name in ("bfloat16", "float8_e4m3fn", "float8_e5m2"):
        try:
            import ml_dtypes
        except ImportError:
            raise TypeError(
                f"dtype {name!r} on the NumPy engine needs the `ml_dtypes` package "
                "(pip install ml_dtypes). Accepted without it: float16/32/64, (u)int8-64, "
                "bool, complex64/128."
            ) from None
        return np.dtype(getattr(ml_dtypes, name))
    return np.dtype(name)
