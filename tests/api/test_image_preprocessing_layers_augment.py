"""Image preprocessing layers (part 2): colour, histogram, mixing, erasing/blur/warps and
bounding-box layers, on every engine, with Keras parity for every deterministic setting."""

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


def _images(shape=(2, 5, 6, 3), scale=255.0, seed=0):
    return (np.random.default_rng(seed).random(shape) * scale).astype("float32")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _keras_parity(name, kwargs, x, **call_kwargs):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    return assert_matches_keras(name, kwargs, x, call_kwargs=call_kwargs, rtol=1e-4, atol=2e-3)


def _keras_out(name, kwargs, x, **call_kwargs):
    keras = pytest.importorskip("keras")
    return np.asarray(getattr(keras.layers, name)(**kwargs)(x, **call_kwargs))


def _basic(cls, kwargs, shape=(2, 4, 5, 3), **extra):
    return run_layer_test(
        cls,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_output_dtype="float32",
        run_training_check=False,  # no weights; the layers train inside models in part 1
        **extra,
    )


def _changes_and_repeats(cls, kwargs, x=None):
    """training=True changes the images; a fixed seed repeats; inference is the identity."""
    x = _images((4, 6, 6, 3)) if x is None else x
    out = _np(cls(**kwargs, seed=11)(x))
    assert out.shape == x.shape
    assert not np.allclose(out, x)
    np.testing.assert_array_equal(out, _np(cls(**kwargs, seed=11)(x)))
    np.testing.assert_array_equal(_np(cls(**kwargs, seed=11)(x, training=False)), x)
    return out


# ---------------------------------------------------------------- colour


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.RandomColorDegeneration, {"factor": 0.5}),
        (layers.RandomSaturation, {"factor": (0.3, 0.7)}),
        (layers.RandomHue, {"factor": 0.5}),
        (layers.RandomGrayscale, {"factor": 0.5}),
        (layers.RandomInvert, {}),
        (layers.RandomPosterization, {"factor": (2, 6)}),
        (layers.RandomSharpness, {"factor": 0.7}),
        (
            layers.RandomColorJitter,
            {"brightness_factor": 0.2, "contrast_factor": 0.3, "saturation_factor": 0.4},
        ),
    ],
)
def test_color_layers(engine, cls, kwargs):
    _basic(cls, kwargs, expected_num_seed_generators=1)
    _changes_and_repeats(cls, kwargs)


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("RandomColorDegeneration", {"factor": (0.0, 0.0)}),
        ("RandomColorDegeneration", {"factor": (1.0, 1.0)}),
        ("RandomColorDegeneration", {"factor": (0.4, 0.4), "value_range": (0, 1)}),
        ("RandomSaturation", {"factor": (0.5, 0.5)}),
        ("RandomSaturation", {"factor": (0.0, 0.0)}),
        ("RandomSaturation", {"factor": (0.25, 0.25)}),
        ("RandomSaturation", {"factor": (0.75, 0.75)}),
        ("RandomHue", {"factor": 0.0}),
        ("RandomGrayscale", {"factor": 0.0}),
        ("RandomGrayscale", {"factor": 1.0}),
        ("RandomInvert", {"factor": (1.0, 1.0)}),
        ("RandomInvert", {"factor": 0.0, "value_range": (0, 1)}),
        ("RandomPosterization", {"factor": (1, 1)}),
        ("RandomPosterization", {"factor": (3, 3)}),
        ("RandomPosterization", {"factor": (8, 8)}),
        ("RandomSharpness", {"factor": (0.0, 0.0)}),
        ("RandomSharpness", {"factor": (0.5, 0.5)}),
        ("RandomSharpness", {"factor": (0.8, 0.8)}),
        ("AutoContrast", {}),
        ("Equalization", {}),
        ("Solarization", {}),
        (
            "RandomColorJitter",
            {
                "brightness_factor": (0.1, 0.1),
                "contrast_factor": 0.0,
                "saturation_factor": (0.3, 0.3),
                "hue_factor": 0.0,
            },
        ),
    ],
)
def test_color_keras_deterministic(np_engine, name, kwargs):
    x = _images((2, 5, 6, 3))
    if kwargs.get("value_range") == (0, 1):
        x = x / 255.0
    _keras_parity(name, kwargs, x)
    _keras_parity(name, kwargs, x, training=False)
    _keras_parity(
        name, kwargs, np.transpose(x, (0, 3, 1, 2)).copy()[..., :4, :4].transpose(0, 2, 3, 1).copy()
    )


