"""Convolution layers: run_layer_test on every engine, Keras parity, argument errors."""

import numpy as np
import pytest

from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

# Keras's NumPy backend reads its variables with np.asarray(copy=False) inside its conv ops.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _x(*shape, seed=0):
    return np.random.default_rng(seed).normal(size=shape).astype("float32")


# ------------------------------------------------------------------ run_layer_test

LAYER_CASES = [
    # (class, init kwargs, input shape, expected output shape, n trainable weights)
    (layers.Conv1D, {"filters": 3, "kernel_size": 2}, (2, 5, 4), (2, 4, 3), 2),
    (
        layers.Conv1D,
        {"filters": 4, "kernel_size": 3, "padding": "causal", "dilation_rate": 2, "groups": 2},
        (2, 6, 4),
        (2, 6, 4),
        2,
    ),
    (
        layers.Conv2D,
        {"filters": 3, "kernel_size": 3, "strides": 2, "padding": "same", "activation": "relu"},
        (2, 5, 5, 2),
        (2, 3, 3, 3),
        2,
    ),
    (
        layers.Conv2D,
        {"filters": 2, "kernel_size": (2, 3), "data_format": "channels_first", "use_bias": False},
        (2, 3, 4, 5),
        (2, 2, 3, 3),
        1,
    ),
    (layers.Conv3D, {"filters": 2, "kernel_size": 2}, (1, 3, 3, 3, 2), (1, 2, 2, 2, 2), 2),
    (
        layers.Conv1DTranspose,
        {"filters": 3, "kernel_size": 3, "strides": 2},
        (2, 4, 2),
        (2, 9, 3),
        2,
    ),
    (
        layers.Conv2DTranspose,
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same"},
        (2, 3, 3, 2),
        (2, 6, 6, 2),
        2,
    ),
    (
        layers.Conv3DTranspose,
        {"filters": 2, "kernel_size": 2, "data_format": "channels_first"},
        (1, 2, 2, 2, 2),
        (1, 2, 3, 3, 3),
        2,
    ),
    (
        layers.SeparableConv1D,
        {"filters": 3, "kernel_size": 3, "depth_multiplier": 2, "padding": "same"},
        (2, 5, 2),
        (2, 5, 3),
        3,
    ),
    (
        layers.SeparableConv2D,
        {"filters": 3, "kernel_size": 2, "strides": 2},
        (2, 4, 4, 2),
        (2, 2, 2, 3),
        3,
    ),
    (layers.DepthwiseConv1D, {"kernel_size": 2, "depth_multiplier": 2}, (2, 4, 3), (2, 3, 6), 2),
    (
        layers.DepthwiseConv2D,
        {"kernel_size": 3, "padding": "same", "data_format": "channels_first"},
        (2, 2, 4, 4),
        (2, 2, 4, 4),
        2,
    ),
]


@pytest.mark.parametrize(
    "cls,kwargs,in_shape,out_shape,n_weights",
    LAYER_CASES,
    ids=[f"{c[0].__name__}-{i}" for i, c in enumerate(LAYER_CASES)],
)
def test_run_layer_test(engine, cls, kwargs, in_shape, out_shape, n_weights):
    run_layer_test(
        cls,
        kwargs,
        input_shape=in_shape,
        expected_output_shape=out_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
    )


def test_aliases():
    assert layers.Convolution1D is layers.Conv1D
    assert layers.Convolution2D is layers.Conv2D
    assert layers.Convolution3D is layers.Conv3D
    assert layers.Convolution1DTranspose is layers.Conv1DTranspose
    assert layers.Convolution2DTranspose is layers.Conv2DTranspose
    assert layers.Convolution3DTranspose is layers.Conv3DTranspose
    assert layers.SeparableConvolution1D is layers.SeparableConv1D
    assert layers.SeparableConvolution2D is layers.SeparableConv2D


def test_compute_output_shape_unknown_dims():
    assert layers.Conv2D(2, 3).compute_output_shape((None, None, 7, 1)) == (None, None, 5, 2)
    assert layers.Conv1D(2, 3, padding="causal", data_format="channels_first").compute_output_shape(
        (None, 4, None)
    ) == (None, 2, None)
    assert layers.Conv2DTranspose(2, 3, strides=2, padding="same").compute_output_shape(
        (None, None, 7, 1)
    ) == (None, None, 14, 2)
    assert layers.Conv2DTranspose(2, 3, strides=2, output_padding=1).compute_output_shape(
        (None, 4, 7, 1)
    ) == (None, 10, 16, 2)
    assert layers.DepthwiseConv2D(3, depth_multiplier=2).compute_output_shape(
        (None, None, 5, 3)
    ) == (None, None, 3, 6)
    assert layers.SeparableConv1D(4, 3, strides=2, padding="same").compute_output_shape(
        (None, 9, 3)
    ) == (None, 5, 4)


