"""Statistics: cumulative sums/products, quantiles, averages, correlation, histograms."""

from __future__ import annotations

import math
from typing import Any

from kerasx import config as _config
from kerasx.engine import dtypes as _dt
from kerasx.engine.dispatch import dtype_of
from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axes, canonical_axis, reduce_rule
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos, randn, shape_of

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def _dn(d: Any) -> str:
    return d if isinstance(d, str) else _dt.result_type(d)


def _dtype_name(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def _not_nan(x: Any) -> Any:
    return K.logical_not(K.isnan(x))


# ------------------------------------------------------------------ cumulative sum/prod


def _cum_shape(x: Any, axis: Any = None, dtype: Any = None) -> tuple:
    if axis is None:
        return (None,) if None in x else (math.prod(x),)
    canonical_axis(axis, len(x))
    return tuple(x)


def _cum_dtype(x: Any, axis: Any = None, dtype: Any = None) -> str:
    if dtype is not None:
        return _dt.standardize_dtype(dtype)
    x = _dn(x)
    return "int32" if x == "bool" else x


def _reverse_cumsum(g: Any, axis: int) -> Any:
    # sum_{j >= i} g_j, written as total - inclusive prefix + own term.
    return K.add(K.subtract(K.sum(g, axis=axis, keepdims=True), K.cumsum(g, axis=axis)), g)


def _cumsum_vjp(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None) -> Any:
    if axis is None:
        return K.reshape(_reverse_cumsum(g, 0), shape_of(x))
    return _reverse_cumsum(g, axis)


def _cumprod_vjp(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None) -> Any:
    # d ans_j / d x_i = ans_j / x_i for j >= i (exact for inputs without zeros).
    flat = K.reshape(x, (-1,)) if axis is None else x
    grad = K.divide(_reverse_cumsum(K.multiply(g, ans), 0 if axis is None else axis), flat)
    return K.reshape(grad, shape_of(x)) if axis is None else grad


def _nancumsum_vjp(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None) -> Any:
    return K.where(_not_nan(x), _cumsum_vjp(g, ans, x, axis), K.zeros_like(x))


def _nancumprod_vjp(g: Any, ans: Any, x: Any, axis: Any = None, dtype: Any = None) -> Any:
    filled = K.where(_not_nan(x), x, K.ones_like(x))
    return K.where(_not_nan(x), _cumprod_vjp(g, ans, filled, axis), K.zeros_like(x))


def _cum_samples(rng: Any) -> list:
    x = rand_pos(rng, 2, 3, 4)
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": -1}),
        Sample((rand_int(rng, 2, 3, high=4),), {"axis": 0}, grad=False),
    ]


def _nancum_samples(rng: Any) -> list:
    x = rand_pos(rng, 3, 4)
    x[0, 1] = x[2, 3] = float("nan")
    return [Sample((x,)), Sample((x,), {"axis": 0}), Sample((x,), {"axis": -1})]


@defop(shape=_cum_shape, dtype=_cum_dtype, vjp={"x": _cumsum_vjp}, samples=_cum_samples)
def cumsum(x: Any, axis: Any = None, dtype: Any = None) -> Any:
    """Running sum along an axis.

    Args:
        x: input tensor.
        axis: the axis to accumulate along; None accumulates over the flattened tensor.
        dtype: optional result dtype (bool inputs give int32 by default).

    Returns:
        A tensor of running sums (1-D when `axis` is None).
    """


@defop(shape=_cum_shape, dtype=_cum_dtype, vjp={"x": _cumprod_vjp}, samples=_cum_samples)
def cumprod(x: Any, axis: Any = None, dtype: Any = None) -> Any:
    """Running product along an axis.

    Args:
        x: input tensor.
        axis: the axis to accumulate along; None accumulates over the flattened tensor.
        dtype: optional result dtype (bool inputs give int32 by default).

    Returns:
        A tensor of running products (1-D when `axis` is None).
    """


