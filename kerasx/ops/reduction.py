"""Reductions: sums, means, extrema, products, spreads, their NaN-ignoring twins."""

from __future__ import annotations

import builtins
import math
from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axes, canonical_axis, reduce_rule
from kerasx.ops._helpers import K, Sample, rand_pos, randn, shape_of

# ------------------------------------------------------------------------------ helpers


def _dn(d: Any) -> str:
    """A dtype name from a dtype-rule slot (a name, or a Python scalar for weak inputs)."""
    return d if isinstance(d, str) else _dt.result_type(d)


def _sum_dtype(x: Any, axis: Any = None, keepdims: bool = False) -> str:
    return _prod_dtype(x)


def _prod_dtype(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> str:
    """Result dtype of `prod`/`nanprod`/`nansum`: small ints widen to 32 bits."""
    if dtype is not None:
        return _dt.standardize_dtype(dtype)
    x = _dn(x)
    if x in ("bool", "int8", "int16"):
        return "int32"
    if x in ("uint8", "uint16"):
        return "uint32"
    return x


def _float_dtype(x: Any, *args: Any, **kwargs: Any) -> str:
    """Result dtype of a float-valued statistic of `x` (ints give floatx)."""
    return _dt.float_result(_dn(x))


def _dtype_name(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def expand_reduced(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """Reshape a reduction's cotangent `g` so it broadcasts against `x`."""
    xshape = shape_of(x)
    if keepdims:
        return g
    axes = canonical_axes(axis, len(xshape))
    kept = tuple(1 if i in axes else d for i, d in enumerate(xshape))
    return K.reshape(g, kept)


def reduced_size(x: Any, axis: Any) -> int:
    """Number of elements of `x` that each output of a reduction over `axis` combines."""
    xshape = shape_of(x)
    return math.prod(xshape[a] for a in canonical_axes(axis, len(xshape)))


def _spread(g: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    """The cotangent of a reduction broadcast back to the shape of `x`."""
    return K.broadcast_to(expand_reduced(g, x, axis, keepdims), shape_of(x))


def _not_nan(x: Any) -> Any:
    return K.logical_not(K.isnan(x))


def _check_axis_int(axis: Any) -> None:
    if axis is not None and (not isinstance(axis, int) or isinstance(axis, bool)):
        raise ValueError(
            "Received an invalid value for `axis`, expected an int or None. "
            f"Received: axis={axis!r}"
        )


def _reduce_samples(rng: Any) -> list:
    x = randn(rng, 2, 3, 4)
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": (0, 2), "keepdims": True}),
        Sample((x,), {"axis": -1}),
    ]


def _nan_samples(rng: Any) -> list:
    x = randn(rng, 3, 4)
    x[0, 1] = x[2, 3] = x[1, 0] = float("nan")
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": 0, "keepdims": True}),
    ]


# ---------------------------------------------------------------------------- sum, mean


@defop(
    shape=reduce_rule,
    dtype=_sum_dtype,
    vjp={"x": lambda g, ans, x, axis, keepdims: _spread(g, x, axis, keepdims)},
    vjp_reads=(),
    samples=_reduce_samples,
)
def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Sum of tensor elements over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The sum (bool/int8/int16 give int32 and uint8/uint16 give uint32, as in Keras).
    """


def _mean_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    return K.divide(_spread(g, x, axis, keepdims), float(builtins.max(reduced_size(x, axis), 1)))


@defop(
    shape=reduce_rule,
    dtype=_float_dtype,
    vjp={"x": _mean_vjp},
    vjp_reads=(),
    samples=_reduce_samples,
)
def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Arithmetic mean over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The mean (integer and bool inputs give floatx).
    """


def _var_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    centered = K.subtract(x, K.mean(x, axis=axis, keepdims=True))
    n = float(builtins.max(reduced_size(x, axis), 1))
    return K.multiply(expand_reduced(g, x, axis, keepdims), K.multiply(centered, 2.0 / n))


def _std_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    centered = K.subtract(x, K.mean(x, axis=axis, keepdims=True))
    n = float(builtins.max(reduced_size(x, axis), 1))
    scale = K.divide(expand_reduced(g, x, axis, keepdims), expand_reduced(ans, x, axis, keepdims))
    return K.multiply(scale, K.divide(centered, n))


@defop(shape=reduce_rule, dtype=_float_dtype, vjp={"x": _var_vjp}, samples=_reduce_samples)
def var(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Population variance (mean squared deviation from the mean) over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The variance (integer and bool inputs give floatx).
    """


@defop(shape=reduce_rule, dtype=_float_dtype, vjp={"x": _std_vjp}, samples=_reduce_samples)
def std(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Population standard deviation over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The standard deviation (integer and bool inputs give floatx).
    """


# ------------------------------------------------------------------------------- extrema


def _extremum_vjp(
    g: Any, ans: Any, x: Any, axis: Any = None, keepdims: bool = False, *_: Any
) -> Any:
    # The cotangent is shared equally by every element equal to the extremum (as JAX does).
    hit = K.cast(K.equal(x, expand_reduced(ans, x, axis, keepdims)), _dtype_name(x))
    count = K.maximum(K.sum(hit, axis=axis, keepdims=True), 1.0)
    return K.multiply(expand_reduced(g, x, axis, keepdims), K.divide(hit, count))


def _max_samples(rng: Any) -> list:
    x = randn(rng, 2, 3, 4)
    return [
        *_reduce_samples(rng),
        Sample((x,), {"axis": 0, "initial": 0.0}),
    ]


def _minmax_shape(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> tuple:
    return reduce_rule(x, axis, keepdims)


@defop(shape=_minmax_shape, vjp={"x": _extremum_vjp}, samples=_max_samples)
def max(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Any:  # noqa: A001
    """Largest element over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.
        initial: optional lower bound for the result (also makes empty reductions valid).

    Returns:
        The maximum, with the dtype of `x`.
    """


@defop(shape=_minmax_shape, vjp={"x": _extremum_vjp}, samples=_max_samples)
def min(x: Any, axis: Any = None, keepdims: bool = False, initial: Any = None) -> Any:  # noqa: A001
    """Smallest element over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.
        initial: optional upper bound for the result (also makes empty reductions valid).

    Returns:
        The minimum, with the dtype of `x`.
    """


@defop(shape=reduce_rule, vjp={"x": _extremum_vjp}, samples=_reduce_samples)
def amax(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Largest element over the given axes (same as `max` without `initial`).

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The maximum, with the dtype of `x`.
    """


@defop(shape=reduce_rule, vjp={"x": _extremum_vjp}, samples=_reduce_samples)
def amin(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Smallest element over the given axes (same as `min` without `initial`).

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The minimum, with the dtype of `x`.
    """


@defop(composite=True, samples=_reduce_samples)
def ptp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Range (maximum minus minimum) over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        ``max(x) - min(x)`` with the dtype of `x`.
    """
    return K.subtract(
        K.max(x, axis=axis, keepdims=keepdims), K.min(x, axis=axis, keepdims=keepdims)
    )


def _logsumexp_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    weights = K.exp(K.subtract(x, expand_reduced(ans, x, axis, keepdims)))
    return K.multiply(expand_reduced(g, x, axis, keepdims), weights)


@defop(
    shape=reduce_rule,
    dtype=_float_dtype,
    vjp={"x": _logsumexp_vjp},
    samples=_reduce_samples,
    namespaces=("math",),
)
def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Logarithm of the sum of exponentials, computed without overflow.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        ``log(sum(exp(x)))`` over `axis` (integer inputs give floatx).
    """


# ------------------------------------------------------------------ products and logic


def _prod_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool, dtype: Any = None) -> Any:
    # d prod / d x_i is the product of the other elements; computed without dividing by
    # zero: with no zero it is prod/x_i, with one zero only that element gets the product of
    # the rest, with two or more zeros every partial derivative is zero.
    zero = K.equal(x, 0)
    nzeros = K.sum(K.cast(zero, "int32"), axis=axis, keepdims=True)
    safe = K.where(zero, K.ones_like(x), x)
    rest = K.prod(safe, axis=axis, keepdims=True)
    partial = K.where(
        K.equal(nzeros, 0),
        K.divide(rest, safe),
        K.where(
            K.logical_and(K.equal(nzeros, 1), zero),
            K.broadcast_to(rest, shape_of(x)),
            K.zeros_like(x),
        ),
    )
    return K.multiply(expand_reduced(g, x, axis, keepdims), partial)


def _prod_samples(rng: Any) -> list:
    x = randn(rng, 2, 3, 4)
    z = randn(rng, 3, 4)
    z[0, 1] = 0.0
    z[2, 0] = z[2, 2] = 0.0
    return [
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": (0, 2), "keepdims": True}),
        Sample((rand_pos(rng, 5),)),
        # One zero and two zeros in a row: the gradient avoids dividing by zero.
        Sample((z,), {"axis": -1}),
    ]


@defop(shape=reduce_rule, dtype=_prod_dtype, vjp={"x": _prod_vjp}, samples=_prod_samples)
def prod(x: Any, axis: Any = None, keepdims: bool = False, dtype: Any = None) -> Any:
    """Product of tensor elements over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.
        dtype: optional result dtype.

    Returns:
        The product (bool/int8/int16 give int32 and uint8/uint16 give uint32 unless `dtype`
        is given).
    """


def _logic_samples(rng: Any) -> list:
    x = randn(rng, 2, 3)
    x[0, 1] = 0.0
    x[1] = 0.0
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x > 0,), {"axis": (0, 1), "keepdims": True}),
        Sample((x,), {"axis": -2, "keepdims": True}),
    ]


@defop(shape=reduce_rule, dtype="bool", nondiff=True, samples=_logic_samples)
def all(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Whether every element is truthy (non-zero) over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        A bool tensor.
    """


@defop(shape=reduce_rule, dtype="bool", nondiff=True, samples=_logic_samples)
def any(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001
    """Whether at least one element is truthy (non-zero) over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        A bool tensor.
    """


def _count_shape(x: Any, axis: Any = None) -> tuple:
    return reduce_rule(x, axis, False)


def _count_samples(rng: Any) -> list:
    x = randn(rng, 2, 3)
    x[0, 1] = 0.0
    x[1, 2] = 0.0
    return [Sample((x,)), Sample((x,), {"axis": 1}), Sample((x > 0,), {"axis": (0, 1)})]


@defop(shape=_count_shape, dtype="int32", nondiff=True, samples=_count_samples)
def count_nonzero(x: Any, axis: Any = None) -> Any:
    """Count the non-zero elements over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).

    Returns:
        An int32 tensor of counts.
    """


def _arg_shape(x: Any, axis: Any = None, keepdims: bool = False) -> tuple:
    _check_axis_int(axis)
    if axis is None:
        return tuple(1 for _ in x) if keepdims else ()
    a = canonical_axis(axis, len(x))
    if keepdims:
        return tuple(1 if i == a else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i != a)


def _arg_samples(rng: Any) -> list:
    x = randn(rng, 3, 4)
    return [
        Sample((x,)),
        Sample((x,), {"axis": 0}),
        Sample((x,), {"axis": -1, "keepdims": True}),
        Sample((x,), {"keepdims": True}),
    ]


def _nanarg_samples(rng: Any) -> list:
    x = randn(rng, 3, 4)
    x[0, 0] = x[1, 2] = float("nan")
    return [Sample((x,)), Sample((x,), {"axis": 0}), Sample((x,), {"axis": 1, "keepdims": True})]


@defop(shape=_arg_shape, dtype="int32", nondiff=True, samples=_arg_samples)
def argmax(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Index of the largest element along an axis (of the flattened tensor when None).

    Args:
        x: input tensor.
        axis: an int, or None to search the flattened tensor.
        keepdims: keep the searched axis with length 1.

    Returns:
        An int32 tensor of indices (the first one on ties).
    """


@defop(shape=_arg_shape, dtype="int32", nondiff=True, samples=_arg_samples)
def argmin(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Index of the smallest element along an axis (of the flattened tensor when None).

    Args:
        x: input tensor.
        axis: an int, or None to search the flattened tensor.
        keepdims: keep the searched axis with length 1.

    Returns:
        An int32 tensor of indices (the first one on ties).
    """


@defop(shape=_arg_shape, dtype="int32", nondiff=True, samples=_nanarg_samples)
def nanargmax(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Index of the largest element along an axis, ignoring NaNs.

    Args:
        x: input tensor.
        axis: an int, or None to search the flattened tensor.
        keepdims: keep the searched axis with length 1.

    Returns:
        An int32 tensor of indices.
    """


@defop(shape=_arg_shape, dtype="int32", nondiff=True, samples=_nanarg_samples)
def nanargmin(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Index of the smallest element along an axis, ignoring NaNs.

    Args:
        x: input tensor.
        axis: an int, or None to search the flattened tensor.
        keepdims: keep the searched axis with length 1.

    Returns:
        An int32 tensor of indices.
    """


# -------------------------------------------------------------------- NaN-ignoring twins


def _nan_count(x: Any, axis: Any) -> Any:
    return K.sum(K.cast(_not_nan(x), _dtype_name(x)), axis=axis, keepdims=True)


def _nansum_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    return K.where(_not_nan(x), _spread(g, x, axis, keepdims), K.zeros_like(x))


def _nanmean_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    share = K.divide(expand_reduced(g, x, axis, keepdims), _nan_count(x, axis))
    return K.where(_not_nan(x), K.broadcast_to(share, shape_of(x)), K.zeros_like(x))


def _nan_centered(x: Any, axis: Any) -> Any:
    return K.subtract(x, K.nanmean(x, axis=axis, keepdims=True))


def _nanvar_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    scale = K.divide(K.multiply(expand_reduced(g, x, axis, keepdims), 2.0), _nan_count(x, axis))
    return K.where(_not_nan(x), K.multiply(_nan_centered(x, axis), scale), K.zeros_like(x))


def _nanstd_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    denom = K.multiply(_nan_count(x, axis), expand_reduced(ans, x, axis, keepdims))
    scale = K.divide(expand_reduced(g, x, axis, keepdims), denom)
    return K.where(_not_nan(x), K.multiply(_nan_centered(x, axis), scale), K.zeros_like(x))


def _nanprod_vjp(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
    filled = K.where(_not_nan(x), x, K.ones_like(x))
    return K.where(_not_nan(x), _prod_vjp(g, ans, filled, axis, keepdims), K.zeros_like(x))


@defop(shape=reduce_rule, dtype=_prod_dtype, vjp={"x": _nansum_vjp}, samples=_nan_samples)
def nansum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Sum over the given axes, treating NaNs as zero.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The sum (bool/int8/int16 give int32, uint8/uint16 give uint32).
    """


@defop(shape=reduce_rule, dtype=_prod_dtype, vjp={"x": _nanprod_vjp}, samples=_nan_samples)
def nanprod(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Product over the given axes, treating NaNs as one.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The product (bool/int8/int16 give int32, uint8/uint16 give uint32).
    """


@defop(shape=reduce_rule, dtype=_float_dtype, vjp={"x": _nanmean_vjp}, samples=_nan_samples)
def nanmean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Mean over the given axes of the elements that are not NaN.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The mean (NaN where every element is NaN; integer inputs give floatx).
    """


@defop(shape=reduce_rule, dtype=_float_dtype, vjp={"x": _nanvar_vjp}, samples=_nan_samples)
def nanvar(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Population variance over the given axes of the elements that are not NaN.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The variance (integer inputs give floatx).
    """


@defop(shape=reduce_rule, dtype=_float_dtype, vjp={"x": _nanstd_vjp}, samples=_nan_samples)
def nanstd(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Population standard deviation over the given axes of the elements that are not NaN.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The standard deviation (integer inputs give floatx).
    """


@defop(shape=reduce_rule, vjp={"x": _extremum_vjp}, samples=_nan_samples)
def nanmax(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Largest element over the given axes, ignoring NaNs.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The maximum (NaN where every element is NaN), with the dtype of `x`.
    """


@defop(shape=reduce_rule, vjp={"x": _extremum_vjp}, samples=_nan_samples)
def nanmin(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Smallest element over the given axes, ignoring NaNs.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The minimum (NaN where every element is NaN), with the dtype of `x`.
    """


from kerasx.ops import sorting as _sorting  # noqa: E402
from kerasx.ops import statistics as _statistics  # noqa: E402
from kerasx.ops.sorting import *  # noqa: E402, F403
from kerasx.ops.statistics import *  # noqa: E402, F403

__all__ = [
    *_sorting.__all__,
    *_statistics.__all__,
    "all",
    "amax",
    "amin",
    "any",
    "argmax",
    "argmin",
    "count_nonzero",
    "expand_reduced",
    "logsumexp",
    "max",
    "mean",
    "min",
    "nanargmax",
    "nanargmin",
    "nanmax",
    "nanmean",
    "nanmin",
    "nanprod",
    "nanstd",
    "nansum",
    "nanvar",
    "prod",
    "ptp",
    "std",
    "sum",
    "var",
]
