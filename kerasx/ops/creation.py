"""Array creation: ranges, constant-filled tensors, identity/triangle matrices, windows, grids."""

from __future__ import annotations

import math
from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes, canonical_axis
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos, randn, shape_of, unbroadcast


def _std(dtype: Any) -> str:
    return _dt.standardize_dtype(dtype)


def _shape_tuple(shape: Any) -> tuple:
    if isinstance(shape, int):
        return (shape,)
    try:
        return tuple(int(d) for d in shape)
    except TypeError:
        raise TypeError(
            f"Received an invalid value for `shape`, expected an int or a sequence of ints. "
            f"Received: shape={shape!r}"
        ) from None


def _cast_back(g: Any, x: Any) -> Any:
    d = _std(getattr(x, "dtype", None) or _dt.result_type(x))
    if not (_dt.is_float_dtype(d) or _dt.is_complex_dtype(d)):
        return None
    return K.cast(g, d)


# ------------------------------------------------------------------------------ ranges


@defop(
    tensors=(),
    nondiff=True,
    samples=lambda rng: [
        Sample((5,)),
        Sample((1, 7, 2)),
        Sample((0.5, 3.0, 0.5)),
        Sample((5, 0, -2)),
        Sample((3,), {"dtype": "float16"}),
        Sample((1, 4), {"step": 0.5}),
    ],
)
def arange(start: Any, stop: Any = None, step: Any = None, dtype: Any = None) -> Any:
    """Evenly spaced values in the half-open interval ``[start, stop)``.

    Args:
        start: the first value (or, when `stop` is None, the end with start 0).
        stop: the end (excluded).
        step: the spacing (default 1; must not be 0).
        dtype: the result dtype (default: int32 for integer arguments, else floatx).

    Returns:
        A 1-D tensor.
    """


@defop(
    shape=lambda x, dtype=None: tuple(x),
    dtype=lambda x, dtype=None: x if dtype is None else _std(dtype),
    vjp={"x": lambda g, ans, x, dtype=None: _cast_back(g, x)},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),)),
        Sample((randn(rng, 3),), {"dtype": "float16"}, rtol=1e-3, atol=1e-3, grad=False),
        Sample((rand_int(rng, 2, 2),)),
    ],
)
def array(x: Any, dtype: Any = None) -> Any:
    """Create a tensor from array-like data (a copy).

    Args:
        x: the data (nested lists, a NumPy array, a tensor).
        dtype: the result dtype (default: inferred, Python floats give floatx).

    Returns:
        A tensor.
    """


def _space_dtype(start: Any, stop: Any, dtype: Any = None) -> str:
    if dtype is not None:
        return _std(dtype)
    return _dt.float_result(_dt.result_type(start, stop))


def _space_shape(start: tuple, stop: tuple, num: int, axis: int) -> tuple:
    if isinstance(num, bool) or not hasattr(num, "__index__") or num < 0:
        raise ValueError(
            f"Received an invalid value for `num`, expected an int >= 0. Received: num={num}"
        )
    b = broadcast_shapes(start, stop)
    out = list(b)
    out.insert(canonical_axis(axis, len(b) + 1), num)
    return tuple(out)


def _weights(g: Any, num: int, endpoint: bool, axis: int) -> tuple:
    """Interpolation fractions t (shaped to broadcast along `axis` of g) and the divisor."""
    div = (num - 1) if endpoint else num
    dt = _std(g.dtype)
    t = K.arange(num, dtype=dt)
    t = K.true_divide(t, div) if div > 0 else K.multiply(t, 0.0)
    nd = len(shape_of(g))
    shape = [1] * nd
    shape[axis] = num
    return K.reshape(t, shape), div