@defop(shape=_cum_shape, dtype=_cum_dtype, vjp={"x": _nancumsum_vjp}, samples=_nancum_samples)
def nancumsum(x: Any, axis: Any = None, dtype: Any = None) -> Any:
    """Running sum along an axis, treating NaNs as zero.

    Args:
        x: input tensor.
        axis: the axis to accumulate along; None accumulates over the flattened tensor.
        dtype: optional result dtype (bool inputs give int32 by default).

    Returns:
        A tensor of running sums (1-D when `axis` is None).
    """


@defop(shape=_cum_shape, dtype=_cum_dtype, vjp={"x": _nancumprod_vjp}, samples=_nancum_samples)
def nancumprod(x: Any, axis: Any = None, dtype: Any = None) -> Any:
    """Running product along an axis, treating NaNs as one.

    Args:
        x: input tensor.
        axis: the axis to accumulate along; None accumulates over the flattened tensor.
        dtype: optional result dtype (bool inputs give int32 by default).

    Returns:
        A tensor of running products (1-D when `axis` is None).
    """


# ------------------------------------------------------------------------------ quantiles


def _check_method(method: Any) -> None:
    if method not in _METHODS:
        raise ValueError(
            f"Received an invalid value for `method`, expected one of {', '.join(_METHODS)}. "
            f"Received: method={method!r}"
        )


