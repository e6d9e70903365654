"""NumPy kernels: element-wise ops (inputs arrive already promoted to one dtype)."""

from __future__ import annotations

import numpy as np


def _square(x):
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
    return np.square(x)


def _rsqrt(x):
    return np.reciprocal(np.sqrt(x))


def _sinc(x):
    out = np.sinc(x)
    return out if out.dtype == x.dtype else out.astype(x.dtype)


def _conjugate(x):
    # NumPy turns bool into int8 here; a conjugate of real data is the data itself.
    return np.copy(x) if x.dtype == np.bool_ else np.conjugate(x)


_REAL_OF = {np.dtype(np.complex64): np.float32, np.dtype(np.complex128): np.float64}


def _angle(x):
    out = np.angle(x)
    want = _REAL_OF.get(x.dtype, x.dtype)
    return out if out.dtype == want else out.astype(want)


KERNELS = {
    "add": np.add,
    "subtract": np.subtract,
    "multiply": np.multiply,
    "true_divide": np.true_divide,
    "divide": np.true_divide,
    "negative": np.negative,
    "exp": np.exp,
    "log": np.log,
    "sin": np.sin,
    "cos": np.cos,
    "absolute": np.absolute,
    "abs": np.absolute,
    "fabs": np.fabs,
    "square": _square,
    "sqrt": np.sqrt,
    "rsqrt": _rsqrt,
    "cbrt": np.cbrt,
    "reciprocal": np.reciprocal,
    "exp2": np.exp2,
    "expm1": np.expm1,
    "log10": np.log10,
    "log2": np.log2,
    "log1p": np.log1p,
    "tan": np.tan,
    "sinh": np.sinh,
    "cosh": np.cosh,
    "tanh": np.tanh,
    "arcsin": np.arcsin,
    "arccos": np.arccos,
    "arctan": np.arctan,
    "arcsinh": np.arcsinh,
    "arccosh": np.arccosh,
    "arctanh": np.arctanh,
    "deg2rad": np.deg2rad,
    "rad2deg": np.rad2deg,
    "sinc": _sinc,
    "copy": np.copy,
    "real": np.real,
    "imag": np.imag,
    "conjugate": _conjugate,
    "conj": _conjugate,
    "angle": _angle,
}
