"""NumPy kernels: matrix and tensor products."""

from __future__ import annotations

import functools

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_products import _check_cross_vectors, _cross_axes
from kerasx_numpy.dtypes import np_dtype
from kerasx_numpy.kernels import conv_threads

# Multiply-adds from which a 2-D floating product is computed in row blocks on the workers.
_PARALLEL_WORK = 1 << 22


def matmul(x1, x2):
    """`np.matmul`. Where the `conv_threads` pool has several workers, a large 2-D floating
    product is cut into row blocks computed at once on the workers, each with
    single-threaded BLAS, rather than by OpenBLAS's own threads: those busy-wait after a call, taking cores from the workers of
    the convolution kernels that follow in a step."""
    if x1.ndim == 2 and x2.ndim == 2:
        m, k = x1.shape
        n = x2.shape[1]
        if (
            m * k * n >= _PARALLEL_WORK
            and x2.shape[0] == k
            and x1.dtype == x2.dtype
            and x1.dtype.kind == "f"
            and conv_threads.workers() > 1
        ):
            return _matmul_by_rows(x1, x2, m, n)
    return np.matmul(x1, x2)


# Always a newly allocated array (the NumPy jit may then use it as scratch space).
matmul.fresh_result = True


def _matmul_by_rows(x1, x2, m: int, n: int):
    out = np.empty((m, n), x1.dtype)
    parts = min(conv_threads.workers(), m)
    step = -(-m // parts)
    conv_threads.run(
        [
            functools.partial(np.matmul, x1[a : a + step], x2, out=out[a : a + step])
            for a in range(0, m, step)
        ]
    )
    return out


def einsum(subscripts, operands, kwargs):
    operands = [np.asarray(o) for o in operands]
    target = _dt.result_type(*[o.dtype for o in operands]) if operands else "float32"
    if target == "int8":
        target = "int32"
    dt = np_dtype(target)
    operands = [o if o.dtype == dt else o.astype(dt) for o in operands]
    out = np.einsum(subscripts, *operands, optimize=len(operands) > 1)
    return np.asarray(out, dtype=dt) if not isinstance(out, np.ndarray) else out


def _pad3(v):
    if v.shape[-1] == 3:
        return v
    return np.concatenate([v, np.zeros(v.shape[:-1] + (1,), dtype=v.dtype)], axis=-1)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    axisa, axisb, axisc = _cross_axes(axisa, axisb, axisc, axis)
    a = np.moveaxis(x1, axisa, -1)
    b = np.moveaxis(x2, axisb, -1)
    _check_cross_vectors(a, b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = _pad3(a), _pad3(b)
    c = np.stack(
        [
            a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
            a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
            a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0],
        ],
        axis=-1,
    )
    return np.moveaxis(c, -1, axisc)


def trace(x, offset, axis1, axis2):
    name = str(x.dtype)
    if name in ("bool", "int8", "int16"):
        dt = np.int32
    elif name in ("uint8", "uint16"):
        dt = np.uint32
    else:
        dt = x.dtype
    return np.asarray(np.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=dt))


def _check_axes(axes, n1, n2):
    if isinstance(axes, (int, np.integer)):
        if not 0 <= axes <= min(n1, n2):
            raise ValueError(
                f"Received an invalid value for `axes`, expected an int in [0, {min(n1, n2)}] "
                f"for operands of rank {n1} and {n2}. Received: axes={axes}"
            )
        return
    try:
        a, b = axes
    except (TypeError, ValueError):
        raise ValueError(
            "Received an invalid value for `axes`, expected an int or a pair of axis lists. "
            f"Received: axes={axes!r}"
        ) from None
    na = 1 if isinstance(a, (int, np.integer)) else len(a)
    nb = 1 if isinstance(b, (int, np.integer)) else len(b)
    if na != nb:
        raise ValueError(
            "Received an invalid value for `axes`, expected two lists of the same length. "
            f"Received: axes={axes!r}"
        )


def tensordot(x1, x2, axes):
    _check_axes(axes, np.ndim(x1), np.ndim(x2))
    return np.asarray(np.tensordot(x1, x2, axes))


KERNELS = {
    # (one BLAS thread: no workers, and NumPy's function saves a Python call per product)
    "matmul": matmul if conv_threads.workers() > 1 else np.matmul,
    "tensordot": tensordot,
    "einsum": einsum,
    "cross": cross,
    "trace": trace,
}
