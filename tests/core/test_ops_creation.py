"""Focused tests for the array-creation ops (beyond the conformance samples)."""

import math

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.symbolic import KerasTensor

ENGINES = discovery.installed_engines()


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    if isinstance(x, (list, tuple)):
        return [_np(t) for t in x]
    return np.asarray(ops.convert_to_numpy(x))


# (op name, args, kwargs): values (to float32 precision) and dtypes must match real Keras 3.
KERAS_CASES = [
    ("arange", (5,), {}),
    ("arange", (5.0,), {}),
    ("arange", (1, 5, 0.5), {}),
    ("arange", (5, 0, -2), {}),
    ("arange", (5,), {"dtype": "float16"}),
    ("linspace", (0, 1, 5), {}),
    ("linspace", (0, 10, 5), {"dtype": "int32"}),
    ("linspace", (0, 1, 5), {"endpoint": False}),
    ("linspace", (0, 1, 0), {}),
    (
        "linspace",
        (np.array([0.0, 1.0], "float32"), np.array([2.0, 3.0], "float32"), 3),
        {"axis": 1},
    ),
    ("geomspace", (1, 100, 3), {}),
    ("geomspace", (-1, -100, 3), {}),
    ("logspace", (0, 2, 3), {}),
    ("logspace", (0, 3, 4), {"base": 2}),
    ("logspace", (0, 2, 3), {"dtype": "int32"}),
    ("eye", (3,), {}),
    ("eye", (3, 4, -1), {"dtype": "int32"}),
    ("identity", (3,), {"dtype": "int8"}),
    ("tri", (3, 4, 1), {"dtype": "int8"}),
    ("zeros", ([2, 3],), {}),
    ("ones", (3,), {"dtype": "int8"}),
    ("full", ((2,), 1), {}),
    ("full", ((2,), True), {}),
    ("full", ((2, 3), np.array([1, 2, 3], "int8")), {}),
    ("full_like", (np.zeros((2, 3), "int8"), 2.5), {}),
    ("full_like", (np.zeros((2, 3), "float16"), 2), {}),
    ("array", ([1, 2],), {}),
    ("array", ([1.0, 2],), {}),
    ("array", ([1, 2],), {"dtype": "float16"}),
    ("bartlett", (6,), {}),
    ("blackman", (7,), {}),
    ("hamming", (5,), {}),
    ("hanning", (5,), {}),
    ("kaiser", (6, 2.0), {}),
    ("vander", (np.arange(3, dtype="int8"),), {}),
    ("vander", (np.arange(3, dtype="float32"), 4), {}),
    ("vander", (np.arange(3, dtype="int32"), 4, True), {}),
    ("meshgrid", (np.arange(3, dtype="int8"), np.ones(2, "float32")), {}),
]


@pytest.mark.parametrize("name,args,kwargs", KERAS_CASES, ids=[c[0] for c in KERAS_CASES])
def test_matches_keras(name, args, kwargs):
    keras = pytest.importorskip("keras")
    expected = getattr(keras.ops, name)(*args, **kwargs)
    got = getattr(ops, name)(*args, **kwargs)
    exp_list = expected if isinstance(expected, (list, tuple)) else [expected]
    got_list = got if isinstance(got, (list, tuple)) else [got]
    assert len(exp_list) == len(got_list)
    for e, g in zip(exp_list, got_list):
        e, g = np.asarray(e), _np(g)
        assert g.dtype == e.dtype, (name, g.dtype, e.dtype)
        np.testing.assert_allclose(g.astype("float64"), e.astype("float64"), rtol=1e-6, atol=1e-6)


def test_default_dtypes(engine):
    assert _np(ops.arange(3)).dtype == np.int32
    assert _np(ops.arange(0.0, 1.0, 0.25)).dtype == np.float32
    assert _np(ops.linspace(0, 1, 3)).dtype == np.float32
    for fn in (ops.zeros, ops.ones, ops.empty):
        assert _np(fn((2, 2))).dtype == np.float32
    assert _np(ops.eye(2)).dtype == np.float32
    assert _np(ops.full((2,), 3)).dtype == np.float32
    assert _np(ops.bartlett(4)).dtype == np.float32


def test_float64_inputs_keep_float64():
    # Deliberate difference from Keras's NumPy/JAX backends, which demote to 32 bits.
    assert _np(ops.arange(np.float64(2.5))).dtype == np.float64
    assert _np(ops.linspace(np.zeros(2), np.ones(2), 3)).dtype == np.float64


