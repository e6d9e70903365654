"""Engine-neutral argument checks of the logic kernels (bitwise ops, round, where, bucketing).

Pure Python on static arguments, shapes and dtypes; the NumPy and JAX kernels import them so
every engine rejects the same arguments with the same messages.
"""

from __future__ import annotations

import numpy as np


def _kind(x):
    return np.dtype(x.dtype).kind


def _int_or_bool(op, x, arg="x"):
    if _kind(x) not in "biu":
        raise TypeError(
            f"`{op}` works on integer or bool tensors. Received an invalid dtype for "
            f"`{arg}`: {arg}.dtype={x.dtype} (after dtype promotion). Cast it first, e.g. "
            "with ops.cast(x, 'int32')."
        )


def _int_only(op, x):
    if _kind(x) not in "iu":
        raise TypeError(
            f"`{op}` works on integer tensors. Received inputs of dtype {x.dtype} (after "
            "dtype promotion). Cast them first, e.g. with ops.cast(x, 'int32')."
        )


def _int_binary(op, fn):
    def kernel(x1, x2):
        _int_only(op, x1)
        return fn(x1, x2)

    return kernel


def _check_decimals(decimals):
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise TypeError(
            "Received an invalid value for `decimals`, expected an int. "
            f"Received: decimals={decimals!r}"
        )


def _where_pair_error(x1, x2):
    return ValueError(
        "Received an invalid combination for `x1` and `x2`: pass both (to pick elements "
        "from them) or neither (to get the indices where `condition` is true). "
        f"Received: x1={'None' if x1 is None else 'a tensor'}, "
        f"x2={'None' if x2 is None else 'a tensor'}"
    )


def _check_digitize(bins):
    if bins.ndim != 1:
        raise ValueError(
            "Received an invalid value for `bins`, expected a 1-D tensor. "
            f"Received: bins.shape={tuple(bins.shape)}"
        )


def _check_searchsorted(sorted_sequence, side):
    if side not in ("left", "right"):
        raise ValueError(
            "Received an invalid value for `side`, expected 'left' or 'right'. "
            f"Received: side={side!r}"
        )
    if sorted_sequence.ndim != 1:
        raise ValueError(
            "Received an invalid value for `sorted_sequence`, expected a 1-D tensor. "
            f"Received: sorted_sequence.shape={tuple(sorted_sequence.shape)}"
        )
