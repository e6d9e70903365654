"""Image preprocessing layers (part 1): resizing, cropping, flips, affine warps, contrast and
brightness, on every engine, with Keras parity for every deterministic setting."""

import numpy as np
import pytest

from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


@pytest.fixture
def np_engine():
    """The NumPy engine only: the large Keras-parity matrices (the layer code is the same on
    every engine; each layer also has a parity case on JAX in `test_keras_parity_on_jax`)."""
    config.set_backend("numpy")
    yield "numpy"


@pytest.fixture
def jax_engine():
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    config.set_backend("jax")
    yield "jax"
    config.set_backend("numpy")


def _images(shape=(2, 5, 7, 3), scale=255.0, seed=0):
    return (np.random.default_rng(seed).random(shape) * scale).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _keras_parity(name, kwargs, x, **call_kwargs):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    return assert_matches_keras(name, kwargs, x, call_kwargs=call_kwargs, rtol=1e-4, atol=1e-3)


# ---------------------------------------------------------------- Rescaling


def test_rescaling(engine):
    run_layer_test(
        layers.Rescaling,
        {"scale": 1 / 255.0, "offset": 0.5},
        input_shape=(2, 4, 4, 3),
        expected_output_shape=(2, 4, 4, 3),
        expected_output_dtype="float32",
        expected_num_seed_generators=0,
    )
    x = np.arange(6, dtype="uint8").reshape(1, 2, 3)
    out = layers.Rescaling(2.0, offset=1.0)(x)
    assert str(out.dtype) == "float32"
    np.testing.assert_allclose(_np(out), x * 2.0 + 1.0)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"scale": 1 / 255.0},
        {"scale": 0.5, "offset": -1.0},
        {"scale": [1.0, 2.0, 3.0], "offset": [0.0, 1.0, 2.0]},
    ],
)
def test_rescaling_keras(np_engine, kwargs):
    _keras_parity("Rescaling", kwargs, _images())
    _keras_parity("Rescaling", kwargs, _images().astype("uint8"))


def test_rescaling_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        layers.Rescaling("a")
    with pytest.raises(ValueError, match="offset"):
        layers.Rescaling(1.0, offset=None)


# ---------------------------------------------------------------- Resizing / CenterCrop


def test_resizing(engine):
    run_layer_test(
        layers.Resizing,
        {"height": 3, "width": 4},
        input_shape=(2, 6, 5, 3),
        expected_output_shape=(2, 3, 4, 3),
        expected_output_dtype="float32",
        expected_num_seed_generators=0,
    )
    run_layer_test(
        layers.Resizing,
        {"height": 3, "width": 4, "crop_to_aspect_ratio": True, "data_format": "channels_first"},
        input_shape=(2, 3, 6, 5),
        expected_output_shape=(2, 3, 3, 4),
    )
    assert layers.Resizing(3, 4)(np.zeros((6, 5, 2), "float32")).shape == (3, 4, 2)


@pytest.mark.parametrize(
    "interpolation", ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"]
)
def test_resizing_keras_interpolations(np_engine, interpolation):
    x = _images((2, 6, 9, 3))
    _keras_parity("Resizing", {"height": 4, "width": 5, "interpolation": interpolation}, x)
    _keras_parity("Resizing", {"height": 8, "width": 11, "interpolation": interpolation}, x)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"crop_to_aspect_ratio": True},
        {"pad_to_aspect_ratio": True},
        {"pad_to_aspect_ratio": True, "fill_value": 7.0},
        {"antialias": True},
        {"data_format": "channels_first"},
        {"crop_to_aspect_ratio": True, "data_format": "channels_first"},
    ],
)
def test_resizing_keras_options(np_engine, kwargs):
    x = _images((2, 6, 9, 3))
    if kwargs.get("data_format") == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2))
    _keras_parity("Resizing", {"height": 4, "width": 4, **kwargs}, x)
    _keras_parity("Resizing", {"height": 3, "width": 7, **kwargs}, x)
    _keras_parity("Resizing", {"height": 4, "width": 4, **kwargs}, x[0])


def test_resizing_keeps_integer_dtype(engine):
    x = _images((1, 6, 6, 1)).astype("uint8")
    out = _keras_parity("Resizing", {"height": 3, "width": 3}, x)
    assert str(out.dtype) == "uint8"