def _space_vjp(kind: str, which: str) -> Any:
    def rule(g: Any, ans: Any, start: Any, stop: Any, num: int, *rest: Any) -> Any:
        endpoint = rest[0]
        axis = rest[-1]
        retstep = kind == "linspace" and rest[1]
        g_step = None
        if retstep:
            g, g_step = g[0], g[1]
            ans = ans[0]
        axis = canonical_axis(axis, len(shape_of(g)))
        w, div = _weights(g, num, endpoint, axis)
        if which == "start":
            w = K.subtract(K.ones_like(w), w)
        if kind == "linspace":
            out = K.sum(K.multiply(g, w), axis=axis)
            if g_step is not None and div > 0:
                step_part = K.true_divide(g_step, div)
                out = K.add(out, step_part) if which == "stop" else K.subtract(out, step_part)
        else:
            gy = K.multiply(g, K.cast(ans, _std(g.dtype)))
            out = K.sum(K.multiply(gy, w), axis=axis)
            if kind == "geomspace":
                out = K.true_divide(out, start if which == "start" else stop)
            else:
                out = K.multiply(out, math.log(rest[1]))
        return unbroadcast(out, start if which == "start" else stop)

    return rule


def _linspace_shape(
    start: tuple,
    stop: tuple,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    out = _space_shape(start, stop, num, axis)
    return [out, broadcast_shapes(start, stop)] if retstep else out


def _linspace_dtype(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    d = _space_dtype(start, stop, dtype=dtype)
    if not retstep:
        return d
    return [d, d if _dt.is_float_dtype(d) else _std(None)]


@defop(
    tensors=("start", "stop"),
    shape=_linspace_shape,
    dtype=_linspace_dtype,
    vjp={"start": _space_vjp("linspace", "start"), "stop": _space_vjp("linspace", "stop")},
    samples=lambda rng: [
        Sample((0.0, 1.0, 5)),
        Sample((randn(rng, 2), randn(rng, 2), 4), {"endpoint": False}),
        Sample((randn(rng, 3), randn(rng, 2, 1), 3), {"axis": -1}),
        Sample(
            (randn(rng, 2), randn(rng, 2), 4), {"retstep": True}, keras=False
        ),  # Keras's step is float64
        Sample((0, 10, 5), {"dtype": "int32"}),
        Sample((randn(rng), randn(rng), 1)),
    ],
)
def linspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    retstep: bool = False,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    """`num` evenly spaced values from `start` to `stop`.

    Args:
        start: the first value (a scalar or a tensor; tensors give one sequence per element).
        stop: the last value (included when `endpoint` is True).
        num: the number of values.
        endpoint: whether `stop` is the last value.
        retstep: also return the spacing.
        dtype: the result dtype (default floatx, or the inputs' float dtype).
        axis: where the new axis goes when `start`/`stop` are tensors.

    Returns:
        The values, or ``(values, step)`` when `retstep` is True.
    """


def _geomspace_shape(
    start: tuple,
    stop: tuple,
    num: int = 50,
    endpoint: bool = True,
    dtype: Any = None,
    axis: int = 0,
) -> tuple:
    return _space_shape(start, stop, num, axis)


@defop(
    tensors=("start", "stop"),
    shape=_geomspace_shape,
    dtype=lambda start, stop, num=50, endpoint=True, dtype=None, axis=0: _space_dtype(
        start, stop, dtype=dtype
    ),
    vjp={"start": _space_vjp("geomspace", "start"), "stop": _space_vjp("geomspace", "stop")},
    samples=lambda rng: [
        Sample((1.0, 100.0, 3)),
        Sample((rand_pos(rng, 2), rand_pos(rng, 2), 4), {"endpoint": False}),
        Sample((rand_pos(rng, 2, 1), rand_pos(rng, 3), 3), {"axis": -1}),
        Sample((-1.0, -8.0, 4)),
    ],
)
def geomspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, axis: int = 0
) -> Any:
    """`num` values spaced evenly on a log scale (a geometric progression).

    Args:
        start: the first value (non-zero; same sign as `stop`).
        stop: the last value (included when `endpoint` is True).
        num: the number of values.
        endpoint: whether `stop` is the last value.
        dtype: the result dtype (default floatx, or the inputs' float dtype).
        axis: where the new axis goes when `start`/`stop` are tensors.

    Returns:
        The values.
    """


def _logspace_shape(
    start: tuple,
    stop: tuple,
    num: int = 50,
    endpoint: bool = True,
    base: Any = 10,
    dtype: Any = None,
    axis: int = 0,
) -> tuple:
    return _space_shape(start, stop, num, axis)


@defop(
    tensors=("start", "stop"),
    shape=_logspace_shape,
    dtype=lambda start, stop, num=50, endpoint=True, base=10, dtype=None, axis=0: _space_dtype(
        start, stop, dtype=dtype
    ),
    vjp={"start": _space_vjp("logspace", "start"), "stop": _space_vjp("logspace", "stop")},
    samples=lambda rng: [
        Sample((0.0, 2.0, 3)),
        Sample((randn(rng, 2), randn(rng, 2), 4), {"endpoint": False, "base": 2.0}),
        Sample((randn(rng, 2, 1), randn(rng, 3), 3), {"axis": 1}),
    ],
)
def logspace(
    start: Any,
    stop: Any,
    num: int = 50,
    endpoint: bool = True,
    base: Any = 10,
    dtype: Any = None,
    axis: int = 0,
) -> Any:
    """`num` values ``base ** t`` for `t` evenly spaced from `start` to `stop`.

    Args:
        start: the first exponent.
        stop: the last exponent (included when `endpoint` is True).
        num: the number of values.
        endpoint: whether `stop` is the last exponent.
        base: the base of the powers (> 0).
        dtype: the result dtype (default floatx, or the inputs' float dtype).
        axis: where the new axis goes when `start`/`stop` are tensors.

    Returns:
        The values.
    """


# --------------------------------------------------------------------- filled tensors


def _filled_samples(rng: Any) -> list:
    return [
        Sample(((2, 3),)),
        Sample((4,), {"dtype": "int32"}),
        Sample(([2, 1, 2],), {"dtype": "float16"}),
    ]


@defop(tensors=(), nondiff=True, samples=_filled_samples)
def zeros(shape: Any, dtype: Any = None) -> Any:
    """A tensor filled with zeros.

    Args:
        shape: an int or a sequence of ints.
        dtype: the dtype (default floatx).

    Returns:
        The tensor.
    """


@defop(tensors=(), nondiff=True, samples=_filled_samples)
def ones(shape: Any, dtype: Any = None) -> Any:
    """A tensor filled with ones.

    Args:
        shape: an int or a sequence of ints.
        dtype: the dtype (default floatx).

    Returns:
        The tensor.
    """


@defop(
    tensors=(),
    nondiff=True,
    # The contents of an empty tensor are unspecified (Keras's NumPy backend returns
    # uninitialised memory); kerasx fills it with zeros, so values are not compared with Keras.
    samples=lambda rng: [
        Sample(((2, 3),), keras=False),
        Sample((3,), {"dtype": "int8"}, keras=False),
    ],
)
def empty(shape: Any, dtype: Any = None) -> Any:
    """A tensor whose contents are unspecified (kerasx fills it with zeros).

    Args:
        shape: an int or a sequence of ints.
        dtype: the dtype (default floatx).

    Returns:
        The tensor.
    """


@defop(
    shape=lambda x, dtype=None: tuple(x),
    dtype=lambda x, dtype=None: x if dtype is None else _std(dtype),
    nondiff=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3),), keras=False),  # contents unspecified (zeros here)
        Sample((randn(rng, 2),), {"dtype": "int32"}, keras=False),
    ],
)
def empty_like(x: Any, dtype: Any = None) -> Any:
    """A tensor shaped like `x` whose contents are unspecified (kerasx fills it with zeros).

    Args:
        x: the template tensor.
        dtype: the dtype (default: `x`'s).

    Returns:
        The tensor.
    """