def test_empty_has_shape_and_dtype(engine):
    e = _np(ops.empty((2, 3), dtype="int8"))
    assert e.shape == (2, 3) and e.dtype == np.int8
    el = _np(ops.empty_like(np.ones((3, 1), "float16")))
    assert el.shape == (3, 1) and el.dtype == np.float16
    assert _np(ops.empty_like(np.ones(2), dtype="int32")).dtype == np.int32


def test_windows_against_closed_forms(engine):
    m = 7
    n = np.arange(m)
    t = 2 * np.pi * n / (m - 1)
    refs = {
        "bartlett": 1 - np.abs(2 * n / (m - 1) - 1),
        "hanning": 0.5 - 0.5 * np.cos(t),
        "hamming": 0.54 - 0.46 * np.cos(t),
        "blackman": 0.42 - 0.5 * np.cos(t) + 0.08 * np.cos(2 * t),
    }
    for name, ref in refs.items():
        np.testing.assert_allclose(_np(getattr(ops, name)(m)), ref, atol=1e-6, err_msg=name)

    def i0(z):  # power series of the modified Bessel function of order 0
        return sum((z / 2) ** (2 * k) / math.factorial(k) ** 2 for k in range(40))

    beta = 4.0
    ref = i0(beta * np.sqrt(1 - (2 * n / (m - 1) - 1) ** 2)) / i0(beta)
    np.testing.assert_allclose(_np(ops.kaiser(m, beta)), ref, rtol=1e-5)
    assert _np(ops.kaiser(1, beta)).tolist() == [1.0]
    assert _np(ops.hanning(0)).shape == (0,)


def test_linspace_retstep(engine):
    values, step = ops.linspace(0.0, 1.0, 5, retstep=True)
    np.testing.assert_allclose(_np(values), np.linspace(0, 1, 5), rtol=1e-6)
    assert float(_np(step)) == pytest.approx(0.25)


def test_linspace_gradients_closed_form(engine):
    start, stop = np.array([0.5, -1.0]), np.array([2.0, 3.0])
    w = np.array([1.0, 2.0, 3.0, 4.0])

    def f(args):
        a, b = args
        return ops.sum(ops.multiply(ops.linspace(a, b, 4, axis=-1), w))

    _, (ga, gb) = kerasx.value_and_grad(f)([start, stop])
    t = np.arange(4) / 3
    np.testing.assert_allclose(_np(ga), np.full(2, np.sum(w * (1 - t))), rtol=1e-12)
    np.testing.assert_allclose(_np(gb), np.full(2, np.sum(w * t)), rtol=1e-12)


def test_full_gradient_sums_over_broadcast(engine):
    fill = np.array([1.0, 2.0, 3.0])
    g = kerasx.value_and_grad(lambda v: ops.sum(ops.full((4, 3), v, dtype="float64")))(fill)[1]
    np.testing.assert_allclose(_np(g), np.full(3, 4.0))


def test_symbolic_creation_shapes():
    assert ops.linspace(KerasTensor((None, 2)), 1.0, 5, axis=-1).shape == (None, 2, 5)
    assert ops.full((2, 3), KerasTensor((3,))).shape == (2, 3)
    vals, step = ops.linspace(KerasTensor((3,)), KerasTensor((3,)), 4, retstep=True)
    assert vals.shape == (4, 3) and step.shape == (3,)
    a, b = ops.meshgrid(KerasTensor((3,)), KerasTensor((2,), "int8"))
    assert a.shape == b.shape == (2, 3) and b.dtype == "int8"
    assert ops.vander(KerasTensor((None,)), 3).shape == (None, 3)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: ops.arange(0, 5, 0), "`step`"),
        (lambda: ops.linspace(0, 1, -1), "`num`"),
        (lambda: ops.meshgrid(np.ones(2), indexing="yx"), "`indexing`"),
        (lambda: ops.vander(np.ones((2, 2))), "`x`"),
        (lambda: ops.eye("a"), "`N`"),
        (lambda: ops.bartlett("a"), "`x`"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(engine, call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_full_bad_fill_shape_symbolic():
    with pytest.raises(ValueError, match="fill_value"):
        ops.full((2, 3), KerasTensor((4,)))