def test_resizing_bad_arguments():
    with pytest.raises(ValueError, match="interpolation"):
        layers.Resizing(2, 2, interpolation="area")
    with pytest.raises(ValueError, match="height"):
        layers.Resizing(-1, 2)
    with pytest.raises(ValueError, match="crop_to_aspect_ratio"):
        layers.Resizing(2, 2, crop_to_aspect_ratio=True, pad_to_aspect_ratio=True)
    with pytest.raises(ValueError, match="data_format"):
        layers.Resizing(2, 2, data_format="channels_middle")
    with pytest.raises(ValueError, match="rank"):
        layers.Resizing(2, 2)(np.zeros((4, 4), "float32"))


def test_center_crop(engine):
    run_layer_test(
        layers.CenterCrop,
        {"height": 2, "width": 3},
        input_shape=(2, 5, 6, 3),
        expected_output_shape=(2, 2, 3, 3),
        expected_output_dtype="float32",
    )


@pytest.mark.parametrize("size", [(4, 5), (3, 9), (2, 2), (6, 9), (8, 4), (8, 12), (6, 12)])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_center_crop_keras(np_engine, size, data_format):
    x = _images((2, 6, 9, 3))
    if data_format == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2))
    kwargs = {"height": size[0], "width": size[1], "data_format": data_format}
    _keras_parity("CenterCrop", kwargs, x)
    _keras_parity("CenterCrop", kwargs, x[1])
    _keras_parity("CenterCrop", kwargs, x.astype("uint8"))


# ---------------------------------------------------------------- RandomFlip


def test_random_flip(engine):
    run_layer_test(
        layers.RandomFlip,
        {"mode": "horizontal", "seed": 3},
        input_shape=(2, 4, 5, 3),
        expected_output_shape=(2, 4, 5, 3),
        expected_num_seed_generators=1,
        expected_num_non_trainable_variables=1,
    )


@pytest.mark.parametrize("mode", ["horizontal", "vertical", "horizontal_and_vertical"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_random_flip_outcomes(np_engine, mode, data_format):
    x = _images((16, 3, 4, 2))
    if data_format == "channels_first":
        x = np.transpose(x, (0, 3, 1, 2))
    h_axis, w_axis = (1, 2) if data_format == "channels_last" else (2, 3)
    flipped = x
    if mode != "vertical":
        flipped = np.flip(flipped, w_axis)
    if mode != "horizontal":
        flipped = np.flip(flipped, h_axis)
    layer = layers.RandomFlip(mode, seed=5, data_format=data_format)
    out = _np(layer(x))
    was_flipped = [np.array_equal(o, f) for o, f in zip(out, flipped)]
    kept = [np.array_equal(o, a) for o, a in zip(out, x)]
    assert all(a or b for a, b in zip(was_flipped, kept))
    assert 0 < sum(was_flipped) < 16
    # the same seed repeats; inference is the identity (in Keras too)
    again = _np(layers.RandomFlip(mode, seed=5, data_format=data_format)(x))
    np.testing.assert_array_equal(out, again)
    _keras_parity("RandomFlip", {"mode": mode, "data_format": data_format}, x, training=False)
    # a single image is flipped or kept as a whole
    one = _np(layers.RandomFlip(mode, seed=1, data_format=data_format)(x[0]))
    assert np.array_equal(one, x[0]) or np.array_equal(one, flipped[0])


def test_random_flip_bad_mode():
    with pytest.raises(ValueError, match="mode"):
        layers.RandomFlip("diagonal")


# ---------------------------------------------------------------- affine warps


def _warp_layer_test(cls, kwargs):
    run_layer_test(
        cls,
        kwargs,
        input_shape=(2, 5, 6, 3),
        expected_output_shape=(2, 5, 6, 3),
        expected_output_dtype="float32",
        expected_num_seed_generators=1,
        run_training_check=False,  # no weights; test_augmentation_pipeline_in_model trains
    )


def test_random_rotation(engine):
    _warp_layer_test(layers.RandomRotation, {"factor": 0.2, "seed": 1})
    _warp_layer_test(layers.RandomRotation, {"factor": (-0.1, 0.3), "fill_mode": "constant"})


def test_random_rotation_quarter_turn(engine):
    x = _images((2, 5, 5, 3))
    out = _np(layers.RandomRotation((0.25, 0.25))(x))
    np.testing.assert_allclose(out, np.rot90(x, k=1, axes=(1, 2)), atol=1e-4)


@pytest.mark.parametrize("factor", [(0.25, 0.25), (0.1, 0.1), (-0.07, -0.07), 0.0])
@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"fill_mode": "constant", "fill_value": 3.0},
        {"fill_mode": "wrap", "interpolation": "nearest"},
        {"fill_mode": "nearest"},
        {"data_format": "channels_first"},
    ],
)
def test_random_rotation_keras(np_engine, factor, kwargs):
    x = _images((2, 5, 7, 3))
    _keras_parity("RandomRotation", {"factor": factor, **kwargs}, x)
    _keras_parity("RandomRotation", {"factor": 0.3, **kwargs}, x, training=False)


