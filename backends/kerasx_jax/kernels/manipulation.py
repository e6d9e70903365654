"""JAX kernels: shape manipulation (reshape, concatenate, split, pad, tile, ...)."""

from __future__ import annotations

import jax.numpy as jnp
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
    n = _check_unstack(x, num, axis)
    return [jnp.squeeze(p, axis=axis) for p in jnp.split(x, n, axis=axis)] if n else []


def squeeze(x, axis):
    axis = _squeeze_axes(x, axis)
    return jnp.squeeze(x, axis=axis)


def pad(x, pad_width, mode, constant_values):
    mode = _pad_modes(mode, constant_values)
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
        x = _tri_input(x)
        if x.ndim == 1:
            x = jnp.broadcast_to(x, (x.shape[0], x.shape[0]))
        return fn(x, k)

    return kernel


def diff(a, n, axis):
    _check_diff(n)
    if n == 0:
        return a
    return jnp.diff(a, n=n, axis=axis)


def diag(x, k):
    _check_diag(x)
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
