"""kerasx core layers (Dense, Activation, Dropout, Flatten, Reshape, Identity, Lambda,
Masking) against real Keras 3 (numpy backend) and closed forms, on every installed engine."""

import base64
import marshal

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import layers as XL
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")
KL = keras.layers

R = np.random.default_rng(0)
X2 = R.normal(size=(4, 5)).astype("float32")
X3 = R.normal(size=(2, 3, 4)).astype("float32")
X4 = R.normal(size=(2, 3, 2, 2)).astype("float32")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


# ---------------------------------------------------------------------- Dense vs Keras

DENSE_CASES = [
    ({"units": 3}, X2),
    ({"units": 4, "activation": "relu"}, X2),
    ({"units": 2, "use_bias": False, "activation": "tanh"}, X3),
    ({"units": 6, "activation": "softmax", "bias_initializer": "ones"}, X4),
]


@pytest.mark.parametrize("kwargs,x", DENSE_CASES)
def test_dense_matches_keras(engine, kwargs, x):
    layer = XL.Dense(**kwargs)
    out = layer(x)
    ref = KL.Dense(**kwargs)
    ref.build(x.shape)
    ref.set_weights(layer.get_weights())
    expected = np.asarray(ref(x))
    np.testing.assert_allclose(np_(out), expected, rtol=1e-5, atol=1e-6)
    assert tuple(out.shape) == tuple(layer.compute_output_shape(x.shape))
    assert [w.path for w in layer.weights] == [
        w.path.replace(ref.name, layer.name) for w in ref.weights
    ]
    assert [tuple(w.shape) for w in layer.weights] == [tuple(w.shape) for w in ref.weights]
    assert str(out.dtype) == "float32"


def test_dense_weights_names_and_shapes(engine):
    layer = XL.Dense(3, name="fc")
    layer.build((None, 7))
    assert [w.path for w in layer.weights] == ["fc/kernel", "fc/bias"]
    assert tuple(layer.kernel.shape) == (7, 3) and tuple(layer.bias.shape) == (3,)
    assert layer.count_params() == 24
    assert layer.input_spec.axes == {-1: 7} and layer.input_spec.min_ndim == 2
    no_bias = XL.Dense(3, use_bias=False)
    no_bias.build((None, 2))
    assert len(no_bias.weights) == 1 and no_bias.bias is None


