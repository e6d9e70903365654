"""Image ops (`kerasx.ops.imaging*`, public as ``kerasx.ops.image``).

Behaviour the conformance samples don't reach: signatures against real Keras 3, wider value
sweeps against Keras and against independent references (jax.image, jax.scipy.ndimage,
scipy.ndimage), integer inputs, errors for bad input, symbolic shapes, the random
`elastic_transform`, gradients against JAX's own autodiff, and jit on the JAX engine.
"""

import inspect

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.dtypes import standardize_dtype
from kerasx.engine.symbolic import KerasTensor
from kerasx.ops import imaging as image

ENGINES = discovery.installed_engines()
HAS_JAX = "jax" in ENGINES

IMAGE_OPS = (
    "affine_transform crop_images elastic_transform extract_patches extract_patches_3d "
    "gaussian_blur hsv_to_rgb map_coordinates pad_images perspective_transform resize "
    "rgb_to_grayscale rgb_to_hsv scale_and_translate sobel_edges ssim"
).split()


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _keras_image():
    keras = pytest.importorskip("keras")
    return keras.ops.image


RNG = np.random.default_rng(7)


# ----------------------------------------------------------------------- Keras parity


def test_family_exports_every_keras_image_op():
    assert sorted(image.__all__) == sorted(IMAGE_OPS)


@pytest.mark.parametrize("name", IMAGE_OPS)
def test_signature_matches_keras(name):
    kimage = _keras_image()
    ours = inspect.signature(getattr(image, name))
    theirs = inspect.signature(getattr(kimage, name))
    assert list(ours.parameters) == list(theirs.parameters)
    for p, q in zip(ours.parameters.values(), theirs.parameters.values()):
        assert p.default == q.default, (name, p.name)
        assert p.kind == q.kind, (name, p.name)


@pytest.mark.parametrize(
    "interpolation", ["bilinear", "nearest", "bicubic", "lanczos3", "lanczos5"]
)
@pytest.mark.parametrize("antialias", [False, True])
def test_resize_sweep_matches_keras(interpolation, antialias):
    kimage = _keras_image()
    for h, w, oh, ow in [(5, 7, 3, 9), (4, 4, 8, 8), (7, 3, 2, 11), (9, 9, 4, 4), (10, 13, 7, 5)]:
        x = RNG.standard_normal((2, h, w, 3)).astype("float32")
        for extra in (
            {},
            {"crop_to_aspect_ratio": True},
            {"pad_to_aspect_ratio": True, "fill_value": 0.3},
        ):
            ours = _np(image.resize(x, (oh, ow), interpolation, antialias, **extra))
            theirs = np.asarray(kimage.resize(x, (oh, ow), interpolation, antialias, **extra))
            np.testing.assert_allclose(
                ours, theirs, rtol=1e-5, atol=2e-6, err_msg=str((h, w, oh, ow, extra))
            )


@pytest.mark.parametrize("fill_mode", ["constant", "nearest", "wrap", "mirror", "reflect"])
@pytest.mark.parametrize("interpolation", ["nearest", "bilinear"])
def test_affine_transform_sweep_matches_keras(fill_mode, interpolation):
    kimage = _keras_image()
    x = RNG.standard_normal((2, 6, 7, 3)).astype("float32")
    for _ in range(3):
        t = np.array([1, 0, 0, 0, 1, 0]) + RNG.uniform(-0.5, 0.5, (2, 6)) * [1, 1, 4, 1, 1, 4]
        t = np.concatenate([t, np.zeros((2, 2))], axis=1).astype("float32")
        for df in ("channels_last", "channels_first"):
            ours = _np(image.affine_transform(x, t, interpolation, fill_mode, 0.7, df))
            theirs = np.asarray(kimage.affine_transform(x, t, interpolation, fill_mode, 0.7, df))
            np.testing.assert_allclose(ours, theirs, atol=1e-5)


def test_perspective_transform_sweep_matches_keras():
    kimage = _keras_image()
    x = RNG.standard_normal((2, 16, 20, 3)).astype("float32")
    s = np.array([[0, 0], [0, 16], [20, 0], [20, 16]], "float32")
    for _ in range(3):
        e = np.stack([s + RNG.uniform(-4, 4, (4, 2)), s + RNG.uniform(-4, 4, (4, 2))])
        e = e.astype("float32")
        for interpolation in ("nearest", "bilinear"):
            ours = _np(image.perspective_transform(x, np.stack([s, s]), e, interpolation, 0.3))
            theirs = np.asarray(
                kimage.perspective_transform(x, np.stack([s, s]), e, interpolation, 0.3)
            )
            np.testing.assert_allclose(ours, theirs, atol=2e-5)


