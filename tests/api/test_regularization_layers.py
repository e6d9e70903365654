"""Regularization layers (SpatialDropout1D/2D/3D, GaussianNoise, GaussianDropout, AlphaDropout,
ActivityRegularization) on every engine, against Keras 3 and closed forms."""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import layers as XL
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

R = np.random.default_rng(0)


def rand(*shape):
    return R.normal(size=shape).astype("float32")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


RANDOM_CASES = [
    # (class name, init kwargs, input shape)
    ("SpatialDropout1D", {"rate": 0.5, "seed": 1}, (2, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.5, "seed": 2}, (2, 3, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.5, "seed": 2, "data_format": "channels_first"}, (2, 4, 3, 3)),
    ("SpatialDropout3D", {"rate": 0.3, "seed": 3}, (2, 2, 2, 3, 4)),
    # Unseeded: 2 x 32 mask entries, so "no element dropped" (0.7**64) or "two draws equal"
    # (0.58**64) cannot happen by chance; with 8 entries these flaked about 1 run in 20.
    ("SpatialDropout3D", {"rate": 0.3, "data_format": "channels_first"}, (2, 32, 2, 2, 3)),
    ("GaussianNoise", {"stddev": 0.5, "seed": 4}, (3, 4)),
    ("GaussianDropout", {"rate": 0.4, "seed": 5}, (3, 4)),
    ("AlphaDropout", {"rate": 0.3, "seed": 6}, (3, 4)),
    ("AlphaDropout", {"rate": 0.3, "seed": 6, "noise_shape": (None, 1)}, (3, 4)),
]


# ------------------------------------------------------------------ run_layer_test


@pytest.mark.parametrize("name,kwargs,shape", RANDOM_CASES)
def test_run_layer_test(engine, name, kwargs, shape):
    run_layer_test(
        getattr(XL, name),
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_non_trainable_variables=1,
        expected_num_seed_generators=1,
        supports_masking=True,
        expected_mask_shape=shape[:2],
        run_training_check=name in ("SpatialDropout2D", "GaussianNoise"),
    )


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("GaussianNoise", {"stddev": 0}),
        ("GaussianDropout", {"rate": 0}),
        ("AlphaDropout", {"rate": 0}),
        ("SpatialDropout1D", {"rate": 0}),
    ],
)
def test_zero_rate_has_no_seed_generator_and_is_identity(engine, name, kwargs):
    x = rand(2, 3, 4)
    layer = run_layer_test(
        getattr(XL, name),
        kwargs,
        input_data=x,
        call_kwargs={"training": True},
        expected_output=x,
        expected_num_seed_generators=0,
        expected_num_non_trainable_variables=0,
        run_training_check=False,
    )
    assert not layer._seed_generators


def test_activity_regularization_run_layer_test(engine):
    run_layer_test(
        XL.ActivityRegularization,
        {"l1": 0.1, "l2": 0.2},
        input_shape=(2, 3),
        expected_output_shape=(2, 3),
        expected_num_losses=1,
        expected_num_seed_generators=0,
        supports_masking=True,
    )


# ------------------------------------------------------------------ training vs inference


@pytest.mark.parametrize("name,kwargs,shape", RANDOM_CASES)
def test_training_changes_values_inference_is_identity(engine, name, kwargs, shape):
    x = rand(*shape) + 3.0  # away from zero, so a dropped element always changes
    layer = getattr(XL, name)(**kwargs)
    np.testing.assert_array_equal(np_(layer(x)), x)
    np.testing.assert_array_equal(np_(layer(x, training=False)), x)
    first = np_(layer(x, training=True))
    second = np_(layer(x, training=True))
    assert first.shape == x.shape and str(first.dtype) == "float32"
    assert not np.allclose(first, x)
    assert not np.allclose(first, second), "the seed generator must advance between calls"


@pytest.mark.parametrize("name,kwargs,shape", RANDOM_CASES)
def test_fixed_seed_is_reproducible(engine, name, kwargs, shape):
    kwargs = {**kwargs, "seed": 1234}
    x = rand(*shape)
    a = getattr(XL, name)(**kwargs)
    b = getattr(XL, name)(**kwargs)
    np.testing.assert_array_equal(np_(a(x, training=True)), np_(b(x, training=True)))
    np.testing.assert_array_equal(np_(a(x, training=True)), np_(b(x, training=True)))