def test_input_spec_after_build():
    layer = layers.Conv2D(2, 3, data_format="channels_first")
    assert layer.input_spec.min_ndim == 4
    layer(_x(1, 3, 5, 5))
    assert layer.input_spec.axes == {1: 3}
    with pytest.raises(ValueError, match="expected axis 1"):
        layer(_x(1, 2, 5, 5))
    with pytest.raises(ValueError, match="min_ndim=4"):
        layers.Conv2D(2, 3)(_x(1, 5, 5))


# ------------------------------------------------------------------ Keras parity

PARITY_CASES = [
    ("Conv1D", {"filters": 3, "kernel_size": 3}, (2, 7, 2)),
    (
        "Conv1D",
        {"filters": 3, "kernel_size": 3, "padding": "causal", "dilation_rate": 2},
        (2, 7, 2),
    ),
    (
        "Conv1D",
        {"filters": 2, "kernel_size": 2, "padding": "causal", "data_format": "channels_first"},
        (2, 3, 5),
    ),
    ("Conv1D", {"filters": 4, "kernel_size": 2, "strides": 2, "groups": 2}, (2, 7, 4)),
    ("Conv2D", {"filters": 3, "kernel_size": 3, "activation": "relu"}, (2, 6, 6, 2)),
    (
        "Conv2D",
        {"filters": 3, "kernel_size": (3, 2), "strides": (2, 1), "padding": "same"},
        (2, 7, 6, 2),
    ),
    (
        "Conv2D",
        {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"},
        (1, 7, 7, 3),
    ),
    (
        "Conv2D",
        {"filters": 6, "kernel_size": 2, "groups": 3, "data_format": "channels_first"},
        (2, 3, 5, 4),
    ),
    ("Conv2D", {"filters": 2, "kernel_size": 2, "use_bias": False, "strides": 2}, (1, 5, 5, 1)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "padding": "same", "strides": 2}, (1, 3, 4, 3, 2)),
    ("Conv3D", {"filters": 2, "kernel_size": 2, "data_format": "channels_first"}, (1, 2, 3, 3, 3)),
    ("Conv1DTranspose", {"filters": 3, "kernel_size": 3, "strides": 2}, (2, 4, 2)),
    (
        "Conv1DTranspose",
        {"filters": 2, "kernel_size": 3, "dilation_rate": 2, "padding": "same"},
        (2, 5, 3),
    ),
    (
        "Conv2DTranspose",
        {"filters": 2, "kernel_size": 3, "strides": 2, "padding": "same", "output_padding": 1},
        (2, 3, 4, 2),
    ),
    (
        "Conv2DTranspose",
        {"filters": 3, "kernel_size": (2, 3), "strides": (2, 1), "data_format": "channels_first"},
        (1, 2, 3, 3),
    ),
    (
        "Conv2DTranspose",
        {"filters": 2, "kernel_size": 4, "strides": 3, "output_padding": 2},
        (1, 3, 3, 1),
    ),
    (
        "Conv3DTranspose",
        {"filters": 2, "kernel_size": 2, "strides": 2, "padding": "same"},
        (1, 2, 2, 2, 2),
    ),
    ("SeparableConv1D", {"filters": 3, "kernel_size": 3, "depth_multiplier": 2}, (2, 6, 2)),
    (
        "SeparableConv1D",
        {
            "filters": 2,
            "kernel_size": 2,
            "strides": 2,
            "padding": "same",
            "data_format": "channels_first",
        },
        (2, 3, 5),
    ),
    (
        "SeparableConv2D",
        {"filters": 4, "kernel_size": 3, "padding": "same", "activation": "tanh"},
        (2, 5, 5, 3),
    ),
    ("SeparableConv2D", {"filters": 2, "kernel_size": 2, "dilation_rate": 2}, (1, 6, 6, 2)),
    ("DepthwiseConv1D", {"kernel_size": 3, "depth_multiplier": 3, "padding": "same"}, (2, 6, 2)),
    ("DepthwiseConv2D", {"kernel_size": 3, "strides": 2}, (2, 7, 7, 3)),
    (
        "DepthwiseConv2D",
        {
            "kernel_size": 2,
            "depth_multiplier": 2,
            "data_format": "channels_first",
            "dilation_rate": 2,
        },
        (1, 2, 5, 5),
    ),
]


@pytest.mark.parametrize(
    "name,kwargs,shape", PARITY_CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(PARITY_CASES)]
)
def test_keras_parity(engine, name, kwargs, shape):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    assert_matches_keras(name, kwargs, _x(*shape), rtol=1e-5, atol=1e-5)


