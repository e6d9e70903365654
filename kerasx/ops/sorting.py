"""Sorting and searching (sort, argsort, top_k, unique, nonzero) and segment reductions."""

from __future__ import annotations

from typing import Any

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axis
from kerasx.ops._helpers import K, Sample, rand_int, rand_pos, randn, shape_of


def _dtype_name(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def _check_int(name: str, value: Any, low: int = 0) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int >= {low}. "
            f"Received: {name}={value!r}"
        )


# ---------------------------------------------------------------------------------- sort


def _sort_shape(x: Any, axis: Any = -1) -> tuple:
    if axis is None:
        return (None,) if None in x else (int(_prod(x)),)
    canonical_axis(axis, len(x))
    return tuple(x)


def _prod(shape: Any) -> int:
    out = 1
    for d in shape:
        out *= d
    return out


def _sort_vjp(g: Any, ans: Any, x: Any, axis: Any = -1) -> Any:
    # ans = x[perm]; the cotangent of x[i] is g at the place where x[i] landed: g[inv[i]].
    flat = K.reshape(x, (-1,)) if axis is None else x
    ax = 0 if axis is None else axis
    inverse = K.argsort(K.argsort(flat, axis=ax), axis=ax)
    grad = K.take_along_axis(g, inverse, axis=ax)
    return K.reshape(grad, shape_of(x)) if axis is None else grad


def _sort_samples(rng: Any) -> list:
    x = randn(rng, 3, 4)
    return [
        Sample((x,)),
        Sample((x,), {"axis": 0}),
        Sample((randn(rng, 2, 3, 2),), {"axis": 1}),
        Sample((rand_int(rng, 6),), grad=False),
    ]


@defop(shape=_sort_shape, vjp={"x": _sort_vjp}, samples=_sort_samples)
def sort(x: Any, axis: Any = -1) -> Any:
    """Sort a tensor in ascending order along an axis.

    Args:
        x: input tensor.
        axis: the axis to sort along; None sorts the flattened tensor.

    Returns:
        The sorted tensor (NaNs last).
    """


@defop(shape=_sort_shape, dtype="int32", nondiff=True, samples=_sort_samples)
def argsort(x: Any, axis: Any = -1) -> Any:
    """Indices that sort a tensor in ascending order along an axis (a stable sort).

    Args:
        x: input tensor.
        axis: the axis to sort along; None sorts the flattened tensor.

    Returns:
        An int32 tensor of indices, equal elements keeping their order.
    """


def _argpartition_shape(x: Any, kth: Any, axis: int = -1) -> tuple:
    a = canonical_axis(axis, len(x))
    if not isinstance(kth, int) or isinstance(kth, bool):
        raise ValueError(
            f"Received an invalid value for `kth`, expected an int. Received: kth={kth!r}"
        )
    n = x[a]
    if n is not None and not -n <= kth < n:
        raise ValueError(
            f"Received an invalid value for `kth`, expected an int in [{-n}, {n}). "
            f"Received: kth={kth}"
        )
    return tuple(x)


@defop(
    shape=_argpartition_shape,
    dtype="int32",
    nondiff=True,
    samples=lambda rng: [
        # NumPy leaves the order inside each partition unspecified, so Keras's NumPy backend
        # is no reference for the exact indices; the tests check the partition property.
        Sample((randn(rng, 7), 2), keras=False),
        Sample((randn(rng, 3, 5), 1), {"axis": 0}, keras=False),
        Sample((randn(rng, 3, 5), -1), keras=False),
    ],
)
def argpartition(x: Any, kth: int, axis: int = -1) -> Any:
    """Indices that partially sort a tensor around its `kth` smallest element.

    The `kth` position holds the index of the element that would be there after a full
    sort; earlier positions hold the indices of the smaller elements (in ascending order of
    value) and later positions those of the others (in increasing index order).

    Args:
        x: input tensor.
        kth: position of the pivot along `axis`.
        axis: the axis to partition along.

    Returns:
        An int32 tensor of indices of the shape of `x`.
    """


# -------------------------------------------------------------------------------- top_k


def _top_k_shape(x: Any, k: int, sorted: bool = True) -> list:  # noqa: A002
    _check_int("k", k, 1)
    if not x:
        raise ValueError(
            "Received an invalid value for `x`, expected a tensor of rank >= 1. Received: a scalar"
        )
    if x[-1] is not None and k > x[-1]:
        raise ValueError(
            f"Received an invalid value for `k`, expected at most x.shape[-1]={x[-1]}. "
            f"Received: k={k}"
        )
    out = (*x[:-1], k)
    return [out, out]


def _top_k_dtype(x: Any, k: int, sorted: bool = True) -> list:  # noqa: A002
    return [x if isinstance(x, str) else _dt.result_type(x), "int32"]


