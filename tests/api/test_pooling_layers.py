"""Pooling layers (windowed, global, adaptive; 1D/2D/3D) on every engine, against Keras 3."""

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


# ------------------------------------------------------------------ run_layer_test

LAYER_CASES = [
    # (class name, init kwargs, input shape, expected output shape, training check)
    ("MaxPooling1D", {}, (2, 5, 3), (2, 2, 3), True),
    ("MaxPooling1D", {"pool_size": 3, "strides": 1, "padding": "same"}, (2, 5, 3), (2, 5, 3), 0),
    ("MaxPooling2D", {}, (2, 4, 5, 3), (2, 2, 2, 3), True),
    (
        "MaxPooling2D",
        {"pool_size": (2, 3), "data_format": "channels_first"},
        (2, 3, 4, 6),
        (2, 3, 2, 2),
        False,
    ),
    ("MaxPooling3D", {"padding": "same"}, (1, 3, 4, 5, 2), (1, 2, 2, 3, 2), False),
    ("AveragePooling1D", {"pool_size": 2}, (2, 5, 3), (2, 2, 3), True),
    ("AveragePooling2D", {"pool_size": 2, "strides": 1}, (2, 3, 4, 2), (2, 2, 3, 2), True),
    (
        "AveragePooling2D",
        {"pool_size": 3, "padding": "same", "data_format": "channels_first"},
        (2, 2, 4, 5),
        (2, 2, 2, 2),
        False,
    ),
    ("AveragePooling3D", {"pool_size": 2}, (1, 4, 4, 3, 2), (1, 2, 2, 1, 2), False),
    ("GlobalMaxPooling1D", {}, (2, 5, 3), (2, 3), True),
    ("GlobalMaxPooling2D", {"keepdims": True}, (2, 3, 4, 2), (2, 1, 1, 2), True),
    ("GlobalMaxPooling3D", {"data_format": "channels_first"}, (2, 2, 3, 3, 3), (2, 2), False),
    ("GlobalAveragePooling1D", {"data_format": "channels_first"}, (2, 3, 5), (2, 3), True),
    ("GlobalAveragePooling2D", {}, (2, 3, 4, 2), (2, 2), True),
    ("GlobalAveragePooling3D", {"keepdims": True}, (2, 2, 3, 3, 3), (2, 1, 1, 1, 3), False),
    ("AdaptiveMaxPooling1D", {"output_size": 3}, (2, 7, 2), (2, 3, 2), True),
    ("AdaptiveMaxPooling2D", {"output_size": (2, 3)}, (2, 5, 7, 2), (2, 2, 3, 2), True),
    (
        "AdaptiveMaxPooling3D",
        {"output_size": 2, "data_format": "channels_first"},
        (1, 2, 3, 4, 5),
        (1, 2, 2, 2, 2),
        False,
    ),
    (
        "AdaptiveAveragePooling1D",
        {"output_size": 2, "data_format": "channels_first"},
        (2, 3, 5),
        (2, 3, 2),
        True,
    ),
    ("AdaptiveAveragePooling2D", {"output_size": 3}, (2, 6, 5, 2), (2, 3, 3, 2), False),
    (
        "AdaptiveAveragePooling3D",
        {"output_size": (1, 2, 3)},
        (1, 3, 4, 5, 2),
        (1, 1, 2, 3, 2),
        False,
    ),
]


@pytest.mark.parametrize("name,kwargs,shape,out_shape,train", LAYER_CASES)
def test_run_layer_test(engine, name, kwargs, shape, out_shape, train):
    run_layer_test(
        getattr(XL, name),
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=name == "GlobalAveragePooling1D",
        run_training_check=bool(train),
    )


def test_aliases_are_the_same_classes():
    for alias, name in [
        ("MaxPool1D", "MaxPooling1D"),
        ("MaxPool2D", "MaxPooling2D"),
        ("MaxPool3D", "MaxPooling3D"),
        ("AvgPool1D", "AveragePooling1D"),
        ("AvgPool2D", "AveragePooling2D"),
        ("AvgPool3D", "AveragePooling3D"),
        ("GlobalMaxPool1D", "GlobalMaxPooling1D"),
        ("GlobalMaxPool2D", "GlobalMaxPooling2D"),
        ("GlobalMaxPool3D", "GlobalMaxPooling3D"),
        ("GlobalAvgPool1D", "GlobalAveragePooling1D"),
        ("GlobalAvgPool2D", "GlobalAveragePooling2D"),
        ("GlobalAvgPool3D", "GlobalAveragePooling3D"),
    ]:
        assert getattr(XL, alias) is getattr(XL, name)


