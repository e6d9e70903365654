"""Linear algebra: the spectral decompositions `eig`, `eigh` and `svd` (the other
factorizations, solves and inverses are in `linear_algebra.py`).

Eigenvectors and singular vectors are unique only up to sign (and, past min(M, N), up to a
basis of their space): each library picks its own (LAPACK on CPU, cuSOLVER on GPU). The
samples carry canonical forms (`Sample.canonical`) so the conformance checks compare and
differentiate results that do not depend on that choice.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, shape_of
from kerasx.ops.linear_algebra import (
    _LINALG,
    _eye_like,
    _mat_shape_check,
    _rect,
    _square_check,
    _swap,
    _sym_distinct,
)

# ------------------------------------------------------------------------------ eig / eigh


def _eig_shape(x: tuple) -> list:
    _square_check(x)
    return [tuple(x[:-1]), tuple(x)]


def _eig_dtype(x: str) -> list:
    d = _dt.float_result(x) if not _dt.is_complex_dtype(x) else x
    c = "complex128" if d in ("float64", "complex128") else "complex64"
    return [c, c]


def _eig_samples(rng: Any) -> list:
    # Keras 3's NumPy backend returns real arrays when every eigenvalue is real (a
    # data-dependent dtype); kerasx always returns complex, as Keras's JAX backend does.
    # No gradient rule is provided for eig (complex, non-unique eigenvectors).
    a = np.array([[2.0, 1.0, 0.0], [0.5, 3.0, 1.0], [0.0, 1.0, 5.0]])
    rot = np.array([[0.0, -1.0], [1.0, 0.5]])
    return [
        Sample((a,), grad=False, keras=False, rtol=1e-4, atol=1e-5),
        Sample((rot,), grad=False, keras=False, rtol=1e-4, atol=1e-5),
    ]


@defop(
    promote=("x",),
    to_float=True,
    shape=_eig_shape,
    dtype=_eig_dtype,
    samples=_eig_samples,
    namespaces=_LINALG,
)
def eig(x: Any) -> Any:
    """Eigenvalues and right eigenvectors of general square matrices.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        A tuple ``(eigenvalues, eigenvectors)`` of complex tensors with shapes ``(..., M)``
        and ``(..., M, M)`` (eigenvectors are the columns, with unit norm).
    """


def _column_signs(m: Any) -> Any:
    """+1 or -1 per column of `m` (..., rows, cols): the sign of the column's entry of largest
    magnitude (a constant for differentiation)."""
    idx = K.expand_dims(K.argmax(K.abs(m), axis=-2), -2)
    return K.stop_gradient(K.sign(K.take_along_axis(m, idx, axis=-2)))


def _eigh_canonical(out: Any) -> Any:
    """eigh's result with each eigenvector's sign fixed (its largest entry positive)."""
    w, v = out
    return w, K.multiply(v, _column_signs(v))


def _svd_canonical(out: Any) -> Any:
    """svd's result with the sign of each singular pair fixed (the largest entry of the left
    vector positive) and the columns of U (rows of V^H) past min(M, N), which are any
    orthonormal basis of their space, replaced by the projector onto that space."""
    if not isinstance(out, (tuple, list)):
        return out
    u, s, vh = out
    k = shape_of(s)[-1]
    uk = K.get_item(u, (Ellipsis, slice(0, k)))
    vk = K.get_item(vh, (Ellipsis, slice(0, k), slice(None)))
    signs = _column_signs(uk)
    result = [K.multiply(uk, signs), s, K.multiply(vk, _swap(signs))]
    if shape_of(u)[-1] > k:
        rest = K.get_item(u, (Ellipsis, slice(k, None)))
        result.append(K.matmul(rest, _swap(rest)))
    if shape_of(vh)[-2] > k:
        rest = K.get_item(vh, (Ellipsis, slice(k, None), slice(None)))
        result.append(K.matmul(_swap(rest), rest))
    return tuple(result)


def _eigh_vjp(g: Any, ans: Any, x: Any) -> Any:
    w, v = ans
    gw, gv = g
    n = shape_of(x)[-1]
    eye = _eye_like(w, n)
    diff = K.subtract(K.expand_dims(w, -2), K.expand_dims(w, -1))  # w_j - w_i
    f = K.multiply(K.true_divide(1.0, K.add(diff, eye)), K.subtract(1.0, eye))
    inner = K.add(K.multiply(K.expand_dims(gw, -1), eye), K.multiply(f, K.matmul(_swap(v), gv)))
    full = K.matmul(v, K.matmul(inner, _swap(v)))
    return K.multiply(K.add(full, _swap(full)), 0.5)


@defop(
    promote=("x",),
    to_float=True,
    shape=_eig_shape,
    vjp={"x": _eigh_vjp},
    samples=lambda rng: [
        Sample((_sym_distinct(rng, 3, 3),), rtol=1e-4, atol=1e-5, canonical=_eigh_canonical),
        Sample((_sym_distinct(rng, 2, 3, 3),), rtol=1e-4, atol=1e-5, canonical=_eigh_canonical),
    ],
    namespaces=_LINALG,
)
def eigh(x: Any) -> Any:
    """Eigenvalues and eigenvectors of symmetric (Hermitian) matrices.

    The input is symmetrized (``(x + x^H) / 2``) first.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        A tuple ``(eigenvalues, eigenvectors)``: ascending eigenvalues ``(..., M)`` and the
        orthonormal eigenvectors as columns ``(..., M, M)``.
    """


# ------------------------------------------------------------------------------ svd


def _svd_shape(x: tuple, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    _mat_shape_check(x)
    batch, m, n = tuple(x[:-2]), x[-2], x[-1]
    k = None if m is None or n is None else min(m, n)
    if not compute_uv:
        return batch + (k,)
    if full_matrices:
        return [batch + (m, m), batch + (k,), batch + (n, n)]
    return [batch + (m, k), batch + (k,), batch + (k, n)]


def _svd_vjp(g: Any, ans: Any, x: Any, full_matrices: bool, compute_uv: bool) -> Any:
    m, n = shape_of(x)[-2:]
    k = min(m, n)
    if not compute_uv:
        u, _, vh = K.svd(x, full_matrices=False)
        return K.matmul(K.multiply(u, K.expand_dims(g, -2)), vh)
    if full_matrices and m != n:
        raise ValueError(
            "The gradient of `svd` with full_matrices=True is only defined for square "
            "matrices; use full_matrices=False."
        )
    u, s, vh = ans
    gu, gs, gvh = g
    v, gv = _swap(vh), _swap(gvh)
    eye = _eye_like(s, k)
    s2 = K.multiply(s, s)
    diff = K.subtract(K.expand_dims(s2, -2), K.expand_dims(s2, -1))  # s_j^2 - s_i^2
    f = K.multiply(K.true_divide(1.0, K.add(diff, eye)), K.subtract(1.0, eye))
    utgu = K.matmul(_swap(u), gu)
    vtgv = K.matmul(_swap(v), gv)
    j = K.multiply(f, K.subtract(utgu, _swap(utgu)))
    kk = K.multiply(f, K.subtract(vtgv, _swap(vtgv)))
    inner = K.add(
        K.multiply(j, K.expand_dims(s, -2)),
        K.add(K.multiply(K.expand_dims(gs, -1), eye), K.multiply(K.expand_dims(s, -1), kk)),
    )
    out = K.matmul(u, K.matmul(inner, vh))
    inv_s = K.expand_dims(K.true_divide(1.0, s), -2)
    if m > k:
        r = K.subtract(gu, K.matmul(u, utgu))
        out = K.add(out, K.matmul(K.multiply(r, inv_s), vh))
    if n > k:
        r = K.subtract(gv, K.matmul(v, vtgv))
        out = K.add(out, K.matmul(K.multiply(u, inv_s), _swap(r)))
    return out


def _svd_samples(rng: Any) -> list:
    # Singular vectors are unique only up to sign (LAPACK on CPU and cuSOLVER on GPU choose
    # differently): the checks compare canonical results. JAX has no derivative for
    # full_matrices=True, so gradient checks use reduced SVDs.
    tol = {"rtol": 1e-4, "atol": 1e-5, "canonical": _svd_canonical}
    return [
        Sample((_rect(rng, 3, 3),), **tol),
        Sample((_rect(rng, 4, 2),), {"full_matrices": False}, **tol),
        Sample((_rect(rng, 2, 2, 3),), {"full_matrices": False}, **tol),
        Sample((_rect(rng, 3, 2),), {"compute_uv": False}, **tol),
        Sample((_rect(rng, 4, 2),), grad=False, **tol),
    ]


@defop(
    promote=("x",),
    to_float=True,
    shape=_svd_shape,
    vjp={"x": _svd_vjp},
    samples=_svd_samples,
    namespaces=_LINALG,
)
def svd(x: Any, full_matrices: bool = True, compute_uv: bool = True) -> Any:
    """Singular value decomposition ``x = u @ diag(s) @ vh``.

    Args:
        x: tensor of shape ``(..., M, N)``.
        full_matrices: return square `u` ``(M, M)`` and `vh` ``(N, N)``; otherwise the
            reduced ``(M, K)`` and ``(K, N)`` with ``K = min(M, N)``.
        compute_uv: return ``(u, s, vh)``; when False only the singular values.

    Returns:
        ``(u, s, vh)`` with descending singular values `s` ``(..., K)``, or `s` alone.
    """


__all__ = ["eig", "eigh", "svd"]