@pytest.mark.parametrize(
    "name,data_format,shape",
    [
        ("SpatialDropout1D", "channels_last", (8, 5, 16)),
        ("SpatialDropout2D", "channels_last", (8, 3, 4, 16)),
        ("SpatialDropout2D", "channels_first", (8, 16, 3, 4)),
        ("SpatialDropout3D", "channels_last", (8, 2, 3, 2, 16)),
        ("SpatialDropout3D", "channels_first", (8, 16, 2, 3, 2)),
    ],
)
def test_spatial_dropout_drops_whole_channels(engine, name, data_format, shape):
    kwargs = {"rate": 0.5, "seed": 7}
    if name != "SpatialDropout1D":
        kwargs["data_format"] = data_format
    y = np_(getattr(XL, name)(**kwargs)(np.ones(shape, "float32"), training=True))
    assert set(np.unique(y)) <= {0.0, 2.0}
    channel_axis = 1 if data_format == "channels_first" else len(shape) - 1
    spatial = tuple(i for i in range(1, len(shape)) if i != channel_axis)
    # every (sample, channel) is either all kept or all dropped
    assert np.all(y.min(axis=spatial) == y.max(axis=spatial))
    assert 0 < (y == 0).mean() < 1


def test_noise_statistics(engine):
    x = np.full((400, 100), 2.0, dtype="float32")
    y = np_(XL.GaussianNoise(0.5, seed=1)(x, training=True))
    assert abs(y.mean() - 2.0) < 0.02 and abs(y.std() - 0.5) < 0.02
    y = np_(XL.GaussianDropout(0.3, seed=1)(x, training=True))
    assert abs(y.mean() - 2.0) < 0.03 and abs(y.std() - 2.0 * np.sqrt(0.3 / 0.7)) < 0.03
    # alpha dropout keeps a standard normal input's mean 0 and variance 1
    z = np.random.default_rng(1).normal(size=(400, 100)).astype("float32")
    y = np_(XL.AlphaDropout(0.3, seed=1)(z, training=True))
    assert abs(y.mean()) < 0.02 and abs(y.std() - 1.0) < 0.02


def test_random_layers_inside_jitted_training(engine):
    model = kerasx.Sequential(
        [
            kerasx.Input((4, 3)),
            XL.SpatialDropout1D(0.3, seed=1),
            XL.GaussianNoise(0.1, seed=2),
            XL.GaussianDropout(0.2, seed=3),
            XL.AlphaDropout(0.1, seed=4),
            XL.ActivityRegularization(l1=0.01),
            XL.Dense(1),
        ]
    )
    model.compile("sgd", "mse")
    before = [np_(s.state.value) for s in model._seed_generators]
    model.fit(rand(8, 4, 3), rand(8, 4, 1), batch_size=4, epochs=1, verbose=0)
    after = [np_(s.state.value) for s in model._seed_generators]
    assert len(before) == 4
    assert all(not np.array_equal(a, b) for a, b in zip(before, after))


# ------------------------------------------------------------------ parity with Keras

PARITY_CASES = [
    ("SpatialDropout1D", {"rate": 0.5, "seed": 1}, rand(2, 3, 4)),
    ("SpatialDropout2D", {"rate": 0.5}, rand(2, 3, 3, 4)),
    (
        "SpatialDropout2D",
        {"rate": 0.2, "seed": 3, "data_format": "channels_first"},
        rand(2, 4, 3, 3),
    ),
    ("SpatialDropout3D", {"rate": 0.3, "seed": 4}, rand(2, 2, 2, 3, 4)),
    ("SpatialDropout3D", {"rate": 0.0, "data_format": "channels_first"}, rand(2, 4, 2, 2, 3)),
    ("GaussianNoise", {"stddev": 0.5, "seed": 4}, rand(3, 4)),
    ("GaussianNoise", {"stddev": 0}, rand(3, 4)),
    ("GaussianDropout", {"rate": 0.4, "seed": 5}, rand(3, 4)),
    ("AlphaDropout", {"rate": 0.3, "seed": 6}, rand(3, 4)),
    ("AlphaDropout", {"rate": 0.3, "noise_shape": (None, 1)}, rand(3, 4)),
    ("ActivityRegularization", {}, rand(3, 4)),
    ("ActivityRegularization", {"l1": 0.1, "l2": 0.2}, rand(3, 4)),
]


@pytest.mark.parametrize("name,kwargs,x", PARITY_CASES)
@pytest.mark.parametrize("training", [None, False])
def test_inference_matches_keras(engine, name, kwargs, x, training):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    call_kwargs = {} if training is None else {"training": training}
    out = assert_matches_keras(name, kwargs, x, call_kwargs=call_kwargs)
    np.testing.assert_array_equal(np_(out), x)