@pytest.mark.parametrize(
    "name, kwargs",
    [
        ("RandomColorDegeneration", {"factor": (0.3, 0.3), "data_format": "channels_first"}),
        ("RandomSaturation", {"factor": (0.25, 0.25), "data_format": "channels_first"}),
        ("RandomSharpness", {"factor": (0.8, 0.8), "data_format": "channels_first"}),
        ("Equalization", {"data_format": "channels_first"}),
        ("RandomGrayscale", {"factor": 1.0, "data_format": "channels_first"}),
    ],
)
def test_color_keras_channels_first(np_engine, name, kwargs):
    x = np.transpose(_images((2, 5, 6, 3)), (0, 3, 1, 2)).copy()
    _keras_parity(name, kwargs, x)
    _keras_parity(name, kwargs, x[0])


def _hue_shift(x, delta):
    hsv = np.array(_np(ops.image.rgb_to_hsv(x / 255.0)))
    hsv[..., 0] = (hsv[..., 0] + delta) % 1.0
    return _np(ops.image.hsv_to_rgb(hsv)) * 255.0


@pytest.mark.parametrize("f", [0.5, 0.2])
def test_random_hue_fixed_magnitude(np_engine, f):
    x = _images((6, 4, 5, 3))
    choices = [_hue_shift(x, f / 2), _hue_shift(x, -f / 2)]
    outs = [
        _np(layers.RandomHue((f, f), seed=3)(x)),
        _keras_out("RandomHue", {"factor": (f, f)}, x),
    ]
    for out in outs:
        for i in range(6):
            assert min(np.abs(out[i] - c[i]).max() for c in choices) < 1e-2


def test_random_grayscale_keeps_int_dtype(engine):
    x = _images((2, 3, 3, 3)).astype("uint8")
    out = layers.RandomGrayscale(1.0)(x)
    assert str(out.dtype) == "uint8"
    _keras_parity("RandomGrayscale", {"factor": 1.0}, x)


def test_random_invert_probability(engine):
    x = _images((64, 2, 2, 3))
    out = _np(layers.RandomInvert((0.5, 0.5), seed=2)(x))
    inverted = [np.allclose(o, 255.0 - a, atol=1e-3) for o, a in zip(out, x)]
    kept = [np.array_equal(o, a) for o, a in zip(out, x)]
    assert all(a or b for a, b in zip(inverted, kept))
    assert 16 < sum(inverted) < 48


def test_random_posterization_value_range(engine):
    x = _images((2, 4, 4, 3), scale=1.0)
    _keras_parity("RandomPosterization", {"factor": (2, 2), "value_range": (0, 1)}, x)
    out = _np(layers.RandomPosterization((1, 8), seed=1)(_images((8, 4, 4, 3))))
    assert np.all(out == np.floor(out))
    assert out.max() <= 255


def test_equalization_and_autocontrast_ranges(engine):
    run_layer_test(
        layers.AutoContrast,
        {},
        input_shape=(2, 4, 4, 3),
        expected_output_dtype="float32",
        run_training_check=False,
    )
    run_layer_test(
        layers.Equalization,
        {"bins": 16, "value_range": (-3, 3)},
        input_shape=(2, 4, 4, 3),
        expected_output_dtype="float32",
        run_training_check=False,
    )
    x = 50 + _images((2, 6, 6, 3), scale=100.0)
    eq = _np(layers.Equalization()(x))
    assert eq.min() >= 0 and eq.max() <= 255 and eq.max() > 200
    ac = _np(layers.AutoContrast()(x))
    np.testing.assert_allclose(ac.min(axis=(1, 2)), 0.0, atol=1e-3)
    np.testing.assert_allclose(ac.max(axis=(1, 2)), 255.0, atol=1e-3)
    if engine == "jax":
        return
    # channels_first: per channel statistics (Keras 3.15 takes them over the wrong axes)
    xc = np.transpose(x, (0, 3, 1, 2)).copy()
    acf = _np(layers.AutoContrast(data_format="channels_first")(xc))
    np.testing.assert_allclose(acf, np.transpose(ac, (0, 3, 1, 2)), rtol=1e-5, atol=1e-3)
    flat = x.copy()
    flat[0, ..., 1] = 7.0  # a constant channel is kept (Keras divides by zero there)
    np.testing.assert_allclose(_np(layers.AutoContrast()(flat))[0, ..., 1], 7.0)
    _keras_parity("AutoContrast", {"value_range": (0, 1)}, x / 255.0)
    _keras_parity("Equalization", {"bins": 64, "value_range": (0, 1)}, x / 255.0)
    _keras_parity("Equalization", {}, x.astype("uint8"), training=False)
    np.testing.assert_array_equal(_np(layers.Equalization()(x, training=False)), x)


