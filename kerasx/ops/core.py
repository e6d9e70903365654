"""Core ops: casting, conversion, gradients control, control flow, scatter/slice updates."""

from __future__ import annotations

from typing import Any

from kerasx.engine import dispatch
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn


def _cast_vjp(g: Any, ans: Any, x: Any, dtype: Any) -> Any:
    src = _dt.standardize_dtype(getattr(x, "dtype", None) or _dt.result_type(x))
    if not (_dt.is_float_dtype(src) or _dt.is_complex_dtype(src)):
        return None
    return K.cast(g, src)


@defop(
    shape=lambda x, dtype: tuple(x),
    dtype=lambda x, dtype: _dt.standardize_dtype(dtype),
    vjp={"x": _cast_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), "float32")),
        Sample((randn(rng, 2, 3), "float16"), rtol=1e-3, atol=1e-3, grad=False),
        Sample((randn(rng, 2, 3) * 4, "int32"), grad=False),
        Sample((0.9, "float64"), grad=False),
        Sample((2**40 + 1, "float64"), grad=False),
    ],
    namespaces=("core",),
    scalar_dtype="dtype",
)
def cast(x: Any, dtype: Any) -> Any:
    """Cast a tensor to the given dtype.

    Args:
        x: input tensor.
        dtype: target dtype.

    Returns:
        `x` converted to `dtype`.
    """


def _is_symbolic_or_traced(x: Any) -> bool:
    return isinstance(x, (dispatch._KerasTensor, dispatch._Tracer))


@defop(
    tensors=(),
    composite=True,
    samples=lambda rng: [
        Sample(([1, 2, 3],), grad=False),
        Sample(([1.5, 2.0],), grad=False),
        Sample((randn(rng, 2, 3),), {"dtype": "float32"}, grad=False),
        Sample((True,), grad=False),
    ],
    namespaces=("core",),
)
def convert_to_tensor(x: Any, dtype: Any = None, sparse: Any = None, ragged: Any = None) -> Any:
    """Convert array-like data to a tensor of the active engine.

    Python ints become int32, Python floats floatx, as in Keras; NumPy arrays keep their dtype
    unless `dtype` is given. Variables give their value; symbolic and traced tensors pass through
    (cast when `dtype` is given).

    Args:
        x: a tensor, array, Python scalar or nested list.
        dtype: optional target dtype.
        sparse: accepted for Keras compatibility (dense tensors only).
        ragged: accepted for Keras compatibility (dense tensors only).

    Returns:
        A tensor.
    """
    if sparse or ragged:
        raise ValueError(
            "kerasx tensors are dense: sparse=True / ragged=True are not supported. Received: "
            f"sparse={sparse!r}, ragged={ragged!r}"
        )
    if isinstance(x, dispatch._Variable):
        x = x.value
    if _is_symbolic_or_traced(x):
        return (
            x
            if dtype is None or _dt.standardize_dtype(dtype) == _dt.standardize_dtype(x.dtype)
            else K.cast(x, dtype)
        )
    return dispatch.engine().convert_to_tensor(x, dtype)


@defop(
    tensors=(),
    composite=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),), grad=False)],
    namespaces=("core",),
)
def convert_to_numpy(x: Any) -> Any:
    """Return the value of a tensor as a NumPy array (a host copy on accelerators).

    Args:
        x: a tensor, Variable or array-like.

    Returns:
        A ``numpy.ndarray``.
    """
    import numpy as np

    if isinstance(x, dispatch._KerasTensor):
        raise TypeError(
            "Cannot convert a symbolic KerasTensor to NumPy: it has no values. Call the model "
            "on data instead."
        )
    if isinstance(x, dispatch._Variable):
        x = x.value
    if isinstance(x, dispatch._Tracer):
        return np.asarray(x)
    return (
        np.asarray(dispatch.engine().to_numpy(x))
        if dispatch.engine().is_native(x)
        else np.asarray(x)
    )