def _quantile_shape(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> tuple:
    _check_method(method)
    if len(q) > 1:
        raise ValueError(
            f"Received an invalid value for `q`, expected a scalar or a 1-D tensor. "
            f"Received: q with shape {tuple(q)}"
        )
    return tuple(q) + reduce_rule(x, axis, keepdims)


def _float_dtype(x: Any, *args: Any, **kwargs: Any) -> str:
    return _dt.float_result(_dn(x))


def _order_grad(
    g: Any, x: Any, q: Any, axis: Any, method: str, keepdims: bool, scale: float, nan: bool
) -> Any:
    """Cotangent of an order statistic: `g` goes to the sorted neighbours it interpolates.

    The reduced axes are moved last and flattened; each element's rank along them says
    which quantile positions it feeds and with which interpolation weight.
    """
    xshape = shape_of(x)
    nd = len(xshape)
    red = canonical_axes(axis, nd)
    kept = [i for i in range(nd) if i not in red]
    perm = kept + list(red)
    kept_shape = tuple(xshape[i] for i in kept)
    n = math.prod(xshape[i] for i in red)
    dt = _dtype_name(x)
    xr = K.reshape(K.transpose(x, perm), (*kept_shape, n))
    rank = K.cast(K.argsort(K.argsort(xr, axis=-1), axis=-1), dt)
    if nan:
        last = K.subtract(K.sum(K.cast(_not_nan(xr), dt), axis=-1, keepdims=True), 1.0)
    else:
        last = float(n - 1)
    qshape = shape_of(q)
    if isinstance(q, (int, float)):  # the kernel saw it converted as a weak float (floatx)
        q = K.cast(q, _config.floatx())
    qf = K.cast(q, dt)
    if scale != 1.0:
        qf = K.divide(qf, 1.0 / scale)
    pos = K.multiply(K.reshape(qf, qshape + (1,) * (len(kept_shape) + 1)), last)
    low = K.floor(pos)
    high = K.ceil(pos)
    frac = K.subtract(pos, low)
    if method == "linear":
        w_low, w_high = K.subtract(1.0, frac), frac
    elif method == "lower":
        w_low, w_high = 1.0, 0.0
    elif method == "higher":
        w_low, w_high = 0.0, 1.0
    elif method == "midpoint":
        w_low, w_high = 0.5, 0.5
    else:  # nearest: the lower neighbour unless the fraction is above one half
        w_high = K.cast(K.greater(frac, 0.5), dt)
        w_low = K.subtract(1.0, w_high)
    weights = K.add(
        K.multiply(K.cast(K.equal(rank, low), dt), w_low),
        K.multiply(K.cast(K.equal(rank, high), dt), w_high),
    )
    grad = K.multiply(weights, K.reshape(g, (*qshape, *kept_shape, 1)))
    if qshape:
        grad = K.sum(grad, axis=tuple(range(len(qshape))))
    grad = K.reshape(grad, tuple(xshape[i] for i in perm))
    inverse = [0] * nd
    for i, p in enumerate(perm):
        inverse[p] = i
    return K.transpose(grad, inverse)


def _quantile_samples(rng: Any, scale: float = 1.0, nan: bool = False) -> list:
    x = randn(rng, 3, 5)
    if nan:
        x[0, 1] = x[2, 4] = x[2, 0] = float("nan")
    return [
        Sample((x, 0.3 * scale)),
        Sample((x, [0.2 * scale, 0.9 * scale]), {"axis": 1}),
        Sample((x, 0.6 * scale), {"axis": 0, "keepdims": True, "method": "lower"}),
        Sample((x, [0.1 * scale, 0.7 * scale]), {"axis": -1, "method": "higher"}),
        Sample((x, 0.65 * scale), {"axis": 1, "method": "nearest"}),
        Sample((x, 0.4 * scale), {"axis": (0, 1), "method": "midpoint"}),
    ]


def _q_rule(scale: float, nan: bool) -> Any:
    def rule(g: Any, ans: Any, x: Any, q: Any, axis: Any, method: str, keepdims: bool) -> Any:
        return _order_grad(g, x, q, axis, method, keepdims, scale, nan)

    return rule


def _median_rule(nan: bool) -> Any:
    def rule(g: Any, ans: Any, x: Any, axis: Any, keepdims: bool) -> Any:
        return _order_grad(g, x, 0.5, axis, "linear", keepdims, 1.0, nan)

    return rule


@defop(
    tensors=("x", "q"),
    shape=_quantile_shape,
    dtype=_float_dtype,
    vjp={"x": _q_rule(1.0, False)},
    samples=_quantile_samples,
)
def quantile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> Any:
    """The `q`-th quantiles of the data over the given axes.

    Args:
        x: input tensor.
        q: a probability or 1-D tensor of probabilities in [0, 1].
        axis: an int, a tuple of ints, or None (all axes).
        method: how to pick between two neighbouring sorted values: "linear", "lower",
            "higher", "midpoint" or "nearest".
        keepdims: keep the reduced axes with length 1.

    Returns:
        The quantiles; a 1-D `q` adds a leading axis (integer inputs give floatx).
    """


@defop(
    tensors=("x", "q"),
    shape=_quantile_shape,
    dtype=_float_dtype,
    vjp={"x": _q_rule(0.01, False)},
    samples=lambda rng: _quantile_samples(rng, 100.0),
)
def percentile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> Any:
    """The `q`-th percentiles of the data over the given axes.

    Args:
        x: input tensor.
        q: a percentage or 1-D tensor of percentages in [0, 100].
        axis: an int, a tuple of ints, or None (all axes).
        method: "linear", "lower", "higher", "midpoint" or "nearest" (see `quantile`).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The percentiles; a 1-D `q` adds a leading axis (integer inputs give floatx).
    """


@defop(
    tensors=("x", "q"),
    shape=_quantile_shape,
    dtype=_float_dtype,
    vjp={"x": _q_rule(1.0, True)},
    samples=lambda rng: _quantile_samples(rng, 1.0, nan=True),
)
def nanquantile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> Any:
    """The `q`-th quantiles over the given axes, ignoring NaNs.

    Args:
        x: input tensor.
        q: a probability or 1-D tensor of probabilities in [0, 1].
        axis: an int, a tuple of ints, or None (all axes).
        method: "linear", "lower", "higher", "midpoint" or "nearest" (see `quantile`).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The quantiles; a 1-D `q` adds a leading axis (integer inputs give floatx).
    """


@defop(
    tensors=("x", "q"),
    shape=_quantile_shape,
    dtype=_float_dtype,
    vjp={"x": _q_rule(0.01, True)},
    samples=lambda rng: _quantile_samples(rng, 100.0, nan=True),
)
def nanpercentile(
    x: Any, q: Any, axis: Any = None, method: str = "linear", keepdims: bool = False
) -> Any:
    """The `q`-th percentiles over the given axes, ignoring NaNs.

    Args:
        x: input tensor.
        q: a percentage or 1-D tensor of percentages in [0, 100].
        axis: an int, a tuple of ints, or None (all axes).
        method: "linear", "lower", "higher", "midpoint" or "nearest" (see `quantile`).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The percentiles; a 1-D `q` adds a leading axis (integer inputs give floatx).
    """


def _median_samples(rng: Any, nan: bool = False) -> list:
    x = randn(rng, 2, 3, 4)
    if nan:
        x[0, 1, 2] = x[1, 0, 0] = x[1, 2, 3] = float("nan")
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": -1, "keepdims": True}),
        Sample((x,), {"axis": (0, 2)}),
    ]