def test_seed_generator_count_and_config_match_keras():
    keras = pytest.importorskip("keras")
    for name, kwargs, _ in PARITY_CASES:
        ours, theirs = getattr(XL, name)(**kwargs), getattr(keras.layers, name)(**kwargs)
        assert len(ours._seed_generators) == len(theirs._seed_generators), name
        assert len(ours.non_trainable_variables) == len(theirs.non_trainable_variables), name
        if "seed" in kwargs:
            assert ours.get_config()["seed"] == kwargs["seed"]


@pytest.mark.parametrize(
    "name,kwargs,x",
    [
        ("GaussianNoise", {"stddev": 0.5, "seed": 1}, np.full((300, 100), 2.0, "float32")),
        ("GaussianDropout", {"rate": 0.3, "seed": 1}, np.full((300, 100), 2.0, "float32")),
        ("AlphaDropout", {"rate": 0.3, "seed": 1}, rand(300, 100)),
        ("AlphaDropout", {"rate": 0.2, "seed": 1}, np.full((300, 100), 1.0, "float32")),
        ("SpatialDropout1D", {"rate": 0.4, "seed": 1}, np.ones((300, 3, 100), "float32")),
    ],
)
def test_training_statistics_match_keras(engine, name, kwargs, x):
    keras = pytest.importorskip("keras")
    ours = np_(getattr(XL, name)(**kwargs)(x, training=True))
    theirs = np.asarray(getattr(keras.layers, name)(**kwargs)(x, training=True))
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours.mean(), theirs.mean(), atol=0.05)
    np.testing.assert_allclose(ours.std(), theirs.std(), rtol=0.03)
    if name in ("AlphaDropout", "SpatialDropout1D") and np.ptp(x) == 0:
        # a constant input gives the same two output values (kept / dropped)
        np.testing.assert_allclose(np.unique(ours), np.unique(theirs), rtol=1e-5)


def test_activity_regularization_loss_matches_keras(engine):
    keras = pytest.importorskip("keras")
    x = rand(4, 3)
    ours = XL.ActivityRegularization(l1=0.1, l2=0.2)
    theirs = keras.layers.ActivityRegularization(l1=0.1, l2=0.2)
    ours(x)
    theirs(x)
    assert len(ours.losses) == len(theirs.losses) == 1
    expected = (0.1 * np.abs(x).sum() + 0.2 * (x**2).sum()) / 4
    np.testing.assert_allclose(np_(ours.losses[0]), np.asarray(theirs.losses[0]), rtol=1e-5)
    np.testing.assert_allclose(np_(ours.losses[0]), expected, rtol=1e-5)


def test_masks_pass_through(engine):
    inputs = kerasx.Input((3, 2))
    masked = XL.Masking(0.0)(inputs)
    for layer in (
        XL.SpatialDropout1D(0.5),
        XL.GaussianNoise(0.1),
        XL.GaussianDropout(0.1),
        XL.AlphaDropout(0.1),
        XL.ActivityRegularization(0.1),
    ):
        out = layer(masked)
        assert getattr(out, "_keras_mask", None) is not None, type(layer).__name__


# ------------------------------------------------------------------ bad arguments

BAD_ARGS = [
    (XL.SpatialDropout1D, {"rate": 1.5}, "rate"),
    (XL.SpatialDropout2D, {"rate": -0.1}, "rate"),
    (XL.SpatialDropout2D, {"rate": 0.5, "data_format": "x"}, "data_format"),
    (XL.SpatialDropout3D, {"rate": 0.5, "seed": 1.5}, "seed"),
    (XL.GaussianNoise, {"stddev": -1}, "stddev"),
    (XL.GaussianNoise, {"stddev": "a"}, "stddev"),
    (XL.GaussianNoise, {"stddev": 0.1, "seed": "a"}, "seed"),
    (XL.GaussianDropout, {"rate": 1.5}, "rate"),
    (XL.GaussianDropout, {"rate": 1.0}, "rate"),
    (XL.AlphaDropout, {"rate": 1.0}, "rate"),
    (XL.AlphaDropout, {"rate": 0.5, "noise_shape": "x"}, "noise_shape"),
    (XL.ActivityRegularization, {"l1": -1}, "l1"),
    (XL.ActivityRegularization, {"l2": "a"}, "l2"),
]


@pytest.mark.parametrize("cls,kwargs,arg", BAD_ARGS)
def test_bad_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`.*Received: {arg}="):
        cls(**kwargs)


def test_wrong_input_rank():
    with pytest.raises(ValueError, match="ndim"):
        XL.SpatialDropout2D(0.5)(rand(2, 3, 4), training=True)