def _top_k_vjp(g: Any, ans: Any, x: Any, k: int, sorted: bool = True) -> Any:  # noqa: A002
    # Send each selected value's cotangent back to the position it was taken from.
    n = shape_of(x)[-1]
    hit = K.equal(K.expand_dims(ans[1], -1), K.arange(n, dtype="int32"))
    spread = K.multiply(K.expand_dims(g[0], -1), K.cast(hit, _dtype_name(x)))
    return K.sum(spread, axis=-2)


def _top_k_samples(rng: Any) -> list:
    # Keras's NumPy backend returns int64 indices; kerasx returns int32 ones on every
    # engine, as Keras's JAX backend does.
    return [
        Sample((randn(rng, 6), 3), keras=False),
        Sample((randn(rng, 2, 5), 2), keras=False),
        Sample((randn(rng, 2, 2, 4), 4), {"sorted": False}, keras=False),
    ]


@defop(
    shape=_top_k_shape,
    dtype=_top_k_dtype,
    vjp={"x": _top_k_vjp},
    samples=_top_k_samples,
    namespaces=("math",),
)
def top_k(x: Any, k: int, sorted: bool = True) -> Any:  # noqa: A002
    """The `k` largest elements along the last axis, and their indices.

    Args:
        x: input tensor (rank >= 1).
        k: how many elements to keep.
        sorted: kept for Keras compatibility; the result is always in descending order
            (equal values in increasing index order).

    Returns:
        A pair ``(values, indices)`` of shape ``x.shape[:-1] + (k,)``; indices are int32.
    """


def _in_top_k_shape(targets: Any, predictions: Any, k: int) -> tuple:
    _check_int("k", k, 1)
    if len(predictions) != 2 or len(targets) != 1:
        raise ValueError(
            "Received an invalid value for `predictions`/`targets`, expected a 2-D tensor of "
            "scores and a 1-D tensor of class indices. Received: "
            f"predictions with shape {tuple(predictions)}, targets with shape {tuple(targets)}"
        )
    return (predictions[0] if predictions[0] is not None else targets[0],)


@defop(
    tensors=("targets", "predictions"),
    shape=_in_top_k_shape,
    dtype="bool",
    nondiff=True,
    namespaces=("math",),
    samples=lambda rng: [
        Sample((rand_int(rng, 4, high=5), randn(rng, 4, 5), 2)),
        Sample((rand_int(rng, 3, high=6), randn(rng, 3, 6), 1)),
        Sample((rand_int(rng, 3, high=6), randn(rng, 3, 6), 6)),
    ],
)
def in_top_k(targets: Any, predictions: Any, k: int) -> Any:
    """Whether each target class is among the `k` highest-scored classes of its row.

    Args:
        targets: a 1-D int tensor of class indices, one per row.
        predictions: a 2-D tensor of scores, one row per target.
        k: how many top classes count as a hit.

    Returns:
        A bool tensor of shape ``(batch,)`` (ties with the k-th score count as hits).
    """


# ------------------------------------------------------------------------ unique, nonzero


def _unique_shape(
    x: Any,
    sorted: bool = True,  # noqa: A002
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: Any = None,
    size: Any = None,
    fill_value: Any = None,
) -> Any:
    if size is not None:
        _check_int("size", size, 1)
    if axis is None:
        values = (size,)
        inverse = tuple(x)
    else:
        a = canonical_axis(axis, len(x))
        values = tuple(size if i == a else d for i, d in enumerate(x))
        inverse = (x[a],)
    extra = []
    if return_index:
        extra.append((size,))
    if return_inverse:
        extra.append(inverse)
    if return_counts:
        extra.append((size,))
    return [values, *extra] if extra else values


def _unique_dtype(
    x: Any,
    sorted: bool = True,
    return_index: bool = False,
    return_inverse: bool = False,  # noqa: A002
    return_counts: bool = False,
    axis: Any = None,
    size: Any = None,
    fill_value: Any = None,
) -> Any:
    x = x if isinstance(x, str) else _dt.result_type(x)
    n = int(bool(return_index)) + int(bool(return_inverse)) + int(bool(return_counts))
    return [x] + ["int32"] * n if n else x


def _unique_samples(rng: Any) -> list:
    x = rand_int(rng, 3, 4, high=4).astype("float64")
    rows = rand_int(rng, 5, 2, high=2)
    return [
        Sample((x,)),
        # Keras's NumPy backend returns int64 indices and counts; kerasx returns int32 (as
        # Keras's JAX backend does).
        Sample(
            (x,), {"return_index": True, "return_inverse": True, "return_counts": True}, keras=False
        ),
        Sample((rows,), {"axis": 0, "return_inverse": True}, keras=False),
        Sample((x,), {"size": 6, "fill_value": -1.0}),
    ]