def _full_shape(shape: Any, fill_value: tuple, dtype: Any = None) -> tuple:
    out = _shape_tuple(shape)
    if broadcast_shapes(out, fill_value) != out:
        raise ValueError(
            f"Received an invalid value for `fill_value`: its shape {fill_value} does not "
            f"broadcast to `shape`={out}"
        )
    return out


@defop(
    tensors=("fill_value",),
    shape=_full_shape,
    dtype=lambda shape, fill_value, dtype=None: _std(dtype),
    vjp={"fill_value": lambda g, ans, shape, fill_value, dtype=None: unbroadcast(g, fill_value)},
    samples=lambda rng: [
        Sample(((2, 3), 1.5)),
        Sample(((2, 3), randn(rng, 3))),
        Sample(((2, 2), 3), {"dtype": "int32"}),
        Sample(((3, 2), randn(rng, 3, 1))),
    ],
)
def full(shape: Any, fill_value: Any, dtype: Any = None) -> Any:
    """A tensor filled with `fill_value`.

    Args:
        shape: an int or a sequence of ints.
        fill_value: a scalar or a tensor broadcastable to `shape`.
        dtype: the dtype (default floatx, whatever the dtype of `fill_value`, as in Keras).

    Returns:
        The tensor.
    """


def _full_like_shape(x: tuple, fill_value: tuple, dtype: Any = None) -> tuple:
    if broadcast_shapes(x, fill_value) != tuple(x):
        raise ValueError(
            f"Received an invalid value for `fill_value`: its shape {fill_value} does not "
            f"broadcast to the shape of `x` {x}"
        )
    return tuple(x)


