"""Control-flow ops and custom_gradient on every engine: values against plain Python loops and
closed forms, gradients against finite differences and jax.grad, symbolic (KerasTensor)
outputs."""

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.symbolic import KerasTensor
from kerasx.testing.conformance import use_engine

ENGINES = discovery.installed_engines()
HAS_JAX = "jax" in ENGINES


@pytest.fixture(params=ENGINES)
def engine(request):
    with use_engine(request.param):
        yield request.param


def _np(x):
    return np.asarray(x)


def _fd_grad(fn, x, eps=1e-6):
    """Central finite differences of a scalar function of one float64 array."""
    x = np.asarray(x, dtype=np.float64)
    g = np.zeros_like(x)
    flat = x.reshape(-1)
    for j in range(flat.size):
        xp, xm = flat.copy(), flat.copy()
        xp[j] += eps
        xm[j] -= eps
        g.reshape(-1)[j] = (
            float(_np(fn(xp.reshape(x.shape)))) - float(_np(fn(xm.reshape(x.shape))))
        ) / (2 * eps)
    return g


def _grads_all_engines(fn, x):
    """kerasx.grad(fn)(x) on every engine (float64), as NumPy arrays keyed by engine."""
    out = {}
    for name in ENGINES:
        with use_engine(name):
            out[name] = _np(kerasx.grad(fn)(np.asarray(x, dtype=np.float64)))
    return out


def _check_grad(fn, x, jax_fn=None, rtol=1e-6, atol=1e-8):
    grads = _grads_all_engines(fn, x)
    with use_engine("numpy"):
        fd = _fd_grad(fn, x)
    for name, g in grads.items():
        np.testing.assert_allclose(g, fd, rtol=1e-4, atol=1e-6, err_msg=f"{name} vs FD")
    if HAS_JAX:
        np.testing.assert_allclose(grads["numpy"], grads["jax"], rtol=rtol, atol=atol)
        if jax_fn is not None:
            import jax

            ref = np.asarray(jax.grad(jax_fn)(np.asarray(x, dtype=np.float64)))
            np.testing.assert_allclose(grads["numpy"], ref, rtol=rtol, atol=atol)


# ------------------------------------------------------------------------------------ cond


def test_cond_values(engine):
    x = np.arange(3.0, dtype="float32")
    out = ops.cond(np.array(True), lambda: (x * 2, {"a": x + 1}), lambda: (x, {"a": x}))
    np.testing.assert_allclose(_np(out[0]), x * 2)
    np.testing.assert_allclose(_np(out[1]["a"]), x + 1)
    assert _np(ops.cond(False, lambda: x * 2, lambda: x - 1)).tolist() == [-1.0, 0.0, 1.0]
    assert float(ops.cond(ops.sum(x) > 1.0, lambda: 1.0, lambda: 2.0)) == 1.0


def test_cond_errors(engine):
    with pytest.raises(ValueError, match="pred"):
        ops.cond(np.array([True, False]), lambda: 1.0, lambda: 2.0)
    with pytest.raises(TypeError, match="true_fn"):
        ops.cond(True, 3.0, lambda: 2.0)


def test_cond_gradient():
    def loss(x):
        return ops.cond(ops.sum(x) > 0, lambda: ops.sum(ops.sin(x) * x), lambda: ops.sum(x * x))

    _check_grad(loss, np.array([0.3, 0.5, -0.1]))
    _check_grad(loss, np.array([-0.3, 0.5, -0.9]))


def test_cond_symbolic():
    pred = KerasTensor((), "bool")
    out = ops.cond(pred, lambda: KerasTensor((None, 3)), lambda: KerasTensor((2, 3)))
    assert out.shape == (None, 3) and out.dtype == "float32"
    with pytest.raises(ValueError, match="same shapes"):
        ops.cond(pred, lambda: KerasTensor((4,)), lambda: KerasTensor((3,)))
    with pytest.raises(ValueError, match="structure"):
        ops.cond(pred, lambda: (KerasTensor((4,)),), lambda: KerasTensor((4,)))


# ---------------------------------------------------------------------------------- switch


def test_switch_values_and_clamping(engine):
    branches = [lambda a, b: a + b, lambda a, b: a * b, lambda a, b: a - b]
    a, b = np.float32(3.0), np.float32(2.0)
    assert [float(ops.switch(i, branches, a, b)) for i in (-5, 0, 1, 2, 9)] == [5, 5, 6, 1, 1]
    assert float(ops.switch(np.array(1, "int32"), branches, a, b)) == 6.0