def test_solarization(engine):
    _basic(layers.Solarization, {"threshold_factor": 0.5}, expected_num_seed_generators=1)
    x = _images((8, 4, 4, 3))
    out = _np(layers.Solarization(threshold_factor=(0.5, 0.5), seed=1)(x))
    np.testing.assert_allclose(out, np.where(x < 127.5, x, 255.0 - x), atol=1e-3)
    out = _np(layers.Solarization(addition_factor=0.2, threshold_factor=0.5, seed=1)(x))
    assert out.min() >= 0 and out.max() <= 255 and not np.allclose(out, x)
    _keras_parity("Solarization", {"value_range": (0, 1)}, x / 255.0)


def test_color_bad_arguments():
    with pytest.raises(ValueError, match="factor"):
        layers.RandomColorDegeneration(1.5)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomSaturation((0.2, 0.1))
    with pytest.raises(ValueError, match="factor"):
        layers.RandomHue(-0.1)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomGrayscale(2.0)
    with pytest.raises(ValueError, match="factor"):
        layers.RandomPosterization((0, 9))
    with pytest.raises(ValueError, match="factor"):
        layers.RandomPosterization((1.5, 2))
    with pytest.raises(ValueError, match="value_range"):
        layers.AutoContrast(value_range=(1, 0))
    with pytest.raises(ValueError, match="bins"):
        layers.Equalization(bins=0)
    with pytest.raises(ValueError, match="threshold_factor"):
        layers.Solarization(threshold_factor=2)
    with pytest.raises(ValueError, match="value_range"):
        layers.RandomSharpness(0.5, value_range="x")


# ---------------------------------------------------------------- mixing


def test_mixup(engine):
    _basic(layers.MixUp, {"alpha": 0.4}, expected_num_seed_generators=1)
    # constant images mix into constant images with values between the extremes
    if engine == "jax":
        return  # the batch-level checks below are engine-independent (NumPy covers them)
    values = np.arange(8, dtype="float32") * 10.0
    x = np.broadcast_to(values[:, None, None, None], (8, 3, 3, 2)).copy()
    out = _np(layers.MixUp(alpha=1.0, seed=4)(x))
    per_image = out.reshape(8, -1)
    np.testing.assert_allclose(per_image.min(1), per_image.max(1), atol=1e-4)
    assert per_image.min() >= 0 and per_image.max() <= 70 + 1e-4
    assert not np.allclose(out, x)
    np.testing.assert_array_equal(out, _np(layers.MixUp(alpha=1.0, seed=4)(x)))
    _keras_parity("MixUp", {}, _images(), training=False)


def test_cutmix(engine):
    _basic(layers.CutMix, {}, expected_num_seed_generators=1)
    if engine == "jax":
        return  # the batch-level checks below are engine-independent (NumPy covers them)
    x = _images((8, 8, 8, 3))
    out = _np(layers.CutMix(seed=2)(x))
    # every pixel comes from the same position of some image of the batch
    same = np.any(np.all(out[:, None] == x[None], axis=-1), axis=1)
    assert same.all()
    assert not np.array_equal(out, x)
    np.testing.assert_array_equal(out, _np(layers.CutMix(seed=2)(x)))
    _keras_parity("CutMix", {}, x, training=False)


