"""kerasx merging layers (Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate,
Dot and their functional forms) against real Keras 3 (numpy backend), on every engine."""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import layers as XL
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")
KL = keras.layers

R = np.random.default_rng(1)
A = R.normal(size=(2, 3)).astype("float32")
B = R.normal(size=(2, 3)).astype("float32")
C = R.normal(size=(2, 1)).astype("float32")
D = R.normal(size=(2, 2, 3)).astype("float32")
E = R.normal(size=(2, 3, 4)).astype("float32")
F = R.normal(size=(2, 5, 4)).astype("float32")
G = R.normal(size=(2, 4, 5)).astype("float32")

ELEMENTWISE = ["Add", "Subtract", "Multiply", "Average", "Maximum", "Minimum"]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _check(make, inputs):
    layer, ref = make(XL), make(KL)
    out = layer(inputs)
    expected = np.asarray(ref(inputs))
    np.testing.assert_allclose(np_(out), expected, rtol=1e-5, atol=1e-6)
    shapes = [x.shape for x in inputs]
    assert tuple(out.shape) == tuple(layer.compute_output_shape(shapes))
    assert tuple(layer.compute_output_shape(shapes)) == tuple(ref.compute_output_shape(shapes))
    # Symbolic use on Inputs with an unknown batch size.
    sym = make(XL)([XL.Input(s[1:]) for s in shapes])
    ref_sym = make(KL)([KL.Input(s[1:]) for s in shapes])
    assert tuple(sym.shape) == tuple(ref_sym.shape)
    assert str(sym.dtype) == str(out.dtype)


@pytest.mark.parametrize("name", ELEMENTWISE)
@pytest.mark.parametrize("inputs", [[A, B], [A, C], [A, D], [D, A], [C, A]])
def test_elementwise_merges_match_keras(engine, name, inputs):
    _check(lambda m: getattr(m, name)(), inputs)


@pytest.mark.parametrize("name", ["Add", "Multiply", "Average", "Maximum", "Minimum"])
def test_elementwise_many_inputs_and_one_input(engine, name):
    _check(lambda m: getattr(m, name)(), [A, B, C, D])
    out = getattr(XL, name)()([A])
    np.testing.assert_allclose(np_(out), np.asarray(getattr(KL, name)()([A])), rtol=1e-6)


@pytest.mark.parametrize(
    "fn,kwargs,inputs",
    [
        ("add", {}, [A, B]),
        ("subtract", {}, [A, B]),
        ("multiply", {}, [A, B, C]),
        ("average", {}, [A, B]),
        ("maximum", {}, [A, D]),
        ("minimum", {}, [A, B]),
        ("concatenate", {"axis": 0}, [A, B]),
        ("concatenate", {}, [A, C]),
        ("dot", {"axes": 1}, [A, B]),
        ("dot", {}, [E, F]),
        ("dot", {"axes": (1, 2), "normalize": True}, [E, G[:, :, :3]]),
    ],
)
def test_functional_forms_match_keras(engine, fn, kwargs, inputs):
    out = getattr(XL, fn)(inputs, **kwargs)
    np.testing.assert_allclose(
        np_(out), np.asarray(getattr(KL, fn)(inputs, **kwargs)), rtol=1e-5, atol=1e-6
    )


def test_dtypes_follow_keras(engine):
    ints = [np.ones((2, 1), "int32"), np.ones((2, 1), "int32")]
    halves = [np.ones((2, 1), "float16")] * 2
    for name in ("Add", "Concatenate", "Maximum"):
        assert str(getattr(XL, name)()(ints).dtype) == "int32"
        assert str(getattr(XL, name)()(halves).dtype) == "float32"
    assert str(XL.Add(dtype="float16")([A, A]).dtype) == "float16"
    np.testing.assert_allclose(
        np_(XL.Average()([A, np.ones((2, 1), "int32")])),
        np.asarray(KL.Average()([A, np.ones((2, 1), "int32")])),
        rtol=1e-6,
    )


