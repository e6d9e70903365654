"""Shape rules shared by many ops, and the probe that infers a shape from the NumPy kernel.

Shapes are tuples of ints and None (unknown). Rules raise ValueError on incompatible
shapes; dispatch adds the op's name and the argument shapes to the message.
"""

from __future__ import annotations

from typing import Any

import numpy as np

_PROBE_SIZES = (7, 11)


def broadcast_shapes(*shapes: Any) -> tuple:
    """NumPy broadcasting of shapes that may contain None."""
    shapes = [tuple(s) for s in shapes if s is not None]
    if not shapes:
        return ()
    ndim = max(len(s) for s in shapes)
    out: list[Any] = []
    for i in range(ndim):
        dim: Any = 1
        for s in shapes:
            k = i - (ndim - len(s))
            if k < 0:
                continue
            d = s[k]
            if d == 1:
                continue
            if d is None:
                if dim == 1:
                    dim = None
                continue
            if dim == 1 or dim is None:
                dim = d
            elif dim != d:
                raise ValueError(
                    "shapes "
                    + " and ".join(str(tuple(s)) for s in shapes)
                    + " cannot be broadcast together"
                )
        out.append(dim)
    return tuple(out)


def broadcast_rule(*shapes: Any) -> tuple:
    """Shape rule for element-wise ops: broadcast every tensor argument."""
    return broadcast_shapes(*[s for s in shapes if isinstance(s, tuple)])


def same_shape_rule(x: Any, *args: Any, **kwargs: Any) -> tuple:
    """Shape rule for ops whose output has the first argument's shape."""
    return tuple(x)


def canonical_axis(axis: int, ndim: int) -> int:
    """Normalize a possibly negative axis, raising ValueError when it is out of range."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise TypeError(f"axis must be an int, received axis={axis!r}")
    if not -ndim <= axis < max(ndim, 1):
        raise ValueError(f"axis {axis} is out of bounds for a tensor of rank {ndim}")
    return int(axis) % max(ndim, 1)


def canonical_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    """Normalize None / int / sequence of axes to a sorted tuple of non-negative axes."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    axes = tuple(canonical_axis(a, ndim) for a in axis)
    if len(set(axes)) != len(axes):
        raise ValueError(f"repeated axis in {tuple(axis)}")
    return tuple(sorted(axes))


def reduce_rule(
    x: Any, axis: Any = None, keepdims: bool = False, *args: Any, **kwargs: Any
) -> tuple:
    """Shape rule for reductions over `axis`."""
    axes = canonical_axes(axis, len(x))
    if keepdims:
        return tuple(1 if i in axes else d for i, d in enumerate(x))
    return tuple(d for i, d in enumerate(x) if i not in axes)


def _probe_value(v: Any, shape: Any, size: int) -> Any:
    if shape is None:
        return None
    dtype = getattr(v, "dtype", None)
    if isinstance(v, (bool, int, float, complex)):
        return v
    name = str(dtype) if dtype is not None else "float32"
    if name in ("bfloat16",) or name.startswith("float8"):
        name = "float32"
    concrete = tuple(size if d is None else d for d in shape)
    if name == "bool":
        return np.ones(concrete, dtype=bool)
    return np.ones(concrete, dtype=name)


def probe_shape(op: Any, slots: tuple, shape_slots: list) -> Any:
    """Infer output shape(s) by running the NumPy kernel on probe arrays.

    Unknown (None) dimensions are given two different probe sizes; output dimensions that
    differ between the two runs are unknown in the result.
    """
    from kerasx.engine import discovery

    kernel = discovery.reference_kernel(op.name)
    results = []
    for size in _PROBE_SIZES:
        concrete = list(slots)
        for idx, kind in op.tensors.items():
            v = slots[idx]
            if kind == "seq":
                concrete[idx] = (
                    type(v)(_probe_value(t, s, size) for t, s in zip(v, shape_slots[idx]))
                    if v is not None
                    else None
                )
            else:
                concrete[idx] = _probe_value(v, shape_slots[idx], size)
        try:
            out = kernel(*concrete)
        except (ValueError, TypeError, IndexError) as e:
            from kerasx.engine import dispatch

            raise dispatch.explain_failure(op, slots, e) from e
        results.append(out)
        if not any(
            d is None
            for idx, kind in op.tensors.items()
            for d in _flat_dims(shape_slots[idx], kind)
        ):
            break

    def merge(outs: list) -> tuple:
        first = tuple(np.shape(outs[0]))
        if len(outs) == 1:
            return first
        second = tuple(np.shape(outs[1]))
        if len(first) != len(second):
            raise ValueError(f"cannot infer a static rank for ops.{op.name}")
        return tuple(a if a == b else None for a, b in zip(first, second))

    if isinstance(results[0], (tuple, list)):
        return [merge([r[i] for r in results]) for i in range(len(results[0]))]
    return merge(results)


def _flat_dims(s: Any, kind: str) -> list:
    if s is None:
        return []
    if kind == "seq":
        return [d for sub in s for d in (sub or ())]
    return list(s)
