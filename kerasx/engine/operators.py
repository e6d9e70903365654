"""Python operators (``+``, ``@``, ``[]``, ...) for kerasx's tensor-like classes.

`KerasTensor`, the tape's `Tracer` and `Variable` inherit `TensorOperators`, so
``x + y`` on any of them is ``ops.add(x, y)`` through the registry.
"""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import REGISTRY


def _op(name: str) -> Any:
    return REGISTRY[name].fn


class TensorOperators:
    """Arithmetic, comparison and indexing operators mapped to registry ops."""

    __slots__ = ()
    __array_priority__ = 100

    def __add__(self, other: Any) -> Any:
        return _op("add")(self, other)

    def __radd__(self, other: Any) -> Any:
        return _op("add")(other, self)

    def __sub__(self, other: Any) -> Any:
        return _op("subtract")(self, other)

    def __rsub__(self, other: Any) -> Any:
        return _op("subtract")(other, self)

    def __mul__(self, other: Any) -> Any:
        return _op("multiply")(self, other)

    def __rmul__(self, other: Any) -> Any:
        return _op("multiply")(other, self)

    def __truediv__(self, other: Any) -> Any:
        return _op("true_divide")(self, other)

    def __rtruediv__(self, other: Any) -> Any:
        return _op("true_divide")(other, self)

    def __floordiv__(self, other: Any) -> Any:
        return _op("floor_divide")(self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _op("floor_divide")(other, self)

    def __mod__(self, other: Any) -> Any:
        return _op("mod")(self, other)

    def __rmod__(self, other: Any) -> Any:
        return _op("mod")(other, self)

    def __pow__(self, other: Any) -> Any:
        return _op("power")(self, other)

    def __rpow__(self, other: Any) -> Any:
        return _op("power")(other, self)

    def __matmul__(self, other: Any) -> Any:
        return _op("matmul")(self, other)

    def __rmatmul__(self, other: Any) -> Any:
        return _op("matmul")(other, self)

    def __neg__(self) -> Any:
        return _op("negative")(self)

    def __pos__(self) -> Any:
        return self

    def __abs__(self) -> Any:
        return _op("absolute")(self)

    def __invert__(self) -> Any:
        return _op("bitwise_invert")(self) if _is_int(self) else _op("logical_not")(self)

    def __and__(self, other: Any) -> Any:
        return (
            _op("logical_and")(self, other) if _is_bool(self) else _op("bitwise_and")(self, other)
        )

    def __rand__(self, other: Any) -> Any:
        return self.__and__(other)

    def __or__(self, other: Any) -> Any:
        return _op("logical_or")(self, other) if _is_bool(self) else _op("bitwise_or")(self, other)

    def __ror__(self, other: Any) -> Any:
        return self.__or__(other)

    def __xor__(self, other: Any) -> Any:
        return (
            _op("logical_xor")(self, other) if _is_bool(self) else _op("bitwise_xor")(self, other)
        )

    def __rxor__(self, other: Any) -> Any:
        return self.__xor__(other)

    def __lt__(self, other: Any) -> Any:
        return _op("less")(self, other)

    def __le__(self, other: Any) -> Any:
        return _op("less_equal")(self, other)

    def __gt__(self, other: Any) -> Any:
        return _op("greater")(self, other)

    def __ge__(self, other: Any) -> Any:
        return _op("greater_equal")(self, other)

    def __getitem__(self, key: Any) -> Any:
        return _op("get_item")(self, key)

    @property
    def T(self) -> Any:  # noqa: N802 - NumPy's name
        return _op("transpose")(self)

    def __len__(self) -> int:
        shape = self.shape  # type: ignore[attr-defined]
        if not shape:
            raise TypeError("len() of a 0-d tensor is undefined.")
        if shape[0] is None:
            raise TypeError("len() of a tensor whose first dimension is unknown (None).")
        return shape[0]


def _is_bool(x: Any) -> bool:
    return str(x.dtype) == "bool"


def _is_int(x: Any) -> bool:
    return "int" in str(x.dtype)
