"""Reshaping layers (Permute, RepeatVector, Cropping, ZeroPadding, UpSampling) on every engine,
against Keras 3."""

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
    ("Permute", {"dims": (2, 1)}, (2, 3, 4), (2, 4, 3), True),
    ("Permute", {"dims": (3, 1, 2)}, (2, 3, 4, 5), (2, 5, 3, 4), False),
    ("RepeatVector", {"n": 3}, (2, 4), (2, 3, 4), True),
    ("Cropping1D", {}, (2, 5, 3), (2, 3, 3), False),
    ("Cropping1D", {"cropping": (0, 2)}, (2, 5, 3), (2, 3, 3), False),
    ("Cropping2D", {"cropping": ((1, 0), (2, 1))}, (2, 4, 5, 2), (2, 3, 2, 2), True),
    (
        "Cropping2D",
        {"cropping": 1, "data_format": "channels_first"},
        (2, 2, 4, 5),
        (2, 2, 2, 3),
        False,
    ),
    ("Cropping3D", {}, (1, 3, 4, 5, 2), (1, 1, 2, 3, 2), False),
    ("ZeroPadding1D", {}, (2, 3, 2), (2, 5, 2), False),
    (
        "ZeroPadding1D",
        {"padding": (0, 2), "data_format": "channels_first"},
        (2, 3, 2),
        (2, 3, 4),
        False,
    ),
    ("ZeroPadding2D", {"padding": ((1, 0), (2, 1))}, (2, 3, 3, 2), (2, 4, 6, 2), True),
    (
        "ZeroPadding3D",
        {"padding": 1, "data_format": "channels_first"},
        (1, 2, 2, 3, 1),
        (1, 2, 4, 5, 3),
        False,
    ),
    ("UpSampling1D", {"size": 3}, (2, 3, 2), (2, 9, 2), True),
    ("UpSampling2D", {}, (2, 3, 2, 2), (2, 6, 4, 2), False),
    (
        "UpSampling2D",
        {"size": (1, 3), "interpolation": "bilinear"},
        (2, 3, 2, 2),
        (2, 3, 6, 2),
        True,
    ),
    (
        "UpSampling2D",
        {"size": 2, "data_format": "channels_first", "interpolation": "bicubic"},
        (1, 2, 3, 3),
        (1, 2, 6, 6),
        False,
    ),
    ("UpSampling3D", {"size": (1, 2, 2)}, (1, 2, 2, 3, 2), (1, 2, 4, 6, 2), False),
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
        supports_masking=False,
        run_training_check=train,
    )


def test_symbolic_shapes_with_unknown_sizes():
    x = kerasx.Input((None, 5, 2))
    assert tuple(XL.Cropping2D(((1, 0), (2, 1)))(x).shape) == (None, None, 2, 2)
    assert tuple(XL.ZeroPadding2D(1)(x).shape) == (None, None, 7, 2)
    assert tuple(XL.UpSampling2D(2)(x).shape) == (None, None, 10, 2)
    assert tuple(XL.Permute((3, 1, 2))(x).shape) == (None, 2, None, 5)
    seq = kerasx.Input((None, 3))
    assert tuple(XL.Cropping1D((1, 2))(seq).shape) == (None, None, 3)
    assert tuple(XL.UpSampling1D(2)(seq).shape) == (None, None, 3)
    assert XL.RepeatVector(4).compute_output_shape((None, 3)) == (None, 4, 3)


def test_values(engine):
    x = np.arange(6, dtype="float32").reshape(1, 3, 2)
    np.testing.assert_array_equal(np_(XL.UpSampling1D(2)(x))[0, :, 0], [0, 0, 2, 2, 4, 4])
    np.testing.assert_array_equal(np_(XL.Cropping1D((1, 1))(x)), x[:, 1:2])
    np.testing.assert_array_equal(np_(XL.Permute((2, 1))(x)), x.transpose(0, 2, 1))
    np.testing.assert_array_equal(np_(XL.RepeatVector(2)(x[:, 0])), [[[0, 1], [0, 1]]])
    padded = np_(XL.ZeroPadding1D((1, 2))(x))
    assert padded.shape == (1, 6, 2) and padded[0, 1:4].tolist() == x[0].tolist()
    assert not padded[0, [0, 4, 5]].any()


# ------------------------------------------------------------------ parity with Keras