def test_map_coordinates_modes_match_keras():
    kimage = _keras_image()
    x = np.arange(5, dtype="float32") * 10 + 1
    c = np.array([[-7.3, -3.5, -2.5, -0.5, -0.2, 0.5, 2.5, 4.2, 4.5, 5.5, 6.7, 9.1]], "float32")
    x2 = RNG.standard_normal((4, 5, 3)).astype("float32")
    c2 = RNG.uniform(-6, 9, (3, 7, 2)).astype("float32")
    for xx, cc in [(x, c), (x[:1], c), (x[:2], c), (x2, c2)]:
        for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
            for order in (0, 1):
                ours = _np(image.map_coordinates(xx, cc, order, mode, -1))
                theirs = np.asarray(kimage.map_coordinates(xx, cc, order, mode, -1))
                np.testing.assert_allclose(ours, theirs, atol=1e-5, err_msg=f"{mode} {order}")


def test_integer_images_match_keras():
    kimage = _keras_image()
    x = RNG.integers(0, 255, (1, 5, 7, 3)).astype("uint8")
    # (no overshooting kernels here: see the next test for how integer overshoot is clipped)
    for interpolation in ("bilinear", "nearest"):
        ours = _np(image.resize(x, (3, 9), interpolation))
        assert ours.dtype == np.uint8
        np.testing.assert_array_equal(ours, np.asarray(kimage.resize(x, (3, 9), interpolation)))
    gray = _np(image.rgb_to_grayscale(x))
    assert gray.dtype == np.uint8
    np.testing.assert_array_equal(gray, np.asarray(kimage.rgb_to_grayscale(x)))
    xi = (np.arange(5) * 10 + 1).astype("int32")
    cc = np.array([[-0.2, 0.3, 1.5, 2.7, 3.45]], "float32")
    np.testing.assert_array_equal(
        _np(image.map_coordinates(xi, cc, 1)), np.asarray(kimage.map_coordinates(xi, cc, 1))
    )


def test_resize_integer_overshoot_is_clipped_to_the_dtype_range():
    # Keras's JAX backend (jax.image) rounds and clips to the dtype's range; its NumPy
    # backend clips to the input's range instead. kerasx follows JAX.
    x = np.zeros((1, 1, 8, 1))
    x[..., 4:, :] = 255
    f = _np(image.resize(x.astype("float32"), (1, 13), "lanczos5"))
    u8 = _np(image.resize(x.astype("uint8"), (1, 13), "lanczos5"))
    i32 = _np(image.resize(x.astype("int32"), (1, 13), "lanczos5"))
    np.testing.assert_array_equal(u8, np.clip(np.round(f), 0, 255).astype("uint8"))
    np.testing.assert_array_equal(i32, np.round(f).astype("int32"))
    assert i32.min() < 0 and i32.max() > 255


# ------------------------------------------------------------ independent references


def test_resize_matches_jax_image_resize():
    jax = pytest.importorskip("jax")
    methods = {
        "bilinear": "linear",
        "bicubic": "cubic",
        "lanczos3": "lanczos3",
        "lanczos5": "lanczos5",
    }
    x = RNG.standard_normal((2, 6, 9, 2)).astype("float32")
    for ours_name, jax_name in methods.items():
        for antialias in (False, True):
            for size in [(4, 13), (12, 5)]:
                ref = jax.image.resize(x, (2, *size, 2), jax_name, antialias=antialias)
                got = _np(image.resize(x, size, ours_name, antialias))
                np.testing.assert_allclose(got, np.asarray(ref), rtol=1e-5, atol=2e-6)