def test_switch_errors(engine):
    with pytest.raises(ValueError, match="branches"):
        ops.switch(0, [], 1.0)
    with pytest.raises(ValueError, match="index"):
        ops.switch(np.array([0, 1]), [lambda x: x], 1.0)


def test_switch_gradient():
    def loss(x):
        branches = [lambda v: ops.sum(v * v), lambda v: ops.sum(ops.sin(v)), lambda v: ops.sum(v)]
        return ops.switch(1, branches, x) + ops.switch(0, branches, x * 2.0)

    _check_grad(loss, np.array([0.3, -0.5, 0.7]))


def test_switch_symbolic():
    out = ops.switch(KerasTensor((), "int32"), [lambda x: x * 2, lambda x: x], KerasTensor((5, 2)))
    assert out.shape == (5, 2)


# ------------------------------------------------------------------------------ while_loop


def test_while_loop_values(engine):
    assert int(ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0)) == 10
    i, s = ops.while_loop(lambda i, s: i < 5, lambda i, s: (i + 1, s + 2.0), (0, 1.0))
    assert int(i) == 5 and float(s) == 11.0
    out = ops.while_loop(
        lambda i, s: i < 3, lambda i, s: [i + 1, s * 2.0], [0, np.ones(2, "float32")]
    )
    assert isinstance(out, tuple)
    np.testing.assert_allclose(_np(out[1]), [8.0, 8.0])
    assert int(ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0, maximum_iterations=3)) == 3
    assert int(ops.while_loop(lambda i: i < 10, lambda i: i + 1, 0, maximum_iterations=0)) == 0
    (single,) = ops.while_loop(lambda i: i < 4, lambda i: (i + 2,), (0,))
    assert int(single) == 4
    d = ops.while_loop(
        lambda v: v["n"] < 3,
        lambda v: {"n": v["n"] + 1, "x": v["x"] * 3.0},
        {"n": 0, "x": np.float32(1.0)},
    )
    assert float(d["x"]) == 27.0


def test_while_loop_dtypes(engine):
    i, s = ops.while_loop(lambda i, s: i < 3, lambda i, s: (i + 1, s + 1.0), (0, 0.0))
    assert str(_np(i).dtype) == "int32" and str(_np(s).dtype) == "float32"


def test_while_loop_errors(engine):
    with pytest.raises(ValueError, match="maximum_iterations"):
        ops.while_loop(lambda i: i < 3, lambda i: i + 1, 0, maximum_iterations=-1)
    with pytest.raises(TypeError, match="body"):
        ops.while_loop(lambda i: i < 3, None, 0)


def test_while_loop_gradient_on_tape():
    # Reverse-mode through a while loop works on the tape (JAX's while_loop is forward-only).
    def loss(x):
        _, y = ops.while_loop(lambda i, v: i < 4, lambda i, v: (i + 1, ops.sin(v) * 1.5), (0, x))
        return ops.sum(y)

    x = np.array([0.2, -0.4])
    with use_engine("numpy"):
        g = _np(kerasx.grad(loss)(x))
        fd = _fd_grad(loss, x)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-8)


def test_while_loop_symbolic():
    out = ops.while_loop(
        lambda i, x: i < 3, lambda i, x: (i + 1, x * 2), (0, KerasTensor((None, 4)))
    )
    assert out[1].shape == (None, 4) and out[0].dtype == "int32"


# ------------------------------------------------------------------------------- fori_loop


def test_fori_loop_values(engine):
    assert float(ops.fori_loop(0, 5, lambda i, s: s + i, 0.0)) == 10.0
    np.testing.assert_allclose(
        _np(ops.fori_loop(2, 5, lambda i, s: s * i, np.ones(2, "float32"))), [24, 24]
    )
    a, b = ops.fori_loop(0, 3, lambda i, s: (s[0] + 1.0, s[1] * 2.0), (0.0, 1.0))
    assert float(a) == 3.0 and float(b) == 8.0
    assert float(ops.fori_loop(4, 2, lambda i, s: s + 1.0, 0.0)) == 0.0
    x = ops.convert_to_tensor(np.arange(5.0, dtype="float32"))
    np.testing.assert_allclose(float(ops.fori_loop(0, 5, lambda i, s: s + x[i] * x[i], 0.0)), 30.0)
    assert str(_np(ops.fori_loop(0, 2, lambda i, s: i, np.int32(0))).dtype) == "int32"
    assert (
        float(ops.fori_loop(np.int32(1), ops.convert_to_tensor(4), lambda i, s: s + i, 0.0)) == 6.0
    )