PARITY_CASES = [
    ("Permute", {"dims": (2, 1)}, rand(2, 3, 4)),
    ("Permute", {"dims": (3, 1, 2)}, rand(2, 3, 4, 5)),
    ("Permute", {"dims": [1, 3, 2]}, rand(2, 3, 4, 5)),
    ("RepeatVector", {"n": 3}, rand(2, 4)),
    ("Cropping1D", {}, rand(2, 5, 3)),
    ("Cropping1D", {"cropping": 2}, rand(2, 5, 3)),
    ("Cropping1D", {"cropping": (0, 3)}, rand(2, 5, 3)),
    ("Cropping2D", {}, rand(2, 4, 5, 2)),
    ("Cropping2D", {"cropping": 1}, rand(2, 4, 5, 2)),
    ("Cropping2D", {"cropping": (1, 2)}, rand(2, 4, 5, 2)),
    (
        "Cropping2D",
        {"cropping": ((1, 0), (2, 1)), "data_format": "channels_first"},
        rand(2, 2, 4, 5),
    ),
    ("Cropping3D", {}, rand(1, 3, 4, 5, 2)),
    ("Cropping3D", {"cropping": (0, 1, 2)}, rand(1, 3, 4, 5, 2)),
    (
        "Cropping3D",
        {"cropping": ((1, 0), (0, 2), (1, 1)), "data_format": "channels_first"},
        rand(1, 2, 3, 4, 5),
    ),
    ("ZeroPadding1D", {}, rand(2, 3, 2)),
    ("ZeroPadding1D", {"padding": (2, 0), "data_format": "channels_first"}, rand(2, 3, 2)),
    ("ZeroPadding2D", {}, rand(2, 3, 3, 2)),
    ("ZeroPadding2D", {"padding": 2}, rand(2, 3, 3, 2)),
    (
        "ZeroPadding2D",
        {"padding": ((1, 0), (2, 1)), "data_format": "channels_first"},
        rand(2, 2, 3, 3),
    ),
    ("ZeroPadding3D", {}, rand(1, 2, 2, 3, 1)),
    ("ZeroPadding3D", {"padding": (1, 0, 2), "data_format": "channels_first"}, rand(1, 2, 2, 3, 1)),
    ("UpSampling1D", {}, rand(2, 3, 2)),
    ("UpSampling1D", {"size": 3}, rand(2, 3, 2)),
    ("UpSampling2D", {}, rand(2, 3, 2, 2)),
    ("UpSampling2D", {"size": (2, 3), "data_format": "channels_first"}, rand(2, 2, 3, 2)),
    ("UpSampling2D", {"size": (2, 3), "interpolation": "bilinear"}, rand(2, 3, 4, 2)),
    (
        "UpSampling2D",
        {"size": 2, "interpolation": "bilinear", "data_format": "channels_first"},
        rand(2, 2, 3, 4),
    ),
    ("UpSampling2D", {"size": 2, "interpolation": "bicubic"}, rand(1, 4, 3, 2)),
    ("UpSampling2D", {"size": (3, 2), "interpolation": "lanczos3"}, rand(1, 4, 3, 2)),
    ("UpSampling2D", {"size": 2, "interpolation": "lanczos5"}, rand(1, 5, 4, 1)),
    ("UpSampling2D", {"size": 2, "interpolation": "NEAREST"}, rand(1, 3, 3, 1)),
    ("UpSampling3D", {}, rand(1, 2, 2, 3, 2)),
    ("UpSampling3D", {"size": (1, 2, 3), "data_format": "channels_first"}, rand(1, 2, 2, 3, 2)),
]


@pytest.mark.parametrize("name,kwargs,x", PARITY_CASES)
def test_matches_keras(engine, name, kwargs, x):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    assert_matches_keras(name, kwargs, x, rtol=1e-5, atol=1e-5)


# ------------------------------------------------------------------ bad arguments

BAD_ARGS = [
    (XL.Permute, {"dims": (0, 1)}, "dims"),
    (XL.Permute, {"dims": (1, 1)}, "dims"),
    (XL.Permute, {"dims": (1, 3)}, "dims"),
    (XL.RepeatVector, {"n": 0}, "n"),
    (XL.Cropping1D, {"cropping": (1, 2, 3)}, "cropping"),
    (XL.Cropping1D, {"cropping": -1}, "cropping"),
    (XL.Cropping2D, {"cropping": (1, 2, 3)}, "cropping"),
    (XL.Cropping2D, {"cropping": -1}, "cropping"),
    (XL.Cropping3D, {"cropping": "a"}, "cropping"),
    (XL.Cropping2D, {"data_format": "nhwc"}, "data_format"),
    (XL.ZeroPadding1D, {"padding": (1, 2, 3)}, "padding"),
    (XL.ZeroPadding2D, {"padding": -1}, "padding"),
    (XL.ZeroPadding3D, {"padding": ((1, 2), (3,), 1)}, "padding"),
    (XL.UpSampling1D, {"size": 0}, "size"),
    (XL.UpSampling2D, {"size": 0}, "size"),
    (XL.UpSampling2D, {"interpolation": "area"}, "interpolation"),
    (XL.UpSampling3D, {"size": (1, 2)}, "size"),
    (XL.UpSampling3D, {"data_format": "x"}, "data_format"),
]


@pytest.mark.parametrize("cls,kwargs,arg", BAD_ARGS)
def test_bad_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`.*Received: {arg}="):
        cls(**kwargs)


def test_wrong_types_raise_type_error_as_in_keras():
    with pytest.raises(TypeError, match="`n`"):
        XL.RepeatVector(2.0)
    with pytest.raises(TypeError, match="`size`"):
        XL.UpSampling1D((2,))


def test_cropping_larger_than_input(engine):
    with pytest.raises(ValueError, match="cropping"):
        XL.Cropping1D((3, 3))(rand(1, 5, 2))
    with pytest.raises(ValueError, match="cropping"):
        XL.Cropping2D((2, 2)).compute_output_shape((1, 4, 6, 2))


def test_wrong_input_rank():
    with pytest.raises(ValueError, match="ndim"):
        XL.RepeatVector(2)(rand(2, 3, 4))
