"""Indexing ops: get_item, take, take_along_axis, slices, scatters, unravel_index."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axis
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of, unbroadcast


def _is_static_int(v: Any) -> bool:
    return isinstance(v, (int, np.integer)) and not isinstance(v, bool)


def normalize_key(key: Any) -> Any:
    """Make an index key engine-friendly: lists become int/bool arrays, tuples stay tuples."""
    if isinstance(key, list):
        arr = np.asarray(key)
        if arr.dtype.kind not in "iub":
            raise TypeError(
                "Received an invalid index: a list index must hold ints or bools. "
                f"Received: key={key!r}"
            )
        return arr
    if isinstance(key, tuple):
        return tuple(normalize_key(k) if isinstance(k, list) else k for k in key)
    return key


def _get_item_shape(x: tuple, key: Any) -> tuple:
    probe = np.broadcast_to(np.zeros((), np.int8), tuple(7 if d is None else d for d in x))
    probe2 = np.broadcast_to(np.zeros((), np.int8), tuple(11 if d is None else d for d in x))
    k = _static_key(key)
    a = np.shape(probe[k])
    b = np.shape(probe2[_static_key(key, 11)]) if None in x else a
    return tuple(d1 if d1 == d2 else None for d1, d2 in zip(a, b))


def _static_key(key: Any, fill: int = 7) -> Any:
    """A key usable on a probe array (symbolic tensors in the key become zero index arrays)."""
    from kerasx.engine.symbolic import KerasTensor

    def one(k: Any) -> Any:
        if isinstance(k, KerasTensor):
            shape = tuple(fill if d is None else d for d in k.shape)
            return np.zeros(shape, dtype=bool if k.dtype == "bool" else np.int64)
        if isinstance(k, list):
            return np.asarray(k)
        return k

    key = normalize_key(key)
    return tuple(one(k) for k in key) if isinstance(key, tuple) else one(key)


def _get_item_vjp(g: Any, ans: Any, x: Any, key: Any) -> Any:
    return K.add_at(K.zeros_like(x), key, g)


@defop(
    shape=_get_item_shape,
    vjp={"x": _get_item_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3, 4), 1)),
        Sample((randn(rng, 3, 4), (builtins.slice(None), builtins.slice(1, 3)))),
        Sample((randn(rng, 3, 4), (Ellipsis, None, -1))),
        Sample((randn(rng, 4, 3), np.array([0, 2, 2]))),
        Sample((randn(rng, 3, 4), (builtins.slice(None, None, -1), [0, 3]))),
        Sample((randn(rng, 2, 3), np.array([[True, False, True], [False, True, True]]))),
    ],
)
def get_item(x: Any, key: Any) -> Any:
    """Index a tensor like NumPy: ``x[key]`` (ints, slices, None, Ellipsis, int/bool arrays).

    Args:
        x: input tensor.
        key: the index.

    Returns:
        The selected elements.
    """


@defop(
    tensors=("x", "updates"),
    promote=("x", "updates"),
    shape=lambda x, key, updates: tuple(x),
    vjp={
        "x": lambda g, ans, x, key, updates: g,
        "updates": lambda g, ans, x, key, updates: unbroadcast(K.get_item(g, key), updates),
    },
    samples=lambda rng: [
        Sample((randn(rng, 3, 4), 1, randn(rng, 4))),
        Sample((randn(rng, 4, 3), np.array([0, 2, 2]), randn(rng, 3, 3)), keras=False),
    ],
)
def add_at(x: Any, key: Any, updates: Any) -> Any:
    """Return a copy of `x` with `updates` added at ``x[key]`` (repeated indices accumulate).

    Not part of the Keras surface: it is the gradient of `get_item`.

    Args:
        x: input tensor.
        key: an index as accepted by `get_item`.
        updates: values broadcastable to ``x[key]``.

    Returns:
        The updated copy.
    """


def _take_shape(x: tuple, indices: tuple, axis: Any = None) -> tuple:
    if axis is None:
        return tuple(indices)
    a = canonical_axis(axis, len(x))
    return tuple(x[:a]) + tuple(indices) + tuple(x[a + 1 :])


def _take_key(x: Any, axis: Any, indices: Any) -> tuple:
    a = canonical_axis(axis, len(shape_of(x)))
    return (builtins.slice(None),) * a + (indices,)


def _take_vjp(g: Any, ans: Any, x: Any, indices: Any, axis: Any) -> Any:
    if axis is None:
        flat = K.add_at(K.zeros_like(K.reshape(x, (-1,))), indices, g)
        return K.reshape(flat, shape_of(x))
    return K.add_at(K.zeros_like(x), _take_key(x, axis, indices), g)


@defop(
    tensors=("x", "indices"),
    shape=_take_shape,
    dtype=lambda x, indices, axis=None: x,
    vjp={"x": _take_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3, 4), np.array([0, 2, 3], dtype=np.int32)), {"axis": 1}),
        Sample((randn(rng, 3, 4), np.array([[0, 1], [5, 11]], dtype=np.int32))),
        Sample((randn(rng, 3, 4), np.array([-1, 0], dtype=np.int32)), {"axis": 0}),
        Sample((randn(rng, 2, 3, 2), np.array([[2, 2]], dtype=np.int32)), {"axis": -2}),
    ],
)
def take(x: Any, indices: Any, axis: Any = None) -> Any:
    """Take elements along an axis (of the flattened tensor when `axis` is None).

    Args:
        x: input tensor.
        indices: integer indices (negative ones count from the end).
        axis: the axis to take along, or None.

    Returns:
        The gathered elements.
    """


def _tal_shape(x: tuple, indices: tuple, axis: Any = None) -> tuple:
    if axis is None:
        return tuple(indices)
    a = canonical_axis(axis, len(x))
    if len(indices) != len(x):
        raise ValueError(
            f"`indices` must have the same rank as `x` ({len(x)}), received rank {len(indices)}"
        )
    from kerasx.engine.shapes import broadcast_shapes

    xs = tuple(x[:a]) + (1,) + tuple(x[a + 1 :])
    ids = tuple(indices[:a]) + (1,) + tuple(indices[a + 1 :])
    b = broadcast_shapes(xs, ids)
    return b[:a] + (indices[a],) + b[a + 1 :]


def _tal_vjp(g: Any, ans: Any, x: Any, indices: Any, axis: Any) -> Any:
    xshape = shape_of(x)
    if axis is None:
        flat = K.add_at(K.zeros_like(K.reshape(x, (-1,))), indices, g)
        return K.reshape(flat, xshape)
    a = canonical_axis(axis, len(xshape))
    gshape = shape_of(g)
    key = []
    for d in range(len(xshape)):
        if d == a:
            key.append(K.broadcast_to(indices, gshape))
        else:
            shp = [1] * len(gshape)
            shp[d] = gshape[d]
            key.append(np.arange(gshape[d]).reshape(shp))
    zeros = K.zeros_like(x)
    return K.add_at(zeros, tuple(key), g)


@defop(
    tensors=("x", "indices"),
    shape=_tal_shape,
    dtype=lambda x, indices, axis=None: x,
    vjp={"x": _tal_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), np.array([[2, 0], [1, 1]], dtype=np.int32)), {"axis": 1}),
        Sample((randn(rng, 3, 4), np.array([[0, 1, 2, 0]], dtype=np.int32)), {"axis": 0}),
        Sample((randn(rng, 2, 3), np.array([5, 0], dtype=np.int32))),
    ],
)
def take_along_axis(x: Any, indices: Any, axis: Any = None) -> Any:
    """Pick values from `x` by matching 1-D index slices along `axis`.

    Args:
        x: input tensor.
        indices: integer indices, the same rank as `x` (broadcast against it off `axis`).
        axis: the axis (None: operate on the flattened `x`).

    Returns:
        The picked values.
    """


def _slice_shape(inputs: tuple, start_indices: Any, shape: Any) -> tuple:
    shape = tuple(shape)
    if len(shape) != len(inputs):
        raise ValueError(
            f"`shape` must have one entry per dimension of `inputs` ({len(inputs)}), "
            f"received shape={shape}"
        )
    return shape


def _slice_vjp(g: Any, ans: Any, inputs: Any, start_indices: Any, shape: Any) -> Any:
    return K.slice_update(K.zeros_like(inputs), start_indices, g)


@defop(
    tensors=("inputs",),
    shape=_slice_shape,
    vjp={"inputs": _slice_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3, 4), (1, 1), (2, 2))),
        Sample((randn(rng, 4, 3, 2), (0, 2, 1), (4, 1, 1))),
    ],
)
def slice(inputs: Any, start_indices: Any, shape: Any) -> Any:  # noqa: A001
    """Extract a block of static `shape` starting at `start_indices`.

    Args:
        inputs: input tensor.
        start_indices: one start index per dimension (ints or a tensor).
        shape: the block's shape.

    Returns:
        The block.
    """


def _slice_update_vjp_inputs(g: Any, ans: Any, inputs: Any, start: Any, updates: Any) -> Any:
    return K.slice_update(g, start, K.zeros_like(updates))


@defop(
    tensors=("inputs", "updates"),
    promote=("inputs", "updates"),
    shape=lambda inputs, start_indices, updates: tuple(inputs),
    vjp={
        "inputs": _slice_update_vjp_inputs,
        "updates": lambda g, ans, inputs, start, updates: K.slice(g, start, shape_of(updates)),
    },
    samples=lambda rng: [
        Sample((randn(rng, 3, 4), (1, 1), randn(rng, 2, 2))),
        Sample((randn(rng, 4, 3), (0, 2), randn(rng, 4, 1))),
    ],
)
def slice_update(inputs: Any, start_indices: Any, updates: Any) -> Any:
    """Return `inputs` with the block at `start_indices` replaced by `updates`.

    Args:
        inputs: input tensor.
        start_indices: one start index per dimension.
        updates: the new block.

    Returns:
        The updated tensor.
    """


def _gather_nd(g: Any, indices: Any) -> Any:
    k = shape_of(indices)[-1]
    key = tuple(K.take(indices, i, axis=-1) for i in range(k))
    return K.get_item(g, key)


@defop(
    tensors=("indices", "values"),
    shape=lambda indices, values, shape: tuple(shape),
    dtype=lambda indices, values, shape: values,
    vjp={"values": lambda g, ans, indices, values, shape: _gather_nd(g, indices)},
    samples=lambda rng: [
        Sample((np.array([[0], [2], [0]], dtype=np.int32), randn(rng, 3), (4,))),
        Sample((np.array([[0, 1], [2, 2]], dtype=np.int32), randn(rng, 2, 3), (3, 3, 3))),
    ],
)
def scatter(indices: Any, values: Any, shape: Any) -> Any:
    """A zero tensor of `shape` with `values` added at `indices` (duplicates accumulate).

    Args:
        indices: int tensor of shape ``(..., k)`` indexing the first k dimensions.
        values: values, shape ``indices.shape[:-1] + shape[k:]``.
        shape: the output shape.

    Returns:
        The new tensor.
    """


def _scatter_update_vjp_inputs(
    g: Any, ans: Any, inputs: Any, indices: Any, updates: Any, reduction: Any
) -> Any:
    if reduction in (None, "add"):
        if reduction == "add":
            return g
        return K.scatter_update(g, indices, K.zeros_like(updates))
    raise TypeError(
        f"`ops.scatter_update` with reduction={reduction!r} has no gradient rule; only "
        "reduction=None and 'add' are differentiable."
    )


def _scatter_update_vjp_updates(
    g: Any, ans: Any, inputs: Any, indices: Any, updates: Any, reduction: Any
) -> Any:
    if reduction in (None, "add"):
        return _gather_nd(g, indices)
    raise TypeError(
        f"`ops.scatter_update` with reduction={reduction!r} has no gradient rule; only "
        "reduction=None and 'add' are differentiable."
    )


def _check_reduction(reduction: Any) -> None:
    if reduction not in (None, "add", "max", "min", "mul"):
        raise ValueError(
            "Received an invalid value for `reduction`, expected None, 'add', 'max', 'min' or "
            f"'mul'. Received: reduction={reduction!r}"
        )


def _scatter_update_shape(
    inputs: tuple, indices: tuple, updates: tuple, reduction: Any = None
) -> tuple:
    _check_reduction(reduction)
    return tuple(inputs)


@defop(
    tensors=("inputs", "indices", "updates"),
    promote=("inputs", "updates"),
    shape=_scatter_update_shape,
    vjp={"inputs": _scatter_update_vjp_inputs, "updates": _scatter_update_vjp_updates},
    samples=lambda rng: [
        Sample((randn(rng, 4), np.array([[0], [2]], dtype=np.int32), randn(rng, 2))),
        Sample((randn(rng, 3, 3), np.array([[0, 1], [2, 0]], dtype=np.int32), randn(rng, 2))),
        Sample(
            (randn(rng, 4), np.array([[0], [0], [3]], dtype=np.int32), randn(rng, 3)),
            {"reduction": "add"},
        ),
        Sample(
            (randn(rng, 4), np.array([[1], [3]], dtype=np.int32), randn(rng, 2)),
            {"reduction": "max"},
            grad=False,
        ),
    ],
)
def scatter_update(inputs: Any, indices: Any, updates: Any, reduction: Any = None) -> Any:
    """Return `inputs` with `updates` written (or combined) at `indices`.

    Args:
        inputs: input tensor.
        indices: int tensor of shape ``(num_updates, k)`` indexing the first k dimensions.
        updates: the new values.
        reduction: None (replace), "add", "max", "min" or "mul".

    Returns:
        The updated copy (the input is never modified in place).
    """


@defop(
    tensors=("indices",),
    shape=lambda indices, shape: [tuple(indices)] * len(tuple(shape)),
    dtype=lambda indices, shape: (
        ["int32" if indices in ("int32", "int16", "int8", "uint8", "uint16") else indices]
        * len(tuple(shape))
    ),
    nondiff=True,
    samples=lambda rng: [
        Sample((np.array([5, 3, 0], dtype=np.int32), (2, 3))),
        Sample((rand_int(rng, 2, 2, high=24), (2, 3, 4))),
    ],
)
def unravel_index(indices: Any, shape: Any) -> Any:
    """Convert flat indices into a tuple of coordinate arrays for a tensor of `shape`.

    Args:
        indices: integer flat indices.
        shape: the shape the indices refer to.

    Returns:
        A tuple with one int tensor per dimension.
    """


__all__ = [
    "get_item",
    "scatter",
    "scatter_update",
    "slice",
    "slice_update",
    "take",
    "take_along_axis",
    "unravel_index",
]