@defop(
    shape=reduce_rule, dtype=_float_dtype, vjp={"x": _median_rule(False)}, samples=_median_samples
)
def median(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Median over the given axes (the mean of the two middle values for even counts).

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The median (integer inputs give floatx).
    """


@defop(
    shape=reduce_rule,
    dtype=_float_dtype,
    vjp={"x": _median_rule(True)},
    samples=lambda rng: _median_samples(rng, nan=True),
)
def nanmedian(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """Median over the given axes, ignoring NaNs.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The median (NaN where every element is NaN; integer inputs give floatx).
    """


# ----------------------------------------------------------------- averages, correlation


def _average_samples(rng: Any) -> list:
    x = randn(rng, 3, 4)
    return [
        Sample((x,)),
        Sample((x,), {"axis": 1}),
        Sample((x,), {"axis": 0, "weights": rand_pos(rng, 3)}),
        Sample((x,), {"weights": rand_pos(rng, 3, 4)}),
        Sample((x,), {"axis": -1, "weights": rand_pos(rng, 3, 4)}),
    ]


@defop(tensors=("x", "weights"), composite=True, samples=_average_samples)
def average(x: Any, axis: Any = None, weights: Any = None) -> Any:
    """Weighted average over the given axes.

    Args:
        x: input tensor.
        axis: an int, a tuple of ints, or None (all axes).
        weights: optional weights, either of the shape of `x` or 1-D with the length of
            ``x.shape[axis]`` (then `axis` must be an int). None weighs every element equally.

    Returns:
        ``sum(x * weights) / sum(weights)`` over `axis` (integer inputs give floatx).
    """
    if weights is None:
        return K.mean(x, axis=axis)
    xshape, wshape = shape_of(x), shape_of(weights)
    if tuple(wshape) != tuple(xshape):
        if not isinstance(axis, int) or len(wshape) != 1:
            raise ValueError(
                "Received an invalid value for `weights`, expected the shape of `x` "
                f"{tuple(xshape)} or, with an int `axis`, a 1-D tensor of length x.shape[axis]. "
                f"Received: weights with shape {tuple(wshape)}, axis={axis!r}"
            )
        a = canonical_axis(axis, len(xshape))
        if wshape[0] is not None and xshape[a] is not None and wshape[0] != xshape[a]:
            raise ValueError(
                "Received an invalid value for `weights`, expected a 1-D tensor of length "
                f"x.shape[{axis}]={xshape[a]}. Received: weights with shape {tuple(wshape)}"
            )
        weights = K.reshape(weights, tuple(-1 if i == a else 1 for i in range(len(xshape))))
    dt = _dt.float_result(_dt.result_type(dtype_of(x), dtype_of(weights)))
    x = K.cast(x, dt)
    weights = K.cast(weights, dt)
    num = K.sum(K.multiply(x, weights), axis=axis)
    return K.divide(num, K.sum(K.broadcast_to(weights, xshape), axis=axis))


def _corrcoef_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 3, 5),)),
        Sample((randn(rng, 2, 4),)),
        Sample((randn(rng, 1, 6),), grad=False),  # 1x1 result is the constant 1
    ]


@defop(composite=True, samples=_corrcoef_samples)
def corrcoef(x: Any) -> Any:
    """Pearson correlation coefficients between the rows (variables) of `x`.

    Args:
        x: a 1-D tensor (one variable) or a 2-D tensor with one variable per row and one
            observation per column.

    Returns:
        The correlation matrix, clipped to [-1, 1]; a scalar when there is one variable
        (integer inputs give floatx).
    """
    xshape = shape_of(x)
    if len(xshape) not in (1, 2):
        raise ValueError(
            "Received an invalid value for `x`, expected a 1-D or 2-D tensor. "
            f"Received: x with shape {tuple(xshape)}"
        )
    x = K.cast(x, _dt.float_result(_dn(dtype_of(x))))
    rows = K.reshape(x, (1, -1)) if len(xshape) == 1 else x
    centered = K.subtract(rows, K.mean(rows, axis=1, keepdims=True))
    cov = K.matmul(centered, K.transpose(centered))
    scale = K.sqrt(K.sum(K.multiply(centered, centered), axis=1))
    corr = K.divide(K.divide(cov, K.expand_dims(scale, 1)), K.expand_dims(scale, 0))
    corr = K.clip(corr, -1.0, 1.0)
    if len(xshape) == 1 or xshape[0] == 1:
        return K.reshape(corr, ())
    return corr


def _trapezoid_samples(rng: Any) -> list:
    y = randn(rng, 3, 4)
    return [
        Sample((y,)),
        Sample((y,), {"dx": 0.5, "axis": 0}),
        Sample((y, rand_pos(rng, 4))),
        Sample((y, randn(rng, 3, 4)), {"axis": 0}),
    ]


@defop(tensors=("y", "x"), composite=True, samples=_trapezoid_samples)
def trapezoid(y: Any, x: Any = None, dx: float = 1.0, axis: int = -1) -> Any:
    """Integrate samples along an axis with the trapezoidal rule.

    Args:
        y: values to integrate.
        x: optional sample positions, 1-D (along `axis`) or of the shape of `y`; when None
            the samples are `dx` apart.
        dx: spacing between samples when `x` is None.
        axis: the axis to integrate along.

    Returns:
        The integral, with `axis` removed (integer inputs give floatx).
    """
    yshape = shape_of(y)
    a = canonical_axis(axis, len(yshape))
    dts = [dtype_of(y)] if x is None else [dtype_of(y), dtype_of(x)]
    dt = _dt.float_result(_dt.result_type(*dts))
    ys = K.moveaxis(K.cast(y, dt), a, -1)
    tail, head = (Ellipsis, slice(1, None)), (Ellipsis, slice(None, -1))
    pair_sum = K.add(K.get_item(ys, tail), K.get_item(ys, head))
    if x is None:
        widths: Any = float(dx)
    else:
        xs = K.cast(x, dt)
        if len(shape_of(x)) != 1:
            xs = K.moveaxis(xs, a, -1)
        widths = K.subtract(K.get_item(xs, tail), K.get_item(xs, head))
    return K.multiply(K.sum(K.multiply(pair_sum, widths), axis=-1), 0.5)


# ------------------------------------------------------------------- counting and bins


def _histogram_shape(x: Any, bins: int = 10, range: Any = None) -> list:  # noqa: A002
    if len(x) != 1:
        raise ValueError(
            "Received an invalid value for `x`, expected a 1-D tensor. "
            f"Received: x with shape {tuple(x)}"
        )
    if not isinstance(bins, int) or isinstance(bins, bool) or bins < 1:
        raise ValueError(
            "Received an invalid value for `bins`, expected a positive int. "
            f"Received: bins={bins!r}"
        )
    if range is not None and (len(range) != 2 or range[0] > range[1]):
        raise ValueError(
            "Received an invalid value for `range`, expected a pair (min, max) with "
            f"min <= max. Received: range={range!r}"
        )
    return [(bins,), (bins + 1,)]


def _histogram_dtype(x: Any, bins: int = 10, range: Any = None) -> list:  # noqa: A002
    return ["int32", _dt.float_result(_dn(x))]


@defop(
    shape=_histogram_shape,
    dtype=_histogram_dtype,
    nondiff=True,
    samples=lambda rng: [
        # Keras's NumPy backend returns int64 counts and its JAX backend float32 counts;
        # kerasx gives int32 counts on every engine.
        Sample((randn(rng, 20),), keras=False),
        Sample((randn(rng, 20),), {"bins": 4, "range": (-1.0, 1.0)}, keras=False),
    ],
)
def histogram(x: Any, bins: int = 10, range: Any = None) -> Any:  # noqa: A002
    """Count the values of a 1-D tensor falling into equal-width bins.

    Args:
        x: a 1-D tensor.
        bins: number of bins.
        range: optional ``(min, max)`` of the binned interval; defaults to the data's range.
            Values outside it are not counted.

    Returns:
        A pair ``(counts, bin_edges)``: int32 counts of shape ``(bins,)`` and the
        ``bins + 1`` bin edges.
    """


def _bincount_shape(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> tuple:
    if sparse:
        raise ValueError(
            "Received an invalid value for `sparse`: kerasx has no sparse tensors. "
            "Received: sparse=True"
        )
    if not isinstance(minlength, int) or isinstance(minlength, bool) or minlength < 0:
        raise ValueError(
            "Received an invalid value for `minlength`, expected an int >= 0. "
            f"Received: minlength={minlength!r}"
        )
    if len(x) not in (1, 2):
        raise ValueError(
            "Received an invalid value for `x`, expected a 1-D or 2-D tensor. "
            f"Received: x with shape {tuple(x)}"
        )
    return (*x[:-1], None)


def _bincount_dtype(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> str:
    if weights is None:
        return "int32"
    w = _dn(weights)
    return w if _dt.is_float_dtype(w) or w in ("int64", "uint64") else "int32"


def _bincount_samples(rng: Any) -> list:
    x = rand_int(rng, 8, high=5)
    return [
        Sample((x,)),
        Sample((x,), {"minlength": 7}),
        Sample((x,), {"weights": rand_pos(rng, 8)}),
        # Keras's NumPy backend cannot count a batch of rows; its JAX backend can.
        Sample((rand_int(rng, 2, 5, high=4),), {"minlength": 4}, keras=False),
    ]


@defop(
    tensors=("x", "weights"),
    shape=_bincount_shape,
    dtype=_bincount_dtype,
    nondiff=True,
    samples=_bincount_samples,
)
def bincount(x: Any, weights: Any = None, minlength: int = 0, sparse: bool = False) -> Any:
    """Count the occurrences of each non-negative integer value.

    Args:
        x: a 1-D int tensor, or a 2-D one whose rows are counted separately.
        weights: optional weights of the shape of `x`, summed instead of counting ones.
        minlength: minimum length of the result.
        sparse: must be False (sparse results are not supported).

    Returns:
        Counts of length ``max(max(x) + 1, minlength)`` (int32, or the float dtype of
        `weights`).
    """


__all__ = [
    "average",
    "bincount",
    "corrcoef",
    "cumprod",
    "cumsum",
    "histogram",
    "median",
    "nancumprod",
    "nancumsum",
    "nanmedian",
    "nanpercentile",
    "nanquantile",
    "percentile",
    "quantile",
    "trapezoid",
]