def test_fori_loop_errors(engine):
    with pytest.raises(ValueError, match="lower"):
        ops.fori_loop(0.5, 3, lambda i, s: s, 0.0)
    with pytest.raises(TypeError, match="body_fun"):
        ops.fori_loop(0, 3, "nope", 0.0)


def test_fori_loop_gradient():
    def loss(x):
        return ops.sum(ops.fori_loop(0, 4, lambda i, v: ops.sin(v) * 1.1 + v * v * 0.1, x))

    import_jax = pytest.importorskip("jax") if HAS_JAX else None

    def jax_loss(x):
        jnp = import_jax.numpy
        return jnp.sum(
            import_jax.lax.fori_loop(0, 4, lambda i, v: jnp.sin(v) * 1.1 + v * v * 0.1, x)
        )

    _check_grad(loss, np.array([0.2, -0.7, 1.1]), jax_loss if HAS_JAX else None)


def test_fori_loop_symbolic():
    assert ops.fori_loop(0, 3, lambda i, v: v * 2, KerasTensor((2, None))).shape == (2, None)


# ------------------------------------------------------------------------------------ scan


def _python_scan(f, init, xs, reverse=False):
    carry, ys = init, []
    idx = range(len(xs) - 1, -1, -1) if reverse else range(len(xs))
    for i in idx:
        carry, y = f(carry, xs[i])
        ys.append(y)
    if reverse:
        ys.reverse()
    return carry, np.stack(ys)


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_values(engine, reverse):
    rng = np.random.default_rng(0)
    xs = rng.standard_normal((6, 3)).astype("float32")
    init = rng.standard_normal(3).astype("float32")

    def f(c, x):
        return c * 0.5 + x, c * x

    carry, ys = ops.scan(f, init, xs, reverse=reverse)
    ref_c, ref_y = _python_scan(f, init, xs, reverse)
    np.testing.assert_allclose(_np(carry), ref_c, rtol=1e-6)
    np.testing.assert_allclose(_np(ys), ref_y, rtol=1e-6)
    assert str(_np(ys).dtype) == "float32"


def test_scan_cumsum_and_pytrees(engine):
    xs = {"a": np.arange(5.0, dtype="float32"), "b": np.ones((5, 2), "float32")}

    def f(c, x):
        total, count = c
        return (total + x["a"], count + x["b"]), {"t": total + x["a"], "none": None}

    (total, count), ys = ops.scan(f, (np.float32(0.0), np.zeros(2, "float32")), xs)
    np.testing.assert_allclose(_np(ys["t"]), np.cumsum(xs["a"]))
    assert ys["none"] is None
    np.testing.assert_allclose(_np(count), [5.0, 5.0])
    assert float(total) == 10.0


def test_scan_without_xs(engine):
    carry, ys = ops.scan(lambda c, x: (c * 2.0, c), np.float32(1.0), length=4)
    assert float(carry) == 16.0
    np.testing.assert_allclose(_np(ys), [1, 2, 4, 8])
    carry, ys = ops.scan(lambda c, x: (c + 1.0, None), np.float32(0.0), length=3)
    assert float(carry) == 3.0 and ys is None
    carry, ys = ops.scan(lambda c, x: (c + 1.0, c), np.float32(0.0), length=0)
    assert float(carry) == 0.0 and _np(ys).shape == (0,) and str(_np(ys).dtype) == "float32"


def test_scan_errors(engine):
    with pytest.raises(ValueError, match="length"):
        ops.scan(lambda c, x: (c, c), 0.0)
    with pytest.raises(ValueError, match="length"):
        ops.scan(lambda c, x: (c, c), 0.0, np.zeros(3), length=4)
    with pytest.raises(ValueError, match="xs"):
        ops.scan(lambda c, x: (c, c), 0.0, [np.zeros(3), np.zeros(4)])
    with pytest.raises(ValueError, match="unroll"):
        ops.scan(lambda c, x: (c, c), 0.0, np.zeros(3), unroll=0)
    with pytest.raises((ValueError, TypeError)):
        ops.scan(lambda c, x: ((c, c), c), np.float32(0.0), np.zeros(3, "float32"))