@defop(
    tensors=("x", "fill_value"),
    shape=_full_like_shape,
    dtype=lambda x, fill_value, dtype=None: x if dtype is None else _std(dtype),
    vjp={
        "x": lambda g, ans, x, fill_value, dtype=None: K.zeros_like(x),
        "fill_value": lambda g, ans, x, fill_value, dtype=None: unbroadcast(g, fill_value),
    },
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), 2.5)),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((rand_int(rng, 2, 2), 2.5)),
        Sample((randn(rng, 2), 7), {"dtype": "int32"}),
    ],
)
def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Any:
    """A tensor shaped like `x`, filled with `fill_value`.

    Args:
        x: the template tensor.
        fill_value: a scalar or a tensor broadcastable to `x`'s shape.
        dtype: the dtype (default: `x`'s; the value is converted to it).

    Returns:
        The tensor.
    """


# ------------------------------------------------------------------------- matrices


@defop(
    tensors=(),
    nondiff=True,
    samples=lambda rng: [
        Sample((3,)),
        Sample((3, 4, 1)),
        Sample((4, 3), {"k": -1, "dtype": "int32"}),
    ],
)
def eye(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Any:  # noqa: N803
    """A 2-D tensor with ones on one diagonal and zeros elsewhere.

    Args:
        N: number of rows.
        M: number of columns (default `N`).
        k: the diagonal (0 main, >0 above, <0 below).
        dtype: the dtype (default floatx).

    Returns:
        The ``(N, M)`` tensor.
    """


@defop(
    tensors=(), nondiff=True, samples=lambda rng: [Sample((3,)), Sample((2,), {"dtype": "int8"})]
)
def identity(n: int, dtype: Any = None) -> Any:
    """The ``(n, n)`` identity matrix.

    Args:
        n: the size.
        dtype: the dtype (default floatx).

    Returns:
        The identity matrix.
    """


@defop(
    tensors=(),
    nondiff=True,
    samples=lambda rng: [Sample((3,)), Sample((3, 4, 1), {"dtype": "int8"}), Sample((4, 2, -1))],
)
def tri(N: int, M: int | None = None, k: int = 0, dtype: Any = None) -> Any:  # noqa: N803
    """A matrix with ones at and below a diagonal and zeros above it.

    Args:
        N: number of rows.
        M: number of columns (default `N`).
        k: the diagonal (0 main, >0 above, <0 below).
        dtype: the dtype (default floatx).

    Returns:
        The ``(N, M)`` tensor.
    """


def _vander_shape(x: tuple, N: Any = None, increasing: bool = False) -> tuple:  # noqa: N803
    if len(x) != 1:
        raise ValueError(
            f"Received an invalid value for `x`, expected a 1-D tensor. Received: x.shape={x}"
        )
    return (x[0], x[0] if N is None else int(N))


def _vander_vjp(g: Any, ans: Any, x: Any, N: Any = None, increasing: bool = False) -> Any:  # noqa: N803
    n = shape_of(ans)[1]
    if n <= 1:
        return K.zeros_like(x)
    inc = ans if increasing else K.flip(ans, axis=1)
    ginc = g if increasing else K.flip(g, axis=1)
    prev = K.split(inc, [n - 1], axis=1)[0]
    tail = K.split(ginc, [1], axis=1)[1]
    powers = K.reshape(K.arange(1, n, dtype=_std(g.dtype)), (1, n - 1))
    return K.sum(K.multiply(K.multiply(tail, prev), powers), axis=1)


@defop(
    shape=_vander_shape,
    vjp={"x": _vander_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3),)),
        Sample((randn(rng, 3), 4)),
        Sample((randn(rng, 4), 3, True)),
        Sample((rand_int(rng, 3, high=4), 3), grad=False),
    ],
)
def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:  # noqa: N803
    """The Vandermonde matrix: columns are powers of `x`.

    Args:
        x: a 1-D tensor.
        N: number of columns (default ``len(x)``).
        increasing: powers increase from left to right (default: they decrease).

    Returns:
        The ``(len(x), N)`` matrix.
    """