def test_mixing_bad_arguments():
    with pytest.raises(ValueError, match="alpha"):
        layers.MixUp(alpha=0)
    with pytest.raises(ValueError, match="factor"):
        layers.CutMix(factor=-1)


# ---------------------------------------------------------------- erasing, blur, warps


def test_random_erasing(engine):
    _basic(layers.RandomErasing, {"seed": 1}, expected_num_seed_generators=1)
    x = 1 + _images((6, 8, 8, 3))
    out = _np(layers.RandomErasing(factor=(1.0, 1.0), scale=(0.1, 0.3), seed=3)(x))
    for o, a in zip(out, x):
        erased = np.all(o == 0, axis=-1)
        assert np.array_equal(erased, np.any(o != a, axis=-1))
        rows, cols = np.nonzero(erased)
        assert rows.size > 0
        # one rectangle
        assert erased[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1].all()
    _keras_parity("RandomErasing", {"factor": 0.0}, x)
    _keras_parity("RandomErasing", {}, x, training=False)
    filled = _np(layers.RandomErasing((1.0, 1.0), fill_value=-5.0, seed=1)(x))
    assert np.any(filled == -5.0)


@pytest.mark.parametrize("kernel_size, sigma", [(3, 1.0), (5, 0.6), ((3, 5), 0.8)])
def test_random_gaussian_blur_keras(np_engine, kernel_size, sigma):
    x = _images((2, 7, 8, 3))
    kwargs = {"factor": (1.0, 1.0), "kernel_size": kernel_size, "sigma": (sigma, sigma)}
    _keras_parity("RandomGaussianBlur", kwargs, x)
    _keras_parity("RandomGaussianBlur", {**kwargs, "factor": 0.0}, x)
    _keras_parity("RandomGaussianBlur", kwargs, x, training=False)


def test_random_gaussian_blur(engine):
    _basic(layers.RandomGaussianBlur, {"seed": 1}, expected_num_seed_generators=1)
    _changes_and_repeats(layers.RandomGaussianBlur, {"factor": (1.0, 1.0)})


def test_random_perspective(engine):
    _basic(layers.RandomPerspective, {"seed": 1}, expected_num_seed_generators=1)
    _changes_and_repeats(layers.RandomPerspective, {"factor": (1.0, 1.0), "scale": 0.5})
    x = _images()
    _keras_parity("RandomPerspective", {"factor": 0.0}, x)
    _keras_parity("RandomPerspective", {}, x, training=False)


def test_random_elastic_transform(engine):
    _basic(layers.RandomElasticTransform, {"seed": 1}, expected_num_seed_generators=1)
    _changes_and_repeats(layers.RandomElasticTransform, {"factor": (1.0, 1.0)})
    x = _images()
    _keras_parity("RandomElasticTransform", {"factor": 0.0}, x)
    _keras_parity("RandomElasticTransform", {}, x, training=False)


def _shear(x, sx, sy):
    t = np.array([1, sx, 0, sy, 1, 0, 0, 0], "float32")
    return _np(ops.image.affine_transform(x, t, fill_mode="constant"))


def test_random_shear(engine):
    _basic(layers.RandomShear, {"x_factor": 0.2, "y_factor": 0.1}, expected_num_seed_generators=1)
    x = _images((6, 5, 7, 3))
    for sx, sy in [(0.2, 0.0), (0.0, 0.3), (0.2, 0.3)]:
        kwargs = {"x_factor": (sx, sx), "y_factor": (sy, sy), "fill_mode": "constant"}
        choices = [_shear(x, a * sx, b * sy) for a in (1, -1) for b in (1, -1)]
        for out in [
            _np(layers.RandomShear(**kwargs, seed=1)(x)),
            _keras_out("RandomShear", kwargs, x),
        ]:
            for i in range(6):
                assert min(np.abs(out[i] - c[i]).max() for c in choices) < 1e-3
    _keras_parity("RandomShear", {"x_factor": 0.3}, x, training=False)
    with pytest.raises(ValueError, match="x_factor"):
        layers.RandomShear(x_factor=(-0.2, 0.1))


