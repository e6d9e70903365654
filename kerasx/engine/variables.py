"""`Variable`: a named, mutable engine array, and the stateless scope.

Inside `StatelessScope(mapping)` a variable reads its value from the mapping and records
assignments there instead of changing itself; this is how a training step becomes a pure
function of its state.
"""

from __future__ import annotations

import itertools
import sys
import threading
from typing import Any

import numpy as np

from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine import name_scope as _name_scope
from kerasx.engine.operators import TensorOperators

_local = threading.local()
_uids = itertools.count()


def _scopes() -> list:
    s = getattr(_local, "scopes", None)
    if s is None:
        s = _local.scopes = []
    return s


class StatelessScope:
    """Substitute variable values (and capture assignments) within a `with` block.

    Args:
        state_mapping: pairs or a dict of (variable, value).
    """

    def __init__(self, state_mapping: Any = None) -> None:
        items = state_mapping.items() if isinstance(state_mapping, dict) else (state_mapping or [])
        self._values: dict[int, Any] = {}
        for var, value in items:
            if not isinstance(var, Variable):
                raise TypeError(
                    "StatelessScope expects (Variable, value) pairs; received a key of type "
                    f"{type(var).__name__}."
                )
            self._values[id(var)] = value
        self.assigned: dict[int, Any] = {}
        self.assigned_variables: dict[int, Variable] = {}

    def get(self, var: Variable) -> Any:
        key = id(var)
        if key in self.assigned:
            return self.assigned[key]
        return self._values.get(key, _MISSING)

    def assign(self, var: Variable, value: Any) -> None:
        key = id(var)
        self.assigned[key] = value
        self.assigned_variables[key] = var

    def commit(self) -> None:
        """Write every recorded assignment into its variable (outside any scope)."""
        for key, var in self.assigned_variables.items():
            var._value = dispatch.engine().convert_to_tensor(self.assigned[key], var.dtype)

    def get_current_value(self, var: Variable) -> Any:
        v = self.get(var)
        return None if v is _MISSING else v

    def __enter__(self) -> StatelessScope:
        _scopes().append(self)
        return self

    def __exit__(self, *exc: Any) -> None:
        _scopes().pop()


_MISSING = object()
_AUTOCAST_FROM = frozenset({"float16", "bfloat16", "float32", "float64"})


class AutocastScope:
    """Within the block, floating variables with ``autocast=True`` read as `dtype`.

    Args:
        dtype: the compute dtype (e.g. "float16" for the mixed_float16 policy), or None to
            turn autocasting off inside an outer scope.
    """

    def __init__(self, dtype: Any) -> None:
        self.dtype = _dt.standardize_dtype(dtype) if dtype is not None else None

    def __enter__(self) -> AutocastScope:
        self._outer = getattr(_local, "autocast", None)
        _local.autocast = self.dtype
        return self

    def __exit__(self, *exc: Any) -> None:
        _local.autocast = self._outer


def _unshared(converted: Any, given: Any, dtype: Any) -> Any:
    """`converted` (made from `given` with `dtype`), copied when it shares memory with a
    NumPy array the caller handed in: a variable owns its value, so changing the caller's
    array later does not change the variable (nor training the variable the caller's array),
    as in Keras. The NumPy engine keeps such arrays as they are, and the JAX engine on the
    CPU may read an aligned NumPy array in place."""
    if not isinstance(given, np.ndarray):
        return converted
    if isinstance(converted, np.ndarray):
        return converted.copy() if np.may_share_memory(converted, given) else converted
    eng = dispatch.engine()
    if getattr(eng, "host_batch_alignment", None):  # host memory may be read in place
        if np.may_share_memory(np.asarray(converted), given):
            return eng.convert_to_tensor(np.array(given, copy=True), dtype)
    return converted


def _current_distribution() -> Any:
    """The current `kerasx.distribution` distribution (None when that module was never
    imported: then there is none, and nothing is imported here)."""
    lib = sys.modules.get("kerasx.distribution.distribution_lib")
    return None if lib is None else lib.distribution()


def _distribute(value: Any, layout: Any) -> Any:
    from kerasx.distribution.distribution_lib import distribute_tensor

    return distribute_tensor(value, layout)


