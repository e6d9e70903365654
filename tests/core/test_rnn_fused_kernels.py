"""The engines' fused LSTM kernels: the NumPy loops and the JAX custom VJP against the shared
math of ``kerasx.ops.rnn_fused`` and against JAX's differentiation of a plain scan."""

import numpy as np
import pytest

import kerasx  # noqa: F401  (activates an engine before the kernels are imported)
from kerasx import config
from kerasx.engine.discovery import installed_engines
from kerasx.ops import rnn_fused

B, T, D, N = 3, 6, 4, 5


def _case(rng, dtype, masked):
    x = rng.normal(size=(B, T, D)).astype(dtype)
    h0 = rng.normal(size=(B, N)).astype(dtype) * 0.5
    c0 = rng.normal(size=(B, N)).astype(dtype) * 0.5
    w = rng.normal(size=(D, 4 * N)).astype(dtype) * 0.5
    u = rng.normal(size=(N, 4 * N)).astype(dtype) * 0.5
    b = rng.normal(size=(4 * N,)).astype(dtype) * 0.3
    mask = rng.random((B, T)) > 0.3 if masked else np.ones((B, T), bool)
    return x, h0, c0, w, u, b, mask


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("dtype,tol", [("float64", 1e-12), ("float32", 3e-6)])
def test_numpy_lstm_kernel_matches_shared_math(masked, dtype, tol):
    from kerasx_numpy.kernels import rnn_fused as kernels

    rng = np.random.default_rng(5)
    x, h0, c0, w, u, b, mask = _case(rng, dtype, masked)
    hs, cs = kernels._lstm_sequence(x, h0, c0, w, u, b, mask)
    ref_mask = mask if masked else None
    ref = rnn_fused.lstm_forward(kernels.NP, x, h0, c0, w, u, b, ref_mask)
    np.testing.assert_allclose(hs, ref[0], rtol=tol, atol=tol)
    np.testing.assert_allclose(cs, ref[1], rtol=tol, atol=tol)
    g = (rng.normal(size=hs.shape).astype(dtype), rng.normal(size=cs.shape).astype(dtype))
    got = kernels._lstm_vjp_all(g, (hs, cs), x, h0, c0, w, u, b, mask)
    want = rnn_fused.lstm_backward(kernels.NP, g, ref, x, h0, c0, w, u, b, ref_mask)
    for a, r, s in zip(got, want, (x, h0, c0, w, u, b)):
        assert a.dtype == s.dtype and a.shape == s.shape
        np.testing.assert_allclose(a, r, rtol=10 * tol, atol=10 * tol)
    # states that are not this kernel's own output: the forward pass runs again, same numbers
    again = kernels._lstm_vjp_all(g, (hs.copy(), cs.copy()), x, h0, c0, w, u, b, mask)
    for a, r in zip(again, got):
        np.testing.assert_array_equal(a, r)


def _jax_reference(x, h0, c0, w, u, b, mask):
    """A plain `lax.scan` LSTM, differentiated by JAX (the reference for the custom VJP)."""
    import jax
    import jax.numpy as jnp

    n = u.shape[0]

    def step(carry, inp):
        h, c = carry
        x_t, keep = inp
        z = x_t @ w + h @ u + b
        i, f = jax.nn.sigmoid(z[:, :n]), jax.nn.sigmoid(z[:, n : 2 * n])
        g, o = jnp.tanh(z[:, 2 * n : 3 * n]), jax.nn.sigmoid(z[:, 3 * n :])
        c_new = f * c + i * g
        h_new = o * jnp.tanh(c_new)
        keep = keep[:, None]
        h_new, c_new = jnp.where(keep, h_new, h), jnp.where(keep, c_new, c)
        return (h_new, c_new), (h_new, c_new)

    _, (hs, cs) = jax.lax.scan(step, (h0, c0), (jnp.swapaxes(x, 0, 1), mask.T))
    return jnp.swapaxes(hs, 0, 1), jnp.swapaxes(cs, 0, 1)


@pytest.fixture
def jax_engine():
    if "jax" not in installed_engines():
        pytest.skip("needs the JAX engine")
    config.set_backend("jax")
    yield
    config.set_backend("numpy")


@pytest.mark.parametrize("masked", [False, True])
def test_jax_lstm_custom_vjp_matches_autodiff(jax_engine, masked):
    import jax
    import jax.numpy as jnp
    from kerasx_jax.kernels import rnn_fused as kernels

    rng = np.random.default_rng(6)
    args = [jnp.asarray(a) for a in _case(rng, "float64", masked)]
    diff, mask = args[:6], args[6]
    out, vjp = jax.vjp(lambda *a: kernels._lstm_sequence(*a, mask), *diff)
    ref_out, ref_vjp = jax.vjp(lambda *a: _jax_reference(*a, mask), *diff)
    for a, r in zip(out, ref_out):
        np.testing.assert_allclose(a, r, rtol=1e-12, atol=1e-12)
    g = (jnp.asarray(rng.normal(size=out[0].shape)), jnp.asarray(rng.normal(size=out[1].shape)))
    for a, r in zip(vjp(g), ref_vjp(g)):
        np.testing.assert_allclose(a, r, rtol=1e-10, atol=1e-12)
    # under jit, and the float32 dtypes carried through
    f32 = [a.astype(jnp.float32) for a in diff]

    def loss(ws):
        hs, cs = kernels._lstm_sequence(f32[0], f32[1], f32[2], *ws, mask)
        return jnp.sum(hs[:, -1] ** 2) + jnp.sum(cs)

    grads = jax.jit(jax.grad(loss))(f32[3:])
    assert all(gr.dtype == jnp.float32 for gr in grads)