@pytest.mark.parametrize(
    "make,inputs",
    [
        (lambda m: m.Concatenate(), [A, B]),
        (lambda m: m.Concatenate(axis=0), [A, B]),
        (lambda m: m.Concatenate(axis=1), [E, F[:, :, :4]]),
        (lambda m: m.Concatenate(axis=-1), [E, E, E]),
        (lambda m: m.Concatenate(), [A]),
        (lambda m: m.Dot(axes=1), [A, B]),
        (lambda m: m.Dot(axes=-1), [E, F]),
        (lambda m: m.Dot(axes=(1, 2)), [E, R.normal(size=(2, 5, 3)).astype("float32")]),
        (lambda m: m.Dot(axes=[2, 1]), [E, G]),
        (lambda m: m.Dot(axes=1), [A, R.normal(size=(2, 3, 4, 5)).astype("float32")]),
        (lambda m: m.Dot(axes=-1), [R.normal(size=(2, 4)).astype("float32"), E]),
        (lambda m: m.Dot(axes=2, normalize=True), [E, F]),
        (lambda m: m.Dot(axes=1, normalize=True), [A, B]),
    ],
)
def test_concatenate_and_dot_match_keras(engine, make, inputs):
    _check(make, inputs)


def test_compute_output_shape_with_unknown_dims(engine):
    cases = [
        (lambda m: m.Add(), [(None, 3), (None, None)]),
        (lambda m: m.Add(), [(None, 3), (None, 1)]),
        (lambda m: m.Add(), [(None, 5, 1), (None, 4)]),
        (lambda m: m.Add(), [(None, 3), (4, 3)]),
        (lambda m: m.Concatenate(), [(None, 3), (None, None)]),
        (lambda m: m.Concatenate(axis=1), [(None, 3, 2), (None, 4, 2)]),
        (lambda m: m.Dot(axes=1), [(None, 3, 4), (None, 3, 5)]),
        (lambda m: m.Dot(axes=1), [(None, 4), (None, 4)]),
    ]
    for make, shapes in cases:
        assert tuple(make(XL).compute_output_shape(shapes)) == tuple(
            make(KL).compute_output_shape(shapes)
        ), shapes


def test_gradients_through_merges(engine):
    def loss(a, b):
        s = XL.Add()([a, b])
        p = XL.Multiply()([a, b])
        d = XL.Dot(axes=1)([a, b])
        c = XL.Concatenate()([a, b])
        return kerasx.ops.sum(s) + kerasx.ops.sum(p) + kerasx.ops.sum(d) + kerasx.ops.sum(c * c)

    _, (ga, gb) = kerasx.value_and_grad(loss, argnums=(0, 1))(A, B)
    np.testing.assert_allclose(np_(ga), 1 + B + B + 2 * A, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np_(gb), 1 + A + A + 2 * B, rtol=1e-5, atol=1e-6)


def test_merges_under_jit(engine):
    fn = kerasx.jit(lambda a, b: (XL.Maximum()([a, b]), XL.Dot(axes=1, normalize=True)([a, b])))
    mx, dt = fn(A, B)
    np.testing.assert_allclose(np_(mx), np.maximum(A, B), rtol=1e-6)
    cos = (A * B).sum(1) / np.linalg.norm(A, axis=1) / np.linalg.norm(B, axis=1)
    np.testing.assert_allclose(np_(dt)[:, 0], cos, rtol=1e-5)


# ---------------------------------------------------------------------- masks

MA = np.array([[True, False, False]])
MB = np.array([[False, False, True]])
X = np.zeros((1, 3, 2), "float32")
X2D = np.zeros((1, 3), "float32")


@pytest.mark.parametrize(
    "make,inputs,masks",
    [
        (lambda m: m.Add(), [X, X], [MA, MB]),
        (lambda m: m.Multiply(), [X, X, X], [MA, MB, MB]),
        (lambda m: m.Add(), [X, X], [MA, None]),
        (lambda m: m.Add(), [X, X], [None, None]),
        (lambda m: m.Add(), [X, X], None),
        (lambda m: m.Concatenate(), [X, X], [MA, MB]),
        (lambda m: m.Concatenate(), [X, X], [None, MB]),
        (lambda m: m.Concatenate(axis=1), [X, X], [MA, MB]),
        (lambda m: m.Concatenate(axis=0), [X, X], [MA, MB]),
        (lambda m: m.Concatenate(axis=1), [X2D, X2D], [MA, None]),
        (lambda m: m.Concatenate(axis=1), [X, X], [None, None]),
        (lambda m: m.Dot(axes=2), [X, X], [MA, MB]),
    ],
)
def test_compute_mask_matches_keras(engine, make, inputs, masks):
    got = make(XL).compute_mask(inputs, masks)
    expected = make(KL).compute_mask(inputs, masks)
    if expected is None:
        assert got is None
    else:
        np.testing.assert_array_equal(np_(got), np.asarray(expected))