def test_dense_gradient_closed_form(engine):
    layer = XL.Dense(3)
    x = X2
    layer.build(x.shape)
    kernel, bias = layer.get_weights()

    def loss(trainable):
        out, _ = layer.stateless_call(trainable, [], x)
        return kerasx.ops.sum(kerasx.ops.square(out))

    value, grads = kerasx.value_and_grad(loss)([kernel, bias])
    y = x @ kernel + bias
    np.testing.assert_allclose(float(value), float(np.sum(y**2)), rtol=1e-5)
    np.testing.assert_allclose(np_(grads[0]), x.T @ (2 * y), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(np_(grads[1]), (2 * y).sum(0), rtol=1e-4, atol=1e-5)


def test_dense_stateless_call_under_jit(engine):
    layer = XL.Dense(4, activation="relu")
    eager = np_(layer(X2))
    fn = kerasx.jit(lambda tv, x: layer.stateless_call(tv, [], x)[0])
    got = fn([v.value for v in layer.trainable_variables], X2)
    np.testing.assert_allclose(np_(got), eager, rtol=1e-6)


def test_dense_regularizers_add_losses(engine):
    layer = XL.Dense(2, kernel_regularizer="l2", activity_regularizer="l1")
    out = layer(X2)
    kernel = layer.get_weights()[0]
    losses = [float(np_(v)) for v in layer.losses]
    expected = {
        round(0.01 * float(np.sum(kernel**2)), 4),
        round(0.01 * float(np.abs(np_(out)).sum()) / 4, 4),
    }
    assert {round(v, 4) for v in losses} == expected


# ---------------------------------------------------------------------- weightless layers vs Keras

WEIGHTLESS = [
    (lambda m: m.Activation("relu"), X3),
    (lambda m: m.Activation("softmax"), X3),
    (lambda m: m.Activation(None), X3),
    (lambda m: m.Flatten(), X4),
    (lambda m: m.Flatten(data_format="channels_first"), X4),
    (lambda m: m.Flatten(data_format="channels_first"), X3),
    (lambda m: m.Flatten(), X2[:, 0]),
    (lambda m: m.Reshape((2, -1)), X3),
    (lambda m: m.Reshape((4, 3)), X3),
    (lambda m: m.Reshape([-1]), X4),
    (lambda m: m.Identity(), X3),
    (lambda m: m.Dropout(0.5), X3),
    (lambda m: m.Masking(), np.where(X3 > 0.5, 0.0, X3).astype("float32")),
    (lambda m: m.Masking(mask_value=1.0), np.array([[[1, 1], [0, 1], [2, 2]]], "float32")),
    (
        lambda m: m.Lambda(
            lambda x: (
                kerasx.ops.sum(x, axis=-1) * 2.0 if m is XL else keras.ops.sum(x, axis=-1) * 2.0
            )
        ),
        X3,
    ),
    (lambda m: m.Lambda(lambda x, a: x + a, arguments={"a": 3.0}), X3),
]


@pytest.mark.parametrize("make,x", WEIGHTLESS, ids=[str(i) for i in range(len(WEIGHTLESS))])
def test_weightless_layers_match_keras(engine, make, x):
    layer, ref = make(XL), make(KL)
    out = layer(x)
    np.testing.assert_allclose(np_(out), np.asarray(ref(x)), rtol=1e-5, atol=1e-6)
    assert tuple(out.shape) == tuple(layer.compute_output_shape(x.shape))
    assert tuple(layer.compute_output_shape(x.shape)) == tuple(ref.compute_output_shape(x.shape))
    assert layer.weights == []
    # Symbolic use: the same shapes as Keras on an Input with an unknown batch size.
    sym = layer(XL.Input(x.shape[1:]))
    assert tuple(sym.shape) == (None, *layer.compute_output_shape(x.shape)[1:])
    if not isinstance(layer, XL.Lambda):  # Keras's numpy backend cannot trace a Lambda
        assert tuple(sym.shape) == tuple(ref(KL.Input(x.shape[1:])).shape)


def test_compute_output_shape_with_unknown_dims(engine):
    for make, shape in [
        (lambda m: m.Flatten(), (None, 2, None)),
        (lambda m: m.Flatten(), (None, 2, 3)),
        (lambda m: m.Reshape((2, -1)), (None, None)),
        (lambda m: m.Reshape((2, -1)), (None, 6)),
        (lambda m: m.Dense(5), (None, 3, 4)),
        (lambda m: m.Lambda(lambda x: x, output_shape=(5,)), (None, 3)),
        (lambda m: m.Lambda(lambda x: x, output_shape=lambda s: (s[0], 7)), (None, 3)),
    ]:
        assert tuple(make(XL).compute_output_shape(shape)) == tuple(
            make(KL).compute_output_shape(shape)
        ), shape


def test_int_inputs_keep_dtype_like_keras(engine):
    x = np.ones((2, 1, 2), "int32")
    for make in (lambda m: m.Flatten(), lambda m: m.Activation("relu"), lambda m: m.Identity()):
        assert str(make(XL)(x).dtype) == str(make(KL)(x).dtype)
    assert str(XL.Dense(2)(x[:, 0]).dtype) == "float32"


# ---------------------------------------------------------------------- configs

CONFIG_CASES = [
    lambda m: m.Dense(3, name="d"),
    lambda m: m.Dense(
        4,
        activation="relu",
        use_bias=False,
        kernel_initializer="he_normal",
        bias_initializer=m.__dict__["Dense"] and "ones",
        kernel_regularizer="l2",
        bias_regularizer="l1",
        activity_regularizer="l1",
        kernel_constraint="max_norm",
        bias_constraint="non_neg",
        name="d2",
        dtype="float64",
    ),
    lambda m: m.Activation("relu", name="a"),
    lambda m: m.Activation("swish", name="a2"),
    lambda m: m.Dropout(0.2, noise_shape=[None, 1], seed=3, name="do"),
    lambda m: m.Dropout(0.0, name="do0"),
    lambda m: m.Flatten(name="f"),
    lambda m: m.Flatten(data_format="channels_first", name="f2"),
    lambda m: m.Reshape([2, -1], name="r"),
    lambda m: m.Identity(name="i"),
    lambda m: m.Masking(mask_value=-1.0, name="m"),
    lambda m: m.Dense(2, trainable=False, name="frozen"),
]


@pytest.mark.parametrize("make", CONFIG_CASES, ids=[str(i) for i in range(len(CONFIG_CASES))])
def test_config_equals_keras_and_round_trips(engine, make):
    layer = make(XL)
    cfg = layer.get_config()
    assert cfg == make(KL).get_config()
    clone = type(layer).from_config(cfg)
    assert clone.get_config() == cfg


def test_dense_from_keras_config(engine):
    cfg = KL.Dense(
        5, activation="sigmoid", kernel_initializer="lecun_uniform", name="k"
    ).get_config()
    layer = XL.Dense.from_config(cfg)
    assert layer.units == 5 and layer.get_config() == cfg


# ---------------------------------------------------------------------- Dropout


def test_dropout_inference_is_identity(engine):
    layer = XL.Dropout(0.5, seed=1)
    np.testing.assert_array_equal(np_(layer(X3)), X3)
    np.testing.assert_array_equal(np_(layer(X3, training=False)), X3)


@pytest.mark.parametrize("rate", [0.1, 0.5, 0.8])
def test_dropout_training_statistics_and_pattern(engine, rate):
    x = np.full((200, 100), 3.0, "float32")
    out = np_(XL.Dropout(rate, seed=7)(x, training=True))
    kept = out != 0
    np.testing.assert_allclose(out[kept], 3.0 / (1 - rate), rtol=1e-6)
    assert abs((1 - kept.mean()) - rate) < 0.02


def test_dropout_noise_shape_shares_mask(engine):
    x = np.ones((64, 5, 8), "float32")
    out = np_(XL.Dropout(0.5, noise_shape=(None, 1, 8), seed=2)(x, training=True))
    # The mask is shared along axis 1.
    np.testing.assert_array_equal(out, np.broadcast_to(out[:, :1, :], out.shape))
    assert 0.3 < (out == 0).mean() < 0.7


def test_dropout_seed_generator_state(engine):
    layer = XL.Dropout(0.5, seed=11)
    assert isinstance(layer.seed_generator, kerasx.random.SeedGenerator)
    assert len(layer.non_trainable_variables) == 1 and layer.weights == []
    a = np_(layer(X3, training=True))
    b = np_(layer(X3, training=True))
    assert not np.array_equal(a, b)  # the state advances
    np.testing.assert_array_equal(a, np_(XL.Dropout(0.5, seed=11)(X3, training=True)))
    assert XL.Dropout(0.0).non_trainable_variables == []
    np.testing.assert_array_equal(np_(XL.Dropout(0.0)(X3, training=True)), X3)


def test_dropout_training_flows_from_outer_layer(engine):
    class Outer(XL.Layer):
        def __init__(self):
            super().__init__()
            self.drop = XL.Dropout(0.9, seed=4)

        def call(self, x, training=None):
            return self.drop(x)

    x = np.ones((50, 20), "float32")
    assert (np_(Outer()(x, training=True)) == 0).mean() > 0.7
    np.testing.assert_array_equal(np_(Outer()(x)), x)


def test_dropout_stateless_under_jit(engine):
    layer = XL.Dropout(0.5, seed=5)
    x = np.ones((8, 16), "float32")

    def step(ntv, x):
        return layer.stateless_call([], ntv, x, training=True)

    fn = kerasx.jit(step)
    state = [v.value for v in layer.non_trainable_variables]
    out1, state1 = fn(state, x)
    out2, _ = fn(state1, x)
    out1b, _ = fn(state, x)
    out1, out2, out1b = np_(out1), np_(out2), np_(out1b)
    np.testing.assert_array_equal(out1, out1b)  # pure: same state, same mask
    assert not np.array_equal(out1, out2)  # the returned state moved on
    assert set(np.unique(out1)) <= {0.0, 2.0}


# ---------------------------------------------------------------------- masking


def test_masking_mask_and_values_match_keras(engine):
    x = np.array([[[5, 5], [0, 5], [5, 1]], [[5, 5], [5, 5], [1, 1]]], "float32")
    layer, ref = XL.Masking(5.0), KL.Masking(5.0)
    np.testing.assert_array_equal(np_(layer(x)), np.asarray(ref(x)))
    np.testing.assert_array_equal(np_(layer.compute_mask(x)), np.asarray(ref.compute_mask(x)))


def test_masks_propagate_symbolically_like_keras(engine):
    for m in (XL, KL):
        inp = m.Input((3, 2))
        masked = m.Masking()(inp)
        found = {}
        for name, layer in [
            ("dense", m.Dense(2)),
            ("activation", m.Activation("relu")),
            ("dropout", m.Dropout(0.1)),
            ("identity", m.Identity()),
            ("lambda_mask", m.Lambda(lambda x: x, mask=lambda i, mk: mk)),
        ]:
            out = layer(masked)
            mask = getattr(out, "_keras_mask", None)
            found[name] = None if mask is None else tuple(mask.shape)
        if m is XL:
            mine = found
        else:
            assert mine == found
    assert mine["dense"] == (None, 3)


def test_supports_masking_flags_match_keras(engine):
    for name in ["Dense", "Activation", "Dropout", "Flatten", "Reshape", "Identity", "Masking"]:
        args = {"Dense": (2,), "Activation": ("relu",), "Dropout": (0.1,), "Reshape": ((2,),)}
        args = args.get(name, ())
        assert (
            getattr(XL, name)(*args).supports_masking == getattr(KL, name)(*args).supports_masking
        )


# ---------------------------------------------------------------------- Lambda


def test_lambda_training_and_mask_arguments(engine):
    layer = XL.Lambda(lambda x, training=None: x * (2.0 if training else 3.0))
    np.testing.assert_allclose(np_(layer(np.ones((1, 1), "float32"), training=True)), [[2.0]])
    np.testing.assert_allclose(np_(layer(np.ones((1, 1), "float32"))), [[3.0]])
    m = XL.Lambda(lambda x, mask=None: x if mask is None else mask)
    got = m(np.ones((1, 2), "float32"), mask=np.array([[True, False]]))
    np.testing.assert_array_equal(np_(got), [[True, False]])


def _code(cfg):
    return marshal.loads(base64.decodebytes(cfg["function"]["config"]["code"].encode()))


def test_lambda_serializes_like_keras(engine):
    fn = lambda x: x * 2.0  # noqa: E731
    cfg = XL.Lambda(fn, name="lam").get_config()
    ref = KL.Lambda(fn, name="lam").get_config()
    assert cfg.keys() == ref.keys()
    assert cfg["function"]["class_name"] == "__lambda__"
    assert cfg["function"]["config"].keys() == ref["function"]["config"].keys()
    # The same bytecode (marshal's reference flags may differ between two dumps).
    assert _code(cfg) == _code(ref) == fn.__code__
    cfg["function"]["config"]["code"] = ref["function"]["config"]["code"]
    assert cfg["arguments"] == {} and cfg == ref

    def named(x):
        return x + 1.0

    cfg = XL.Lambda(named, output_shape=(3,), arguments={"a": 1}, name="n").get_config()
    assert cfg == KL.Lambda(named, output_shape=(3,), arguments={"a": 1}, name="n").get_config()


def test_lambda_from_config_refuses_in_safe_mode(engine):
    cfg = XL.Lambda(lambda x: x * 2.0).get_config()
    with pytest.raises(ValueError, match="safe_mode=False"):
        XL.Lambda.from_config(cfg)
    layer = XL.Lambda.from_config(cfg, safe_mode=False)
    np.testing.assert_allclose(np_(layer(np.ones((1, 2), "float32"))), [[2.0, 2.0]])
    # The global switch allows it too.
    flags = config._flags
    old = flags["unsafe_deserialization"]
    try:
        config.enable_unsafe_deserialization()
        layer = XL.Lambda.from_config(cfg)
        assert _code(layer.get_config()) == _code(cfg)
    finally:
        flags["unsafe_deserialization"] = old


def test_lambda_loads_keras_config_with_defaults_and_closure(engine):
    k = 4.0

    def make():
        return lambda x, y=3.0: x * k + y

    cfg = KL.Lambda(make(), output_shape=lambda s: s, name="kl").get_config()
    layer = XL.Lambda.from_config(cfg, safe_mode=False)
    np.testing.assert_allclose(np_(layer(np.ones((1, 2), "float32"))), [[7.0, 7.0]])
    assert layer.compute_output_shape((None, 2)) == (None, 2)
    assert _code(layer.get_config()) == _code(cfg)
    assert layer.get_config()["function"]["config"]["defaults"] == (3.0,)
    assert layer.get_config()["function"]["config"]["closure"] == (4.0,)


def test_lambda_named_function_needs_custom_objects(engine):
    def plus_one(x):
        return x + 1.0

    cfg = XL.Lambda(plus_one).get_config()
    with pytest.raises(TypeError, match="plus_one"):
        XL.Lambda.from_config(cfg)
    layer = XL.Lambda.from_config(cfg, custom_objects={"plus_one": plus_one})
    assert layer.function is plus_one
    assert (
        XL.Lambda.from_config(XL.Lambda(kerasx.activations.relu).get_config()).function(
            np.array([-1.0])
        )
        is not None
    )


def test_lambda_symbolic_shapes(engine):
    inp = XL.Input((3,))
    assert tuple(XL.Lambda(lambda x: x[:, :2] * 2)(inp).shape) == (None, 2)
    assert tuple(XL.Lambda(lambda x: x * 2, output_shape=(4,))(inp).shape) == (None, 4)
    ident = XL.Lambda(lambda x: x)(inp)
    assert ident is not inp and tuple(ident.shape) == (None, 3)


# ---------------------------------------------------------------------- bad input


def test_dense_rank_error_names_layer_and_shapes(engine):
    layer = XL.Dense(3, name="my_dense")
    with pytest.raises(ValueError, match=r"my_dense.*min_ndim=2.*ndim=1.*\(2,\)"):
        layer(np.ones((2,), "float32"))
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"my_dense.*axis -1.*value 4.*\(2, 5\)"):
        layer(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="last dimension"):
        XL.Dense(2).build((None, None))