def test_keras_config_with_regularizers_and_constraints():
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    kwargs = {
        "filters": 2,
        "kernel_size": 2,
        "kernel_initializer": "he_normal",
        "bias_initializer": "ones",
        "kernel_regularizer": "l2",
        "bias_regularizer": "l1",
        "activity_regularizer": "l2",
        "kernel_constraint": "max_norm",
        "bias_constraint": "non_neg",
    }
    assert_matches_keras("Conv2D", kwargs, _x(1, 4, 4, 1))
    sep = {
        "filters": 2,
        "kernel_size": 2,
        "depthwise_initializer": "ones",
        "pointwise_initializer": "zeros",
        "depthwise_regularizer": "l2",
        "pointwise_regularizer": "l1",
        "depthwise_constraint": "unit_norm",
        "pointwise_constraint": "non_neg",
    }
    assert_matches_keras("SeparableConv2D", sep, _x(1, 4, 4, 2))
    dw = {"kernel_size": 2, "depthwise_regularizer": "l1", "depthwise_constraint": "max_norm"}
    assert_matches_keras("DepthwiseConv1D", dw, _x(1, 4, 2))


def test_regularizer_losses(engine):
    layer = layers.Conv2D(2, 2, kernel_regularizer="l2", activity_regularizer="l1")
    layer(_x(1, 4, 4, 1))
    assert len(layer.losses) == 2


def test_channels_first_default_from_config(engine):
    config.set_image_data_format("channels_first")
    try:
        layer = layers.Conv2D(2, 3)
    finally:
        config.set_image_data_format("channels_last")
    assert layer.data_format == "channels_first"
    assert layer(_x(1, 3, 5, 5)).shape == (1, 2, 3, 3)


# ------------------------------------------------------------------ argument errors


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: layers.Conv2D(0, 3), r"`filters`.*filters=0"),
        (lambda: layers.Conv2D(-2, 3), r"`filters`.*filters=-2"),
        (lambda: layers.Conv2D(2.5, 3), r"`filters`.*filters=2.5"),
        (lambda: layers.Conv2D(2, 0), r"`kernel_size`.*kernel_size=0"),
        (lambda: layers.Conv2D(2, (3, 3, 3)), r"`kernel_size`.*kernel_size=\(3, 3, 3\)"),
        (lambda: layers.Conv2D(2, 3, strides=0), r"`strides`.*strides=0"),
        (lambda: layers.Conv2D(2, 3, padding="full"), r"`padding`.*padding='full'"),
        (lambda: layers.Conv2D(2, 3, padding="causal"), r"`padding`.*padding='causal'"),
        (lambda: layers.Conv2D(2, 3, data_format="nhwc"), r"`data_format`.*data_format='nhwc'"),
        (lambda: layers.Conv2D(3, 3, groups=2), r"`groups`.*filters=3, groups=2"),
        (lambda: layers.Conv2D(2, 3, groups=0), r"`groups`.*groups=0"),
        (lambda: layers.Conv2D(2, 3, strides=2, dilation_rate=2), r"`dilation_rate`.*strides="),
        (lambda: layers.Conv2D(2, 3, dilation_rate=0), r"`dilation_rate`.*dilation_rate=0"),
        (
            lambda: layers.Conv2DTranspose(2, 3, strides=2, output_padding=2),
            r"`output_padding`.*output_padding=\(2, 2\)",
        ),
        (
            lambda: layers.Conv2DTranspose(2, 3, output_padding=(1, 0, 0)),
            r"`output_padding`.*output_padding=\(1, 0, 0\)",
        ),
        (lambda: layers.Conv1DTranspose(2, 3, padding="causal"), r"`padding`"),
        (lambda: layers.DepthwiseConv2D(3, depth_multiplier=0), r"`depth_multiplier`"),
        (lambda: layers.DepthwiseConv1D(3, padding="causal"), r"`padding`"),
        (lambda: layers.SeparableConv2D(0, 3), r"`filters`.*filters=0"),
        (lambda: layers.SeparableConv1D(2, 3, depth_multiplier=-1), r"depth_multiplier=-1"),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_groups_must_divide_input_channels():
    with pytest.raises(ValueError, match=r"`groups`.*groups=2, input channels=3"):
        layers.Conv2D(4, 3, groups=2)(_x(1, 5, 5, 3))


def test_unknown_channels():
    with pytest.raises(ValueError, match="channel dimension"):
        layers.Conv2D(2, 3).build((None, 5, 5, None))


def test_unknown_keyword():
    with pytest.raises(ValueError, match="groups"):
        layers.DepthwiseConv2D(3, groups=2)


# ------------------------------------------------------------------ NumPy engine kernels