def test_misc_bad_arguments():
    with pytest.raises(ValueError, match="scale"):
        layers.RandomErasing(scale=(0.5, 2.0))
    with pytest.raises(ValueError, match="kernel_size"):
        layers.RandomGaussianBlur(kernel_size=(3,))
    with pytest.raises(ValueError, match="sigma"):
        layers.RandomGaussianBlur(sigma=1.5)
    with pytest.raises(ValueError, match="scale"):
        layers.RandomPerspective(scale=2)
    with pytest.raises(ValueError, match="fill_mode"):
        layers.RandomElasticTransform(fill_mode="mirror")


# ---------------------------------------------------------------- bounding boxes


def test_max_num_bounding_boxes(engine):
    run_layer_test(
        layers.MaxNumBoundingBoxes,
        {"max_number": 3},
        input_shape=(2, 4, 4, 3),
        expected_output_shape=(2, 4, 4, 3),
        run_training_check=False,
    )
    x = _images()
    _keras_parity("MaxNumBoundingBoxes", {"max_number": 3}, x)
    data = {
        "images": x,
        "bounding_boxes": {
            "boxes": np.ones((2, 2, 4), "float32"),
            "labels": np.ones((2, 2), "int32"),
        },
    }
    out = layers.MaxNumBoundingBoxes(3)(data)
    boxes, labels = _np(out["bounding_boxes"]["boxes"]), _np(out["bounding_boxes"]["labels"])
    assert boxes.shape == (2, 3, 4) and labels.shape == (2, 3)
    assert np.all(boxes[:, 2] == -1) and np.all(labels[:, :2] == 1)
    cut = layers.MaxNumBoundingBoxes(1)(data)
    assert _np(cut["bounding_boxes"]["boxes"]).shape == (2, 1, 4)
    with pytest.raises(ValueError, match="max_number"):
        layers.MaxNumBoundingBoxes(0)


# ---------------------------------------------------------------- policies and CLAHE


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.RandAugment, {"num_ops": 1, "factor": 0.5}),
        (layers.AugMix, {"num_chains": 2, "chain_depth": 1, "all_ops": False}),
    ],
)
def test_policies(engine, cls, kwargs):
    run_layer_test(
        cls,
        kwargs,
        input_shape=(2, 6, 6, 3),
        expected_output_shape=(2, 6, 6, 3),
        expected_output_dtype="float32",
        expected_num_seed_generators=1,
        expected_num_non_trainable_variables=1,
        run_training_check=False,
    )
    if engine == "jax":
        return  # eager JAX traces every branch of ops.switch: slow; jit is checked above
    x = _images((4, 6, 6, 3))
    out = _np(cls(**kwargs, seed=5)(x))
    assert out.min() >= 0 and out.max() <= 255 and not np.allclose(out, x)
    np.testing.assert_array_equal(out, _np(cls(**kwargs, seed=5)(x)))
    _keras_parity(cls.__name__, kwargs, x, training=False)
    _keras_parity(cls.__name__, kwargs, x.astype("uint8"), training=False)


def test_policies_bad_arguments():
    with pytest.raises(ValueError, match="num_ops"):
        layers.RandAugment(num_ops=0)
    with pytest.raises(ValueError, match="interpolation"):
        layers.RandAugment(interpolation="cubic")
    with pytest.raises(ValueError, match="alpha"):
        layers.AugMix(alpha=-1.0)
    with pytest.raises(ValueError, match="chain_depth"):
        layers.AugMix(chain_depth=0)