@pytest.mark.parametrize(
    "make,err,pattern",
    [
        (lambda: XL.Dense(0), ValueError, r"`units`.*units=0"),
        (lambda: XL.Dense(-3), ValueError, r"units=-3"),
        (lambda: XL.Dense(2.5), ValueError, r"units=2.5"),
        (lambda: XL.Dense(None), ValueError, r"units=None"),
        (lambda: XL.Dense(3, activation="nope"), ValueError, "nope"),
        (lambda: XL.Dense(3, foo=1), ValueError, "foo"),
        (lambda: XL.Dense(3, quantization_config={}), NotImplementedError, "quantization"),
        (lambda: XL.Dropout(1.5), ValueError, r"`rate`.*rate=1.5"),
        (lambda: XL.Dropout(-0.1), ValueError, r"rate=-0.1"),
        (lambda: XL.Dropout("a"), TypeError, r"`rate`"),
        (lambda: XL.Dropout(0.5, noise_shape=3), ValueError, "noise_shape=3"),
        (lambda: XL.Dropout(0.5, seed=1.5), ValueError, "seed=1.5"),
        (lambda: XL.Reshape((2, -1, -1)), ValueError, "at most one"),
        (lambda: XL.Reshape(3), TypeError, "target_shape=3"),
        (lambda: XL.Reshape((2, 3))(np.ones((3, 5), "float32")), ValueError, "unchanged"),
        (lambda: XL.Reshape((2, -1))(np.ones((3, 5), "float32")), ValueError, "unchanged"),
        (lambda: XL.Flatten(data_format="foo"), ValueError, "data_format=foo"),
        (lambda: XL.Lambda(3), TypeError, "function=3"),
        (lambda: XL.Lambda(lambda x: x, output_shape=3), TypeError, "output_shape=3"),
    ],
)
def test_bad_arguments(engine, make, err, pattern):
    with pytest.raises(err, match=pattern):
        make()
