"""Dtype names, standardisation and Keras-3 type promotion.

Dtypes are plain strings everywhere above the engines ("float32", "int32", ...). Promotion
follows a lattice in the style of JAX's: Python scalars are *weak* (``int`` and ``float`` take
the dtype of the tensor they meet), and the result of combining two dtypes is their least
upper bound in the lattice below.
"""

from __future__ import annotations

import functools
from typing import Any

FLOAT_TYPES = ("bfloat16", "float16", "float32", "float64")
INT_TYPES = ("uint8", "uint16", "uint32", "uint64", "int8", "int16", "int32", "int64")
COMPLEX_TYPES = ("complex64", "complex128")
FLOAT8_TYPES = ("float8_e4m3fn", "float8_e5m2")
ALLOWED_DTYPES = (
    "float16",
    "float32",
    "float64",
    "uint8",
    "uint16",
    "uint32",
    "uint64",
    "int8",
    "int16",
    "int32",
    "int64",
    "bfloat16",
    "bool",
    "string",
    *FLOAT8_TYPES,
    *COMPLEX_TYPES,
)

# Weak types: what a bare Python int / float / complex promotes as.
_WEAK_INT = "int"
_WEAK_FLOAT = "float"
_WEAK_COMPLEX = "complex"

# Each node lists its immediate successors (the dtypes it may be promoted to).
_LATTICE: dict[str, tuple[str, ...]] = {
    "bool": (_WEAK_INT,),
    _WEAK_INT: ("uint8", "int8"),
    "uint8": ("int16", "uint16"),
    "uint16": ("int32", "uint32"),
    "uint32": ("int64", "uint64"),
    "uint64": (_WEAK_FLOAT,),
    "int8": ("int16",),
    "int16": ("int32",),
    "int32": ("int64",),
    "int64": (_WEAK_FLOAT,),
    _WEAK_FLOAT: ("bfloat16", "float16", _WEAK_COMPLEX),
    "bfloat16": ("float32",),
    "float16": ("float32",),
    "float32": ("float64", "complex64"),
    "float64": ("complex128",),
    _WEAK_COMPLEX: ("complex64",),
    "complex64": ("complex128",),
    "complex128": (),
    "float8_e4m3fn": (),
    "float8_e5m2": (),
    "string": (),
}


def _compute_upper_bounds() -> dict[str, frozenset[str]]:
    bounds: dict[str, frozenset[str]] = {}

    def visit(node: str) -> frozenset[str]:
        if node not in bounds:
            acc = {node}
            for nxt in _LATTICE[node]:
                acc |= visit(nxt)
            bounds[node] = frozenset(acc)
        return bounds[node]

    for node in _LATTICE:
        visit(node)
    return bounds


_UPPER = _compute_upper_bounds()

_ALIASES = {
    "float": "float32",
    "double": "float64",
    "half": "float16",
    "int": "int64",
    "uint": "uint64",
    "bool_": "bool",
    "str": "string",
    "object": "string",
    "complex": "complex128",
}


@functools.lru_cache(maxsize=512)
def _standardize_cached(name: str) -> str:
    name = _ALIASES.get(name, name)
    if name.startswith("<U") or name.startswith("<S") or name in ("U", "S"):
        return "string"
    if name not in _LATTICE:
        raise ValueError(
            f"Invalid dtype: {name!r}. Expected one of {', '.join(ALLOWED_DTYPES)}, "
            "or a NumPy/JAX dtype that maps to one of them."
        )
    return name


def standardize_dtype(dtype: Any = None) -> str:
    """Return the canonical string name of `dtype`.

    Args:
        dtype: a string, a NumPy/JAX dtype, a Python type (``float``, ``int``, ``bool``) or an
            object with a ``dtype`` attribute. ``None`` means ``floatx()``.

    Returns:
        One of `ALLOWED_DTYPES`.
    """
    if dtype is None:
        from kerasx.config import floatx

        return floatx()
    if isinstance(dtype, str):
        return _standardize_cached(dtype)
    hit = _DTYPE_OBJECTS.get(dtype) if dtype.__hash__ is not None else None
    if hit is not None:
        return hit
    if dtype is float:
        return "float32"
    if dtype is int:
        return "int32"
    if dtype is bool:
        return "bool"
    if dtype is complex:
        return "complex64"
    if dtype is str:
        return "string"
    if isinstance(dtype, type):
        import numpy as np

        try:
            return _standardize_cached(np.dtype(dtype).name)
        except TypeError:
            pass
    name = getattr(dtype, "name", None)
    if not isinstance(name, str):
        inner = getattr(dtype, "dtype", None)
        if inner is not None and inner is not dtype:
            return standardize_dtype(inner)
        name = str(dtype)
    if hasattr(dtype, "type") and getattr(dtype, "kind", None) in ("U", "S", "O"):
        return "string"
    result = _standardize_cached(name)
    if hasattr(dtype, "kind") and hasattr(dtype, "itemsize") and len(_DTYPE_OBJECTS) < 256:
        # NumPy/JAX dtype objects: their `.name` is slow to compute, so remember the answer.
        _DTYPE_OBJECTS[dtype] = result
    return result