def test_random_rotation_range_and_seed(np_engine):
    # each image is rotated by one angle of the range: find it among candidates
    x = _images((4, 6, 6, 1))
    layer = layers.RandomRotation((0.0, 0.25), fill_mode="constant", seed=2)
    out = _np(layer(x))
    assert not np.allclose(out, x)
    np.testing.assert_array_equal(
        out, _np(layers.RandomRotation((0.0, 0.25), fill_mode="constant", seed=2)(x))
    )
    candidates = np.linspace(0.0, 0.25, 201)
    for i in range(4):
        errs = [
            np.abs(_np(layers.RandomRotation((c, c), fill_mode="constant")(x[i])) - out[i]).max()
            for c in candidates[::10]
        ]
        assert min(errs) < 60.0  # close to a rotation within the range (coarse grid)


def test_random_zoom(engine):
    _warp_layer_test(layers.RandomZoom, {"height_factor": 0.2, "seed": 1})
    _warp_layer_test(layers.RandomZoom, {"height_factor": (-0.3, 0.3), "width_factor": 0.1})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"height_factor": (0.5, 0.5)},
        {"height_factor": (-0.3, -0.3), "width_factor": (0.2, 0.2)},
        {"height_factor": (0.4, 0.4), "fill_mode": "constant", "interpolation": "nearest"},
        {"height_factor": 0.0, "data_format": "channels_first"},
        {"height_factor": (0.5, 0.5), "fill_mode": "wrap", "data_format": "channels_first"},
    ],
)
def test_random_zoom_keras(np_engine, kwargs):
    x = _images((2, 5, 7, 3))
    _keras_parity("RandomZoom", kwargs, x)
    _keras_parity("RandomZoom", {**kwargs, "height_factor": 0.4}, x, training=False)


def test_random_translation(engine):
    _warp_layer_test(layers.RandomTranslation, {"height_factor": 0.2, "width_factor": 0.3})


@pytest.mark.parametrize(
    "kwargs",
    [
        {"height_factor": (0.2, 0.2), "width_factor": (0.3, 0.3)},
        {"height_factor": (-0.4, -0.4), "width_factor": 0.0, "fill_mode": "constant"},
        {"height_factor": (0.5, 0.5), "width_factor": (-0.5, -0.5), "fill_mode": "nearest"},
        {"height_factor": (0.2, 0.2), "width_factor": (0.3, 0.3), "data_format": "channels_first"},
    ],
)
def test_random_translation_keras(np_engine, kwargs):
    x = _images((2, 5, 7, 3))
    _keras_parity("RandomTranslation", kwargs, x)
    _keras_parity("RandomTranslation", kwargs, x, training=False)


def test_random_translation_integer_shift_and_range(engine):
    x = _images((3, 4, 4, 1))
    out = _np(layers.RandomTranslation((0.25, 0.25), (0.0, 0.0), fill_mode="constant")(x))
    np.testing.assert_allclose(out[:, 1:], x[:, :-1], atol=1e-4)
    np.testing.assert_allclose(out[:, 0], 0.0, atol=1e-6)