@pytest.mark.parametrize("reverse", [False, True])
def test_scan_gradient(reverse):
    w = np.array([[0.5, -0.3], [0.2, 0.8]])

    def loss(params):
        xs = ops.reshape(params[:8], (4, 2))
        h0 = params[8:]

        def cell(h, x):
            h = ops.sin(ops.matmul(h, w) + x)
            return h, h * h

        h, ys = ops.scan(cell, h0, xs, reverse=reverse)
        return ops.sum(ys) + ops.sum(h * 3.0)

    jax_fn = None
    if HAS_JAX:
        import jax
        import jax.numpy as jnp

        def jax_fn(params):
            def cell(h, x):
                h = jnp.sin(h @ w + x)
                return h, h * h

            h, ys = jax.lax.scan(cell, params[8:], params[:8].reshape(4, 2), reverse=reverse)
            return jnp.sum(ys) + jnp.sum(h * 3.0)

    _check_grad(loss, np.random.default_rng(1).standard_normal(10), jax_fn)


def test_scan_second_order():
    # carry c -> c * x at each step: final = x ** 5 * c0, d2/dx2 = 20 x**3 c0
    def final(x):
        c, _ = ops.scan(lambda c, _: (c * x, None), ops.ones_like(x) * 2.0, length=5)
        return ops.sum(c)

    x = np.array([0.7, -1.2])
    for name in ENGINES:
        with use_engine(name):
            g2 = kerasx.grad(lambda v: ops.sum(kerasx.grad(final)(v)))(x)
            np.testing.assert_allclose(_np(g2), 20 * x**3 * 2.0, rtol=1e-10)


def test_scan_symbolic():
    carry, ys = ops.scan(
        lambda c, x: (c + x, {"y": c * x}), KerasTensor((3,)), KerasTensor((None, 3))
    )
    assert carry.shape == (3,) and ys["y"].shape == (None, 3)
    carry, ys = ops.scan(lambda c, x: (c, c), KerasTensor((2,)), length=7)
    assert ys.shape == (7, 2)


# ------------------------------------------------------------------------ associative_scan


def _sequential(f, xs):
    out = [xs[0]]
    for x in xs[1:]:
        out.append(f(out[-1], x))
    return np.stack(out)


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 9])
def test_associative_scan_non_commutative(engine, n):
    # Matrix products are associative but not commutative: checks the combination order.
    rng = np.random.default_rng(n)
    mats = rng.standard_normal((n, 2, 2))
    out = ops.associative_scan(lambda a, b: ops.matmul(a, b), mats)
    np.testing.assert_allclose(_np(out), _sequential(lambda a, b: a @ b, mats), rtol=1e-10)
    rev = ops.associative_scan(lambda a, b: ops.matmul(a, b), mats, reverse=True)
    expected = _sequential(lambda a, b: a @ b, mats[::-1])[::-1]
    # Reverse scan: out[i] = f(elems[i+1...], elems[i]) combined from the end.
    np.testing.assert_allclose(_np(rev), expected, rtol=1e-10)


def test_associative_scan_axis_and_pytrees(engine):
    x = np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(
        _np(ops.associative_scan(lambda a, b: a + b, x, axis=1)), np.cumsum(x, 1)
    )
    np.testing.assert_allclose(
        _np(ops.associative_scan(lambda a, b: a + b, x, axis=-2)), np.cumsum(x, 0)
    )
    elems = {"s": np.arange(1.0, 6.0), "p": np.arange(1.0, 6.0)}
    out = ops.associative_scan(lambda a, b: {"s": a["s"] + b["s"], "p": a["p"] * b["p"]}, elems)
    np.testing.assert_allclose(_np(out["s"]), np.cumsum(elems["s"]))
    np.testing.assert_allclose(_np(out["p"]), np.cumprod(elems["p"]))


def test_associative_scan_errors(engine):
    with pytest.raises(ValueError, match="axis"):
        ops.associative_scan(lambda a, b: a + b, np.zeros((2, 3)), axis=2)
    with pytest.raises(ValueError, match="elems"):
        ops.associative_scan(lambda a, b: a + b, [np.zeros(3), np.zeros(4)])


def test_associative_scan_gradient():
    def loss(x):
        return ops.sum(ops.sin(ops.associative_scan(lambda a, b: a * b, x)))

    jax_fn = None
    if HAS_JAX:
        import jax
        import jax.numpy as jnp

        def jax_fn(x):
            return jnp.sum(jnp.sin(jax.lax.associative_scan(jnp.multiply, x)))

    _check_grad(loss, np.random.default_rng(3).uniform(0.5, 1.5, 7), jax_fn, rtol=1e-10)


