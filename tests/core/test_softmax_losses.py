"""Cross-entropies of softmax probabilities, differentiated at the logits
(kerasx/ops/softmax_losses.py): the same loss values as the plain ops, gradients equal to the
softmax-then-loss chain (and to finite differences), on every engine."""

import numpy as np
import pytest

import kerasx
from kerasx import activations, config, losses, ops
from kerasx.engine.discovery import installed_engines
from kerasx.ops import softmax_losses

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _case(dtype="float32", n=6, k=5, seed=0):
    rng = np.random.default_rng(seed)
    z = (rng.normal(size=(n, k)) * 2.0).astype(dtype)
    y = rng.integers(0, k, size=(n,))
    return z, y


def _chain_loss(kind, y, z):
    """The loss through an untagged softmax (ops.softmax: no logits remembered)."""
    p = ops.softmax(z)
    if kind == "sparse":
        return ops.mean(losses.sparse_categorical_crossentropy(y, p))
    return ops.mean(losses.categorical_crossentropy(ops.one_hot(y, z.shape[-1]), p))


def _fused_loss(kind, y, z):
    p = activations.softmax(z)  # remembers its logits
    if kind == "sparse":
        return ops.mean(losses.sparse_categorical_crossentropy(y, p))
    return ops.mean(losses.categorical_crossentropy(ops.one_hot(y, z.shape[-1]), p))


def test_activation_softmax_remembers_its_logits(engine):
    z, _ = _case()
    p = activations.softmax(ops.convert_to_tensor(z))
    assert softmax_losses.logits_of(p, -1) is not None
    assert softmax_losses.logits_of(p, 1) is not None
    assert softmax_losses.logits_of(p, 0) is None  # another axis: not this softmax
    assert softmax_losses.logits_of(ops.softmax(z), -1) is None


