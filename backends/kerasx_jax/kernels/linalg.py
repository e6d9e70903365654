"""JAX kernels: linear algebra (batched over leading axes)."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np

from kerasx.ops._checks_linalg import _check_jvp_sequences, _check_qr_mode


def _h(x):
    return jnp.conj(jnp.swapaxes(x, -1, -2))


def cholesky(x, upper=False):
    out = jnp.linalg.cholesky(x)
    return _h(out) if upper else out


def _complex_of(x):
    return jnp.complex128 if x.dtype in (jnp.float64, jnp.complex128) else jnp.complex64


def eig(x):
    w, v = jnp.linalg.eig(x)
    c = _complex_of(x)
    return w.astype(c), v.astype(c)


def eigh(x):
    w, v = jnp.linalg.eigh(x)
    return w, v


def _broadcast_batch(a, b):
    batch = jnp.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    return (
        jnp.broadcast_to(a, batch + a.shape[-2:]),
        jnp.broadcast_to(b, batch + b.shape[-2:]),
    )


def solve(a, b):
    if b.ndim == 1:
        return (
            jnp.linalg.solve(a, b[:, None])[..., 0] if a.ndim == 2 else solve(a, b[:, None])[..., 0]
        )
    a, b = _broadcast_batch(a, b)
    return jnp.linalg.solve(a, b)


def solve_triangular(a, b, lower=False):
    vec = b.ndim == 1
    if vec:
        b = b[:, None]
    a, b = _broadcast_batch(a, b)
    out = jax.lax.linalg.triangular_solve(a, b, left_side=True, lower=lower)
    return out[..., 0] if vec else out


def slogdet(x):
    sign, logdet = jnp.linalg.slogdet(x)
    return sign, logdet


def lu_factor(x):
    lu, piv = jsl.lu_factor(x)
    return lu, piv.astype(jnp.int32)


def _default_cutoff(s, shape, rcond):
    m, n = shape[-2], shape[-1]
    if rcond is None:
        rcond = max(m, n) * np.finfo(np.dtype(s.dtype)).eps
    return jnp.asarray(rcond, dtype=s.dtype) * jnp.max(s, axis=-1, keepdims=True, initial=0)


def matrix_rank(x, tol=None):
    s = jnp.linalg.svd(x, compute_uv=False)
    thr = _default_cutoff(s, x.shape, None) if tol is None else jnp.asarray(tol, dtype=s.dtype)
    return jnp.sum(s > thr, axis=-1).astype(jnp.int32)


def pinv(x, rcond=None):
    u, s, vh = jnp.linalg.svd(x, full_matrices=False)
    cut = _default_cutoff(s, x.shape, rcond)
    keep = s > cut
    s_inv = jnp.where(keep, 1 / jnp.where(keep, s, 1), 0).astype(s.dtype)
    return jnp.matmul(_h(vh) * s_inv[..., None, :], _h(u)).astype(x.dtype)


def svd(x, full_matrices=True, compute_uv=True):
    if not compute_uv:
        return jnp.linalg.svd(x, full_matrices=full_matrices, compute_uv=False)
    u, s, vh = jnp.linalg.svd(x, full_matrices=full_matrices)
    return u, s, vh


def qr(x, mode="reduced"):
    _check_qr_mode(mode)
    q, r = jnp.linalg.qr(x, mode=mode)
    return q, r


def jvp(fun, primals, tangents, has_aux=False):
    _check_jvp_sequences(primals, tangents)
    primals = jax.tree_util.tree_map(jnp.asarray, tuple(primals))
    tangents = jax.tree_util.tree_map(jnp.asarray, tuple(tangents))
    return jax.jvp(fun, primals, tangents, has_aux=has_aux)


KERNELS = {
    "cholesky": cholesky,
    "det": jnp.linalg.det,
    "eig": eig,
    "eigh": eigh,
    "inv": jnp.linalg.inv,
    "jvp": jvp,
    "lu_factor": lu_factor,
    "matrix_rank": matrix_rank,
    "pinv": pinv,
    "qr": qr,
    "slogdet": slogdet,
    "solve": solve,
    "solve_triangular": solve_triangular,
    "svd": svd,
}
