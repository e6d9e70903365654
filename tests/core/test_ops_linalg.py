"""Focused tests for the products and linear-algebra ops (behaviour the samples do not reach)."""

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery

ENGINES = discovery.installed_engines()
HAS_JAX = "jax" in ENGINES


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _rng():
    return np.random.default_rng(0)


def _spd(n, rng):
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


# ------------------------------------------------------------------------------ products


def test_einsum_matches_numpy_on_many_specs(engine):
    rng = _rng()
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    for spec, args in [
        ("ij,jk,k->i", (a, b, c)),
        ("ij->ji", (a,)),
        ("ij->", (a,)),
        ("...j,jk->...k", (a, b)),
        ("i,i", (c, c)),
    ]:
        np.testing.assert_allclose(_np(ops.einsum(spec, *args)), np.einsum(spec, *args))


def test_einsum_gradient_three_operands_vs_closed_form(engine):
    rng = _rng()
    a, b, c = rng.standard_normal((2, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)

    def f(a_, b_, c_):
        return ops.sum(ops.einsum("ij,jk,k->i", a_, b_, c_))

    ga, gb, gc = kerasx.grad(f, argnums=(0, 1, 2))(a, b, c)
    np.testing.assert_allclose(_np(ga), np.tile(b @ c, (2, 1)), rtol=1e-10)
    np.testing.assert_allclose(_np(gb), np.outer(a.sum(0), c), rtol=1e-10)
    np.testing.assert_allclose(_np(gc), a.sum(0) @ b, rtol=1e-10)


def test_einsum_dtypes_and_errors():
    x8 = np.ones(3, "int8")
    assert ops.einsum("i,i->", x8, x8).dtype == np.int32
    assert ops.einsum("i,i->", np.ones(3, "int16"), np.ones(3, "int16")).dtype == np.int16
    with pytest.raises(ValueError, match="subscripts"):
        ops.einsum("ij,jk->ik", np.ones((2, 3)))
    with pytest.raises(ValueError, match="subscripts"):
        ops.einsum("ijk->i", np.ones((2, 3)))


def test_trace_and_products_dtypes():
    keras = pytest.importorskip("keras")
    for dt in ("bool", "int8", "int16", "uint8", "float32", "int32"):
        x = np.ones((3, 3), dt)
        assert str(ops.trace(x).dtype) == str(keras.ops.trace(x).dtype), dt
    i8 = np.ones(3, "int8")
    for name in ("dot", "inner", "outer", "kron", "vdot"):
        fn = getattr(ops, name)
        assert str(fn(i8, i8).dtype) == str(getattr(keras.ops, name)(i8, i8).dtype), name
    assert ops.cdist(np.ones((2, 3), "int32"), np.ones((2, 3), "int32")).dtype == np.float32
    assert ops.cdist(np.ones((2, 3)), np.ones((2, 3))).dtype == np.float64  # kept


def test_tensordot_and_cross_errors():
    with pytest.raises(ValueError, match="axes"):
        ops.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=([0, 1], [0]))
    with pytest.raises(ValueError, match="axes"):
        ops.tensordot(np.ones((2, 3)), np.ones((3, 2)), axes=5)
    with pytest.raises(ValueError, match="size 2 or 3"):
        ops.cross(np.ones((2, 4)), np.ones((2, 4)))
    with pytest.raises(ValueError, match="axis2"):
        ops.trace(np.ones((3, 3)), axis1=1, axis2=1)


def test_cross_two_d_vectors_match_formula(engine):
    a, b = np.array([[1.0, 2.0], [3.0, -1.0]]), np.array([[0.5, 4.0], [2.0, 2.0]])
    np.testing.assert_allclose(_np(ops.cross(a, b)), a[:, 0] * b[:, 1] - a[:, 1] * b[:, 0])


# ------------------------------------------------------------------------------ linalg


def test_int_inputs_give_float32_and_float64_is_kept():
    a = np.array([[4, 1], [1, 3]], dtype="int32")
    for fn in (ops.inv, ops.det, ops.cholesky, ops.pinv, ops.logdet):
        assert _np(fn(a)).dtype == np.float32, fn
    assert ops.solve(a, a).dtype == np.float32
    assert ops.matrix_rank(a).dtype == np.int32
    assert ops.inv(a.astype("float64")).dtype == np.float64
    w, v = ops.eig(a.astype("float64"))
    assert w.dtype == np.complex128 and v.dtype == np.complex128
    assert ops.eig(a)[0].dtype == np.complex64