def test_scale_and_translate_matches_jax(engine):
    jax = pytest.importorskip("jax")
    x = RNG.standard_normal((2, 5, 6, 3)).astype("float32")
    for method in ("linear", "cubic", "lanczos3", "lanczos5"):
        for antialias in (True, False):
            for sc, tr, shape in [
                ([1.3, 0.7], [0.5, -1.2], (2, 7, 4, 3)),
                ([0.4, 2.2], [1.5, 0.2], (2, 3, 13, 3)),
            ]:
                sc32, tr32 = np.array(sc, "float32"), np.array(tr, "float32")
                ref = jax.image.scale_and_translate(x, shape, (1, 2), sc32, tr32, method, antialias)

                def scale(x, sc, tr, shape=shape, method=method, antialias=antialias):
                    return image.scale_and_translate(x, shape, sc, tr, (1, 2), method, antialias)

                # compiled: one compilation per case on JAX instead of one per primitive
                got = _np(kerasx.engine.autodiff.jit(scale)(x, sc32, tr32))
                np.testing.assert_allclose(got, np.asarray(ref), rtol=1e-5, atol=2e-6)


def test_map_coordinates_matches_jax_scipy(engine):
    pytest.importorskip("jax")
    from jax.scipy import ndimage as jnd

    x = RNG.standard_normal((4, 5, 3)).astype("float32")
    # no exact .5 coordinates: JAX rounds negative halves away from zero, Keras's NumPy
    # backend (and kerasx) rounds them up
    c = RNG.uniform(-6, 9, (3, 4, 6)).astype("float32")
    for mode in ("constant", "nearest", "wrap", "mirror", "reflect"):
        for order in (0, 1):
            ref = jnd.map_coordinates(x, list(c), order, mode=mode, cval=0.25)
            got = _np(image.map_coordinates(x, c, order, mode, 0.25))
            np.testing.assert_allclose(got, np.asarray(ref), atol=1e-5, err_msg=f"{mode} {order}")


def test_filters_match_scipy(engine):
    ndimage = pytest.importorskip("scipy.ndimage")
    x = RNG.standard_normal((2, 6, 7, 3))

    def g(n, s):
        v = np.exp(-0.5 * ((np.arange(n) - (n - 1) / 2) / s) ** 2)
        return v / v.sum()

    blurred = _np(image.gaussian_blur(x, (3, 5), (1.0, 2.0)))
    k2 = np.outer(g(5, 2.0), g(3, 1.0))  # rows use the second entries, columns the first
    ref = np.stack(
        [
            [ndimage.correlate(x[b, :, :, c], k2, mode="constant") for c in range(3)]
            for b in range(2)
        ]
    ).transpose(0, 2, 3, 1)
    np.testing.assert_allclose(blurred, ref, rtol=1e-10, atol=1e-12)

    sob = _np(image.sobel_edges(x))
    ky = np.array([[-1.0, -2.0, -1.0], [0.0, 0.0, 0.0], [1.0, 2.0, 1.0]])
    for i, k in enumerate((ky, ky.T)):
        ref = np.stack(
            [
                [ndimage.correlate(x[b, :, :, c], k, mode="nearest") for c in range(3)]
                for b in range(2)
            ]
        ).transpose(0, 2, 3, 1)
        np.testing.assert_allclose(sob[..., i], ref, rtol=1e-10, atol=1e-10)


def test_colour_round_trip_and_known_values(engine):
    rgb = RNG.uniform(0, 1, (2, 3, 4, 3)).astype("float32")
    hsv = image.rgb_to_hsv(rgb)
    np.testing.assert_allclose(_np(image.hsv_to_rgb(hsv)), rgb, atol=1e-5)
    pure = np.array([[[1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5]]], "float32")
    np.testing.assert_allclose(
        _np(image.rgb_to_hsv(pure)),
        [[[0, 1, 1], [1 / 3, 1, 1], [2 / 3, 1, 1], [0, 0, 0.5]]],
        atol=1e-6,
    )
    gray = _np(image.rgb_to_grayscale(pure))
    np.testing.assert_allclose(gray[..., 0], [[0.2989, 0.587, 0.114, 0.49995]], atol=1e-6)


def test_ssim_of_identical_images_is_one(engine):
    a = RNG.uniform(0, 1, (2, 12, 12, 3)).astype("float32")
    np.testing.assert_allclose(_np(image.ssim(a, a)), [1.0, 1.0], atol=1e-6)
    assert _np(image.ssim(a[0], a[0] * 0.5)).shape == ()