def test_symbolic_shapes_with_unknown_sizes():
    x = kerasx.Input((None, None, 3))
    assert tuple(XL.MaxPooling2D()(x).shape) == (None, None, None, 3)
    assert tuple(XL.GlobalAveragePooling2D()(x).shape) == (None, 3)
    assert tuple(XL.AdaptiveAveragePooling2D(2)(x).shape) == (None, 2, 2, 3)
    assert XL.AveragePooling1D(2).compute_output_shape((None, 7, 2)) == (None, 3, 2)


# ------------------------------------------------------------------ parity with Keras

PARITY_CASES = [
    ("MaxPooling1D", {}, rand(2, 7, 3)),
    ("MaxPooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, rand(2, 7, 3)),
    (
        "MaxPooling1D",
        {"pool_size": 2, "strides": 1, "data_format": "channels_first"},
        rand(2, 3, 6),
    ),
    ("MaxPooling2D", {}, rand(2, 5, 6, 3)),
    ("MaxPooling2D", {"pool_size": (3, 2), "strides": (1, 2), "padding": "SAME"}, rand(2, 5, 6, 2)),
    (
        "MaxPooling2D",
        {"pool_size": 2, "padding": "same", "data_format": "channels_first"},
        rand(2, 3, 5, 5),
    ),
    ("MaxPooling3D", {}, rand(1, 4, 4, 5, 2)),
    (
        "MaxPooling3D",
        {"pool_size": 3, "strides": (1, 2, 2), "padding": "same", "data_format": "channels_first"},
        rand(1, 2, 4, 5, 3),
    ),
    ("AveragePooling1D", {"pool_size": 2}, rand(2, 7, 3)),
    ("AveragePooling1D", {"pool_size": 3, "strides": 2, "padding": "same"}, rand(2, 8, 3)),
    (
        "AveragePooling1D",
        {"pool_size": 3, "strides": 1, "padding": "same", "data_format": "channels_first"},
        rand(2, 3, 6),
    ),
    ("AveragePooling2D", {"pool_size": (2, 2)}, rand(2, 5, 6, 3)),
    ("AveragePooling2D", {"pool_size": (3, 3), "strides": 2, "padding": "same"}, rand(2, 5, 6, 2)),
    (
        "AveragePooling2D",
        {"pool_size": 2, "strides": 1, "data_format": "channels_first"},
        rand(2, 3, 4, 4),
    ),
    ("AveragePooling3D", {"pool_size": 2}, rand(1, 4, 4, 5, 2)),
    (
        "AveragePooling3D",
        {"pool_size": (2, 3, 2), "padding": "same", "data_format": "channels_first"},
        rand(1, 2, 4, 5, 3),
    ),
    ("GlobalMaxPooling1D", {}, rand(2, 5, 3)),
    ("GlobalMaxPooling1D", {"data_format": "channels_first", "keepdims": True}, rand(2, 3, 5)),
    ("GlobalMaxPooling2D", {"keepdims": True}, rand(2, 3, 4, 2)),
    ("GlobalMaxPooling2D", {"data_format": "channels_first"}, rand(2, 3, 4, 2)),
    ("GlobalMaxPooling3D", {}, rand(2, 2, 3, 3, 4)),
    (
        "GlobalMaxPooling3D",
        {"data_format": "channels_first", "keepdims": True},
        rand(2, 2, 3, 3, 4),
    ),
    ("GlobalAveragePooling1D", {}, rand(2, 5, 3)),
    ("GlobalAveragePooling1D", {"keepdims": True, "data_format": "channels_first"}, rand(2, 3, 5)),
    ("GlobalAveragePooling2D", {}, rand(2, 3, 4, 2)),
    (
        "GlobalAveragePooling2D",
        {"data_format": "channels_first", "keepdims": True},
        rand(2, 3, 4, 2),
    ),
    ("GlobalAveragePooling3D", {"keepdims": True}, rand(2, 2, 3, 3, 4)),
    ("GlobalAveragePooling3D", {"data_format": "channels_first"}, rand(2, 2, 3, 3, 4)),
    ("AdaptiveMaxPooling1D", {"output_size": 3}, rand(2, 7, 2)),
    ("AdaptiveMaxPooling1D", {"output_size": 4, "data_format": "channels_first"}, rand(2, 2, 9)),
    ("AdaptiveMaxPooling2D", {"output_size": (2, 3)}, rand(2, 5, 7, 2)),
    ("AdaptiveMaxPooling2D", {"output_size": 3, "data_format": "channels_first"}, rand(2, 2, 7, 5)),
    ("AdaptiveMaxPooling3D", {"output_size": (2, 2, 3)}, rand(1, 3, 5, 7, 2)),
    (
        "AdaptiveMaxPooling3D",
        {"output_size": 2, "data_format": "channels_first"},
        rand(1, 2, 3, 4, 5),
    ),
    ("AdaptiveAveragePooling1D", {"output_size": 3}, rand(2, 7, 2)),
    (
        "AdaptiveAveragePooling1D",
        {"output_size": 2, "data_format": "channels_first"},
        rand(2, 3, 5),
    ),
    ("AdaptiveAveragePooling2D", {"output_size": (2, 3)}, rand(2, 5, 7, 2)),
    (
        "AdaptiveAveragePooling2D",
        {"output_size": 4, "data_format": "channels_first"},
        rand(2, 2, 9, 6),
    ),
    ("AdaptiveAveragePooling3D", {"output_size": (1, 2, 3)}, rand(1, 3, 4, 5, 2)),
    (
        "AdaptiveAveragePooling3D",
        {"output_size": 2, "data_format": "channels_first"},
        rand(1, 2, 3, 4, 5),
    ),
]


@pytest.mark.parametrize("name,kwargs,x", PARITY_CASES)
def test_matches_keras(engine, name, kwargs, x):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    assert_matches_keras(name, kwargs, x)


@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
@pytest.mark.parametrize("keepdims", [False, True])
def test_global_average_pooling_1d_mask_matches_keras(engine, data_format, keepdims):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    x = rand(3, 5, 2) if data_format == "channels_last" else rand(3, 2, 5)
    mask = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 0, 1], [1, 1, 1, 1, 1]], dtype=bool)
    kwargs = {"data_format": data_format, "keepdims": keepdims}
    out = assert_matches_keras("GlobalAveragePooling1D", kwargs, x, call_kwargs={"mask": mask})
    steps = x if data_format == "channels_last" else x.transpose(0, 2, 1)
    expected = steps[0, :3].mean(axis=0)
    np.testing.assert_allclose(np_(out).reshape(3, 2)[0], expected, rtol=1e-6)