@defop(shape=_unique_shape, dtype=_unique_dtype, nondiff=True, samples=_unique_samples)
def unique(
    x: Any,
    sorted: bool = True,  # noqa: A002
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: Any = None,
    size: Any = None,
    fill_value: Any = None,
) -> Any:
    """The distinct elements (or distinct slices along `axis`) of a tensor, in sorted order.

    The number of distinct elements depends on the data, so the result's length is unknown
    to the symbolic path and the op cannot run under `jit` unless `size` is given.

    Args:
        x: input tensor.
        sorted: kept for Keras compatibility; the result is always sorted.
        return_index: also return the index of each value's first occurrence.
        return_inverse: also return, for each element, the index of its value in the result.
        return_counts: also return how often each value occurs.
        axis: None flattens `x`; an int finds the distinct slices along that axis.
        size: optional fixed result length (padded with `fill_value`, or truncated).
        fill_value: padding value when `size` is larger than the number of distinct values
            (default: the smallest value).

    Returns:
        The distinct values, or a tuple starting with them followed by the requested int32
        index, inverse and count tensors.
    """


def _nonzero_shape(x: Any) -> list:
    return [(None,) for _ in x]


@defop(
    shape=_nonzero_shape,
    dtype="int32",
    nondiff=True,
    samples=lambda rng: [
        Sample((rand_int(rng, 3, 4, high=3),)),
        Sample((randn(rng, 5),)),
        Sample((rand_int(rng, 2, 2, 3, high=2),)),
    ],
)
def nonzero(x: Any) -> Any:
    """Indices of the non-zero elements, one index tensor per dimension.

    Args:
        x: input tensor.

    Returns:
        A tuple of ``x.ndim`` int32 tensors (row-major order); their common length depends
        on the data.
    """


# ------------------------------------------------------------------------------ segments


def _segment_shape(
    data: Any, segment_ids: Any, num_segments: Any = None, sorted: bool = False
) -> tuple:  # noqa: A002
    if num_segments is not None:
        _check_int("num_segments", num_segments, 0)
    if len(segment_ids) != 1 or not data:
        raise ValueError(
            "Received an invalid value for `segment_ids`, expected a 1-D tensor matching the "
            f"first dimension of `data`. Received: segment_ids with shape {tuple(segment_ids)}, "
            f"data with shape {tuple(data)}"
        )
    if None not in (segment_ids[0], data[0]) and segment_ids[0] != data[0]:
        raise ValueError(
            "Received an invalid value for `segment_ids`, expected length data.shape[0]="
            f"{data[0]}. Received: segment_ids with shape {tuple(segment_ids)}"
        )
    return (num_segments, *data[1:])


def _gather_segments(values: Any, ids: Any, data: Any) -> Any:
    """``values[ids]`` row by row, with zeros for ids outside ``[0, len(values))``."""
    num = shape_of(values)[0]
    valid = K.logical_and(K.greater_equal(ids, 0), K.less(ids, num))
    rows = K.take(values, K.where(valid, ids, K.zeros_like(ids)), axis=0)
    mask = K.reshape(valid, (-1,) + (1,) * (len(shape_of(data)) - 1))
    return K.where(mask, rows, K.zeros_like(rows))


def _segment_sum_vjp(
    g: Any, ans: Any, data: Any, segment_ids: Any, num_segments: Any = None, sorted: bool = False
) -> Any:  # noqa: A002
    return _gather_segments(g, segment_ids, data)


def _segment_extremum_vjp(
    g: Any, ans: Any, data: Any, segment_ids: Any, num_segments: Any = None, sorted: bool = False
) -> Any:  # noqa: A002
    # Shared equally by the elements equal to their segment's extremum (as JAX does).
    dt = _dtype_name(data)
    picked = _gather_segments(ans, segment_ids, data)
    num = shape_of(ans)[0]
    valid = K.logical_and(K.greater_equal(segment_ids, 0), K.less(segment_ids, num))
    mask = K.reshape(valid, (-1,) + (1,) * (len(shape_of(data)) - 1))
    hit = K.cast(K.logical_and(K.equal(data, picked), mask), dt)
    count = K.segment_sum(hit, segment_ids, num_segments=num)
    share = K.divide(g, K.maximum(count, 1.0))
    return K.multiply(hit, _gather_segments(share, segment_ids, data))


def _segment_prod_vjp(
    g: Any, ans: Any, data: Any, segment_ids: Any, num_segments: Any = None, sorted: bool = False
) -> Any:  # noqa: A002
    # Product of the other members of the segment (exact for data without zeros).
    return K.divide(_gather_segments(K.multiply(g, ans), segment_ids, data), data)