def test_extract_patches_matches_direct_slicing(engine):
    x = np.arange(2 * 6 * 7 * 2, dtype="float32").reshape(2, 6, 7, 2)
    p = _np(image.extract_patches(x, (2, 3), strides=(2, 2)))
    assert p.shape == (2, 3, 3, 12)
    np.testing.assert_array_equal(p[1, 2, 1], x[1, 4:6, 2:5, :].reshape(-1))
    v = np.arange(2 * 4 * 4 * 4, dtype="float32").reshape(1, 4, 4, 4, 2)
    q = _np(image.extract_patches_3d(v, 2))
    assert q.shape == (1, 2, 2, 2, 16)
    np.testing.assert_array_equal(q[0, 1, 0, 1], v[0, 2:4, 0:2, 2:4, :].reshape(-1))


def test_crop_and_pad_are_inverse(engine):
    x = RNG.standard_normal((2, 3, 4, 5)).astype("float32")
    padded = image.pad_images(x, 1, 2, 3, 0, data_format="channels_first")
    assert tuple(padded.shape) == (2, 3, 8, 7)
    back = image.crop_images(
        padded, 1, 2, target_height=4, target_width=5, data_format="channels_first"
    )
    np.testing.assert_array_equal(_np(back), x)


def test_default_data_format_comes_from_config():
    x = RNG.standard_normal((1, 2, 6, 6)).astype("float32")
    try:
        kerasx.config.set_image_data_format("channels_first")
        y = image.resize(x, (3, 3))
    finally:
        kerasx.config.set_image_data_format("channels_last")
    assert tuple(y.shape) == (1, 2, 3, 3)
    np.testing.assert_allclose(_np(y), _np(image.resize(x, (3, 3), data_format="channels_first")))


# -------------------------------------------------------------------- elastic_transform


def test_elastic_transform_properties(engine):
    x = RNG.uniform(0, 1, (2, 16, 12, 3)).astype("float32")
    same = _np(image.elastic_transform(x, alpha=0.0, seed=1))
    np.testing.assert_array_equal(same, x)
    a = _np(image.elastic_transform(x, alpha=8.0, sigma=2.0, seed=5))
    b = _np(image.elastic_transform(x, alpha=8.0, sigma=2.0, seed=5))
    c = _np(image.elastic_transform(x, alpha=8.0, sigma=2.0, seed=6))
    assert a.shape == x.shape and a.dtype == np.float32
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    assert not np.allclose(a, x)
    # bilinear resampling with "reflect" stays within the input range
    assert a.min() >= x.min() - 1e-6 and a.max() <= x.max() + 1e-6
    gen = kerasx.random.SeedGenerator(3)
    d = _np(image.elastic_transform(x, alpha=8.0, sigma=2.0, seed=gen))
    e = _np(image.elastic_transform(x, alpha=8.0, sigma=2.0, seed=gen))
    assert not np.allclose(d, e)  # the generator advances
    single = image.elastic_transform(x[0].transpose(2, 0, 1), seed=2, data_format="channels_first")
    assert tuple(single.shape) == (3, 16, 12)
    ints = image.elastic_transform((x * 255).astype("uint8"), seed=2, interpolation="nearest")
    assert standardize_dtype(ints.dtype) == "uint8"


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: image.resize(x, (3, 3), interpolation="area"), "interpolation"),
        (lambda x: image.resize(x, (3, 3, 1)), "size"),
        (
            lambda x: image.resize(x, (3, 3), crop_to_aspect_ratio=True, pad_to_aspect_ratio=True),
            "aspect_ratio",
        ),
        (lambda x: image.resize(x, (3, 3), fill_mode="reflect"), "fill_mode"),
        (lambda x: image.resize(x[0, 0], (3, 3)), "images"),
        (lambda x: image.resize(x, (3, 3), data_format="channels_middle"), "data_format"),
        (lambda x: image.crop_images(x, top_cropping=1), "top_cropping"),
        (lambda x: image.crop_images(x, -1, 0, 0, 0), "top_cropping"),
        (lambda x: image.crop_images(x, 2, 0, target_height=4, target_width=3), "bottom_cropping"),
        (lambda x: image.pad_images(x, 1, 1, 1, 1, target_height=9), "target_height"),
        (
            lambda x: image.pad_images(
                x, top_padding=3, target_height=4, left_padding=0, right_padding=0
            ),
            "bottom_padding",
        ),
        (lambda x: image.map_coordinates(x, np.zeros((4, 2)), 2), "order"),
        (lambda x: image.map_coordinates(x, np.zeros((4, 2)), 1, fill_mode="edge"), "fill_mode"),
        (lambda x: image.map_coordinates(x, np.zeros((2, 2)), 1), "coordinates"),
        (lambda x: image.affine_transform(x, np.zeros(6)), "transform"),
        (
            lambda x: image.affine_transform(x, np.zeros(8), interpolation="bicubic"),
            "interpolation",
        ),
        (
            lambda x: image.perspective_transform(x, np.zeros((3, 2)), np.zeros((4, 2))),
            "start_points",
        ),
        (lambda x: image.rgb_to_grayscale(x), "images"),
        (lambda x: image.rgb_to_hsv(x[..., :3].astype("int32")), "dtype"),
        (lambda x: image.gaussian_blur(x, sigma=(0.0, 1.0)), "sigma"),
        (lambda x: image.gaussian_blur(x, kernel_size=(0, 3)), "kernel_size"),
        (lambda x: image.extract_patches(x, 2, padding="full"), "padding"),
        (lambda x: image.ssim(x, x[:, :4]), "same shape"),
        (lambda x: image.ssim(x, x), "filter_size"),
        (
            lambda x: image.scale_and_translate(
                x, (2, 3, 3, 4), [1.0, 1.0], [0.0, 0.0], (1, 2), "nearest"
            ),
            "method",
        ),
        (lambda x: image.elastic_transform(x, sigma=0.0), "sigma"),
    ],
)
def test_bad_arguments_raise_value_errors_naming_them(call, match):
    x = RNG.standard_normal((2, 5, 6, 4)).astype("float32")
    with pytest.raises(ValueError, match=match):
        call(x)


