"""JAX kernels: shape manipulation (reshape, concatenate, split, pad, tile, ...)."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.dtypes import standardize_dtype


def _like(fill):
    def kernel(x, dtype):
        d = x.dtype if dtype is None else jnp.dtype(standardize_dtype(dtype))
        return jnp.full(jnp.shape(x), fill, dtype=d)

    return kernel


def _tuple(shape):
    return (shape,) if isinstance(shape, int) else tuple(shape)


def _axis(axis):
    return tuple(axis) if isinstance(axis, list) else axis


def _promote(xs):
    """Cast a sequence of arrays to their Keras-promoted common dtype."""
    xs = [jnp.asarray(x) for x in xs]
    if not xs:
        raise ValueError("Received an empty sequence of tensors; expected at least one.")
    target = jnp.dtype(_dt.result_type(*[standardize_dtype(x.dtype) for x in xs]))
    return [x if x.dtype == target else x.astype(target) for x in xs]


def concatenate(xs, axis):
    return jnp.concatenate(_promote(xs), axis=axis)


def stack(x, axis):
    return jnp.stack(_promote(x), axis=axis)


def _sections(indices_or_sections):
    if isinstance(indices_or_sections, (int, np.integer)):
        return int(indices_or_sections)
    return [int(i) for i in np.asarray(indices_or_sections).reshape(-1)]


def split(x, indices_or_sections, axis):
    ios = _sections(indices_or_sections)
    if isinstance(ios, int) and x.shape[axis] % ios:
        raise ValueError(
            f"Received an invalid value for `indices_or_sections`: {ios} sections do not divide "
            f"axis {axis} of length {x.shape[axis]} equally."
        )
    return list(jnp.split(x, ios, axis=axis))


def array_split(x, indices_or_sections, axis):
    return list(jnp.array_split(x, _sections(indices_or_sections), axis=axis))


def unstack(x, num, axis):
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(
            f"Received an invalid value for `num`, expected the length of axis {axis} ({n}). "
            f"Received: num={num}"
        )
    return [jnp.squeeze(p, axis=axis) for p in jnp.split(x, n, axis=axis)] if n else []


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
    return jnp.squeeze(x, axis=axis)


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
    pw = np.asarray(pad_width)
    if pw.size and pw.min() < 0:
        raise ValueError(
            f"Received an invalid value for `pad_width`, expected non-negative integers. "
            f"Received: pad_width={pad_width}"
        )
    pad_width = pw.tolist() if pw.ndim else int(pw)
    if mode == "constant":
        cv = 0 if constant_values is None else constant_values
        cv = jnp.asarray(np.asarray(cv)).astype(x.dtype)
        return jnp.pad(x, pad_width, mode="constant", constant_values=cv)
    if mode == "empty":
        return jnp.pad(x, pad_width, mode="constant")
    return jnp.pad(x, pad_width, mode=mode)


def repeat(x, repeats, axis):
    if not isinstance(repeats, (int, np.integer)):
        repeats = np.asarray(repeats)
        if repeats.size == 1:
            repeats = int(repeats.reshape(()))
    return jnp.repeat(x, repeats, axis=axis)


def _tri(fn):
    def kernel(x, k):
        if x.ndim < 1:
            raise ValueError(f"Received a 0-d tensor; expected at least 1 dimension. Received: {x}")
        if x.ndim == 1:
            x = jnp.broadcast_to(x, (x.shape[0], x.shape[0]))
        return fn(x, k)

    return kernel


def diff(a, n, axis):
    if n < 0:
        raise ValueError(f"Received an invalid value for `n`, expected n >= 0. Received: n={n}")
    if n == 0:
        return a
    return jnp.diff(a, n=n, axis=axis)


def diag(x, k):
    if x.ndim not in (1, 2):
        raise ValueError(
            f"Received an invalid value for `x`, expected a 1-D or 2-D tensor. "
            f"Received: x.shape={x.shape}"
        )
    return jnp.diag(x, k)


def view(x, dtype):
    if dtype is None:
        return x
    return x.view(jnp.dtype(standardize_dtype(dtype)))


def tile(x, repeats):
    reps = _tuple(repeats) if not isinstance(repeats, np.ndarray) else tuple(repeats.tolist())
    return jnp.tile(x, reps)


KERNELS = {
    "reshape": lambda x, newshape: jnp.reshape(x, _tuple(newshape)),
    "transpose": lambda x, axes: jnp.transpose(x, axes),
    "broadcast_to": lambda x, shape: jnp.broadcast_to(x, _tuple(shape)),
    "expand_dims": lambda x, axis: jnp.expand_dims(x, axis),
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
    "roll": lambda x, shift, axis: jnp.roll(x, shift, axis=_axis(axis)),
    "flip": lambda x, axis: jnp.flip(x, axis=_axis(axis)),
    "tile": tile,
    "tril": _tri(jnp.tril),
    "triu": _tri(jnp.triu),
    "diff": diff,
    "diag": diag,
    "diagflat": lambda x, k: jnp.diagflat(x, k),
    "diagonal": lambda x, offset, axis1, axis2: jnp.diagonal(x, offset, axis1, axis2),
    "view": view,
}
