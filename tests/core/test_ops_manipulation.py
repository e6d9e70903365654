"""Focused tests for the shape-manipulation ops (beyond the conformance samples)."""

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


I8 = np.arange(6, dtype="int8").reshape(2, 3)
F16 = np.linspace(-1, 1, 6).astype("float16").reshape(2, 3)
F32 = np.arange(6, dtype="float32").reshape(2, 3)
B = np.array([[True, False, True], [False, True, True]])

# (op name, args, kwargs): values and dtypes must match real Keras 3.
KERAS_CASES = [
    ("concatenate", ([I8, F16],), {}),
    ("concatenate", ([B, I8],), {"axis": 1}),
    ("concatenate", ([F32, F32],), {"axis": None}),
    ("stack", ([I8, F32],), {"axis": -1}),
    ("hstack", ([I8, B],), {}),
    ("vstack", ([np.arange(3, dtype="int32"), np.arange(3, dtype="int32")],), {}),
    ("dstack", ([F32, F32],), {}),
    ("append", (np.ones(3, "int32"), [1.0]), {}),
    ("append", (F32, F32), {"axis": 1}),
    ("diff", (B,), {}),
    ("diff", (I8,), {"axis": 0}),
    ("pad", (I8, 1), {"constant_values": 2.5}),
    ("pad", (F32, ((1, 2), (0, 1))), {"mode": "median"}),
    ("pad", (F32, [[1, 2]]), {"mode": "minimum"}),
    ("repeat", (B, 2), {}),
    ("repeat", (F32, np.array([1, 2])), {"axis": 0}),
    ("tile", (I8, 2), {}),
    ("tril", (B,), {}),
    ("triu", (I8,), {"k": 1}),
    ("roll", (B, 1), {}),
    ("roll", (F32, 2), {}),
    ("flip", (I8, (0, 1)), {}),
    ("rot90", (F32, 3), {}),
    ("diag", (I8,), {}),
    ("diagflat", (I8,), {"k": -1}),
    ("diagonal", (np.arange(24.0).reshape(2, 3, 4), 1, 0, 2), {}),
    ("squeeze", (np.ones((1, 3, 1), "float32"),), {}),
    ("unstack", (F32,), {"axis": -1}),
    ("split", (np.arange(7.0, dtype="float32"), [2, 5]), {}),
    ("array_split", (np.arange(7.0, dtype="float32"), 3), {}),
    ("hsplit", (np.arange(6.0, dtype="float32"), 3), {}),
    ("dsplit", (np.ones((2, 2, 4), "float32"), 2), {}),
    ("moveaxis", (np.ones((2, 3, 4), "float32"), (0, 1), (2, 0)), {}),
    ("swapaxes", (np.ones((2, 3, 4), "float32"), 0, -1), {}),
    ("ravel", (I8,), {}),
    ("view", (F32, "int8"), {}),
    ("view", (np.array([1, 0], "uint8"), "bool"), {}),
    ("rearrange", (np.arange(24.0, dtype="float32").reshape(6, 4), "(h w) c -> w h c"), {"h": 2}),
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
        np.testing.assert_array_equal(g, e)


def test_ndim_and_size_are_python_ints(engine):
    x = np.zeros((2, 3, 4), "float32")
    assert ops.ndim(x) == 3 and isinstance(ops.ndim(x), int)
    assert ops.size(x) == 24 and isinstance(ops.size(x), int)
    assert ops.size(3.0) == 1 and ops.ndim([1, 2]) == 1
    assert ops.size(KerasTensor((None, 3))) is None
    assert ops.ndim(KerasTensor((None, 3))) == 2


def test_float64_is_kept():
    # Deliberate difference from Keras's NumPy/JAX backends, which demote to 32 bits.
    x = np.ones((2, 2))
    assert _np(ops.concatenate([x, x])).dtype == np.float64
    assert _np(ops.stack([x, x])).dtype == np.float64
    assert _np(ops.pad(x, 1)).dtype == np.float64


def test_mixed_dtypes_promote_like_keras(engine):
    assert _np(ops.concatenate([I8, F16])).dtype == np.float16
    assert _np(ops.stack([B, I8])).dtype == np.int8
    assert _np(ops.concatenate([np.ones(2, "int32"), np.ones(2, "float32")])).dtype == np.float32


def test_tril_of_vector_matches_numpy(engine):
    v = np.arange(1.0, 4.0, dtype="float32")
    np.testing.assert_array_equal(_np(ops.tril(v)), np.tril(v))
    np.testing.assert_array_equal(_np(ops.triu(v, k=1)), np.triu(v, 1))


REARRANGE = [
    ((2, 3, 4), "a b c -> c (a b)", {}, lambda x: x.transpose(2, 0, 1).reshape(4, 6)),
    ((6, 4), "(h w) c -> h w c", {"w": 3}, lambda x: x.reshape(2, 3, 4)),
    ((2, 3, 4, 5), "b ... c -> b c ...", {}, lambda x: np.moveaxis(x, -1, 1)),
    ((2, 3, 4), "b ... -> b (...)", {}, lambda x: x.reshape(2, 12)),
    ((6, 4), "a b -> a 1 b", {}, lambda x: x[:, None, :]),
    ((6, 1, 4), "a () b -> b a", {}, lambda x: x[:, 0, :].T),
    ((2, 3, 4), "b h w -> (w b) h", {}, lambda x: x.transpose(2, 0, 1).reshape(8, 3)),
]


@pytest.mark.parametrize("shape,pattern,lengths,ref", REARRANGE, ids=[r[1] for r in REARRANGE])
def test_rearrange_against_numpy(engine, shape, pattern, lengths, ref):
    x = np.arange(np.prod(shape), dtype="float32").reshape(shape)
    np.testing.assert_array_equal(_np(ops.rearrange(x, pattern, **lengths)), ref(x))


def test_rearrange_symbolic_unknown_batch():
    out = ops.rearrange(KerasTensor((None, 4, 5, 3)), "b h w c -> b (h w) c")
    assert out.shape == (None, 20, 3)


@pytest.mark.parametrize(
    "pattern,lengths,match",
    [
        ("a b -> a", {}, "missing on the right"),
        ("a b -> a b c", {}, "not on the left"),
        ("a b c -> a b c", {}, "rank"),
        ("(h w) c -> h w c", {}, "infer"),
        ("a b c", {}, "left -> right"),
        ("(a b -> a b", {}, "unbalanced"),
        ("(a b) c -> a b c", {"a": 4}, "Cannot split"),
    ],
)
def test_rearrange_errors(pattern, lengths, match):
    with pytest.raises(ValueError, match=match):
        ops.rearrange(np.zeros((6, 4)), pattern, **lengths)


def test_view_matches_numpy(engine):
    x = np.linspace(-2, 2, 8).astype("float32").reshape(2, 4)
    np.testing.assert_array_equal(_np(ops.view(x, "int32")), x.view("int32"))
    np.testing.assert_array_equal(_np(ops.view(x, "float16")), x.view("float16"))
    assert _np(ops.view(x)).dtype == np.float32


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: ops.squeeze(np.zeros((2, 3)), axis=0), "`axis`"),
        (lambda: ops.split(np.zeros(7), 3), "indices_or_sections"),
        (lambda: ops.pad(np.zeros(3), 1, mode="circular"), "`mode`"),
        (lambda: ops.pad(np.zeros(3), 1, mode="reflect", constant_values=1), "constant_values"),
        (lambda: ops.pad(np.zeros(3), -1), "pad_width"),
        (lambda: ops.unstack(np.zeros((2, 3)), num=3), "`num`"),
        (lambda: ops.vsplit(np.zeros(6), 2), "`x`"),
        (lambda: ops.dsplit(np.zeros((2, 4)), 2), "`x`"),
        (lambda: ops.fliplr(np.zeros(3)), "`x`"),
        (lambda: ops.rot90(np.zeros((2, 3)), axes=(1, 1)), "`axes`"),
        (lambda: ops.diag(np.zeros((2, 2, 2))), "`x`"),
        (lambda: ops.moveaxis(np.zeros((2, 3)), (0, 1), 0), "destination"),
        (lambda: ops.swapaxes(np.zeros((2, 3)), 0, 5), "`axis2`"),
        (lambda: ops.diff(np.zeros(3), n=-1), "`n`"),
    ],
)
def test_bad_arguments_raise_naming_the_argument(engine, call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_symbolic_errors():
    with pytest.raises(ValueError, match="indices_or_sections"):
        ops.split(KerasTensor((None, 7)), 2, axis=1)
    with pytest.raises(ValueError, match="`axis`"):
        ops.squeeze(KerasTensor((None, 3)), axis=1)
    with pytest.raises(ValueError, match="unknown length"):
        ops.unstack(KerasTensor((None, 3)))
    with pytest.raises(ValueError):
        ops.concatenate([KerasTensor((2, 3)), KerasTensor((2, 4))], axis=0)


def test_symbolic_shapes_with_unknown_dims():
    kt = KerasTensor((None, 3, 4))
    assert ops.concatenate([kt, kt], axis=0).shape == (None, 3, 4)
    assert ops.concatenate([kt, kt], axis=-1).shape == (None, 3, 8)
    assert [t.shape for t in ops.split(kt, [1, 2], axis=1)] == [(None, 1, 4)] * 2 + [(None, 1, 4)]
    assert ops.pad(kt, ((0, 0), (1, 1), (2, 0))).shape == (None, 5, 6)
    assert ops.repeat(kt, 3, axis=-1).shape == (None, 3, 12)
    assert ops.tile(kt, (1, 2)).shape == (None, 3, 8)
    assert ops.stack([kt, kt], axis=1).shape == (None, 2, 3, 4)
    assert len(ops.unstack(kt, axis=1)) == 3
    assert ops.squeeze(KerasTensor((None, 1, 3))).shape == (None, 3)


def test_split_unknown_axis_with_indices():
    parts = ops.split(KerasTensor((None,)), [2, 5])
    assert [p.shape for p in parts] == [(2,), (3,), (None,)]


def _grad(f, x):
    return _np(kerasx.value_and_grad(f)(x)[1])


def test_pad_gradient_unsupported_modes_raise():
    x = np.random.default_rng(0).standard_normal((3, 4))
    with pytest.raises(TypeError, match="no gradient rule.*maximum"):
        _grad(lambda t: ops.sum(ops.pad(t, 1, mode="maximum")), x)
    with pytest.raises(TypeError, match="no wider"):
        _grad(lambda t: ops.sum(ops.pad(t, 5, mode="reflect")), x)


def test_repeat_and_tile_gradients_closed_form(engine):
    x = np.arange(6.0).reshape(2, 3)
    g = _grad(lambda t: ops.sum(ops.repeat(t, [1, 0, 3], axis=1)), x)
    np.testing.assert_allclose(g, np.array([[1.0, 0.0, 3.0]] * 2))
    g = _grad(lambda t: ops.sum(ops.tile(t, (2, 3))), x)
    np.testing.assert_allclose(g, np.full((2, 3), 6.0))


def test_concatenate_gradient_splits(engine):
    a, b = np.ones((2, 2)), np.ones((2, 3))

    def f(xs):
        return ops.sum(ops.multiply(ops.concatenate(xs, axis=1), np.arange(5.0)))

    _, (ga, gb) = kerasx.value_and_grad(f)([a, b])
    np.testing.assert_allclose(_np(ga), np.tile([0.0, 1.0], (2, 1)))
    np.testing.assert_allclose(_np(gb), np.tile([2.0, 3.0, 4.0], (2, 1)))


def test_jit_traceable_on_jax():
    if "jax" not in ENGINES:
        pytest.skip("JAX engine not installed")
    kerasx.config.set_backend("jax")
    try:
        import jax

        x = np.arange(24.0, dtype="float32").reshape(4, 6)

        def f(t):
            return [
                ops.pad(t, 1, mode="symmetric"),
                ops.split(t, 2, axis=1)[1],
                ops.repeat(t, 2, axis=0),
                ops.tile(t, 2),
                ops.diagonal(t, 1),
                ops.diff(t, 2),
                ops.rearrange(t, "(a b) c -> a (b c)", a=2),
                ops.stack(ops.unstack(t)),
            ]

        jitted = jax.jit(f)(x)
        eager = f(x)
        for a, b in zip(jitted, eager):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    finally:
        kerasx.config.set_backend("numpy")