def _segment_samples(rng: Any, positive: bool = False, empty: bool = True) -> list:
    make = rand_pos if positive else randn
    ids = rand_int(rng, 6, high=3)
    ids[:3] = [0, 1, 2]
    sorted_ids = rand_int(rng, 5)
    sorted_ids[:] = [0, 0, 1, 3, 3] if empty else [0, 0, 1, 1, 1]
    neg_ids = rand_int(rng, 4)
    neg_ids[:] = [1, -1, 0, 1]
    return [
        Sample((make(rng, 6), ids), {"num_segments": 3}),
        Sample((make(rng, 6, 2), ids), {"num_segments": 4 if empty else 3}),
        Sample((make(rng, 5), sorted_ids), {"num_segments": 4 if empty else 2, "sorted": True}),
        # Negative ids are dropped.
        Sample((make(rng, 4, 2), neg_ids), {"num_segments": 2}),
    ]


@defop(
    tensors=("data", "segment_ids"),
    shape=_segment_shape,
    vjp={"data": _segment_sum_vjp},
    samples=_segment_samples,
    namespaces=("math",),
)
def segment_sum(
    data: Any,
    segment_ids: Any,
    num_segments: Any = None,
    sorted: bool = False,  # noqa: A002
) -> Any:
    """Sum of the rows of `data` that share a segment id.

    Args:
        data: input tensor; its first dimension is split into segments.
        segment_ids: a 1-D int tensor with one segment id per row of `data`; rows whose id
            is negative or not below `num_segments` are dropped.
        num_segments: number of segments; None uses ``max(segment_ids) + 1`` (data
            dependent, so not available under `jit`).
        sorted: whether `segment_ids` is sorted (a hint; the result is the same).

    Returns:
        A tensor of shape ``(num_segments,) + data.shape[1:]``; empty segments hold 0.
    """


@defop(
    tensors=("data", "segment_ids"),
    shape=_segment_shape,
    vjp={"data": _segment_extremum_vjp},
    samples=lambda rng: _segment_samples(rng, empty=False),
    namespaces=("math",),
)
def segment_max(
    data: Any,
    segment_ids: Any,
    num_segments: Any = None,
    sorted: bool = False,  # noqa: A002
) -> Any:
    """Maximum of the rows of `data` that share a segment id.

    Args:
        data: input tensor; its first dimension is split into segments.
        segment_ids: a 1-D int tensor with one segment id per row of `data`; rows whose id
            is negative or not below `num_segments` are dropped.
        num_segments: number of segments; None uses ``max(segment_ids) + 1`` (data
            dependent, so not available under `jit`).
        sorted: whether `segment_ids` is sorted (a hint; the result is the same).

    Returns:
        A tensor of shape ``(num_segments,) + data.shape[1:]``; empty segments hold the
        lowest value of the dtype (-inf for floats).
    """


@defop(
    tensors=("data", "segment_ids"),
    shape=_segment_shape,
    vjp={"data": _segment_extremum_vjp},
    samples=lambda rng: _segment_samples(rng, empty=False),
    namespaces=("math",),
)
def segment_min(
    data: Any,
    segment_ids: Any,
    num_segments: Any = None,
    sorted: bool = False,  # noqa: A002
) -> Any:
    """Minimum of the rows of `data` that share a segment id.

    Args:
        data: input tensor; its first dimension is split into segments.
        segment_ids: a 1-D int tensor with one segment id per row of `data`; rows whose id
            is negative or not below `num_segments` are dropped.
        num_segments: number of segments; None uses ``max(segment_ids) + 1`` (data
            dependent, so not available under `jit`).
        sorted: whether `segment_ids` is sorted (a hint; the result is the same).

    Returns:
        A tensor of shape ``(num_segments,) + data.shape[1:]``; empty segments hold the
        highest value of the dtype (+inf for floats).
    """


@defop(
    tensors=("data", "segment_ids"),
    shape=_segment_shape,
    vjp={"data": _segment_prod_vjp},
    samples=lambda rng: _segment_samples(rng, positive=True),
    namespaces=("math",),
)
def segment_prod(
    data: Any, segment_ids: Any, num_segments: Any = None, sorted: bool = False
) -> Any:  # noqa: A002
    """Product of the rows of `data` that share a segment id.

    Args:
        data: input tensor; its first dimension is split into segments.
        segment_ids: a 1-D int tensor with one segment id per row of `data`; rows whose id
            is negative or not below `num_segments` are dropped.
        num_segments: number of segments; None uses ``max(segment_ids) + 1`` (data
            dependent, so not available under `jit`).
        sorted: whether `segment_ids` is sorted (a hint; the result is the same).

    Returns:
        A tensor of shape ``(num_segments,) + data.shape[1:]``; empty segments hold 1.
    """


__all__ = [
    "argpartition",
    "argsort",
    "in_top_k",
    "nonzero",
    "segment_max",
    "segment_min",
    "segment_prod",
    "segment_sum",
    "sort",
    "top_k",
    "unique",
]