_DTYPE_OBJECTS: dict = {}


def is_float_dtype(dtype: Any) -> bool:
    """True for floating-point dtypes (float8 types included)."""
    d = standardize_dtype(dtype)
    return d in FLOAT_TYPES or d in FLOAT8_TYPES


def is_int_dtype(dtype: Any) -> bool:
    """True for signed and unsigned integer dtypes (not bool)."""
    return standardize_dtype(dtype) in INT_TYPES


def is_complex_dtype(dtype: Any) -> bool:
    """True for complex dtypes."""
    return standardize_dtype(dtype) in COMPLEX_TYPES


def _weak_of(x: Any) -> str | None:
    """Name of the weak type of a Python scalar, or None when `x` is not one."""
    t = type(x)
    if t is bool:
        return "bool"
    if t is int:
        return _WEAK_INT
    if t is float:
        return _WEAK_FLOAT
    if t is complex:
        return _WEAK_COMPLEX
    return None


def _resolve_weak(d: str) -> str:
    if d == _WEAK_INT:
        return "int32"
    if d == _WEAK_FLOAT:
        from kerasx.config import floatx

        return floatx()
    if d == _WEAK_COMPLEX:
        return "complex64"
    return d


@functools.lru_cache(maxsize=4096)
def _join(a: str, b: str) -> str:
    if a == b:
        return a
    common = _UPPER[a] & _UPPER[b]
    if not common:
        raise ValueError(
            f"Cannot promote dtypes {a!r} and {b!r} to a common dtype. Cast one of the "
            "arguments explicitly with `ops.cast`."
        )
    # The least upper bound is the common bound whose own upper set is the largest.
    return max(common, key=lambda n: len(_UPPER[n]))


@functools.lru_cache(maxsize=4096)
def _result_type_names(names: tuple[str, ...]) -> str:
    result = names[0]
    for n in names[1:]:
        result = _join(result, n)
    resolved = _resolve_weak(result)
    # Keras 3 keeps promotion within 32 bits unless a 64-bit dtype was given explicitly.
    if resolved in ("int64", "uint64", "float64") and resolved not in names:
        if resolved == "float64":
            resolved = "float32"
        elif resolved == "int64":
            resolved = "int32" if "uint64" not in names else "float32"
    return resolved


def result_type(*dtypes: Any) -> str:
    """Promote dtypes (and Python scalars / types) the way Keras 3 does.

    Args:
        *dtypes: dtypes, dtype strings, Python scalars (weakly typed) or the types
            ``int`` / ``float`` / ``bool`` (also weak).

    Returns:
        The promoted dtype name. With no argument, ``floatx()``.
    """
    if not dtypes:
        from kerasx.config import floatx

        return floatx()
    names = []
    for d in dtypes:
        if d is int:
            names.append(_WEAK_INT)
        elif d is float:
            names.append(_WEAK_FLOAT)
        elif d is bool:
            names.append("bool")
        elif d is complex:
            names.append(_WEAK_COMPLEX)
        else:
            w = _weak_of(d)
            names.append(w if w is not None else standardize_dtype(d))
    return _result_type_names(tuple(names))


def float_result(dtype: str) -> str:
    """The dtype of a float-valued op (``sin``, ``mean``, ...) applied to `dtype`."""
    if dtype in FLOAT_TYPES or dtype in COMPLEX_TYPES:
        return dtype
    if dtype in ("int64", "uint64", "uint32"):
        from kerasx.config import floatx

        return floatx()
    from kerasx.config import floatx

    return floatx()
