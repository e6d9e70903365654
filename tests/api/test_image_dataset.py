"""`image_dataset_from_directory`: closed-form pixel checks and parity with Keras's loader.

The images are PNG files written with Pillow (so the decoded pixels are exact). Keras's
``format="tf"`` path needs TensorFlow, but its ``format="grain"`` image loader needs only
Pillow and Keras's ops: single images are compared with it when Keras is installed.
"""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import kerasx
from kerasx.utils import image_dataset_from_directory

HAS_PIL = importlib.util.find_spec("PIL") is not None
needs_pil = pytest.mark.skipif(not HAS_PIL, reason="Pillow is not installed")


def write_png(path, pixels):
    from PIL import Image

    pixels = np.asarray(pixels, dtype="uint8")
    mode = {2: "L", 3: "RGB", 4: "RGBA"}[pixels.ndim if pixels.ndim == 2 else pixels.shape[2]]
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(pixels, mode=mode).save(path)


def rgb(height, width, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), dtype="uint8")


def one_image(root, pixels, **kwargs):
    """The single image of a one-file directory, as the dataset serves it."""
    write_png(root / "c" / "img.png", pixels)
    ds = image_dataset_from_directory(root, batch_size=None, verbose=False, **kwargs)
    image, label = ds[0] if not isinstance(ds[0], np.ndarray) else (ds[0], None)
    return np.asarray(image)


@pytest.mark.skipif(HAS_PIL, reason="Pillow is installed")
def test_asks_for_pillow(tmp_path):
    (tmp_path / "a").mkdir()
    with pytest.raises(ImportError, match="pip install pillow"):
        image_dataset_from_directory(tmp_path)


@needs_pil
def test_classes_labels_and_batches(tmp_path, capsys):
    for c, n in (("cat", 3), ("dog", 2)):
        for i in range(n):
            write_png(tmp_path / c / f"{i}.png", rgb(5, 7, seed=i))
    (tmp_path / "cat" / "notes.txt").write_text("not an image")
    ds = image_dataset_from_directory(tmp_path, batch_size=2, image_size=(4, 6), shuffle=False)
    assert capsys.readouterr().out == "Found 5 files belonging to 2 classes.\n"
    assert ds.class_names == ["cat", "dog"]
    batches = list(ds)
    assert [b[0].shape for b in batches] == [(2, 4, 6, 3), (2, 4, 6, 3), (1, 4, 6, 3)]
    assert all(b[0].dtype == np.float32 for b in batches)
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), [0, 0, 0, 1, 1])
    cat = image_dataset_from_directory(
        tmp_path, label_mode="categorical", image_size=(4, 6), shuffle=False, verbose=False
    )
    np.testing.assert_array_equal(next(iter(cat))[1], np.eye(2, dtype="float32")[[0, 0, 0, 1, 1]])


@needs_pil
def test_same_size_keeps_the_pixels(tmp_path):
    pixels = rgb(5, 7)
    np.testing.assert_array_equal(one_image(tmp_path, pixels, image_size=(5, 7)), pixels)


@needs_pil
def test_bilinear_halving_averages_pixel_pairs(tmp_path):
    # Without antialiasing, output pixel i of a 2x downscale samples input coordinate 2i + 0.5:
    # the mean of input pixels 2i and 2i + 1 along each axis.
    pixels = rgb(4, 6).astype("float64")
    got = one_image(tmp_path, pixels.astype("uint8"), image_size=(2, 3))
    want = pixels.reshape(2, 2, 3, 2, 3).mean(axis=(1, 3))
    np.testing.assert_allclose(got, want, rtol=1e-6)


@needs_pil
@pytest.mark.parametrize(("color_mode", "channels"), [("grayscale", 1), ("rgb", 3), ("rgba", 4)])
def test_color_modes_and_channels_first(tmp_path, color_mode, channels):
    pixels = rgb(3, 5)
    last = one_image(tmp_path, pixels, image_size=(3, 5), color_mode=color_mode)
    assert last.shape == (3, 5, channels)
    if color_mode == "rgba":
        np.testing.assert_array_equal(last[..., :3], pixels)
        np.testing.assert_array_equal(last[..., 3], 255)
    if color_mode == "grayscale":  # Pillow's ITU-R 601-2 luma, rounded
        luma = pixels.astype("float64") @ np.array([0.299, 0.587, 0.114])
        assert np.abs(last[..., 0] - luma).max() <= 1.0
    first = image_dataset_from_directory(
        tmp_path,
        batch_size=None,
        image_size=(3, 5),
        color_mode=color_mode,
        data_format="channels_first",
        verbose=False,
    )[0][0]
    np.testing.assert_array_equal(first, last.transpose(2, 0, 1))