def test_masks_propagate_symbolically_like_keras(engine):
    for m in (XL, KL):
        inp = m.Input((3, 2))
        masked = m.Masking()(inp)
        found = {
            "add_one_masked": m.Add()([masked, inp]),
            "add_both": m.Add()([masked, masked]),
            "cat": m.Concatenate()([masked, inp]),
            "cat1": m.Concatenate(axis=1)([masked, inp]),
            "dot": m.Dot(axes=2)([masked, inp]),
        }
        found = {
            k: None if getattr(v, "_keras_mask", None) is None else tuple(v._keras_mask.shape)
            for k, v in found.items()
        }
        if m is XL:
            mine = found
        else:
            assert mine == found


def test_compute_mask_bad_arguments(engine):
    with pytest.raises(ValueError, match="`mask` should be a list"):
        XL.Add().compute_mask([X, X], MA)
    with pytest.raises(ValueError, match="same length"):
        XL.Add().compute_mask([X, X], [MA])
    with pytest.raises(ValueError, match="`inputs` should be a list"):
        XL.Concatenate().compute_mask(X, [MA, MA])


# ---------------------------------------------------------------------- configs

CONFIGS = [
    lambda m: m.Add(name="a"),
    lambda m: m.Subtract(name="s"),
    lambda m: m.Multiply(name="m"),
    lambda m: m.Average(name="av"),
    lambda m: m.Maximum(name="mx"),
    lambda m: m.Minimum(name="mn", dtype="float64"),
    lambda m: m.Concatenate(name="c"),
    lambda m: m.Concatenate(axis=1, name="c1"),
    lambda m: m.Dot(axes=1, name="d"),
    lambda m: m.Dot(axes=(1, 2), normalize=True, name="d2"),
    lambda m: m.Dot(axes=[1, 1], name="d3"),
]


@pytest.mark.parametrize("make", CONFIGS, ids=[str(i) for i in range(len(CONFIGS))])
def test_config_equals_keras_and_round_trips(engine, make):
    layer = make(XL)
    cfg = layer.get_config()
    assert cfg == make(KL).get_config()
    assert type(layer).from_config(cfg).get_config() == cfg


# ---------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    "call,err,pattern",
    [
        (lambda: XL.Add()(A), ValueError, r"list of inputs.*\(2, 3\)"),
        (lambda: XL.Add()([A, np.ones((2, 4), "float32")]), ValueError, r"\(3,\) and \(4,\)"),
        (lambda: XL.Add()([A, np.ones((3,), "float32")]), ValueError, "different batch sizes"),
        (lambda: XL.Add().build((None, 3)), ValueError, "list of inputs"),
        (lambda: XL.Subtract()([A, B, B]), ValueError, "exactly 2 inputs"),
        (lambda: XL.Subtract()([A]), ValueError, "exactly 2 inputs"),
        (lambda: XL.Concatenate(axis=0)([A, np.ones((2, 4), "float32")]), ValueError, "matching"),
        (lambda: XL.Concatenate()([A, D]), ValueError, "matching shapes"),
        (lambda: XL.Concatenate()(A), ValueError, "at least 1 input"),
        (lambda: XL.Concatenate(axis=5)([A, B]), ValueError, "axis=5"),
        (lambda: XL.Dot(axes=1)([A, np.ones((2, 4), "float32")]), ValueError, "3 .at axis 1. != 4"),
        (lambda: XL.Dot(axes=1)([A, B, B]), ValueError, "list of 2 inputs"),
        (lambda: XL.Dot(axes=0)([A, B]), ValueError, "axis 0"),
        (lambda: XL.Dot(axes=3)([A, B]), ValueError, "out of range"),
        (lambda: XL.Dot(axes="a"), TypeError, "axes=a"),
        (lambda: XL.Dot(axes=(1, 2, 3)), ValueError, "two elements"),
        (lambda: XL.Dot(axes=(1, "x")), ValueError, "integers"),
    ],
)
def test_bad_input(engine, call, err, pattern):
    with pytest.raises(err, match=pattern):
        call()
