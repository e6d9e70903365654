"""NumPy kernels: shape manipulation (reshape, concatenate, split, pad, tile, ...)."""

from __future__ import annotations

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.dtypes import standardize_dtype
from kerasx_numpy.dtypes import np_dtype


def _like(fill):
    def kernel(x, dtype):
        d = x.dtype if dtype is None else np_dtype(standardize_dtype(dtype))
        return np.full(np.shape(x), fill, dtype=d)

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


def _sections(indices_or_sections):
    if isinstance(indices_or_sections, (int, np.integer)):
        return int(indices_or_sections)
    return [int(i) for i in np.asarray(indices_or_sections).reshape(-1)]


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
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(
            f"Received an invalid value for `num`, expected the length of axis {axis} ({n}). "
            f"Received: num={num}"
        )
    return [np.squeeze(p, axis=axis) for p in np.split(x, n, axis=axis)] if n else []


def squeeze(x, axis):
    if axis is not None:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for a in axes:
            if x.shape[a] != 1:
                raise ValueError(
                    f"Received an invalid value for `axis`, expected axes of length 1. "
                    f"Received: axis={axis} for a tensor of shape {x.shape}"
                )
        axis = axes
    return np.squeeze(x, axis=axis)


def _pad_modes(mode, constant_values):
    if mode not in _PAD_MODES:
        raise ValueError(
            f"Received an invalid value for `mode`, expected one of {sorted(_PAD_MODES)}. "
            f"Received: mode={mode!r}"
        )
    if constant_values is not None and mode != "constant":
        raise ValueError(
            "Argument `constant_values` can only be given when `mode='constant'`. "
            f"Received: mode={mode!r}"
        )
    return mode


_PAD_MODES = {
    "constant",
    "edge",
    "linear_ramp",
    "maximum",
    "mean",
    "median",
    "minimum",
    "reflect",
    "symmetric",
    "wrap",
    "empty",
}


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


def _tri_input(x):
    if x.ndim < 1:
        raise ValueError(f"Received a 0-d tensor; expected at least 1 dimension. Received: {x}")
    return x


def diff(a, n, axis):
    if n < 0:
        raise ValueError(f"Received an invalid value for `n`, expected n >= 0. Received: n={n}")
    return np.diff(a, n=n, axis=axis)


def diag(x, k):
    if x.ndim not in (1, 2):
        raise ValueError(
            f"Received an invalid value for `x`, expected a 1-D or 2-D tensor. "
            f"Received: x.shape={x.shape}"
        )
    return np.diag(x, k)


def view(x, dtype):
    if dtype is None:
        return x
    return x.view(np_dtype(standardize_dtype(dtype)))


def tile(x, repeats):
    return np.tile(x, _tuple(repeats) if not isinstance(repeats, np.ndarray) else repeats)


KERNELS = {
    "reshape": lambda x, newshape: np.reshape(x, _tuple(newshape)),
    "transpose": lambda x, axes: np.transpose(x, axes),
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