@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_values_equal_the_plain_ops_and_gradients_equal_the_chain(engine, kind):
    z, y = _case()
    fused = kerasx.value_and_grad(lambda z: _fused_loss(kind, y, z))
    chain = kerasx.value_and_grad(lambda z: _chain_loss(kind, y, z))
    (lf, gf), (lc, gc) = fused(z), chain(z)
    np.testing.assert_array_equal(np.asarray(lf), np.asarray(lc))
    np.testing.assert_allclose(np.asarray(gf), np.asarray(gc), rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_gradient_matches_finite_differences_in_float64(engine, kind):
    z, y = _case("float64", n=3, k=4, seed=1)
    f = kerasx.value_and_grad(lambda z: _fused_loss(kind, y, z))
    _, g = f(z)
    h = 1e-6
    num = np.zeros_like(z)
    for i in np.ndindex(z.shape):
        zp, zm = z.copy(), z.copy()
        zp[i] += h
        zm[i] -= h
        num[i] = (float(f(zp)[0]) - float(f(zm)[0])) / (2 * h)
    np.testing.assert_allclose(np.asarray(g), num, rtol=1e-6, atol=1e-9)


def test_clipped_and_out_of_range_rows_get_the_chains_zeros(engine):
    # Row 0: a near-certain correct prediction (q > 1 - eps: clipped, zero gradient);
    # row 1: an index out of range (zero loss and gradient); row 2: an ordinary row.
    z = np.array([[40.0, 0.0, 0.0], [1.0, 2.0, 3.0], [0.5, -0.5, 0.1]], "float32")
    y = np.array([0, 7, 2])
    fused = kerasx.value_and_grad(lambda z: _fused_loss("sparse", y, z))
    chain = kerasx.value_and_grad(lambda z: _chain_loss("sparse", y, z))
    (lf, gf), (lc, gc) = fused(z), chain(z)
    np.testing.assert_array_equal(np.asarray(lf), np.asarray(lc))
    gf, gc = np.asarray(gf), np.asarray(gc)
    np.testing.assert_array_equal(gf[:2], 0.0)
    np.testing.assert_allclose(gf, gc, rtol=1e-5, atol=1e-8)


def test_second_order_gradient_matches_the_chain(engine):
    z, y = _case("float64", n=3, k=4, seed=2)
    v = np.random.default_rng(3).normal(size=z.shape)

    def hvp(loss):
        def inner(z):
            return ops.sum(kerasx.grad(lambda z: loss("sparse", y, z))(z) * v)

        return np.asarray(kerasx.grad(inner)(z))

    np.testing.assert_allclose(hvp(_fused_loss), hvp(_chain_loss), rtol=1e-7, atol=1e-10)


def _train(fused, engine_name, steps=6):
    kerasx.utils.set_random_seed(4)
    model = kerasx.Sequential(
        [
            kerasx.Input((7,)),
            kerasx.layers.Dense(9, activation="relu"),
            kerasx.layers.Dense(4, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    rng = np.random.default_rng(6)
    x = rng.normal(size=(16 * steps, 7)).astype("float32")
    y = rng.integers(0, 4, size=(16 * steps,))
    saved = softmax_losses.logits_of
    if not fused:
        softmax_losses.logits_of = lambda p, axis: None
    try:
        hist = model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
    finally:
        softmax_losses.logits_of = saved
    return hist.history["loss"], model.get_weights(), model


def test_fit_with_the_fused_gradient_matches_the_chain(engine):
    loss_f, w_f, model = _train(True, engine)
    loss_c, w_c, _ = _train(False, engine)
    np.testing.assert_allclose(loss_f, loss_c, rtol=1e-6)
    for a, b in zip(w_f, w_c):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-7)
    if engine == "numpy":  # the replayed step uses the one-pass gradient kernel
        names = {
            getattr(v, "__name__", "")
            for f in model._kx_fns.values()
            for e in f.entries.values()
            if e.replay is not None
            for v in e.replay.__globals__.values()
        }
        assert "_scce_softmax_vjp_logits" in names


@pytest.mark.parametrize("kind", ["sparse", "dense"])
def test_jax_forward_mode_and_target_derivatives_match_the_chain(kind):
    """The JAX kernels declare their derivative as a JVP rule at the logits: forward mode
    (`jax.jvp`, `jax.hessian`) works and agrees with the softmax-then-loss chain; the
    categorical loss also differentiates with respect to its target."""
    jax = pytest.importorskip("jax")
    config.set_backend("jax")
    try:
        z, y = _case("float64", n=4, k=3, seed=5)
        dz = np.random.default_rng(6).normal(size=z.shape)
        fused = lambda z: _fused_loss(kind, y, z)  # noqa: E731
        chain = lambda z: _chain_loss(kind, y, z)  # noqa: E731
        _, t_f = jax.jvp(fused, (z,), (dz,))
        _, t_c = jax.jvp(chain, (z,), (dz,))
        np.testing.assert_allclose(float(t_f), float(t_c), rtol=1e-10)
        np.testing.assert_allclose(
            np.asarray(jax.jit(jax.hessian(fused))(z)),
            np.asarray(jax.jit(jax.hessian(chain))(z)),
            atol=1e-10,
        )
        if kind == "dense":
            t = np.random.default_rng(7).uniform(0.1, 1.0, size=z.shape)

            def loss_of_target(t, tagged):
                p = activations.softmax(z) if tagged else ops.softmax(z)
                return ops.mean(losses.categorical_crossentropy(t, p))

            g_f = jax.grad(lambda t: loss_of_target(t, True))(t)
            g_c = jax.grad(lambda t: loss_of_target(t, False))(t)
            np.testing.assert_allclose(np.asarray(g_f), np.asarray(g_c), rtol=1e-10)
    finally:
        config.set_backend("numpy")


def test_numpy_forward_hands_its_parts_to_the_gradient_of_the_same_call():
    """The NumPy kernels of `_scce_softmax`: the forward pass leaves q - onehot for the
    gradient kernel called on the very same arrays; the gradient is bit-identical to the one
    computed from scratch, and any other call (other arrays, even with equal values; a
    second gradient; large outputs) recomputes."""
    import threading

    from kerasx_numpy.kernels import nn as K_nn
    from kerasx_numpy.kernels import nn_losses as K

    rng = np.random.default_rng(4)
    z = rng.normal(size=(7, 5)).astype("float32")
    p = K_nn.softmax(z, -1)
    y = rng.integers(0, 5, size=(7,))
    y[3] = 9  # out of range: no gradient, loss 0
    g = rng.uniform(0.5, 2.0, size=(7,)).astype("float32")

    def fresh():
        K._HANDOVER.slot = None
        return K._scce_softmax_vjp_logits(g, y, p, -1)

    expected = fresh()
    loss = K._scce_softmax(y, p, z, -1)
    np.testing.assert_array_equal(loss, K.sparse_categorical_crossentropy(y, p, False, -1))
    assert K._HANDOVER.slot is not None
    np.testing.assert_array_equal(K._scce_softmax_vjp_logits(g, y, p, -1), expected)
    assert K._HANDOVER.slot is None  # taken once
    np.testing.assert_array_equal(K._scce_softmax_vjp_logits(g, y, p, -1), expected)
    np.testing.assert_array_equal(expected[3], 0.0)

    K._scce_softmax(y, p, z, -1)
    other = p.copy()  # equal values, another array: not its forward's parts
    np.testing.assert_array_equal(K._scce_softmax_vjp_logits(g, y, other, -1), expected)
    seen = []
    worker = threading.Thread(target=lambda: seen.append(getattr(K._HANDOVER, "slot", None)))
    worker.start()
    worker.join()
    assert seen == [None]  # one slot per thread

    big = rng.normal(size=(K._HANDOVER_MAX // 8 + 1, 8)).astype("float32")
    K._scce_softmax(np.zeros(len(big), "int64"), K_nn.softmax(big, -1), big, -1)
    assert K._HANDOVER.slot is None