def test_clahe(engine):
    cls = layers.ContrastLimitedAdaptiveHistogramEqualization
    run_layer_test(
        cls,
        {"tile_grid_size": (2, 2)},
        input_shape=(2, 8, 8, 3),
        expected_output_shape=(2, 8, 8, 3),
        expected_output_dtype="float32",
        run_training_check=False,
    )
    # low-contrast images are stretched, within the range, at inference too
    x = 100 + _images((2, 8, 8, 3), scale=40.0)
    out = _np(cls(tile_grid_size=(2, 2))(x, training=False))
    assert out.min() >= 0 and out.max() <= 255
    assert out.std() > x.std()
    # a constant image stays nearly constant; integer images keep their dtype
    flat = _np(cls(tile_grid_size=(2, 2))(np.full((1, 8, 8, 1), 80.0, "float32")))
    assert np.ptp(flat) < 1e-3
    ints = cls(tile_grid_size=(4, 2))(x.astype("uint8"))
    assert str(ints.dtype) == "uint8"
    first = _np(
        cls(tile_grid_size=(2, 2), data_format="channels_first")(np.transpose(x, (0, 3, 1, 2)))
    )
    np.testing.assert_allclose(
        first, np.transpose(_np(cls(tile_grid_size=(2, 2))(x)), (0, 3, 1, 2)), atol=1e-3
    )
    keras = pytest.importorskip("keras")
    ref = np.asarray(
        keras.layers.ContrastLimitedAdaptiveHistogramEqualization(tile_grid_size=(2, 2))(x)
    )
    ours = _np(cls(tile_grid_size=(2, 2))(x))
    assert np.abs(ours - ref).mean() < 2.0  # within a few levels; not bit-exact with Keras
    with pytest.raises(ValueError, match="tile_grid_size"):
        cls(tile_grid_size=8)
    with pytest.raises(ValueError, match="clip_limit"):
        cls(clip_limit=0)


@pytest.mark.parametrize(
    "name, kwargs, call_kwargs",
    [
        ("RandomColorDegeneration", {"factor": (0.4, 0.4)}, {}),
        ("RandomSaturation", {"factor": (0.25, 0.25)}, {}),
        ("RandomHue", {"factor": 0.0}, {}),
        ("RandomGrayscale", {"factor": 1.0}, {}),
        ("RandomInvert", {"factor": (1.0, 1.0)}, {}),
        ("RandomPosterization", {"factor": (3, 3)}, {}),
        ("RandomSharpness", {"factor": (0.8, 0.8)}, {}),
        (
            "RandomColorJitter",
            {"brightness_factor": (0.1, 0.1), "saturation_factor": (0.3, 0.3)},
            {},
        ),
        ("AutoContrast", {}, {}),
        ("Equalization", {}, {}),
        ("Solarization", {}, {}),
        ("RandomGaussianBlur", {"factor": (1.0, 1.0), "sigma": (0.7, 0.7)}, {}),
        ("RandomErasing", {}, {"training": False}),
        ("RandomPerspective", {}, {"training": False}),
        ("RandomElasticTransform", {}, {"training": False}),
        ("RandomShear", {"x_factor": 0.2}, {"training": False}),
        ("MixUp", {}, {"training": False}),
        ("CutMix", {}, {"training": False}),
        ("RandAugment", {}, {"training": False}),
        ("AugMix", {}, {"training": False}),
        ("MaxNumBoundingBoxes", {"max_number": 2}, {}),
    ],
)
def test_keras_parity_on_jax(jax_engine, name, kwargs, call_kwargs):
    _keras_parity(name, kwargs, _images((2, 5, 6, 3)), **call_kwargs)


def test_mixing_beta_draws_stay_in_range_for_tiny_parameters(engine):
    """Beta(alpha, alpha) for alpha near 0 (CutMix clamps its sampled factor at 1e-3): both
    gamma draws underflow to 0 in float32, and 0 / 0 used to give NaN (and a warning). The
    draws are in [0, 1], pile up at 0 and 1, and keep Beta's mean and variance for alpha 1 and
    2 (uniform: variance 1/12; alpha 2: 1/20)."""
    from kerasx.layers.preprocessing.image.mixing import _beta

    layer = layers.CutMix(seed=3)
    tiny = _np(_beta((4000,), np.full(4000, 1e-3, "float32"), "float32", layer))
    assert np.all((tiny >= 0) & (tiny <= 1))
    assert np.mean((tiny < 1e-3) | (tiny > 1 - 1e-3)) > 0.99
    assert 0.4 < np.mean(tiny > 0.5) < 0.6
    for alpha, var in ((1.0, 1 / 12), (2.0, 1 / 20)):
        lam = _np(_beta((20000,), np.full(20000, alpha, "float32"), "float32", layer))
        assert abs(lam.mean() - 0.5) < 0.01
        assert abs(lam.var() - var) < 0.004
    out = _np(layers.CutMix(factor=(0.0, 1e-4), seed=5)(_images((8, 8, 8, 3))))
    assert np.isfinite(out).all()
