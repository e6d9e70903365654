"""kerasx.value_and_grad / grad / jit: the same results on every engine."""

import contextlib

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery

ENGINES = discovery.installed_engines()


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


@contextlib.contextmanager
def _numpy_kernel(op_fn, kernel):
    """Give a test-only op `kernel` on the NumPy engine; unregister the op afterwards."""
    from kerasx.engine import dispatch
    from kerasx.engine.registry import REGISTRY

    name = op_fn.opdef.name
    eng = discovery.load("numpy")
    eng.kernels[name] = kernel
    dispatch.attach_kernel(op_fn.opdef)
    try:
        yield
    finally:
        REGISTRY.pop(name)
        eng.kernels.pop(name)


def test_value_and_grad_closed_form(engine):
    x = np.linspace(-1.0, 1.0, 5)

    def f(w):
        return ops.sum(ops.multiply(ops.sin(w), w))

    v, g = kerasx.value_and_grad(f)(x)
    np.testing.assert_allclose(_np(v), np.sum(np.sin(x) * x), rtol=1e-12)
    np.testing.assert_allclose(_np(g), np.cos(x) * x + np.sin(x), rtol=1e-12)


def test_second_order(engine):
    x = np.linspace(-1.0, 1.0, 4)

    def f(w):
        return ops.sum(ops.multiply(ops.sin(w), w))

    gg = kerasx.grad(lambda w: ops.sum(kerasx.grad(f)(w)))(x)
    np.testing.assert_allclose(_np(gg), 2 * np.cos(x) - x * np.sin(x), rtol=1e-12)


def test_third_order(engine):
    x = np.array([0.3, -0.7])
    f = lambda w: ops.sum(ops.exp(ops.multiply(w, 2.0)))  # noqa: E731
    d1 = kerasx.grad(f)
    d2 = kerasx.grad(lambda w: ops.sum(d1(w)))
    d3 = kerasx.grad(lambda w: ops.sum(d2(w)))
    np.testing.assert_allclose(_np(d3(x)), 8 * np.exp(2 * x), rtol=1e-12)


def test_nested_structures_and_argnums(engine):
    params = {"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": [np.array([0.5, -0.5])]}
    x = np.array([[1.0, -1.0]])

    def loss(p, inputs):
        y = ops.add(ops.matmul(inputs, p["w"]), p["b"][0])
        return ops.sum(ops.multiply(y, y))

    (v, grads) = kerasx.value_and_grad(loss, argnums=(0, 1))(params, x)
    y = x @ params["w"] + params["b"][0]
    np.testing.assert_allclose(_np(v), np.sum(y * y))
    gp, gx = grads
    assert set(gp) == {"w", "b"} and isinstance(gp["b"], list)
    np.testing.assert_allclose(_np(gp["w"]), x.T @ (2 * y))
    np.testing.assert_allclose(_np(gp["b"][0]), (2 * y).sum(0))
    np.testing.assert_allclose(_np(gx), (2 * y) @ params["w"].T)


def test_has_aux(engine):
    def f(w):
        y = ops.multiply(w, w)
        return ops.sum(y), {"y": y}

    (v, aux), g = kerasx.value_and_grad(f, has_aux=True)(np.array([1.0, 3.0]))
    np.testing.assert_allclose(_np(v), 10.0)
    np.testing.assert_allclose(_np(aux["y"]), [1.0, 9.0])
    np.testing.assert_allclose(_np(g), [2.0, 6.0])
    g2, aux2 = kerasx.grad(f, has_aux=True)(np.array([2.0]))
    np.testing.assert_allclose(_np(g2), [4.0])


def test_unused_input_gets_zero_gradient(engine):
    g = kerasx.grad(lambda a, b: ops.sum(a), argnums=1)(np.ones(2), np.ones(3))
    np.testing.assert_allclose(_np(g), np.zeros(3))


def test_jit_gives_same_numbers(engine):
    def f(a, b):
        return ops.sum(ops.matmul(a, b))

    a = np.arange(6, dtype="float32").reshape(2, 3)
    b = np.ones((3, 2), dtype="float32")
    assert float(_np(kerasx.jit(f)(a, b))) == 30.0


def test_float32_stays_float32(engine):
    x = np.ones(3, dtype="float32")
    v, g = kerasx.value_and_grad(lambda w: ops.sum(ops.multiply(w, 2.0)))(x)
    assert ops.dtype(v) == "float32" and ops.dtype(g) == "float32"


def test_non_scalar_output_is_an_error():
    with pytest.raises(ValueError, match="scalar"):
        kerasx.grad(lambda w: ops.multiply(w, 2.0))(np.ones(3))


def test_bad_argnums():
    with pytest.raises(TypeError, match="argnums"):
        kerasx.value_and_grad(lambda w: w, argnums="0")