def test_affine_bad_arguments():
    with pytest.raises(ValueError, match="fill_mode"):
        layers.RandomRotation(0.1, fill_mode="mirror_x")
    with pytest.raises(NotImplementedError, match="interpolation"):
        layers.RandomRotation(0.1, interpolation="bicubic")
    with pytest.raises(ValueError, match="factor"):
        layers.RandomRotation("a")
    with pytest.raises(ValueError, match="factor"):
        layers.RandomRotation((0.3, 0.1))
    with pytest.raises(ValueError, match="height_factor"):
        layers.RandomZoom((-2, 0))
    with pytest.raises(ValueError, match="width_factor"):
        layers.RandomZoom(0.1, width_factor=(2, -1))
    with pytest.raises(ValueError, match="height_factor"):
        layers.RandomTranslation(2, 0.1)
    with pytest.raises(ValueError, match="seed"):
        layers.RandomRotation(0.1, seed="x")


# ---------------------------------------------------------------- RandomCrop


def test_random_crop(engine):
    run_layer_test(
        layers.RandomCrop,
        {"height": 2, "width": 3, "seed": 4},
        input_shape=(2, 5, 6, 3),
        call_kwargs={"training": True},
        expected_output_shape=(2, 2, 3, 3),
        expected_output_dtype="float32",
        expected_num_seed_generators=1,
        run_training_check=False,  # the crop changes the shape only while training
    )


def test_random_crop_windows_and_seed(engine):
    x = _images((2, 6, 9, 3))
    out = _np(layers.RandomCrop(3, 4, seed=7)(x))
    found = [
        (t, l)
        for t in range(4)
        for l in range(6)
        if np.array_equal(out, x[:, t : t + 3, l : l + 4])
    ]
    assert len(found) == 1  # one window, shared by the batch (as Keras)
    np.testing.assert_array_equal(out, _np(layers.RandomCrop(3, 4, seed=7)(x)))
    positions = {
        next(
            (t, l)
            for t in range(4)
            for l in range(6)
            if np.array_equal(_np(y), x[:, t : t + 3, l : l + 4])
        )
        for y in [layers.RandomCrop(3, 4, seed=s)(x) for s in range(6)]
    }
    assert len(positions) > 1


@pytest.mark.parametrize("size", [(6, 9), (8, 4), (8, 5), (8, 12), (4, 12), (9, 7)])
def test_random_crop_keras_deterministic(np_engine, size):
    x = _images((2, 6, 9, 3))
    kwargs = {"height": size[0], "width": size[1], "seed": 3}
    _keras_parity("RandomCrop", kwargs, x)
    _keras_parity("RandomCrop", kwargs, x, training=False)
    _keras_parity("RandomCrop", {**kwargs, "data_format": "channels_first"}, x, training=False)


def test_random_crop_config_records_seed():
    config_ = layers.RandomCrop(2, 2).get_config()
    assert isinstance(config_["seed"], int)


# ---------------------------------------------------------------- contrast / brightness


def test_random_contrast(engine):
    run_layer_test(
        layers.RandomContrast,
        {"factor": 0.5, "seed": 1},
        input_shape=(2, 4, 4, 3),
        expected_output_shape=(2, 4, 4, 3),
        expected_num_seed_generators=1,
        run_training_check=False,
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"factor": 0.0}, {"factor": (0.0, 0.0), "value_range": (0, 1)}, {"factor": 0.3}],
)
def test_random_contrast_keras(np_engine, kwargs):
    x = _images((2, 4, 5, 3))
    _keras_parity("RandomContrast", kwargs, x, training=not kwargs["factor"] == 0.3)
    _keras_parity("RandomContrast", kwargs, x.astype("uint8"), training=False)


def test_random_contrast_range_and_seed(engine):
    x = 100 + _images((3, 5, 7, 3), scale=50.0)
    out = _np(layers.RandomContrast((0.5, 0.5), seed=3)(x))
    mean = x.mean(axis=(1, 2), keepdims=True)
    c = (out - mean) / (x - mean)
    per_image = c.reshape(3, -1)
    np.testing.assert_allclose(per_image.min(1), per_image.max(1), rtol=1e-3)
    assert np.all(per_image >= 0.5 - 1e-3) and np.all(per_image <= 1.5 + 1e-3)
    assert not np.allclose(out, x)
    again = _np(layers.RandomContrast((0.5, 0.5), seed=3)(x))
    np.testing.assert_array_equal(out, again)
    clipped = _np(layers.RandomContrast((0.9, 0.9), seed=1)(_images((2, 4, 4, 3))))
    assert clipped.min() >= 0 and clipped.max() <= 255


