"""Core ops: casting, conversion, gradients control, control flow, scatter/slice updates."""

from __future__ import annotations

from typing import Any

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
    ],
    namespaces=("core",),
)
def cast(x: Any, dtype: Any) -> Any:
    """Cast a tensor to the given dtype.

    Args:
        x: input tensor.
        dtype: target dtype.

    Returns:
        `x` converted to `dtype`.
    """


__all__ = ["cast"]