# ------------------------------------------------------------------ symbolic and dtypes


def test_symbolic_shapes():
    x = KerasTensor((None, 8, 10, 3), "float32")
    assert image.resize(x, (4, 5)).shape == (None, 4, 5, 3)
    assert image.extract_patches(x, 2).shape == (None, 4, 5, 12)
    assert image.rgb_to_grayscale(x).shape == (None, 8, 10, 1)
    assert image.sobel_edges(x).shape == (None, 8, 10, 3, 2)
    assert image.crop_images(x, 1, 1, 1, 1).shape == (None, 6, 8, 3)
    assert image.pad_images(x, 1, 1, 1, 1).shape == (None, 10, 12, 3)
    assert image.gaussian_blur(x).shape == (None, 8, 10, 3)


def test_float64_is_kept(engine):
    x = RNG.uniform(0, 1, (1, 4, 4, 3))
    for fn in (
        lambda: image.resize(x, (2, 3)),
        lambda: image.rgb_to_hsv(x),
        lambda: image.gaussian_blur(x),
        lambda: image.affine_transform(x, np.array([1, 0, 0.5, 0, 1, 0, 0, 0.0])),
    ):
        assert standardize_dtype(fn().dtype) == "float64"


# ---------------------------------------------------------------- gradients and jit


def test_resize_gradient_matches_jax_autodiff_of_jax_image():
    jax = pytest.importorskip("jax")
    from kerasx.engine.autodiff import value_and_grad

    x = RNG.standard_normal((1, 5, 6, 2))
    ct = RNG.standard_normal((1, 3, 8, 2))
    for ours_name, jax_name in (("bilinear", "linear"), ("bicubic", "cubic")):

        def loss(v, name=ours_name):
            return ops.sum(ops.multiply(image.resize(v, (3, 8), name, True), ct))

        _, g = value_and_grad(loss)(x)
        ref = jax.grad(lambda v, m=jax_name: (jax.image.resize(v, (1, 3, 8, 2), m) * ct).sum())(x)
        np.testing.assert_allclose(_np(g), np.asarray(ref), rtol=1e-6, atol=1e-9)


def test_warps_run_under_jax_jit():
    if not HAS_JAX:
        pytest.skip("JAX is not installed")
    import jax

    x = RNG.standard_normal((2, 6, 7, 3)).astype("float32")
    t = np.array([[0.9, 0.1, 0.3, -0.1, 1.1, 0.2, 0, 0]] * 2, "float32")
    kerasx.config.set_backend("jax")
    try:
        f = jax.jit(
            lambda a, b: image.affine_transform(image.resize(a, (8, 9)), b, fill_mode="wrap")
        )
        eager = image.affine_transform(image.resize(x, (8, 9)), t, fill_mode="wrap")
        np.testing.assert_allclose(np.asarray(f(x, t)), np.asarray(eager), rtol=1e-6, atol=1e-6)
    finally:
        kerasx.config.set_backend("numpy")
