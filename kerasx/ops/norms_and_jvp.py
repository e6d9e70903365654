"""Norms and forward-mode differentiation: `norm` and `jvp` (the `linalg` namespace)."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import canonical_axes
from kerasx.ops._helpers import K, Sample, rand_int, randn, shape_of

_LINALG = ("linalg",)


# ------------------------------------------------------------------------------ norm


def _norm_axes(axis: Any, ndim: int) -> tuple[int, ...]:
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, (int, np.integer)):
        axis = (axis,)
    axes = canonical_axes(tuple(axis), ndim)
    if len(axes) not in (1, 2):
        raise ValueError(
            "Received an invalid value for `axis`, expected an int or a 2-tuple of ints. "
            f"Received: axis={axis!r}"
        )
    return tuple(canonical_axes(a, ndim)[0] for a in axis)


def _vector_norm(x: Any, ord: Any, ax: int, keepdims: bool) -> Any:
    if ord is None or ord == 2:
        return K.sqrt(K.sum(K.multiply(x, x), axis=ax, keepdims=keepdims))
    if isinstance(ord, str):
        raise ValueError(
            f"Received an invalid value for `ord`, {ord!r} is only valid for matrix norms "
            f"(a 2-tuple `axis`). Received: ord={ord!r}"
        )
    a = K.absolute(x)
    if ord == float("inf"):
        return K.max(a, axis=ax, keepdims=keepdims)
    if ord == float("-inf"):
        return K.min(a, axis=ax, keepdims=keepdims)
    if ord == 0:
        return K.cast(
            K.sum(K.cast(K.not_equal(x, 0), "int32"), axis=ax, keepdims=keepdims), x.dtype
        )
    if ord == 1:
        return K.sum(a, axis=ax, keepdims=keepdims)
    p = float(ord)
    return K.power(K.sum(K.power(a, p), axis=ax, keepdims=keepdims), 1.0 / p)


def _matrix_norm(x: Any, ord: Any, axes: tuple[int, int], keepdims: bool) -> Any:
    r, c = axes
    if ord is None or ord == "fro":
        return K.sqrt(K.sum(K.multiply(x, x), axis=axes, keepdims=keepdims))
    if ord in ("nuc", 2, -2):
        moved = K.moveaxis(x, (r, c), (-2, -1))
        s = K.svd(moved, compute_uv=False)
        out = K.sum(s, axis=-1) if ord == "nuc" else (K.max if ord == 2 else K.min)(s, axis=-1)
        if keepdims:
            for a in sorted(axes):
                out = K.expand_dims(out, a)
        return out
    if ord in (1, -1, float("inf"), float("-inf")):
        red, keep = (r, c) if ord in (1, -1) else (c, r)
        sums = K.sum(K.absolute(x), axis=red, keepdims=True)
        pick = K.max if ord in (1, float("inf")) else K.min
        out = pick(sums, axis=keep, keepdims=True)
        if not keepdims:
            out = K.squeeze(out, axis=tuple(sorted(axes)))
        return out
    raise ValueError(
        "Received an invalid value for `ord`, expected None, 'fro', 'nuc', inf, -inf, 1, -1, "
        f"2 or -2 for a matrix norm. Received: ord={ord!r}"
    )


def _norm_samples(rng: Any) -> list:
    x = randn(rng, 3, 4)
    inf = float("inf")
    return [
        Sample((x,)),
        Sample((x,), {"axis": -1, "keepdims": True}),
        Sample((randn(rng, 5),), {"ord": 1}),
        Sample((randn(rng, 5),), {"ord": inf}),
        Sample((randn(rng, 5),), {"ord": 3}),
        Sample((randn(rng, 5),), {"ord": 0}, grad=False),
        Sample((x,), {"ord": "nuc"}, rtol=1e-4),
        Sample((x,), {"ord": 2}, rtol=1e-4),
        Sample((randn(rng, 2, 3, 3),), {"ord": -inf, "axis": (1, 2), "keepdims": True}),
        Sample((randn(rng, 2, 3, 3),), {"ord": 1, "axis": (2, 0)}),
        Sample((rand_int(rng, 2, 3, low=1),), grad=False),
    ]


@defop(composite=True, samples=_norm_samples, namespaces=_LINALG)
def norm(x: Any, ord: Any = None, axis: Any = None, keepdims: bool = False) -> Any:
    """Vector or matrix norm.

    Args:
        x: input tensor.
        ord: the norm's order. Vectors: None/2 (Euclidean), inf, -inf, 0 (count of non-zero
            entries), or any number p (``sum(|x|^p)^(1/p)``). Matrices: None/'fro'
            (Frobenius), 'nuc' (nuclear), inf/-inf (max/min absolute row sum), 1/-1 (max/min
            absolute column sum), 2/-2 (largest/smallest singular value).
        axis: None (all axes: a vector norm of the flattened tensor when `ord` is None, else
            the norm of a 1-D or 2-D `x`), an int (vector norms) or a 2-tuple (matrix norms).
        keepdims: keep the reduced axes with length 1.

    Returns:
        The norm(s) (integer inputs give floatx).
    """
    d = _dt.standardize_dtype(getattr(x, "dtype", None) or _dt.result_type(x))
    if not (_dt.is_float_dtype(d) or _dt.is_complex_dtype(d)):
        x = K.cast(x, _dt.float_result(d))
    ndim = len(shape_of(x))
    if axis is None:
        if ord is None:
            out = K.sqrt(K.sum(K.multiply(x, x), axis=None, keepdims=keepdims))
            return out
        if ndim not in (1, 2):
            raise ValueError(
                "Received an invalid value for `axis`: with `ord` given and axis=None the "
                f"input must be 1-D or 2-D. Received: x.shape={shape_of(x)}, ord={ord!r}"
            )
    axes = _norm_axes(axis, ndim)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes[0], keepdims)
    if axes[0] == axes[1]:
        raise ValueError(
            f"Received an invalid value for `axis`, repeated axes. Received: axis={axis!r}"
        )
    return _matrix_norm(x, ord, axes, keepdims)


# ------------------------------------------------------------------------------ jvp


def _jvp_samples(rng: Any) -> list:
    # Keras 3's NumPy backend has no forward-mode autodiff, so only the engines are compared.
    def f1(x: Any) -> Any:
        return K.multiply(K.sin(x), x)

    def f2(a: Any, b: Any) -> Any:
        return K.matmul(a, b), K.sum(a)

    def f3(x: Any) -> Any:
        return K.exp(x), {"aux": x}

    return [
        Sample((f1, (randn(rng, 3),), (randn(rng, 3),)), keras=False),
        Sample(
            (f2, (randn(rng, 2, 3), randn(rng, 3, 2)), (randn(rng, 2, 3), randn(rng, 3, 2))),
            keras=False,
        ),
        Sample((f3, (randn(rng, 4),), (randn(rng, 4),)), {"has_aux": True}, keras=False),
    ]


@defop(tensors=(), higher_order=True, samples=_jvp_samples, namespaces=_LINALG)
def jvp(fun: Any, primals: Any, tangents: Any, has_aux: bool = False) -> Any:
    """Forward-mode Jacobian-vector product of `fun`.

    Args:
        fun: a function of ``len(primals)`` positional arguments (tensors or nested
            structures of tensors) returning a tensor or a nested structure of tensors (or
            ``(output, aux)`` when `has_aux`).
        primals: tuple or list of the arguments at which to differentiate.
        tangents: tuple or list of tangent vectors, structured and shaped like `primals`.
        has_aux: `fun` returns ``(output, aux)``; `aux` is passed through undifferentiated.

    Returns:
        ``(primals_out, tangents_out)``, or ``(primals_out, tangents_out, aux)`` with
        `has_aux`; `tangents_out` is structured like `primals_out`.
    """


__all__ = [
    "jvp",
    "norm",
]