@defop(tensors=(), composite=True, namespaces=("core",))
def is_tensor(x: Any) -> bool:
    """Whether `x` is a native tensor of the active engine (NumPy arrays on the NumPy engine).

    Args:
        x: any object.

    Returns:
        True for engine tensors (and tape tracers), False otherwise.
    """
    return isinstance(x, dispatch._Tracer) or (
        dispatch.engine().is_native(x) and not isinstance(x, (bool, int, float, complex))
    )


@defop(tensors=(), composite=True, namespaces=("core",))
def dtype(x: Any) -> str:
    """The dtype name of a tensor, e.g. ``"float32"``.

    Args:
        x: a tensor, Variable, KerasTensor or array.

    Returns:
        The standardized dtype string.
    """
    d = getattr(x, "dtype", None)
    if d is None:
        d = dispatch.engine().convert_to_tensor(x).dtype
    return _dt.standardize_dtype(d)


@defop(tensors=(), composite=True, namespaces=("core",))
def shape(x: Any) -> tuple:
    """The shape of a tensor as a tuple (None for unknown dimensions of symbolic tensors).

    Args:
        x: a tensor, Variable, KerasTensor or array-like.

    Returns:
        A tuple of ints (and None).
    """
    s = getattr(x, "shape", None)
    if s is None:
        s = dispatch.engine().convert_to_tensor(x).shape
    return tuple(s)


@defop(
    vjp={"variable": lambda g, ans, variable: None},
    tensors=("variable",),
    nondiff=True,
    samples=lambda rng: [Sample((randn(rng, 2, 3),))],
    namespaces=("core",),
)
def stop_gradient(variable: Any) -> Any:
    """Return the value unchanged, but block gradients from flowing through it.

    Args:
        variable: a tensor or Variable.

    Returns:
        The same values, treated as a constant by autodiff.
    """


def _saturate_bounds(dtype: str) -> tuple[Any, Any]:
    import numpy as np

    if dtype in _dt.INT_TYPES:
        info = np.iinfo(dtype)
        return info.min, info.max
    if dtype == "bool":
        return 0, 1
    return None, None


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 2, 3) * 300, "uint8"), grad=False),
        Sample((randn(rng, 4) * 1e5, "int16"), grad=False),
        Sample((randn(rng, 4), "float32")),
    ],
    namespaces=("core",),
)
def saturate_cast(x: Any, dtype: Any) -> Any:
    """Cast to `dtype`, clamping values to its range first (no wrap-around).

    Args:
        x: input tensor.
        dtype: the target dtype.

    Returns:
        The clamped, cast tensor.
    """
    target = _dt.standardize_dtype(dtype)
    lo, hi = _saturate_bounds(target)
    if lo is not None:
        src = _dt.standardize_dtype(x.dtype) if hasattr(x, "dtype") else None
        if src is not None and (_dt.is_float_dtype(src) or src in _dt.INT_TYPES):
            import numpy as np

            if _dt.is_float_dtype(src):
                finfo_max = float(np.finfo(src if src != "bfloat16" else "float32").max)
                ilo, ihi = lo, hi
                lo = max(float(lo), -finfo_max)
                hi = min(float(hi), finfo_max)
                # A bound that rounds outwards when stored in `src` (int32's max in float32,
                # int64's in float64) would overflow the cast: step back inside the range.
                if float(np.array(hi, src)) > ihi:
                    hi = float(np.nextafter(np.array(hi, src), np.array(0, src)))
                if float(np.array(lo, src)) < ilo:
                    lo = float(np.nextafter(np.array(lo, src), np.array(0, src)))
            # maximum/minimum promote the Python bounds weakly, so they keep x's precision.
            x = K.minimum(K.maximum(x, lo), hi)
    return K.cast(x, target)


__all__ = [
    "cast",
    "convert_to_numpy",
    "convert_to_tensor",
    "dtype",
    "is_tensor",
    "saturate_cast",
    "shape",
    "stop_gradient",
]
