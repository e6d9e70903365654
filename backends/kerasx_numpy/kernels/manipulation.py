"""NumPy kernels: shape manipulation (reshape, concatenate, split, pad, tile, ...)."""

from __future__ import annotations

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.dtypes import standardize_dtype
from kerasx.ops._checks_manipulation import (
    _check_diag,
    _check_diff,
    _check_unstack,
    _pad_modes,
    _sections,
    _squeeze_axes,
    _tri_input,
)
from kerasx_numpy.dtypes import np_dtype


def _like(fill):
    def kernel(x, dtype):
        d = x.dtype if dtype is None else np_dtype(standardize_dtype(dtype))
        return np.full(np.shape(x), fill, dtype=d)

    kernel.shape_only = (0,)  # only `x`'s shape matters (the NumPy jit folds it to a constant)
    return kernel


def _tuple(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _promote(xs):
    """Cast a sequence of arrays to their Keras-promoted common dtype."""
    xs = [np.asarray(x) for x in xs]
    if not xs:
        raise ValueError("Received an empty sequence of tensors; expected at least one.")
    target = np_dtype(_dt.result_type(*[standardize_dtype(x.dtype) for x in xs]))
    return [x if x.dtype == target else x.astype(target) for x in xs]


def concatenate(xs, axis):
    return np.concatenate(_promote(xs), axis=axis)


def stack(x, axis):
    return np.stack(_promote(x), axis=axis)


def split(x, indices_or_sections, axis):
    ios = _sections(indices_or_sections)
    if isinstance(ios, int) and ios > 0 and x.shape[axis] % ios:
        raise ValueError(
            f"Received an invalid value for `indices_or_sections`: {ios} sections do not divide "
            f"axis {axis} of length {x.shape[axis]} equally."
        )
    return list(np.split(x, ios, axis=axis))


def array_split(x, indices_or_sections, axis):
    return list(np.array_split(x, _sections(indices_or_sections), axis=axis))


def unstack(x, num, axis):
    n = _check_unstack(x, num, axis)
    return [np.squeeze(p, axis=axis) for p in np.split(x, n, axis=axis)] if n else []


def squeeze(x, axis):
    axis = _squeeze_axes(x, axis)
    return np.squeeze(x, axis=axis)


def pad(x, pad_width, mode, constant_values):
    mode = _pad_modes(mode, constant_values)
    pw = np.asarray(pad_width)
    if pw.size and pw.min() < 0:
        raise ValueError(
            f"Received an invalid value for `pad_width`, expected non-negative integers. "
            f"Received: pad_width={pad_width}"
        )
    if mode == "constant":
        cv = 0 if constant_values is None else constant_values
        return np.pad(x, pad_width, mode="constant", constant_values=np.asarray(cv).astype(x.dtype))
    if mode == "empty":
        return np.pad(x, pad_width, mode="constant")
    return np.pad(x, pad_width, mode=mode)


def repeat(x, repeats, axis):
    if not isinstance(repeats, (int, np.integer)):
        repeats = np.asarray(repeats)
    return np.repeat(x, repeats, axis=axis)


def diff(a, n, axis):
    _check_diff(n)
    return np.diff(a, n=n, axis=axis)


def diag(x, k):
    _check_diag(x)
    return np.diag(x, k)


def view(x, dtype):
    if dtype is None:
        return x
    return x.view(np_dtype(standardize_dtype(dtype)))


def tile(x, repeats):
    return np.tile(x, _tuple(repeats) if not isinstance(repeats, np.ndarray) else repeats)


KERNELS = {
    # The array methods: np.reshape / np.transpose without their Python wrappers.
    "reshape": lambda x, newshape: np.asarray(x).reshape(_tuple(newshape)),
    "transpose": lambda x, axes: np.asarray(x).transpose(axes),
    "broadcast_to": lambda x, shape: np.broadcast_to(x, _tuple(shape)),
    "expand_dims": lambda x, axis: np.expand_dims(x, axis),
    "zeros_like": _like(0),
    "ones_like": _like(1),
    "concatenate": concatenate,
    "stack": stack,
    "split": split,
    "array_split": array_split,
    "unstack": unstack,
    "squeeze": squeeze,
    "pad": pad,
    "repeat": repeat,
    "roll": lambda x, shift, axis: np.roll(x, shift, axis=_axis(axis)),
    "flip": lambda x, axis: np.flip(x, axis=_axis(axis)),
    "tile": tile,
    "tril": lambda x, k: np.tril(_tri_input(x), k),
    "triu": lambda x, k: np.triu(_tri_input(x), k),
    "diff": diff,
    "diag": diag,
    "diagflat": lambda x, k: np.diagflat(x, k),
    "diagonal": lambda x, offset, axis1, axis2: np.diagonal(x, offset, axis1, axis2).copy(),
    "view": view,
}