class Variable(TensorOperators):
    """A mutable tensor with a name, used for weights, optimizer slots and seeds.

    Args:
        initializer: an array-like initial value, or a callable ``f(shape, dtype)``.
        shape: needed when `initializer` is a callable.
        dtype: the dtype (default: that of the initial value, or floatx for callables).
        trainable: whether optimizers update it.
        name: a short name; `path` adds the owner's path.
    """

    _layout: Any = None  # a kerasx.distribution TensorLayout, when one placed the value

    def __init__(
        self,
        initializer: Any,
        shape: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        aggregation: str = "none",
        synchronization: str = "auto",
        name: str | None = None,
    ) -> None:
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                "Received an invalid value for `name`, expected a string without '/'. "
                f"Received: name={name!r}"
            )
        self.name = name or f"variable_{next(_uids)}"
        self.path = _name_scope.path_for(self.name)
        self.trainable = bool(trainable)
        self.autocast = autocast
        self.aggregation = aggregation
        self.synchronization = synchronization
        eng = dispatch.engine()
        if callable(initializer):
            if shape is None:
                raise ValueError(
                    "A Variable created from a callable initializer needs `shape`. Received: "
                    "shape=None"
                )
            d = _dt.standardize_dtype(dtype)
            value = initializer(tuple(shape), d)
        else:
            value = initializer
            d = _dt.standardize_dtype(dtype) if dtype is not None else None
        value = value.value if isinstance(value, Variable) else value
        self._value = eng.convert_to_tensor(value, d)
        if not callable(initializer):  # an initializer's result is the variable's own
            self._value = _unshared(self._value, value, d)
        if shape is not None and tuple(self._value.shape) != tuple(shape):
            raise ValueError(
                f"Initial value of variable '{self.name}' has shape {tuple(self._value.shape)}, "
                f"expected shape {tuple(shape)}."
            )
        self._dtype = _dt.standardize_dtype(self._value.dtype)
        self._shape = tuple(int(d) for d in self._value.shape)
        self._layout = None
        dist = _current_distribution()
        if dist is not None:  # kerasx.distribution: place the value as the distribution says
            self._layout = dist.get_variable_layout(self)
            self._value = _distribute(self._value, self._layout)

    @property
    def value(self) -> Any:
        """The current value (from an enclosing StatelessScope when there is one).

        Inside an `AutocastScope` (a mixed-precision layer's call) a floating variable with
        ``autocast=True`` reads as the scope's compute dtype.
        """
        v = self._value
        for scope in reversed(_scopes()):
            got = scope.get(self)
            if got is not _MISSING:
                v = got
                break
        target = getattr(_local, "autocast", None)
        if target is not None and self.autocast and self._dtype != target:
            if self._dtype in _AUTOCAST_FROM:
                from kerasx.engine.registry import REGISTRY

                return REGISTRY["cast"].fn(v, target)
        return v

    def assign(self, value: Any) -> Variable:
        """Set a new value of the same shape (recorded in a StatelessScope if one is open)."""
        if isinstance(value, Variable):
            value = value.value
        shape = tuple(getattr(value, "shape", ()))
        if not isinstance(value, dispatch._Tracer) and shape != self._shape:
            value = dispatch.engine().convert_to_tensor(value, self._dtype)
            shape = tuple(value.shape)
        if shape != self._shape:
            raise ValueError(
                f"Cannot assign a value of shape {shape} to variable '{self.path}' of shape "
                f"{self._shape}. The shape of a variable cannot change."
            )
        scopes = _scopes()
        if scopes:
            scopes[-1].assign(self, value)
            return self
        eng = dispatch.engine()
        self._value = _unshared(eng.convert_to_tensor(value, self._dtype), value, self._dtype)
        if self._layout is not None:
            self._value = _distribute(self._value, self._layout)
        return self

    def _place(self, layout: Any) -> None:
        """Place the value as `layout` (a `kerasx.distribution.TensorLayout`) says, and keep
        it so placed when assigned."""
        self._layout = layout
        self._value = _distribute(self._value, layout)

    def _take_value(self, value: Any) -> bool:
        """Adopt `value` as is when it already is this variable's kind of array (same array
        type, dtype and shape), the variable has no distribution layout and no
        `StatelessScope` is open: the trainer's way to store a
        compiled step's results without `assign`'s conversions. False (nothing done)
        otherwise; then use `assign`."""
        old = self._value
        if (
            type(value) is type(old)
            and value.dtype == old.dtype
            and value.shape == old.shape
            and self._layout is None  # a placed variable's `assign` places the value
            and not _scopes()
        ):
            self._value = value
            return True
        return False

    def assign_add(self, value: Any) -> Variable:
        """``self.assign(self + value)``."""
        return self.assign(self.value + value)

    def assign_sub(self, value: Any) -> Variable:
        """``self.assign(self - value)``."""
        return self.assign(self.value - value)

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def dtype(self) -> str:
        return self._dtype

    @property
    def ndim(self) -> int:
        return len(self._shape)

    def numpy(self) -> Any:
        """The value as a NumPy array."""
        return dispatch.engine().to_numpy(self.value)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        return np.asarray(self.numpy(), dtype=dtype)

    def __float__(self) -> float:
        return float(self.numpy())

    def __int__(self) -> int:
        return int(self.numpy())

    def __bool__(self) -> bool:
        return bool(self.numpy())

    def __repr__(self) -> str:
        return (
            f"<Variable path={self.path}, shape={self._shape}, dtype={self._dtype}, "
            f"value={self.numpy()!r}>"
        )

    __hash__ = object.__hash__


dispatch._Variable = Variable