def test_decompositions_reconstruct(engine):
    rng = _rng()
    x = rng.standard_normal((2, 4, 3))
    u, s, vh = (_np(t) for t in ops.svd(x, full_matrices=False))
    np.testing.assert_allclose((u * s[..., None, :]) @ vh, x, atol=1e-10)
    q, r = (_np(t) for t in ops.qr(x))
    np.testing.assert_allclose(q @ r, x, atol=1e-10)
    np.testing.assert_allclose(np.tril(r, -1), 0.0, atol=1e-12)
    sym = x[..., :3, :] + np.swapaxes(x[..., :3, :], -1, -2)
    w, v = (_np(t) for t in ops.eigh(sym))
    np.testing.assert_allclose((v * w[..., None, :]) @ np.swapaxes(v, -1, -2), sym, atol=1e-10)
    a = rng.standard_normal((3, 3))
    w, v = (_np(t) for t in ops.eig(a))
    np.testing.assert_allclose(a @ v, v * w, atol=1e-10)
    lu, piv = (_np(t) for t in ops.lu_factor(a))
    scipy_linalg = pytest.importorskip("scipy.linalg")
    ref_lu, ref_piv = scipy_linalg.lu_factor(a)
    np.testing.assert_allclose(lu, ref_lu, atol=1e-12)
    np.testing.assert_array_equal(piv, ref_piv)


def test_eigh_vector_gradient_sign_invariant(engine):
    # A loss that does not depend on the eigenvectors' signs: sum of squared vectors
    # weighted per row, so the gradient is well defined and checked by finite differences.
    rng = _rng()
    q, _ = np.linalg.qr(rng.standard_normal((3, 3)))
    a = q @ np.diag([1.0, 2.5, 4.0]) @ q.T
    wts = rng.standard_normal((3, 3))

    def f(m):
        _, v = ops.eigh(m)
        return ops.sum(ops.multiply(ops.multiply(v, v), wts))

    g = _np(kerasx.grad(f)(a))
    eps = 1e-6
    for i in range(3):
        for j in range(i, 3):
            d = np.zeros_like(a)
            d[i, j] = d[j, i] = 1.0
            fd = (_np(f(a + eps * d)) - _np(f(a - eps * d))) / (2 * eps)
            np.testing.assert_allclose(np.sum(g * d), fd, rtol=1e-5, atol=1e-8)


def test_qr_wide_gradient_vs_finite_differences():
    rng = _rng()
    x = rng.standard_normal((2, 4))
    cq, cr = rng.standard_normal((2, 2)), rng.standard_normal((2, 4))

    def f(m):
        q, r = ops.qr(m)
        return ops.add(ops.sum(ops.multiply(q, cq)), ops.sum(ops.multiply(r, cr)))

    g = _np(kerasx.grad(f)(x))
    fd = np.zeros_like(x)
    for idx in np.ndindex(*x.shape):
        d = np.zeros_like(x)
        d[idx] = 1e-6
        fd[idx] = (_np(f(x + d)) - _np(f(x - d))) / 2e-6
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


def test_svd_full_matrices_gradient_rectangular_raises():
    x = _rng().standard_normal((3, 2))

    def f(m):
        u, s, vh = ops.svd(m)
        return ops.sum(s)

    with pytest.raises(ValueError, match="full_matrices"):
        kerasx.grad(f)(x)


def test_second_order_through_inv_and_det(engine):
    a = _spd(3, _rng())

    def f(m):
        return ops.det(ops.inv(m))

    def g(m):
        return ops.sum(kerasx.grad(f)(m))

    h = _np(kerasx.grad(g)(a))
    eps = 1e-6
    fd = np.zeros_like(a)
    for idx in np.ndindex(*a.shape):
        d = np.zeros_like(a)
        d[idx] = eps
        fd[idx] = (_np(g(a + d)) - _np(g(a - d))) / (2 * eps)
    np.testing.assert_allclose(h, fd, rtol=1e-4, atol=1e-7)


def test_cholesky_errors_and_upper():
    a = _spd(3, _rng())
    np.testing.assert_allclose(_np(ops.cholesky(a, upper=True)), np.linalg.cholesky(a).T)
    with pytest.raises(ValueError, match="positive definite"):
        ops.cholesky(np.array([[0.0, 1.0], [1.0, 0.0]]))
    with pytest.raises(ValueError, match="square"):
        ops.det(np.ones((2, 3)))
    with pytest.raises(ValueError, match="mode"):
        ops.qr(np.ones((3, 3)), mode="raw")


