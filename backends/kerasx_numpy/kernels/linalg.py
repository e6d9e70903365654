"""NumPy kernels: linear algebra (batched over leading axes)."""

from __future__ import annotations

import numpy as np

from kerasx.ops._checks_linalg import _check_jvp_sequences, _check_qr_mode


def _h(x):
    return np.conj(np.swapaxes(x, -1, -2))


def _sym(x):
    return (x + _h(x)) / x.dtype.type(2)


def cholesky(x, upper=False):
    try:
        out = np.linalg.cholesky(_sym(x))
    except np.linalg.LinAlgError as e:
        raise ValueError(
            f"Cholesky decomposition failed: the matrix is not positive definite ({e})"
        ) from None
    return _h(out) if upper else out


def _safe(fn):
    def kernel(*args):
        try:
            return fn(*args)
        except np.linalg.LinAlgError as e:
            raise ValueError(str(e)) from None

    kernel.__name__ = fn.__name__
    return kernel


def _complex_of(x):
    return np.complex128 if x.dtype in (np.float64, np.complex128) else np.complex64


def eig(x):
    w, v = np.linalg.eig(x)
    c = _complex_of(x)
    return w.astype(c), v.astype(c)


def eigh(x):
    w, v = np.linalg.eigh(_sym(x))
    return w, v


def solve(a, b):
    return np.linalg.solve(a, b)


def solve_triangular(a, b, lower=False):
    t = np.tril(a) if lower else np.triu(a)
    return np.linalg.solve(t, b)


def slogdet(x):
    sign, logdet = np.linalg.slogdet(x)
    return np.asarray(sign, dtype=x.dtype), np.asarray(logdet, dtype=x.real.dtype)


def det(x):
    return np.asarray(np.linalg.det(x), dtype=x.dtype)


def lu_factor(x):
    """Partial-pivoting LU in LAPACK's packed form; loops over columns, vectorised over batch."""
    a = np.array(x, copy=True)
    n = a.shape[-1]
    batch = a.shape[:-2]
    a = a.reshape((-1, n, n))
    rows = np.arange(a.shape[0])
    piv = np.zeros((a.shape[0], n), dtype=np.int32)
    for k in range(n):
        p = k + np.argmax(np.abs(a[:, k:, k]), axis=1)
        piv[:, k] = p
        row_k = a[rows, k, :].copy()
        a[rows, k, :] = a[rows, p, :]
        a[rows, p, :] = row_k
        pivot = a[:, k, k]
        safe = np.where(pivot == 0, 1, pivot)
        a[:, k + 1 :, k] = a[:, k + 1 :, k] / safe[:, None]
        a[:, k + 1 :, k + 1 :] -= a[:, k + 1 :, k, None] * a[:, k, None, k + 1 :]
    return a.reshape(batch + (n, n)), piv.reshape(batch + (n,))


def _default_cutoff(s, shape, rcond):
    m, n = shape[-2], shape[-1]
    if rcond is None:
        rcond = max(m, n) * np.finfo(s.dtype).eps
    return np.asarray(rcond, dtype=s.dtype) * np.max(s, axis=-1, keepdims=True, initial=0)


def matrix_rank(x, tol=None):
    s = np.linalg.svd(x, compute_uv=False)
    if tol is None:
        thr = _default_cutoff(s, x.shape, None)
    else:
        thr = np.asarray(tol, dtype=s.dtype)
    return np.sum(s > thr, axis=-1).astype(np.int32)


def pinv(x, rcond=None):
    u, s, vh = np.linalg.svd(x, full_matrices=False)
    cut = _default_cutoff(s, x.shape, rcond)
    keep = s > cut
    s_inv = np.divide(1, s, out=np.zeros_like(s), where=keep)
    return np.matmul(_h(vh) * s_inv[..., None, :], _h(u)).astype(x.dtype, copy=False)


def svd(x, full_matrices=True, compute_uv=True):
    if not compute_uv:
        return np.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    u, s, vh = np.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def qr(x, mode="reduced"):
    _check_qr_mode(mode)
    q, r = np.linalg.qr(x, mode=mode)
    return q, r


def jvp(fun, primals, tangents, has_aux=False):
    """Forward mode on the tape: the JVP is the gradient of a VJP with respect to its cotangent."""
    from kerasx.engine import tape, tree
    from kerasx.engine.registry import REGISTRY

    mul, total, zeros_like = (REGISTRY[n].fn for n in ("multiply", "sum", "zeros_like"))
    primals, tangents = _check_jvp_args(primals, tangents)

    def call(ps):
        res = fun(*ps)
        if has_aux:
            if not isinstance(res, (tuple, list)) or len(res) != 2:
                raise ValueError(
                    "With has_aux=True, `fun` must return a pair (output, aux). "
                    f"Received: {type(res).__name__}"
                )
            return res[0], res[1]
        return res, None

    out, aux = call(list(primals))
    out_leaves = tree.flatten(out)
    us = [zeros_like(tape.stop_gradient(leaf)) for leaf in out_leaves]
    t_leaves = tree.flatten(list(tangents))

    def pairing(a_leaves, b_leaves):
        s = None
        for a, b in zip(a_leaves, b_leaves):
            term = total(mul(a, b))
            s = term if s is None else s + term
        return s

    def h(u_list):
        def inner(ps):
            o, _ = call(ps)
            return pairing(tree.flatten(o), u_list)

        _, gp = tape.value_and_grad(inner)(list(primals))
        return pairing(tree.flatten(gp), t_leaves)

    _, t_out = tape.value_and_grad(h)(us)
    tangents_out = tree.pack_sequence_as(out, list(t_out))
    if has_aux:
        return out, tangents_out, aux
    return out, tangents_out


def _check_jvp_args(primals, tangents):
    _check_jvp_sequences(primals, tangents)
    if len(primals) != len(tangents):
        raise ValueError(
            "`primals` and `tangents` must have the same length. Received: "
            f"len(primals)={len(primals)}, len(tangents)={len(tangents)}"
        )
    return tuple(primals), tuple(tangents)


KERNELS = {
    "cholesky": cholesky,
    "det": _safe(det),
    "eig": _safe(eig),
    "eigh": _safe(eigh),
    "inv": _safe(np.linalg.inv),
    "jvp": jvp,
    "lu_factor": lu_factor,
    "matrix_rank": matrix_rank,
    "pinv": _safe(pinv),
    "qr": qr,
    "slogdet": _safe(slogdet),
    "solve": _safe(solve),
    "solve_triangular": _safe(solve_triangular),
    "svd": _safe(svd),
}
