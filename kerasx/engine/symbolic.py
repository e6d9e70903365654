"""Symbolic tensors: `KerasTensor` and the symbolic path of dispatch.

A `KerasTensor` holds a shape (ints and None) and a dtype, never data. Ops applied to one
return new KerasTensors computed from the ops' shape and dtype rules; this is how the
functional API and `compute_output_shape` work without running any engine.
"""

from __future__ import annotations

import threading
from typing import Any

from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine.operators import TensorOperators


class KerasTensor(TensorOperators):
    """A symbolic tensor: shape and dtype, no values.

    Args:
        shape: a tuple of ints or None (unknown dimension).
        dtype: a dtype name (default floatx).
        sparse: kept for Keras compatibility.
        ragged: kept for Keras compatibility.
        record_history: kept for Keras compatibility.
        name: an optional name.
    """

    def __init__(
        self,
        shape: Any,
        dtype: Any = "float32",
        sparse: bool = False,
        ragged: bool = False,
        record_history: bool = True,
        name: str | None = None,
    ) -> None:
        self._shape = _standardize_shape(shape)
        self._dtype = _dt.standardize_dtype(dtype)
        self.sparse = bool(sparse)
        self.ragged = bool(ragged)
        self.name = name
        self.record_history = record_history
        self._keras_history: Any = None

    @property
    def shape(self) -> tuple:
        """The static shape (a tuple of ints and None)."""
        return self._shape

    @shape.setter
    def shape(self, value: Any) -> None:
        self._shape = _standardize_shape(value)

    @property
    def dtype(self) -> str:
        """The dtype name."""
        return self._dtype

    @dtype.setter
    def dtype(self, value: Any) -> None:
        self._dtype = _dt.standardize_dtype(value)

    @property
    def ndim(self) -> int:
        """Number of dimensions."""
        return len(self._shape)

    def reshape(self, newshape: Any) -> Any:
        from kerasx.engine.registry import REGISTRY

        return REGISTRY["reshape"].fn(self, newshape)

    def squeeze(self, axis: Any = None) -> Any:
        from kerasx.engine.registry import REGISTRY

        return REGISTRY["squeeze"].fn(self, axis=axis)

    def __array__(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError(
            "A KerasTensor is symbolic: it has a shape and dtype but no values, so it cannot "
            "be converted to a NumPy array. It is the input or output of a functional model; "
            "call the model on real data to get values."
        )

    def __bool__(self) -> bool:
        raise TypeError(
            "A symbolic KerasTensor cannot be used as a Python bool (its value is unknown). "
            "Use `ops.cond` or `ops.where` for data-dependent choices."
        )

    def __iter__(self) -> Any:
        if not self._shape or self._shape[0] is None:
            raise TypeError(
                f"Cannot iterate over a KerasTensor of shape {self._shape}: its first "
                "dimension must be known."
            )
        from kerasx.engine.registry import REGISTRY

        return iter(REGISTRY["unstack"].fn(self, axis=0))

    def __repr__(self) -> str:
        name = f", name={self.name}" if self.name else ""
        return (
            f"<KerasTensor shape={self._shape}, dtype={self._dtype}, sparse={self.sparse}, "
            f"ragged={self.ragged}{name}>"
        )

    __hash__ = object.__hash__


def _standardize_shape(shape: Any) -> tuple:
    if shape is None:
        raise ValueError("A KerasTensor needs a shape; received shape=None.")
    if isinstance(shape, int):
        shape = (shape,)
    out = []
    for d in shape:
        if d is None:
            out.append(None)
            continue
        try:
            i = int(d)
        except (TypeError, ValueError):
            raise ValueError(
                f"Invalid shape {tuple(shape)}: every dimension must be an int >= 0 or None."
            ) from None
        if i < 0:
            raise ValueError(
                f"Invalid shape {tuple(shape)}: dimensions must be >= 0 (or None if unknown)."
            )
        out.append(i)
    return tuple(out)


def is_keras_tensor(x: Any) -> bool:
    """True when `x` is a symbolic `KerasTensor`."""
    return isinstance(x, KerasTensor)


def _abstract(v: Any, kind: str, attr: str) -> Any:
    """Replace tensors in a slot by their shape or dtype."""
    if v is None:
        return None
    if kind == "seq":
        return [_abstract(t, "tensor", attr) for t in v]
    if isinstance(v, (bool, int, float, complex)):
        return () if attr == "shape" else v
    if isinstance(v, KerasTensor) or hasattr(v, "dtype"):
        return tuple(v.shape) if attr == "shape" else _dt.standardize_dtype(v.dtype)
    # lists / nested Python data
    import numpy as np

    arr = np.asarray(v)
    if attr == "shape":
        return arr.shape
    return dispatch.dtype_of(dispatch.engine().convert_to_tensor(v))


def infer_dtype(op: Any, slots: tuple) -> Any:
    """Apply `op`'s dtype rule to `slots` (tensors replaced by dtype names)."""
    rule = op.dtype
    if isinstance(rule, str):
        return _dt.standardize_dtype(rule)
    if rule is None:
        if op.promote:
            return dispatch.promoted_dtype(op, [slots[i] for i in op.promote])
        for idx, kind in op.tensors.items():
            v = slots[idx]
            if v is not None:
                d = _abstract(v, kind, "dtype")
                if kind == "seq":
                    return _dt.result_type(*d) if d else _dt.standardize_dtype(None)
                return _dt.result_type(d) if not isinstance(d, str) else d
        return _dt.standardize_dtype(None)
    dslots = list(slots)
    for idx, kind in op.tensors.items():
        dslots[idx] = _abstract(slots[idx], kind, "dtype")
    return dispatch.call_with_slots(rule, op, tuple(dslots))


def infer_shape(op: Any, slots: tuple) -> Any:
    """Apply `op`'s shape rule to `slots` (tensors replaced by shapes)."""
    sslots = list(slots)
    for idx, kind in op.tensors.items():
        sslots[idx] = _abstract(slots[idx], kind, "shape")
    if op.shape is None:
        from kerasx.engine.shapes import probe_shape

        return probe_shape(op, slots, sslots)
    try:
        return dispatch.call_with_slots(op.shape, op, tuple(sslots))
    except (ValueError, TypeError, IndexError) as e:
        raise dispatch.explain_failure(op, slots, e) from e


def symbolic_call(op: Any, slots: tuple) -> Any:
    """Compute `op`'s output KerasTensor(s) from its rules."""
    if op.composite and op.shape is None:
        return dispatch.call_with_slots(op.stub, op, slots)
    shape = infer_shape(op, slots)
    dtype = infer_dtype(op, slots)
    if isinstance(shape, list):
        dts = dtype if isinstance(dtype, (list, tuple)) else [dtype] * len(shape)
        out: Any = tuple(KerasTensor(s, d) for s, d in zip(shape, dts))
    else:
        out = KerasTensor(shape, dtype)
    if _node_hook is not None:
        _node_hook(op, slots, out)
    return out


# Set by kerasx.layers.node: records a graph node when an op is applied to symbolic tensors
# that belong to a functional graph.
_node_hook: Any = None


dispatch._KerasTensor = KerasTensor


_scope_state = threading.local()


class SymbolicScope:
    """A context manager marking a symbolic trace (``keras.SymbolicScope``): inside it,
    `in_symbolic_scope()` is True. kerasx opens one while a layer or an operation computes its
    output spec, so a layer's code can tell a shape trace from a real call."""

    def __enter__(self) -> SymbolicScope:
        _scope_state.depth = getattr(_scope_state, "depth", 0) + 1
        return self

    def __exit__(self, *exc: Any) -> None:
        _scope_state.depth -= 1


def in_symbolic_scope() -> bool:
    """Whether a `SymbolicScope` is open in this thread."""
    return getattr(_scope_state, "depth", 0) > 0