def test_random_brightness(engine):
    run_layer_test(
        layers.RandomBrightness,
        {"factor": 0.2, "seed": 1},
        input_shape=(2, 4, 4, 3),
        expected_output_shape=(2, 4, 4, 3),
        expected_num_seed_generators=1,
        run_training_check=False,
    )


@pytest.mark.parametrize(
    "kwargs",
    [
        {"factor": 0.0},
        {"factor": (0.5, 0.5)},
        {"factor": (-0.2, -0.2), "value_range": (0, 1)},
        {"factor": [0.1, 0.1], "value_range": [0, 100]},
    ],
)
def test_random_brightness_keras(np_engine, kwargs):
    x = _images((2, 4, 5, 3))
    _keras_parity("RandomBrightness", kwargs, x)
    _keras_parity("RandomBrightness", {**kwargs, "factor": 0.5}, x, training=False)


def test_random_brightness_range_and_seed(engine):
    x = 100 + _images((4, 3, 3, 3), scale=50.0)
    out = _np(layers.RandomBrightness(0.2, value_range=(-1000, 1000), seed=9)(x))
    delta = (out - x).reshape(4, -1)
    np.testing.assert_allclose(delta.min(1), delta.max(1), atol=1e-3)
    assert np.all(np.abs(delta) <= 400 + 1e-3)  # 0.2 * (1000 - -1000)
    assert not np.allclose(out, x)
    np.testing.assert_array_equal(
        out, _np(layers.RandomBrightness(0.2, value_range=(-1000, 1000), seed=9)(x))
    )
    ints = layers.RandomBrightness(0.5, seed=1)(x.astype("uint8"))
    assert str(ints.dtype) == "uint8"


def test_color_bad_arguments():
    with pytest.raises(ValueError, match="factor"):
        layers.RandomContrast(2)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomContrast(-0.1)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomBrightness(2)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomBrightness((0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="value_range"):
        layers.RandomBrightness(0.1, value_range=(1,))


def test_augmentation_pipeline_in_model(engine):
    import kerasx

    model = kerasx.Sequential(
        [
            kerasx.Input((6, 6, 3)),
            layers.RandomFlip(seed=1),
            layers.RandomRotation(0.1, seed=2),
            layers.RandomZoom(0.1, seed=3),
            layers.Rescaling(1 / 255.0),
            layers.Flatten(),
            layers.Dense(2),
        ]
    )
    model.compile(optimizer="sgd", loss="mse")
    x, y = _images((4, 6, 6, 3)), np.zeros((4, 2), "float32")
    model.fit(x, y, epochs=1, batch_size=2, verbose=0)
    pred = model.predict(x, verbose=0)
    ref = _np(model.layers[-1](_np(model.layers[-2](x / 255.0))))
    np.testing.assert_allclose(pred, ref, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize(
    "name, kwargs, call_kwargs",
    [
        ("Rescaling", {"scale": [1.0, 2.0, 3.0], "offset": 0.5}, {}),
        ("Resizing", {"height": 3, "width": 7, "pad_to_aspect_ratio": True}, {}),
        ("Resizing", {"height": 4, "width": 4, "interpolation": "bicubic"}, {}),
        ("CenterCrop", {"height": 8, "width": 4}, {}),
        ("RandomFlip", {}, {"training": False}),
        ("RandomRotation", {"factor": (0.1, 0.1), "fill_mode": "constant"}, {}),
        ("RandomZoom", {"height_factor": (-0.3, -0.3), "width_factor": (0.2, 0.2)}, {}),
        ("RandomTranslation", {"height_factor": (0.2, 0.2), "width_factor": (0.3, 0.3)}, {}),
        ("RandomCrop", {"height": 8, "width": 4, "seed": 3}, {}),
        ("RandomContrast", {"factor": 0.0}, {}),
        ("RandomBrightness", {"factor": (0.5, 0.5)}, {}),
    ],
)
def test_keras_parity_on_jax(jax_engine, name, kwargs, call_kwargs):
    _keras_parity(name, kwargs, _images((2, 6, 9, 3)), **call_kwargs)
