"""JAX kernels: comparisons, predicates, logic, bitwise ops, rounding, where, bucketing.

Inputs of ops with `promote` arrive already cast to one dtype. Everything here is
jit-traceable except `where` with only a condition (its output shape depends on the data).
"""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np

from kerasx.ops._checks_logic import (
    _check_decimals,
    _check_digitize,
    _check_searchsorted,
    _int_binary,
    _int_or_bool,
    _where_pair_error,
)


def _kind(x):
    return np.dtype(x.dtype).kind


def _bitwise(op, fn, bool_to_int=False):
    def kernel(x, y):
        _int_or_bool(op, x)
        if bool_to_int and x.dtype == jnp.bool_:
            x = x.astype(jnp.int32)
            y = y.astype(jnp.int32)
        return fn(x, y)

    return kernel


def _invert(x):
    _int_or_bool("bitwise_invert", x)
    return jnp.invert(x)


def _as_float(x):
    return x if _kind(x) in "fc" else x.astype(jnp.float64)


def isclose(x1, x2, rtol, atol, equal_nan):
    return jnp.isclose(_as_float(x1), _as_float(x2), rtol=rtol, atol=atol, equal_nan=equal_nan)


def allclose(x1, x2, rtol, atol, equal_nan):
    return jnp.all(isclose(x1, x2, rtol, atol, equal_nan))


def isin(x1, x2, assume_unique, invert):
    return jnp.isin(x1, x2, assume_unique=assume_unique, invert=invert)


def isreal(x):
    if _kind(x) == "c":
        return jnp.imag(x) == 0
    return jnp.ones(x.shape, dtype=jnp.bool_)


def sign(x):
    if x.dtype == jnp.bool_:
        raise TypeError(
            "`sign` is not defined for bool tensors. Received: x.dtype=bool. Cast it first, "
            "e.g. with ops.cast(x, 'int32')."
        )
    return jnp.sign(x)


def trunc(x):
    if _kind(x) in "biu":
        return x
    return jnp.trunc(x)


def _round_int(x, decimals):
    """Round integers to a multiple of 10**-decimals (decimals < 0), ties to even."""
    if -decimals > 18:  # 10**19 exceeds every integer magnitude: everything rounds to 0
        return jnp.zeros(x.shape, dtype=x.dtype)
    work = jnp.uint64 if x.dtype == jnp.uint64 else jnp.int64
    m = 10 ** (-decimals)
    xi = x.astype(work)
    q = jnp.floor_divide(xi, m)
    twice_r = 2 * (xi - q * m)
    up = (twice_r > m) | ((twice_r == m) & (jnp.remainder(q, 2) == 1))
    return ((q + up.astype(work)) * m).astype(x.dtype)


def round_(x, decimals):
    _check_decimals(decimals)
    decimals = int(decimals)
    if x.dtype == jnp.bool_:
        return x
    if _kind(x) in "iu":
        return x if decimals >= 0 else _round_int(x, decimals)
    return jnp.round(x, decimals)


def where(condition, x1, x2):
    if x1 is None and x2 is None:
        return tuple(i.astype(jnp.int32) for i in jnp.nonzero(condition))
    if x1 is None or x2 is None:
        raise _where_pair_error(x1, x2)
    return jnp.where(condition, x1, x2)


def digitize(x, bins):
    _check_digitize(bins)
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int32)
        bins = bins.astype(jnp.int32)
    return jnp.digitize(x, bins).astype(jnp.int32)


def searchsorted(sorted_sequence, values, side):
    _check_searchsorted(sorted_sequence, side)
    return jnp.searchsorted(sorted_sequence, values, side=side).astype(jnp.int32)


KERNELS = {
    "equal": jnp.equal,
    "not_equal": jnp.not_equal,
    "greater": jnp.greater,
    "greater_equal": jnp.greater_equal,
    "less": jnp.less,
    "less_equal": jnp.less_equal,
    "isclose": isclose,
    "allclose": allclose,
    "isfinite": jnp.isfinite,
    "isinf": jnp.isinf,
    "isnan": jnp.isnan,
    "isneginf": jnp.isneginf,
    "isposinf": jnp.isposinf,
    "isreal": isreal,
    "signbit": jnp.signbit,
    "isin": isin,
    "logical_and": jnp.logical_and,
    "logical_or": jnp.logical_or,
    "logical_xor": jnp.logical_xor,
    "logical_not": jnp.logical_not,
    "bitwise_and": _bitwise("bitwise_and", jnp.bitwise_and),
    "bitwise_or": _bitwise("bitwise_or", jnp.bitwise_or),
    "bitwise_xor": _bitwise("bitwise_xor", jnp.bitwise_xor),
    "bitwise_left_shift": _bitwise("bitwise_left_shift", jnp.left_shift, True),
    "left_shift": _bitwise("left_shift", jnp.left_shift, True),
    "bitwise_right_shift": _bitwise("bitwise_right_shift", jnp.right_shift, True),
    "right_shift": _bitwise("right_shift", jnp.right_shift, True),
    "bitwise_invert": _invert,
    "bitwise_not": _invert,
    "gcd": _int_binary("gcd", jnp.gcd),
    "lcm": _int_binary("lcm", jnp.lcm),
    "sign": sign,
    "floor": jnp.floor,
    "ceil": jnp.ceil,
    "trunc": trunc,
    "round": round_,
    "where": where,
    "digitize": digitize,
    "searchsorted": searchsorted,
}
