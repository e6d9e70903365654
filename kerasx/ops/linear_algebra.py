"""Linear algebra: factorizations, solves, inverses, determinants (`eig`, `eigh` and `svd`
live in `linalg_spectral.py`, `norm` and `jvp` in `norms_and_jvp.py`).

Gradient rules follow the standard matrix-calculus results (written with registry ops so
they run on every engine and can be differentiated again). Factorizations whose outputs are
only defined up to sign (qr) are deterministic per engine; the samples use
well-conditioned matrices with distinct eigen/singular values so the rules are well defined.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes
from kerasx.ops._helpers import K, Sample, randn, shape_of, unbroadcast

_LINALG = ("linalg",)


# ------------------------------------------------------------------------------ helpers


def _swap(x: Any) -> Any:
    """Swap the last two axes."""
    n = len(shape_of(x))
    perm = list(range(n))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return K.transpose(x, perm)


def _dtype_name(x: Any) -> str:
    return _dt.standardize_dtype(x.dtype)


def _eye_like(x: Any, n: int) -> Any:
    return K.eye(n, dtype=_dtype_name(x))


def _mat_shape_check(x: tuple, name: str = "x") -> None:
    if len(x) < 2:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a tensor of rank >= 2 (a batch "
            f"of matrices). Received: {name}.shape={tuple(x)}"
        )


def _square_check(x: tuple, name: str = "x") -> None:
    _mat_shape_check(x, name)
    if x[-1] is not None and x[-2] is not None and x[-1] != x[-2]:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected square matrices in the last two "
            f"axes. Received: {name}.shape={tuple(x)}"
        )


def _square_rule(x: tuple, *args: Any) -> tuple:
    _square_check(x)
    return tuple(x)


def _batch_scalar_rule(x: tuple, *args: Any) -> tuple:
    _square_check(x)
    return tuple(x[:-2])


def _spd(rng: Any, *shape: int) -> np.ndarray:
    """A well-conditioned symmetric positive-definite matrix (batch)."""
    n = shape[-1]
    a = rng.standard_normal(shape)
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _well(rng: Any, *shape: int) -> np.ndarray:
    """A well-conditioned (diagonally dominated) square matrix (batch)."""
    n = shape[-1]
    return rng.standard_normal(shape) + 2.0 * n * np.eye(n) * np.sign(rng.standard_normal(()))


def _sym_distinct(rng: Any, *shape: int) -> np.ndarray:
    """A symmetric matrix with well-separated eigenvalues."""
    n = shape[-1]
    q, _ = np.linalg.qr(rng.standard_normal(shape))
    w = np.arange(1, n + 1, dtype=np.float64) * 1.5 - n / 2.0
    return (q * w[..., None, :]) @ np.swapaxes(q, -1, -2)


def _rect(rng: Any, *shape: int) -> np.ndarray:
    """A rectangular matrix with well-separated singular values."""
    m, n = shape[-2], shape[-1]
    k = min(m, n)
    u, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (m, k)))
    v, _ = np.linalg.qr(rng.standard_normal(shape[:-2] + (n, k)))
    s = np.arange(k, 0, -1, dtype=np.float64) + 0.5
    return (u * s[..., None, :]) @ np.swapaxes(v, -1, -2)


def _upper_factor(rng: Any, *shape: int) -> np.ndarray:
    """An upper Cholesky factor (C-contiguous) of a random SPD matrix."""
    u = np.swapaxes(np.linalg.cholesky(_spd(rng, *shape, shape[-1])), -1, -2)
    return np.ascontiguousarray(u)


def _tri_solve(a: Any, b: Any, lower: bool) -> Any:
    return K.solve_triangular(a, b, lower=lower)


def _expand2(g: Any) -> Any:
    return K.expand_dims(K.expand_dims(g, -1), -1)


def _tril_strict_plus_half_diag(x: Any, n: int) -> Any:
    """Lower triangle of `x` with its diagonal halved (the 'Phi' of the Cholesky rule)."""
    half_eye = K.multiply(_eye_like(x, n), 0.5)
    return K.subtract(K.tril(x), K.multiply(x, half_eye))


# ------------------------------------------------------------------------------ cholesky


def _cholesky_vjp(g: Any, ans: Any, x: Any, upper: bool) -> Any:
    n = shape_of(x)[-1]
    lo = _swap(ans) if upper else ans
    gl = _swap(g) if upper else g
    p = _tril_strict_plus_half_diag(K.matmul(_swap(lo), gl), n)
    # S = L^-T P L^-1
    x1 = _tri_solve(_swap(lo), p, lower=False)
    s = _swap(_tri_solve(_swap(lo), _swap(x1), lower=False))
    return K.multiply(K.add(s, _swap(s)), 0.5)


@defop(
    promote=("x",),
    to_float=True,
    shape=_square_rule,
    vjp={"x": _cholesky_vjp},
    samples=lambda rng: [
        Sample((_spd(rng, 3, 3),), rtol=1e-4, atol=1e-5),
        Sample((_spd(rng, 2, 3, 3),), {"upper": True}, rtol=1e-4, atol=1e-5),
    ],
    namespaces=_LINALG,
)
def cholesky(x: Any, upper: bool = False) -> Any:
    """Cholesky factor of symmetric (Hermitian) positive-definite matrices.

    Args:
        x: tensor of shape ``(..., M, M)``.
        upper: return the upper factor ``U`` (``x = U^H U``) instead of the lower one.

    Returns:
        The triangular factor, shape ``(..., M, M)``.
    """


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((np.linalg.cholesky(_spd(rng, 3, 3)),), rtol=1e-4, atol=1e-5),
        Sample((_upper_factor(rng, 3),), {"upper": True}, rtol=1e-4, atol=1e-5),
        # Keras 3's NumPy backend does not broadcast over batch dimensions here.
        Sample((_upper_factor(rng, 2, 3),), {"upper": True}, rtol=1e-4, atol=1e-5, keras=False),
    ],
    namespaces=_LINALG,
)
def cholesky_inverse(x: Any, upper: bool = False) -> Any:
    """Inverse of a positive-definite matrix given its Cholesky factor.

    Args:
        x: the triangular Cholesky factor, shape ``(..., M, M)``.
        upper: `x` is the upper factor ``U`` (so the matrix is ``U^H U``); otherwise the
            lower factor ``L`` (the matrix is ``L L^H``).

    Returns:
        The inverse of the factored matrix, shape ``(..., M, M)``.
    """
    if upper:
        return K.inv(K.matmul(_swap(x), x))
    return K.inv(K.matmul(x, _swap(x)))


# ------------------------------------------------------------------------------ det / inv


@defop(
    promote=("x",),
    to_float=True,
    shape=_batch_scalar_rule,
    vjp={"x": lambda g, ans, x: K.multiply(_expand2(K.multiply(g, ans)), _swap(K.inv(x)))},
    samples=lambda rng: [
        Sample((_well(rng, 3, 3),), rtol=1e-4),
        Sample((_well(rng, 2, 2, 2),), rtol=1e-4),
    ],
    namespaces=_LINALG,
)
def det(x: Any) -> Any:
    """Determinant of square matrices.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        The determinants, shape ``(...)``.
    """


def _inv_vjp(g: Any, ans: Any, x: Any) -> Any:
    t = _swap(ans)
    return K.negative(K.matmul(t, K.matmul(g, t)))


@defop(
    promote=("x",),
    to_float=True,
    shape=_square_rule,
    vjp={"x": _inv_vjp},
    samples=lambda rng: [
        Sample((_well(rng, 3, 3),), rtol=1e-4, atol=1e-5),
        Sample((_well(rng, 2, 2, 2),), rtol=1e-4, atol=1e-5),
    ],
    namespaces=_LINALG,
)
def inv(x: Any) -> Any:
    """Inverse of square matrices.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        The inverses, shape ``(..., M, M)``.
    """


def _slogdet_shape(x: tuple) -> list:
    _square_check(x)
    return [tuple(x[:-2]), tuple(x[:-2])]


def _slogdet_vjp(g: Any, ans: Any, x: Any) -> Any:
    return K.multiply(_expand2(g[1]), _swap(K.inv(x)))


@defop(
    promote=("x",),
    to_float=True,
    shape=_slogdet_shape,
    vjp={"x": _slogdet_vjp},
    samples=lambda rng: [
        Sample((_well(rng, 3, 3),), rtol=1e-4),
        Sample((_well(rng, 2, 3, 3),), rtol=1e-4),
    ],
)
def slogdet(x: Any) -> Any:
    """Sign and log of the absolute value of the determinant.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        A tuple ``(sign, logabsdet)``, each of shape ``(...)``.
    """


@defop(
    composite=True,
    samples=lambda rng: [
        Sample((_spd(rng, 3, 3),), rtol=1e-4),
        Sample((_spd(rng, 2, 2, 2),), rtol=1e-4),
    ],
    namespaces=("math",),
)
def logdet(x: Any) -> Any:
    """Natural log of the determinant of Hermitian positive-definite matrices.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        ``log(det(x))``, shape ``(...)`` (for other matrices: ``log(abs(det(x)))``).
    """
    return K.slogdet(x)[1]


# ------------------------------------------------------------------------------ solves


def _solve_shape(a: tuple, b: tuple) -> tuple:
    _square_check(a, "a")
    if len(b) == 1:
        if a[-1] is not None and b[0] is not None and a[-1] != b[0]:
            raise ValueError(f"`b` has {b[0]} rows, `a` is {a[-2]}x{a[-1]}")
        return tuple(a[:-1])
    if len(b) < 1:
        raise ValueError(
            "Received an invalid value for `b`, expected rank >= 1. Received: b.shape=()"
        )
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(f"`b` has {b[-2]} rows, `a` is {a[-2]}x{a[-1]}")
    return broadcast_shapes(tuple(a[:-2]), tuple(b[:-2])) + (a[-2], b[-1])


def _solve_grads(g: Any, ans: Any, a: Any, b: Any, solver: Any) -> tuple[Any, Any]:
    vec = len(shape_of(b)) == 1
    if vec:
        g = K.expand_dims(g, -1)
        ans = K.expand_dims(ans, -1)
    gb = solver(_swap(a), g)
    ga = K.negative(K.matmul(gb, _swap(ans)))
    if vec:
        gb = K.squeeze(gb, -1)
    return unbroadcast(ga, a), unbroadcast(gb, b)


def _solve_samples(rng: Any) -> list:
    return [
        Sample((_well(rng, 3, 3), randn(rng, 3, 2)), rtol=1e-4, atol=1e-5),
        Sample((_well(rng, 3, 3), randn(rng, 3)), rtol=1e-4, atol=1e-5),
        Sample((_well(rng, 2, 3, 3), randn(rng, 3, 2)), rtol=1e-4, atol=1e-5),
    ]


@defop(
    tensors=("a", "b"),
    promote=("a", "b"),
    to_float=True,
    shape=_solve_shape,
    vjp={
        "a": lambda g, ans, a, b: _solve_grads(g, ans, a, b, K.solve)[0],
        "b": lambda g, ans, a, b: _solve_grads(g, ans, a, b, K.solve)[1],
    },
    samples=_solve_samples,
    namespaces=_LINALG,
)
def solve(a: Any, b: Any) -> Any:
    """Solve the linear system ``a @ x = b``.

    Args:
        a: coefficient matrices, shape ``(..., M, M)``.
        b: right-hand sides, shape ``(M,)`` or ``(..., M, K)``.

    Returns:
        The solution `x`, with the shape of `b` (batch dimensions broadcast).
    """


def _tri_grads(g: Any, ans: Any, a: Any, b: Any, lower: bool) -> tuple[Any, Any]:
    ga, gb = _solve_grads(g, ans, a, b, lambda m, r: K.solve_triangular(m, r, lower=not lower))
    ga = K.tril(ga) if lower else K.triu(ga)
    return ga, gb


def _tri_samples(rng: Any) -> list:
    lo = np.tril(_well(rng, 3, 3))
    up = np.triu(_well(rng, 2, 3, 3)) + np.tril(randn(rng, 2, 3, 3), -1)  # lower part ignored
    return [
        Sample((lo, randn(rng, 3, 2)), {"lower": True}, rtol=1e-4, atol=1e-5),
        Sample((up, randn(rng, 2, 3, 2)), rtol=1e-4, atol=1e-5),
        Sample((lo, randn(rng, 3)), {"lower": True}, rtol=1e-4, atol=1e-5),
    ]


@defop(
    tensors=("a", "b"),
    promote=("a", "b"),
    to_float=True,
    shape=lambda a, b, lower: _solve_shape(a, b),
    vjp={
        "a": lambda g, ans, a, b, lower: _tri_grads(g, ans, a, b, lower)[0],
        "b": lambda g, ans, a, b, lower: _tri_grads(g, ans, a, b, lower)[1],
    },
    samples=_tri_samples,
    namespaces=_LINALG,
)
def solve_triangular(a: Any, b: Any, lower: bool = False) -> Any:
    """Solve ``a @ x = b`` for triangular `a` (only its `lower`/upper triangle is read).

    Args:
        a: triangular matrices, shape ``(..., M, M)``.
        b: right-hand sides, shape ``(M,)`` or ``(..., M, K)``.
        lower: use the lower triangle of `a` (default: the upper one).

    Returns:
        The solution `x`.
    """


# ------------------------------------------------------------------------------ lu_factor


def _lu_vjp(g: Any, ans: Any, x: Any) -> Any:
    lu = ans[0]
    glu = g[0]
    n = shape_of(x)[-1]
    eye = _eye_like(lu, n)
    lo = K.add(K.tril(lu, -1), eye)
    up = K.triu(lu)
    z = K.add(
        K.tril(K.matmul(_swap(lo), K.tril(glu, -1)), -1), K.triu(K.matmul(K.triu(glu), _swap(up)))
    )
    # grad = P^T L^-T Z U^-T with P^T = x U^-1 L^-1, so grad = x U^-1 L^-1 L^-T Z U^-T.
    t = _swap(K.solve_triangular(up, _swap(z), lower=False))
    t = K.solve_triangular(_swap(lo), t, lower=False)
    t = K.solve_triangular(lo, t, lower=True)
    t = K.solve_triangular(up, t, lower=False)
    return K.matmul(x, t)


@defop(
    promote=("x",),
    to_float=True,
    shape=lambda x: (_square_check(x), [tuple(x), tuple(x[:-1])])[1],
    dtype=lambda x: [_dt.float_result(x) if not _dt.is_complex_dtype(x) else x, "int32"],
    vjp={"x": _lu_vjp},
    samples=lambda rng: [
        Sample((randn(rng, 3, 3) + np.diag([0.1, 4.0, -3.0]),), rtol=1e-4, atol=1e-5),
        Sample((randn(rng, 2, 3, 3),), rtol=1e-4, atol=1e-5),
    ],
    namespaces=_LINALG,
)
def lu_factor(x: Any) -> Any:
    """LU factorization with partial pivoting, in LAPACK's packed form.

    Args:
        x: tensor of shape ``(..., M, M)``.

    Returns:
        A tuple ``(lu, pivots)``: ``lu`` holds ``U`` in its upper triangle and the
        unit-lower ``L`` below the diagonal; ``pivots`` (int32, ``(..., M)``) says that row
        ``i`` was swapped with row ``pivots[i]``.
    """


# ------------------------------------------------------------------------------ rank / pinv


def _matrix_rank_shape(x: tuple, tol: Any) -> tuple:
    _mat_shape_check(x)
    return tuple(x[:-2])


@defop(
    promote=("x",),
    to_float=True,
    shape=_matrix_rank_shape,
    dtype="int32",
    nondiff=True,
    samples=lambda rng: [
        Sample((randn(rng, 3, 4),)),
        Sample((np.array([[1.0, 2.0], [2.0, 4.0]]),)),
        Sample((randn(rng, 2, 3, 2) @ randn(rng, 2, 2, 3),)),
        Sample((np.diag([3.0, 1.0, 1e-3]),), {"tol": 0.01}),
    ],
    namespaces=_LINALG,
)
def matrix_rank(x: Any, tol: float | None = None) -> Any:
    """Rank of matrices: the number of singular values above a threshold.

    Args:
        x: tensor of shape ``(..., M, N)``.
        tol: absolute threshold; None uses ``max(s) * max(M, N) * eps``.

    Returns:
        int32 ranks of shape ``(...)``.
    """


def _pinv_shape(x: tuple, rcond: Any) -> tuple:
    _mat_shape_check(x)
    return tuple(x[:-2]) + (x[-1], x[-2])


def _pinv_vjp(g: Any, ans: Any, x: Any, rcond: Any) -> Any:
    p = ans
    m, n = shape_of(x)[-2:]
    pt = _swap(p)
    gt = _swap(g)
    t1 = K.negative(K.matmul(pt, K.matmul(g, pt)))
    # (I - A A+) G^T A+ A+^T
    ga = K.matmul(gt, K.matmul(p, pt))
    t2 = K.subtract(ga, K.matmul(x, K.matmul(p, ga)))
    # A+^T A+ G^T (I - A+ A)
    gb = K.matmul(K.matmul(pt, p), gt)
    t3 = K.subtract(gb, K.matmul(K.matmul(gb, p), x))
    return K.add(t1, K.add(t2, t3))


@defop(
    promote=("x",),
    to_float=True,
    shape=_pinv_shape,
    vjp={"x": _pinv_vjp},
    samples=lambda rng: [
        Sample((_rect(rng, 3, 2),), rtol=1e-4, atol=1e-5),
        Sample((_rect(rng, 2, 2, 3),), rtol=1e-4, atol=1e-5),
        Sample((_well(rng, 3, 3),), rtol=1e-4, atol=1e-5),
    ],
    namespaces=_LINALG,
)
def pinv(x: Any, rcond: float | None = None) -> Any:
    """Moore-Penrose pseudo-inverse (through the SVD).

    Args:
        x: tensor of shape ``(..., M, N)``.
        rcond: singular values at most ``rcond * max(s)`` are treated as zero; None uses
            ``max(M, N) * eps``.

    Returns:
        The pseudo-inverses, shape ``(..., N, M)``.
    """


@defop(
    tensors=("a", "b"),
    composite=True,
    samples=lambda rng: [
        Sample((_rect(rng, 4, 2), randn(rng, 4, 2)), rtol=1e-4, atol=1e-5),
        Sample((_rect(rng, 3, 3), randn(rng, 3)), rtol=1e-4, atol=1e-5),
    ],
    namespaces=_LINALG,
)
def lstsq(a: Any, b: Any, rcond: float | None = None) -> Any:
    """Least-squares solution of ``a @ x = b`` (minimum-norm when not unique).

    Args:
        a: coefficient matrix, shape ``(M, N)``.
        b: right-hand side, shape ``(M,)`` or ``(M, K)``.
        rcond: relative cut-off for small singular values of `a` (None: ``max(M, N) * eps``).

    Returns:
        The solution, shape ``(N,)`` or ``(N, K)``.
    """
    sa, sb = shape_of(a), shape_of(b)
    if len(sa) != 2:
        raise ValueError(
            f"Received an invalid value for `a`, expected a 2-D matrix. Received: a.shape={sa}"
        )
    if len(sb) not in (1, 2) or sb[0] != sa[0]:
        raise ValueError(
            "Received an invalid value for `b`, expected shape (M,) or (M, K) with "
            f"M={sa[0]}. Received: b.shape={sb}"
        )
    return K.matmul(K.pinv(a, rcond=rcond), b)


# ------------------------------------------------------------------------------ qr


def _qr_shape(x: tuple, mode: str = "reduced") -> list:
    _check_mode(mode)
    _mat_shape_check(x)
    batch, m, n = tuple(x[:-2]), x[-2], x[-1]
    k = None if m is None or n is None else min(m, n)
    if mode == "complete":
        return [batch + (m, m), batch + (m, n)]
    return [batch + (m, k), batch + (k, n)]


def _check_mode(mode: Any) -> None:
    if mode not in ("reduced", "complete"):
        raise ValueError(
            "Received an invalid value for `mode`, expected 'reduced' or 'complete'. "
            f"Received: mode={mode!r}"
        )


def _qr_tall_vjp(q: Any, r: Any, gq: Any, gr: Any) -> Any:
    n = shape_of(r)[-1]
    mm = K.subtract(K.matmul(r, _swap(gr)), K.matmul(_swap(gq), q))
    sym = K.add(K.tril(mm), _swap(K.tril(mm, -1)))
    b = K.add(gq, K.matmul(q, sym))
    del n
    return _swap(K.solve_triangular(r, _swap(b), lower=False))


def _qr_vjp(g: Any, ans: Any, x: Any, mode: str) -> Any:
    q, r = ans
    gq, gr = g
    m, n = shape_of(x)[-2:]
    if m >= n:
        if mode == "complete" and m != n:
            raise ValueError(
                "The gradient of `qr` with mode='complete' is not defined for tall matrices "
                "(the extra columns of q are not unique); use mode='reduced'."
            )
        return _qr_tall_vjp(q, r, gq, gr)
    # Wide matrices: x = [X | Y] with X square; X = q @ U, Y = q @ V.
    sl_u = (Ellipsis, slice(0, m))
    sl_v = (Ellipsis, slice(m, n))
    y = K.get_item(x, sl_v)
    gu, gv = K.get_item(gr, sl_u), K.get_item(gr, sl_v)
    gy = K.matmul(q, gv)
    gq2 = K.add(gq, K.matmul(y, _swap(gv)))
    gx = _qr_tall_vjp(q, K.get_item(r, sl_u), gq2, gu)
    return K.concatenate([gx, gy], axis=-1)


@defop(
    promote=("x",),
    to_float=True,
    shape=_qr_shape,
    vjp={"x": _qr_vjp},
    samples=lambda rng: [
        Sample((_rect(rng, 4, 3),), rtol=1e-4, atol=1e-5),
        Sample((_rect(rng, 2, 3, 3),), {"mode": "complete"}, rtol=1e-4, atol=1e-5),
        # JAX has no QR derivative for wide matrices: checked against finite differences
        # in tests/core/test_ops_linalg.py instead.
        Sample((_rect(rng, 2, 3),), grad=False, rtol=1e-4, atol=1e-5),
        Sample((_rect(rng, 4, 2),), {"mode": "complete"}, grad=False, rtol=1e-4, atol=1e-5),
    ],
    namespaces=_LINALG,
)
def qr(x: Any, mode: str = "reduced") -> Any:
    """QR decomposition ``x = q @ r`` with orthonormal `q` and upper-triangular `r`.

    Args:
        x: tensor of shape ``(..., M, N)``.
        mode: ``"reduced"`` (`q` is ``(M, K)``, `r` ``(K, N)``, ``K = min(M, N)``) or
            ``"complete"`` (`q` is ``(M, M)``, `r` ``(M, N)``).

    Returns:
        The tuple ``(q, r)``.
    """


__all__ = [
    "cholesky",
    "cholesky_inverse",
    "det",
    "inv",
    "logdet",
    "lstsq",
    "lu_factor",
    "matrix_rank",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "solve_triangular",
]
