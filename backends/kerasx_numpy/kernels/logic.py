"""NumPy kernels: comparisons, predicates, logic, bitwise ops, rounding, where, bucketing.

Inputs of ops with `promote` arrive already cast to one dtype.
"""

from __future__ import annotations

import numpy as np

from kerasx.ops._checks_logic import (
    _check_decimals,
    _check_digitize,
    _check_searchsorted,
    _int_binary,
    _int_or_bool,
    _where_pair_error,
)


def _bitwise(op, fn, bool_to_int=False):
    def kernel(x, y):
        _int_or_bool(op, x)
        if bool_to_int and x.dtype == np.bool_:
            x = x.astype(np.int32)
            y = y.astype(np.int32)
        return fn(x, y)

    return kernel


def _invert(x):
    _int_or_bool("bitwise_invert", x)
    return np.invert(x)


def _as_float(x):
    return x if x.dtype.kind in "fc" else x.astype(np.float64)


def isclose(x1, x2, rtol, atol, equal_nan):
    return np.isclose(_as_float(x1), _as_float(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol, atol, equal_nan):
    return np.all(isclose(x1, x2, rtol, atol, equal_nan))


def isin(x1, x2, assume_unique, invert):
    return np.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def sign(x):
    if x.dtype == np.bool_:
        raise TypeError(
            "`sign` is not defined for bool tensors. Received: x.dtype=bool. Cast it first, "
            "e.g. with ops.cast(x, 'int32')."
        )
    return np.sign(x)


def trunc(x):
    if x.dtype.kind in "biu":
        return x
    return np.trunc(x)


def round_(x, decimals):
    _check_decimals(decimals)
    if x.dtype == np.bool_ or (x.dtype.kind in "iu" and decimals >= 0):
        return x
    return np.round(x, int(decimals))


def where(condition, x1, x2):
    if x1 is None and x2 is None:
        return tuple(i.astype(np.int32) for i in np.nonzero(condition))
    if x1 is None or x2 is None:
        raise _where_pair_error(x1, x2)
    return np.where(condition, x1, x2)


def digitize(x, bins):
    _check_digitize(bins)
    if x.dtype == np.bool_:
        x = x.astype(np.int32)
        bins = bins.astype(np.int32)
    return np.asarray(np.digitize(x, bins)).astype(np.int32)


def searchsorted(sorted_sequence, values, side):
    _check_searchsorted(sorted_sequence, side)
    return np.asarray(np.searchsorted(sorted_sequence, values, side=side)).astype(np.int32)


KERNELS = {
    "equal": np.equal,
    "not_equal": np.not_equal,
    "greater": np.greater,
    "greater_equal": np.greater_equal,
    "less": np.less,
    "less_equal": np.less_equal,
    "isclose": isclose,
    "allclose": allclose,
    "isfinite": np.isfinite,
    "isinf": np.isinf,
    "isnan": np.isnan,
    "isneginf": np.isneginf,
    "isposinf": np.isposinf,
    "isreal": np.isreal,
    "signbit": np.signbit,
    "isin": isin,
    "logical_and": np.logical_and,
    "logical_or": np.logical_or,
    "logical_xor": np.logical_xor,
    "logical_not": np.logical_not,
    "bitwise_and": _bitwise("bitwise_and", np.bitwise_and),
    "bitwise_or": _bitwise("bitwise_or", np.bitwise_or),
    "bitwise_xor": _bitwise("bitwise_xor", np.bitwise_xor),
    "bitwise_left_shift": _bitwise("bitwise_left_shift", np.left_shift, True),
    "left_shift": _bitwise("left_shift", np.left_shift, True),
    "bitwise_right_shift": _bitwise("bitwise_right_shift", np.right_shift, True),
    "right_shift": _bitwise("right_shift", np.right_shift, True),
    "bitwise_invert": _invert,
    "bitwise_not": _invert,
    "gcd": _int_binary("gcd", np.gcd),
    "lcm": _int_binary("lcm", np.lcm),
    "sign": sign,
    "floor": np.floor,
    "ceil": np.ceil,
    "trunc": trunc,
    "round": round_,
    "where": where,
    "digitize": digitize,
    "searchsorted": searchsorted,
}