def test_norm_variants_match_numpy():
    rng = _rng()
    x = rng.standard_normal((3, 4))
    cases = [
        ({}, np.linalg.norm(x)),
        ({"ord": "fro"}, np.linalg.norm(x, "fro")),
        ({"ord": -2}, np.linalg.norm(x, -2)),
        ({"ord": np.inf, "axis": 1}, np.linalg.norm(x, np.inf, axis=1)),
        ({"ord": -1, "axis": (1, 0)}, np.linalg.norm(x, -1, axis=(1, 0))),
        ({"ord": 0.5, "axis": 0, "keepdims": True}, np.linalg.norm(x, 0.5, axis=0, keepdims=True)),
    ]
    for kw, ref in cases:
        np.testing.assert_allclose(_np(ops.norm(x, **kw)), ref, rtol=1e-10, err_msg=str(kw))
    with pytest.raises(ValueError, match="ord"):
        ops.norm(x, ord="nuc", axis=0)
    with pytest.raises(ValueError, match="ord"):
        ops.norm(x, ord=3)
    assert ops.norm(np.arange(4, dtype="int32")).dtype == np.float32


def test_lstsq_and_pinv_match_numpy():
    rng = _rng()
    a, b = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    np.testing.assert_allclose(_np(ops.lstsq(a, b)), np.linalg.lstsq(a, b)[0], rtol=1e-10)
    np.testing.assert_allclose(_np(ops.pinv(a)), np.linalg.pinv(a), rtol=1e-10)
    singular = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_allclose(_np(ops.pinv(singular)), np.linalg.pinv(singular), atol=1e-12)
    assert int(_np(ops.matrix_rank(singular))) == 1
    with pytest.raises(ValueError, match="`b`"):
        ops.lstsq(a, np.ones(4))


# ------------------------------------------------------------------------------ jvp


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_jvp_numpy_matches_jax_jvp():
    import jax
    import jax.numpy as jnp

    rng = _rng()
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))
    ta, tb = rng.standard_normal((2, 3)), rng.standard_normal((3, 2))

    def f_kx(x, y):
        return {"p": ops.matmul(ops.sin(x), y), "s": ops.sum(ops.exp(x))}

    def f_jax(x, y):
        return {"p": jnp.matmul(jnp.sin(x), y), "s": jnp.sum(jnp.exp(x))}

    out, tan = ops.jvp(f_kx, (a, b), (ta, tb))
    ref_out, ref_tan = jax.jvp(f_jax, (a, b), (ta, tb))
    for k in ("p", "s"):
        np.testing.assert_allclose(_np(out[k]), np.asarray(ref_out[k]), rtol=1e-12)
        np.testing.assert_allclose(_np(tan[k]), np.asarray(ref_tan[k]), rtol=1e-10)


def test_jvp_has_aux_and_errors(engine):
    x, t = np.array([0.1, 0.2]), np.array([1.0, -2.0])

    def f(v):
        return ops.sin(v), "aux"

    out, tan, aux = ops.jvp(f, (x,), (t,), has_aux=True)
    assert aux == "aux"
    np.testing.assert_allclose(_np(tan), np.cos(x) * t, rtol=1e-12)
    with pytest.raises((TypeError, ValueError)):
        ops.jvp(ops.sin, x, (t,))


def _canonical_of(op_name, out):
    from kerasx.engine.registry import REGISTRY

    canon = REGISTRY[op_name].samples(np.random.default_rng(0))[0].canonical
    return [np.asarray(ops.convert_to_numpy(t)) for t in canon(out)]


def test_svd_canonical_form_ignores_the_library_choices_and_nothing_else(engine):
    """The conformance checks compare canonical SVDs (LAPACK and cuSOLVER pick other signs):
    flipped singular pairs and another basis of U's extra columns give the same form; a wrong
    factor does not."""
    u, s, vh = np.linalg.svd(_rng().standard_normal((5, 3)))  # U: 2 columns past min(M, N)
    flip = np.array([1.0, -1.0, -1.0])
    c, sn = np.cos(0.7), np.sin(0.7)
    u_other = u.copy()
    u_other[:, :3] *= flip
    u_other[:, 3:] = u[:, 3:] @ np.array([[c, -sn], [sn, c]])
    same = _canonical_of("svd", (u_other, s, vh * flip[:, None]))
    ref = _canonical_of("svd", (u, s, vh))
    assert len(ref) == 4
    for a, b in zip(same, ref):
        np.testing.assert_allclose(a, b, atol=1e-12)
    u_bad = u.copy()
    u_bad[:, 1] *= -1  # U flipped without V: no longer a factorization
    bad = _canonical_of("svd", (u_bad, s, vh))
    assert not np.allclose(bad[2], ref[2])


def test_eigh_canonical_form_ignores_eigenvector_signs(engine):
    a = _rng().standard_normal((4, 4))
    w, v = np.linalg.eigh(a + a.T)
    flipped = v * np.array([-1.0, 1.0, -1.0, 1.0])
    for x, y in zip(_canonical_of("eigh", (w, flipped)), _canonical_of("eigh", (w, v))):
        np.testing.assert_allclose(x, y, atol=1e-12)
    assert _canonical_of("eigh", (w, v))[1][np.abs(v).argmax(0), range(4)].min() > 0
