"""Engine-neutral argument checks of the shape-manipulation kernels (split, unstack, squeeze, pad, ...).

Pure Python on static arguments and shapes; the NumPy and JAX kernels import them so every
engine rejects the same arguments with the same messages.
"""

from __future__ import annotations

import numpy as np

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


def _sections(indices_or_sections):
    if isinstance(indices_or_sections, (int, np.integer)):
        return int(indices_or_sections)
    return [int(i) for i in np.asarray(indices_or_sections).reshape(-1)]


def _check_unstack(x, num, axis):
    """Return the length of `axis`, raising when `num` is given and differs from it."""
    n = x.shape[axis]
    if num is not None and num != n:
        raise ValueError(
            f"Received an invalid value for `num`, expected the length of axis {axis} ({n}). "
            f"Received: num={num}"
        )
    return n


def _squeeze_axes(x, axis):
    """Resolve `axis` of squeeze to a tuple (None stays None), raising for axes of length != 1."""
    if axis is None:
        return axis
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    for a in axes:
        if x.shape[a] != 1:
            raise ValueError(
                f"Received an invalid value for `axis`, expected axes of length 1. "
                f"Received: axis={axis} for a tensor of shape {x.shape}"
            )
    return axes


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


def _tri_input(x):
    if x.ndim < 1:
        raise ValueError(f"Received a 0-d tensor; expected at least 1 dimension. Received: {x}")
    return x


def _check_diff(n):
    if n < 0:
        raise ValueError(f"Received an invalid value for `n`, expected n >= 0. Received: n={n}")


def _check_diag(x):
    if x.ndim not in (1, 2):
        raise ValueError(
            f"Received an invalid value for `x`, expected a 1-D or 2-D tensor. "
            f"Received: x.shape={x.shape}"
        )