@needs_pil
def test_pad_to_aspect_ratio_tf_fits_then_pads(tmp_path):
    # tf.image.resize_with_pad: a 3x4 image into 4x4 keeps its size (ratio 1) and gets
    # floor((4 - 3) / 2) = 0 rows on top, so the last row is padding.
    pixels = rgb(3, 4)
    got = one_image(tmp_path, pixels, image_size=(4, 4), pad_to_aspect_ratio=True)
    np.testing.assert_array_equal(got[:3], pixels)
    np.testing.assert_array_equal(got[3], 0)
    # A 2x4 image into 4x4: one row of padding above and below.
    got = one_image(tmp_path, rgb(2, 4, seed=3), image_size=(4, 4), pad_to_aspect_ratio=True)
    np.testing.assert_array_equal(got[1:3], rgb(2, 4, seed=3))
    np.testing.assert_array_equal(got[[0, 3]], 0)


@needs_pil
def test_crop_to_aspect_ratio_takes_the_centre(tmp_path):
    pixels = rgb(4, 8)
    got = one_image(tmp_path, pixels, image_size=(4, 4), crop_to_aspect_ratio=True)
    np.testing.assert_array_equal(got, pixels[:, 2:6])


@needs_pil
@pytest.mark.parametrize(
    "options",
    [
        {"image_size": (3, 4)},
        {"image_size": (9, 5), "interpolation": "bicubic"},
        {"image_size": (4, 4), "interpolation": "nearest", "crop_to_aspect_ratio": True},
        {"image_size": (4, 4), "pad_to_aspect_ratio": True},
        {"image_size": (6, 3), "interpolation": "lanczos3", "color_mode": "grayscale"},
        {"image_size": (5, 5), "color_mode": "rgba", "data_format": "channels_first"},
    ],
)
def test_grain_images_match_keras(tmp_path, options):
    pytest.importorskip("keras")
    from keras.src.utils import image_dataset_utils

    options = dict(options)
    color_mode = options.pop("color_mode", "rgb")
    data_format = options.pop("data_format", "channels_last")
    pixels = rgb(6, 8, seed=5)
    ours = one_image(
        tmp_path, pixels, format="grain", color_mode=color_mode, data_format=data_format, **options
    )
    theirs = image_dataset_utils._load_image_grain(
        str(tmp_path / "c" / "img.png"),
        image_size=options["image_size"],
        num_channels={"grayscale": 1, "rgb": 3, "rgba": 4}[color_mode],
        interpolation=options.get("interpolation", "bilinear"),
        data_format=data_format,
        crop_to_aspect_ratio=options.get("crop_to_aspect_ratio", False),
        pad_to_aspect_ratio=options.get("pad_to_aspect_ratio", False),
    )
    np.testing.assert_allclose(ours, np.asarray(theirs), rtol=1e-5, atol=1e-3)


@needs_pil
def test_split_and_training(tmp_path):
    for c in ("a", "b"):
        for i in range(6):
            write_png(tmp_path / c / f"{i}.png", np.full((4, 4, 3), 40 if c == "a" else 200))
    train, val = image_dataset_from_directory(
        tmp_path,
        image_size=(4, 4),
        batch_size=4,
        validation_split=0.25,
        subset="both",
        seed=3,
        verbose=False,
    )
    assert len(train.file_paths) == 9 and len(val.file_paths) == 3
    assert not set(train.file_paths) & set(val.file_paths)
    model = kerasx.Sequential(
        [
            kerasx.Input((4, 4, 3)),
            kerasx.layers.Rescaling(1 / 255),
            kerasx.layers.Flatten(),
            kerasx.layers.Dense(2, activation="softmax"),
        ]
    )
    model.compile("adam", "sparse_categorical_crossentropy")
    before = model.get_weights()
    history = model.fit(train, validation_data=val, epochs=2, verbose=0)
    assert np.isfinite(history.history["val_loss"]).all()
    assert not np.allclose(before[0], model.get_weights()[0])


@needs_pil
def test_undecodable_file_names_the_path(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "broken.png").write_bytes(b"not a png")
    ds = image_dataset_from_directory(tmp_path, image_size=(2, 2), verbose=False)
    with pytest.raises(ValueError, match="broken.png"):
        ds[0]


@needs_pil
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"color_mode": "bgr"}, "color_mode"),
        ({"image_size": (4,)}, "image_size"),
        ({"image_size": (0, 4)}, "image_size"),
        ({"interpolation": "area"}, "TensorFlow"),
        ({"interpolation": "cubic"}, "interpolation"),
        ({"crop_to_aspect_ratio": True, "pad_to_aspect_ratio": True}, "Only one"),
        ({"data_format": "nhwc"}, "data_format"),
        ({"format": "torch"}, "format"),
        ({"validation_split": 0.2}, "subset"),
    ],
)
def test_bad_arguments(tmp_path, kwargs, match):
    write_png(tmp_path / "a" / "x.png", rgb(2, 2))
    with pytest.raises(ValueError, match=match):
        image_dataset_from_directory(tmp_path, verbose=False, **kwargs)


def test_exported_where_keras_has_it():
    assert kerasx.preprocessing.image_dataset_from_directory is image_dataset_from_directory
    assert os.path.basename(kerasx.utils.image_dataset_from_directory.__code__.co_filename) == (
        "image_dataset.py"
    )