def test_associative_scan_symbolic():
    assert ops.associative_scan(lambda a, b: a + b, KerasTensor((None, 5)), axis=1).shape == (
        None,
        5,
    )


# ------------------------------------------------------------------- map, vectorized_map


@pytest.mark.parametrize("name", ["map", "vectorized_map"])
def test_map_values(engine, name):
    fn = getattr(ops, name)
    xs = np.arange(6.0, dtype="float32").reshape(3, 2)
    np.testing.assert_allclose(_np(fn(lambda x: ops.sum(x * x), xs)), [1, 13, 41])
    out = fn(lambda t: {"s": t[0] + t[1], "p": t[0] * 2.0}, (xs, xs))
    np.testing.assert_allclose(_np(out["s"]), xs * 2)
    np.testing.assert_allclose(_np(out["p"]), xs * 2)


@pytest.mark.parametrize("name", ["map", "vectorized_map"])
def test_map_errors(engine, name):
    with pytest.raises(ValueError):
        getattr(ops, name)(lambda t: t[0], (np.zeros(3), np.zeros(4)))
    with pytest.raises(TypeError):
        getattr(ops, name)(5, np.zeros(3))


@pytest.mark.parametrize("name", ["map", "vectorized_map"])
def test_map_gradient(name):
    fn = getattr(ops, name)

    def loss(x):
        return ops.sum(fn(lambda r: ops.sum(ops.sin(r) * r), ops.reshape(x, (3, 2))))

    _check_grad(loss, np.random.default_rng(4).standard_normal(6))


def test_map_symbolic():
    assert ops.map(lambda x: ops.sum(x), KerasTensor((4, 3))).shape == (4,)
    assert ops.vectorized_map(lambda x: x * 2, KerasTensor((None, 3))).shape == (None, 3)


# ------------------------------------------------------------------------------- vectorize


def test_vectorize(engine):
    add = ops.vectorize(lambda a, b: a + b)
    np.testing.assert_allclose(
        _np(add(np.arange(3.0), np.ones((2, 1)))), np.arange(3.0) + np.ones((2, 1))
    )
    rowsum = ops.vectorize(lambda a: ops.sum(a), signature="(n)->()")
    np.testing.assert_allclose(_np(rowsum(np.arange(6.0).reshape(2, 3))), [3.0, 12.0])
    dot = ops.vectorize(lambda a, b: ops.sum(a * b), signature="(n),(n)->()")
    a = np.arange(12.0).reshape(2, 2, 3)
    np.testing.assert_allclose(_np(dot(a, np.ones(3))), a.sum(-1))
    scale = ops.vectorize(lambda a, k: a * k, excluded={1})
    np.testing.assert_allclose(_np(scale(np.arange(3.0), 2.0)), [0.0, 2.0, 4.0])
    with pytest.raises(ValueError, match="signature"):
        ops.vectorize(lambda a: a, signature="n->")
    with pytest.raises(ValueError, match="excluded"):
        ops.vectorize(lambda a: a, excluded={"a"})


def test_vectorize_gradient():
    dot = ops.vectorize(lambda a, b: ops.sum(ops.sin(a) * b), signature="(n),(n)->()")

    def loss(x):
        return ops.sum(dot(ops.reshape(x, (2, 3)), np.array([1.0, 2.0, 3.0])))

    _check_grad(loss, np.random.default_rng(5).standard_normal(6))


# ------------------------------------------------------------------------- custom_gradient


def _log1pexp():
    @ops.custom_gradient
    def log1pexp(x):
        e = ops.exp(x)

        def grad(*args, upstream=None):
            if upstream is None:
                (upstream,) = args
            return ops.multiply(upstream, 1.0 - 1.0 / ops.add(1.0, e))

        return ops.log(1.0 + e), grad

    return log1pexp


def test_custom_gradient_keras_pattern(engine):
    f = _log1pexp()
    x = np.array([-2.0, 0.5, 3.0])
    np.testing.assert_allclose(_np(f(x)), np.log1p(np.exp(x)), rtol=1e-12)
    sig = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(_np(kerasx.grad(lambda v: ops.sum(f(v)))(x)), sig, rtol=1e-12)
    # second order: d/dx sigmoid(x) = s (1 - s)
    g2 = kerasx.grad(lambda v: ops.sum(kerasx.grad(lambda u: ops.sum(f(u)))(v)))(x)
    np.testing.assert_allclose(_np(g2), sig * (1 - sig), rtol=1e-10)