def test_stop_gradient_blocks(engine):
    g = kerasx.grad(lambda w: ops.sum(ops.multiply(ops.stop_gradient(w), w)))(np.array([3.0]))
    np.testing.assert_allclose(_np(g), [3.0])


def test_missing_rule_names_the_op_and_argument():
    from kerasx.engine.registry import defop

    @defop(name="_test_no_rule_op")
    def no_rule(x):
        """An op with a kernel but no gradient rule (test only)."""

    with _numpy_kernel(no_rule, lambda x: x * 2):
        with pytest.raises(TypeError, match=r"_test_no_rule_op.*`x`"):
            kerasx.grad(lambda w: ops.sum(no_rule(w)))(np.ones(2))


def test_tape_frees_forward_values_once_their_nodes_are_done():
    """The tape's backward pass drops each node's saved values after its rule has run, so an
    activation is freed as soon as the last node reading it is processed (as a hand-written
    backward pass frees it), not when the whole tape goes."""
    import gc
    import weakref

    kerasx.config.set_backend("numpy")
    refs: list = []
    alive_in_first_rule: list = []

    @ops.custom_gradient
    def first(x):
        def grad(upstream):
            gc.collect()
            alive_in_first_rule.append([r() is not None for r in refs])
            return upstream * 2.0

        return x * 2.0, grad

    def f(w):
        y = first(w)
        z = ops.exp(y)  # read by exp's rule (its result) and by the multiply below
        refs.append(weakref.ref(z.value))
        return ops.sum(z * 3.0)

    x = np.linspace(-1.0, 1.0, 6)
    v, g = kerasx.value_and_grad(f)(x)
    assert alive_in_first_rule == [[False]]
    np.testing.assert_allclose(_np(v), np.sum(3.0 * np.exp(2.0 * x)), rtol=1e-12)
    np.testing.assert_allclose(_np(g), 6.0 * np.exp(2.0 * x), rtol=1e-12)


def test_tape_keeps_only_the_values_gradient_rules_read():
    """Ops declare which values their rules read (`vjp_reads`): `add` reads none, `relu` its
    result. The tape keeps the rest as shape and dtype only, so a dense layer's
    pre-activations are freed during the forward pass, as a hand-written loop frees them;
    the gradients are unchanged (checked in closed form)."""
    import gc
    import weakref

    kerasx.config.set_backend("numpy")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 3))
    w0 = rng.standard_normal((3, 5))
    b0 = rng.standard_normal(5)
    alive: dict = {}

    def f(w, b):
        h = ops.matmul(x, w)
        ref_h = weakref.ref(h.value)
        a = ops.add(h, b)
        ref_a = weakref.ref(a.value)
        del h
        r = ops.relu(a)
        del a
        gc.collect()
        alive["matmul result"] = ref_h() is not None
        alive["add result"] = ref_a() is not None
        return ops.sum(ops.multiply(r, r))

    v, (gw, gb) = kerasx.value_and_grad(f, argnums=(0, 1))(w0, b0)
    assert alive == {"matmul result": False, "add result": False}
    pre = x @ w0 + b0
    d = 2.0 * np.maximum(pre, 0.0) * (pre > 0)
    np.testing.assert_allclose(_np(v), np.sum(np.maximum(pre, 0.0) ** 2), rtol=1e-12)
    np.testing.assert_allclose(_np(gw), x.T @ d, rtol=1e-12)
    np.testing.assert_allclose(_np(gb), d.sum(axis=0), rtol=1e-12)


def test_vjp_reads_must_name_tensor_arguments():
    from kerasx.engine.registry import REGISTRY, defop

    with pytest.raises(TypeError, match=r"_test_bad_reads.*unknown tensor 'y'"):

        @defop(name="_test_bad_reads", vjp={"x": lambda g, ans, x: g}, vjp_reads=("y",))
        def bad_reads(x):
            """An op whose declaration names a parameter it does not have (test only)."""

    assert "_test_bad_reads" not in REGISTRY


def test_a_rule_reading_an_undeclared_value_fails_loudly():
    """A wrong `vjp_reads` declaration cannot give silently wrong gradients: the rule gets
    a stand-in holding only the shape and dtype, and computing with it raises."""
    from kerasx.engine.registry import defop

    @defop(
        name="_test_underdeclared",
        vjp={"x": lambda g, ans, x: ops.multiply(g, ops.cos(x))},
        vjp_reads=(),
    )
    def underdeclared(x):
        """sin, with a rule that reads `x` although it declares that it does not (test only)."""

    with _numpy_kernel(underdeclared, np.sin):
        with pytest.raises(TypeError, match=r"ops._test_underdeclared` read the value of `x`"):
            kerasx.grad(lambda w: ops.sum(underdeclared(w)))(np.ones(2))