def test_jax_lstm_second_order_and_finite_differences(jax_engine):
    import jax
    import jax.numpy as jnp
    from kerasx_jax.kernels import rnn_fused as kernels

    rng = np.random.default_rng(8)
    x, h0, c0, w, u, b, mask = (jnp.asarray(a) for a in _case(rng, "float64", True))

    def loss(fn, u_):
        hs, cs = fn(x, h0, c0, w, u_, b, mask)
        return jnp.sum(jnp.sin(hs)) + jnp.sum(cs * cs)

    ours = jax.grad(lambda u_: loss(kernels._lstm_sequence, u_))
    # first order against central differences (compiled: one program each, not op by op)
    eps = 1e-6
    direction = jnp.asarray(rng.normal(size=u.shape))
    value = jax.jit(lambda u_: loss(kernels._lstm_sequence, u_))
    num = (value(u + eps * direction) - value(u - eps * direction)) / (2 * eps)
    np.testing.assert_allclose(jnp.vdot(jax.jit(ours)(u), direction), num, rtol=1e-6)
    # reverse over reverse: a Hessian-vector product against the plain scan's
    ref = jax.grad(lambda u_: loss(_jax_reference, u_))
    hvp = jax.jit(jax.grad(lambda u_: jnp.vdot(ours(u_), direction)))(u)
    hvp_ref = jax.jit(jax.grad(lambda u_: jnp.vdot(ref(u_), direction)))(u)
    np.testing.assert_allclose(hvp, hvp_ref, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("masked", [False, True])
@pytest.mark.parametrize("dtype,tol", [("float64", 1e-11), ("float32", 2e-5)])
def test_jax_lstm_last_output_training_step_matches_autodiff(jax_engine, masked, dtype, tol):
    """The layer's common use under `jit`: a loss on the last output only (the other outputs'
    cotangents are zeros, the final cell state's unused); all six gradients and the forward
    pass alone (no residuals) against the plain scan."""
    import jax
    import jax.numpy as jnp
    from kerasx_jax.kernels import rnn_fused as kernels

    rng = np.random.default_rng(11)
    args = [jnp.asarray(a) for a in _case(rng, dtype, masked)]
    diff, mask = args[:6], args[6]
    target = jnp.asarray(rng.normal(size=(B, N)).astype(dtype))

    def loss(fn, *a):
        hs, _ = fn(*a, mask)
        return jnp.mean((hs[:, -1] - target) ** 2)

    ours = jax.jit(jax.value_and_grad(lambda *a: loss(kernels._lstm_sequence, *a), range(6)))
    ref = jax.value_and_grad(lambda *a: loss(_jax_reference, *a), range(6))
    (val, grads), (ref_val, ref_grads) = ours(*diff), ref(*diff)
    np.testing.assert_allclose(val, ref_val, rtol=tol, atol=tol)
    for a, r, s in zip(grads, ref_grads, diff):
        assert a.dtype == s.dtype and a.shape == s.shape
        np.testing.assert_allclose(a, r, rtol=10 * tol, atol=tol)
    out = jax.jit(lambda *a: kernels._lstm_sequence(*a, mask))(*diff)
    for a, r in zip(out, _jax_reference(*diff, mask)):
        np.testing.assert_allclose(a, r, rtol=tol, atol=tol)


def test_jax_lstm_saturated_gates_stay_close(jax_engine):
    """Large pre-activations (the gates are activated through one tanh: sigmoid(z) as
    0.5 * tanh(z / 2) + 0.5): values and gradients stay finite and within float32 rounding
    of the plain scan's."""
    import jax
    import jax.numpy as jnp
    from kerasx_jax.kernels import rnn_fused as kernels

    rng = np.random.default_rng(12)
    x, h0, c0, w, u, b, mask = (jnp.asarray(a) for a in _case(rng, "float32", False))
    w, b = w * 40.0, b * 40.0

    def loss(fn, w_):
        hs, cs = fn(x, h0, c0, w_, u, b, mask)
        return jnp.sum(hs) + jnp.sum(cs)

    for a, r in zip(
        kernels._lstm_sequence(x, h0, c0, w, u, b, mask), _jax_reference(x, h0, c0, w, u, b, mask)
    ):
        np.testing.assert_allclose(a, r, rtol=1e-5, atol=1e-6)
    got = jax.grad(lambda w_: loss(kernels._lstm_sequence, w_))(w)
    want = jax.grad(lambda w_: loss(_jax_reference, w_))(w)
    assert bool(jnp.all(jnp.isfinite(got)))
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)