def test_custom_gradient_is_used_and_multiple_inputs(engine):
    @ops.custom_gradient
    def mul(x, y):
        def grad(upstream):
            return upstream * y * 10.0, None

        return x * y, grad

    x, y = np.array([1.0, 2.0]), np.array([3.0, -1.0])
    gx, gy = kerasx.grad(lambda a, b: ops.sum(mul(a, b)), argnums=(0, 1))(x, y)
    np.testing.assert_allclose(_np(gx), y * 10.0)
    np.testing.assert_allclose(_np(gy), [0.0, 0.0])
    np.testing.assert_allclose(_np(mul(x, y)), x * y)


def test_custom_gradient_closure(engine):
    # Values the function closes over are differentiated through its forward computation;
    # the explicit argument uses the custom rule.
    def loss(w, x):
        @ops.custom_gradient
        def f(v):
            return ops.sin(w) * v, lambda g: g * 100.0

        return ops.sum(f(x))

    w, x = np.array([0.3, -0.4]), np.array([2.0, 5.0])
    gw, gx = kerasx.grad(loss, argnums=(0, 1))(w, x)
    np.testing.assert_allclose(_np(gw), np.cos(w) * x, rtol=1e-12)
    np.testing.assert_allclose(_np(gx), [100.0, 100.0])


def test_custom_gradient_multiple_outputs_and_kwargs(engine):
    @ops.custom_gradient
    def two(x, scale=1.0):
        def grad(upstream):
            g1, g2 = upstream
            return g1 * 2.0 * scale + g2 * 7.0

        return (x * 2.0 * scale, x * 3.0), grad

    x = np.array([1.0, 2.0])
    g = kerasx.grad(lambda v: ops.sum(two(v, scale=3.0)[0]) + ops.sum(two(v, scale=3.0)[1]))(x)
    np.testing.assert_allclose(_np(g), [13.0, 13.0])


def test_custom_gradient_bad_grad_count(engine):
    @ops.custom_gradient
    def f(x, y):
        return x * y, lambda g: g

    with pytest.raises(ValueError, match="one gradient per argument"):
        kerasx.grad(lambda a: ops.sum(f(a, np.ones(2))))(np.ones(2))


def test_custom_gradient_symbolic_and_errors():
    out = _log1pexp()(KerasTensor((None, 2)))
    assert isinstance(out, KerasTensor) and out.shape == (None, 2)
    with pytest.raises(TypeError, match="`f`"):
        ops.custom_gradient(3)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_custom_gradient_under_jit():
    f = _log1pexp()
    with use_engine("jax"):
        g = kerasx.jit(kerasx.grad(lambda v: ops.sum(f(v))))(np.array([0.0, 1.0]))
    np.testing.assert_allclose(_np(g), 1 / (1 + np.exp(-np.array([0.0, 1.0]))), rtol=1e-12)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_scan_under_jit():
    with use_engine("jax"):
        fn = kerasx.jit(lambda xs: ops.scan(lambda c, x: (c + x, c), np.float32(0.0), xs))
        carry, ys = fn(np.arange(4.0, dtype="float32"))
    assert float(carry) == 6.0
    np.testing.assert_allclose(_np(ys), [0, 0, 1, 3])


def test_keras_parity_scan():
    keras = pytest.importorskip("keras")
    xs = np.random.default_rng(7).standard_normal((5, 2)).astype("float32")
    f = lambda c, x: (c * 0.9 + x, c - x)  # noqa: E731
    with use_engine("numpy"):
        ours = ops.scan(f, np.zeros(2, "float32"), xs, reverse=True)
    theirs = keras.ops.scan(f, np.zeros(2, "float32"), xs, reverse=True)
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(_np(a), np.asarray(b), rtol=1e-6)


def test_signatures_match_keras():
    keras = pytest.importorskip("keras")
    import inspect

    names = [
        "cond",
        "switch",
        "while_loop",
        "fori_loop",
        "scan",
        "associative_scan",
        "map",
        "vectorized_map",
        "vectorize",
        "custom_gradient",
    ]
    for name in names:
        ours = inspect.signature(getattr(ops, name))
        theirs = inspect.signature(getattr(keras.ops, name))
        assert [(p.name, p.kind, p.default) for p in ours.parameters.values()] == [
            (p.name, p.kind, p.default) for p in theirs.parameters.values()
        ], name