def _reference_conv(x, k, strides, pads, dil):
    """Plain per-tap convolution (channels_last, explicit padding): the test's oracle."""
    nd = k.ndim - 2
    xp = np.pad(x, [(0, 0), *pads, (0, 0)])
    out = [
        (n - (kk - 1) * d - 1) // s + 1
        for n, kk, s, d in zip(xp.shape[1:-1], k.shape[:nd], strides, dil)
    ]
    y = np.zeros((x.shape[0], *out, k.shape[-1]))
    for tap in np.ndindex(*k.shape[:nd]):
        sl = tuple(
            slice(t * d, t * d + (o - 1) * s + 1, s) for t, o, s, d in zip(tap, out, strides, dil)
        )
        y += np.tensordot(xp[(slice(None), *sl)], k[tap], axes=([-1], [0]))
    return y


@pytest.mark.parametrize(
    "x_shape,k_shape,strides,padding,dil",
    [
        ((5, 9, 8, 3), (3, 3, 3, 4), (1, 1), "valid", (1, 1)),
        ((3, 11, 10, 40), (3, 2, 40, 5), (1, 1), "same", (2, 1)),
        ((4, 12, 9, 6), (3, 3, 6, 36), (2, 3), "same", (1, 1)),
        ((3, 13, 34), (4, 34, 3), (3,), "valid", (1,)),
        ((2, 5, 6, 4, 2), (2, 3, 2, 2, 3), (1, 1, 1), "same", (1, 1, 1)),
    ],
)
def test_numpy_conv_kernels_in_small_blocks(monkeypatch, x_shape, k_shape, strides, padding, dil):
    """The NumPy engine's blocked, threaded conv kernels against a plain per-tap oracle.

    Tiny blocks force every code path (several images per block, rows of one image per
    block, several workers); the gradients are checked through the adjoint identities
    <dL/dx, x'> = <g, conv(x', k)> and <dL/dk, k'> = <g, conv(x, k')>.
    """
    conv_gemm = pytest.importorskip("kerasx_numpy.kernels.conv_gemm")
    from kerasx import ops
    from kerasx.engine.autodiff import value_and_grad
    from kerasx.ops.conv_geometry import conv_geometry

    config.set_backend("numpy")
    monkeypatch.setattr(conv_gemm, "_BLOCK_BYTES", 600)
    monkeypatch.setattr(conv_gemm, "_MIN_ROWS", 2)
    rng = np.random.default_rng(3)
    x, x2 = rng.normal(size=(2, *x_shape))
    k, k2 = rng.normal(size=(2, *k_shape))
    geo = conv_geometry(x_shape, k_shape, strides, padding, "channels_last", dil)
    y = np.asarray(ops.conv(x, k, strides, padding, "channels_last", dil))
    np.testing.assert_allclose(y, _reference_conv(x, k, strides, geo.pads, dil), rtol=1e-10)
    g = rng.normal(size=y.shape)

    def loss(x, k):
        return ops.sum(ops.conv(x, k, strides, padding, "channels_last", dil) * g)

    _, (dx, dk) = value_and_grad(loss, argnums=(0, 1))(x, k)
    ref_x = np.sum(_reference_conv(x2, k, strides, geo.pads, dil) * g)
    ref_k = np.sum(_reference_conv(x, k2, strides, geo.pads, dil) * g)
    np.testing.assert_allclose(np.sum(np.asarray(dx) * x2), ref_x, rtol=1e-9)
    np.testing.assert_allclose(np.sum(np.asarray(dk) * k2), ref_k, rtol=1e-9)
    # float32 stays float32
    y32 = ops.conv(x.astype("float32"), k.astype("float32"), strides, padding, None, dil)
    assert str(y32.dtype) == "float32"


def test_numpy_max_pool_gradient_ties_and_tiles(monkeypatch):
    """Tiled max-pool gradient: the first maximum of each window gets it, also under ties."""
    pytest.importorskip("kerasx_numpy")
    from kerasx import ops
    from kerasx.engine.autodiff import value_and_grad

    config.set_backend("numpy")
    x = np.random.default_rng(0).normal(size=(40, 7, 6, 60)).astype("float32")
    x[0] = 0.0  # ties everywhere in the first image
    x[1, :2, :2, 0] = 5.0

    def loss(x):
        return ops.sum(ops.max_pool(x, 2, 2, "valid"))

    _, dx = value_and_grad(loss)(x)
    dx = np.asarray(dx)
    assert dx.dtype == np.float32
    # windows as (image, row, col, channel, tap) with taps in row-major order
    windows = x[:, :6, :6].reshape(40, 3, 2, 3, 2, 60).transpose(0, 1, 3, 5, 2, 4)
    first = windows.reshape(40, 3, 3, 60, 4).argmax(-1)
    onehot = (np.arange(4) == first[..., None]).astype("float32").reshape(40, 3, 3, 60, 2, 2)
    expected = np.zeros_like(x)
    expected[:, :6, :6] = onehot.transpose(0, 1, 4, 2, 5, 3).reshape(40, 6, 6, 60)
    np.testing.assert_array_equal(dx, expected)