def _meshgrid_shape(*x: Any, indexing: str = "xy") -> list:
    if indexing not in ("xy", "ij"):
        raise ValueError(
            f"Received an invalid value for `indexing`, expected 'xy' or 'ij'. Received: indexing={indexing!r}"
        )
    sizes = [None if None in s else math.prod(s) for s in x]
    if indexing == "xy" and len(sizes) > 1:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    return [tuple(sizes)] * len(x)


def _meshgrid_vjp(g: Any, ans: Any, x: Any, indexing: str = "xy") -> list:
    n = len(x)
    out = []
    for i, (gi, xi) in enumerate(zip(g, x)):
        ax = i
        if indexing == "xy" and n > 1 and i < 2:
            ax = 1 - i
        others = tuple(j for j in range(n) if j != ax)
        s = K.sum(gi, axis=others) if others else gi
        out.append(K.reshape(s, shape_of(xi)))
    return out


@defop(
    shape=_meshgrid_shape,
    dtype=lambda *x, indexing="xy": list(x),
    vjp={"x": _meshgrid_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3), randn(rng, 2))),
        Sample((randn(rng, 2), randn(rng, 3), randn(rng, 2)), {"indexing": "ij"}),
        Sample((randn(rng, 2), randn(rng, 3), randn(rng, 2))),
        Sample((randn(rng, 4),)),
    ],
)
def meshgrid(*x: Any, indexing: str = "xy") -> list:
    """Coordinate grids from 1-D coordinate vectors.

    Args:
        *x: 1-D tensors (others are flattened), one per grid dimension.
        indexing: "xy" (Cartesian: the first two output axes are swapped) or "ij" (matrix).

    Returns:
        A list of tensors, one per input, each of the full grid's shape.
    """


# --------------------------------------------------------------------------- windows


def _window_samples(rng: Any) -> list:
    return [Sample((5,)), Sample((6,)), Sample((1,)), Sample((0,))]


@defop(tensors=(), nondiff=True, samples=_window_samples)
def bartlett(x: int) -> Any:
    """The Bartlett (triangular) window.

    Args:
        x: the number of points.

    Returns:
        A 1-D float tensor (floatx) of length `x`, peaking at 1 in the middle.
    """


@defop(tensors=(), nondiff=True, samples=_window_samples)
def blackman(x: int) -> Any:
    """The Blackman window.

    Args:
        x: the number of points.

    Returns:
        A 1-D float tensor (floatx) of length `x`.
    """


@defop(tensors=(), nondiff=True, samples=_window_samples)
def hamming(x: int) -> Any:
    """The Hamming window.

    Args:
        x: the number of points.

    Returns:
        A 1-D float tensor (floatx) of length `x`.
    """


@defop(tensors=(), nondiff=True, samples=_window_samples)
def hanning(x: int) -> Any:
    """The Hann window.

    Args:
        x: the number of points.

    Returns:
        A 1-D float tensor (floatx) of length `x`.
    """


@defop(
    tensors=(),
    nondiff=True,
    samples=lambda rng: [Sample((5, 1.0)), Sample((6, 0.0)), Sample((8, 5.0)), Sample((1, 3.0))],
)
def kaiser(x: int, beta: float) -> Any:
    """The Kaiser window.

    Args:
        x: the number of points.
        beta: the shape parameter (0 gives a rectangular window; larger is narrower).

    Returns:
        A 1-D float tensor (floatx) of length `x`.
    """


__all__ = [
    "arange",
    "array",
    "bartlett",
    "blackman",
    "empty",
    "empty_like",
    "eye",
    "full",
    "full_like",
    "geomspace",
    "hamming",
    "hanning",
    "identity",
    "kaiser",
    "linspace",
    "logspace",
    "meshgrid",
    "ones",
    "tri",
    "vander",
    "zeros",
]