def test_global_average_pooling_1d_mask_flows_from_masking(engine):
    inputs = kerasx.Input((4, 2))
    masked = XL.Masking(0.0)(inputs)
    pooled = XL.GlobalAveragePooling1D()(masked)
    assert getattr(pooled, "_keras_mask", None) is None
    model = kerasx.Model(inputs, pooled)
    x = np.array([[[1, 2], [3, 4], [0, 0], [0, 0]]], dtype="float32")
    np.testing.assert_allclose(np_(model(x)), [[2.0, 3.0]])


def test_max_pooling_2d_in_functional_cnn_trains(engine):
    inputs = kerasx.Input((6, 6, 1))
    x = XL.MaxPooling2D((2, 2), strides=(2, 2))(inputs)
    x = XL.AveragePooling2D(3)(x)
    x = XL.GlobalMaxPooling2D()(x)
    model = kerasx.Model(inputs, XL.Dense(2)(x))
    model.compile("sgd", "mse")
    history = model.fit(rand(8, 6, 6, 1), rand(8, 2), epochs=1, batch_size=4, verbose=0)
    assert np.isfinite(history.history["loss"][-1])


# ------------------------------------------------------------------ bad arguments

BAD_ARGS = [
    (XL.MaxPooling2D, {"pool_size": 0}, "pool_size"),
    (XL.MaxPooling2D, {"pool_size": (2, 2, 2)}, "pool_size"),
    (XL.MaxPooling1D, {"pool_size": 2.5}, "pool_size"),
    (XL.AveragePooling2D, {"pool_size": 2, "strides": 0}, "strides"),
    (XL.AveragePooling3D, {"pool_size": 2, "padding": "full"}, "padding"),
    (XL.MaxPooling2D, {"data_format": "nhwc"}, "data_format"),
    (XL.GlobalMaxPooling2D, {"data_format": "xx"}, "data_format"),
    (XL.AdaptiveAveragePooling2D, {"output_size": 0}, "output_size"),
    (XL.AdaptiveMaxPooling1D, {"output_size": 2, "data_format": "nwc"}, "data_format"),
]


@pytest.mark.parametrize("cls,kwargs,arg", BAD_ARGS)
def test_bad_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`.*Received: {arg}="):
        cls(**kwargs)


def test_adaptive_output_size_of_wrong_type():
    # Keras raises TypeError here (a wrong type, not a wrong value).
    with pytest.raises(TypeError, match="output_size"):
        XL.AdaptiveMaxPooling2D((2, 3, 4))
    with pytest.raises(TypeError, match="output_size"):
        XL.AdaptiveAveragePooling1D(2.0)


def test_wrong_input_rank():
    with pytest.raises(ValueError, match="ndim"):
        XL.MaxPooling2D()(np.zeros((2, 4, 4), "float32"))
