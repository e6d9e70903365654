"""`kerasx.preprocessing`: the names of ``keras.preprocessing`` and its image helpers."""

from __future__ import annotations

import importlib.util
import os

import numpy as np
import pytest

import kerasx
from kerasx import preprocessing
from kerasx.preprocessing import image, sequence

HAS_PIL = importlib.util.find_spec("PIL") is not None


def keras_listing():
    here = os.path.dirname(os.path.abspath(__file__))
    for root in (os.path.join(here, "..", "..", "..", "shared"), os.environ.get("KERAS_API", "")):
        path = os.path.join(root, "keras_api", "keras.preprocessing.txt")
        if os.path.exists(path):
            with open(path) as f:
                return {line.split("\t")[0] for line in f if line.strip() and line[0] != "#"}
    pytest.skip("the keras_api listing is not available here")


def test_names_follow_keras():
    assert "preprocessing" in kerasx.__all__ and kerasx.preprocessing is preprocessing
    missing = keras_listing() - set(dir(preprocessing))
    assert not missing
    assert preprocessing.text_dataset_from_directory is kerasx.utils.text_dataset_from_directory
    assert preprocessing.image_dataset_from_directory is kerasx.utils.image_dataset_from_directory
    assert preprocessing.timeseries_dataset_from_array is kerasx.utils.timeseries_dataset_from_array
    assert sequence.pad_sequences is kerasx.utils.pad_sequences
    for name in ("array_to_img", "img_to_array", "load_img", "save_img"):
        assert getattr(image, name) is getattr(kerasx.utils, name)


def test_submodule_names_match_keras():
    keras = pytest.importorskip("keras")
    import keras.preprocessing.image as keras_image
    import keras.preprocessing.sequence as keras_sequence

    def public(module):
        return {n for n in dir(module) if not n.startswith("_")}

    assert public(image) >= public(keras_image)
    assert public(sequence) >= public(keras_sequence)
    assert keras.__version__


def test_img_to_array():
    gray = np.arange(6).reshape(2, 3)
    out = image.img_to_array(gray)
    assert out.shape == (2, 3, 1) and out.dtype == np.float32
    assert image.img_to_array(gray, data_format="channels_first").shape == (1, 2, 3)
    rgb = np.arange(24).reshape(2, 3, 4)
    np.testing.assert_array_equal(
        image.img_to_array(rgb, data_format="channels_first", dtype="int32"),
        rgb.transpose(2, 0, 1),
    )
    with pytest.raises(ValueError, match="rank 2 or 3"):
        image.img_to_array(np.zeros(4))
    with pytest.raises(ValueError, match="`data_format`"):
        image.img_to_array(gray, data_format="nhwc")


def test_smart_resize_closed_form():
    x = np.arange(4 * 8 * 1, dtype="float32").reshape(4, 8, 1)
    # a square target crops the centered 4x4 block, which nearest resizing keeps as is
    out = image.smart_resize(x, (4, 4), interpolation="nearest")
    assert isinstance(out, np.ndarray) and out.shape == (4, 4, 1)
    np.testing.assert_array_equal(out, x[:, 2:6])
    batch = np.stack([x, x + 1])
    assert image.smart_resize(batch, (2, 2)).shape == (2, 2, 2, 1)
    first = np.moveaxis(batch, -1, 1)
    assert image.smart_resize(first, (3, 3), data_format="channels_first").shape == (2, 1, 3, 3)
    with pytest.raises(ValueError, match="`size`"):
        image.smart_resize(x, (4,))
    with pytest.raises(ValueError, match="one image"):
        image.smart_resize(np.zeros((4, 4)), (2, 2))
    with pytest.raises(TypeError, match="unexpected keyword"):
        image.smart_resize(x, (2, 2), antialias=True)


@pytest.mark.parametrize("interpolation", ["bilinear", "nearest"])
@pytest.mark.parametrize(
    ("shape", "size", "data_format"),
    [
        ((7, 12, 3), (5, 5), "channels_last"),
        ((2, 9, 4, 1), (6, 3), "channels_last"),
        ((3, 10, 6), (4, 8), "channels_first"),
    ],
)
def test_smart_resize_matches_keras(shape, size, data_format, interpolation):
    keras = pytest.importorskip("keras")
    if keras.backend.backend() != "numpy":
        pytest.skip("compared on Keras's numpy backend")
    x = np.random.RandomState(0).uniform(size=shape).astype("float32")
    want = keras.preprocessing.image.smart_resize(
        x, size, interpolation=interpolation, data_format=data_format
    )
    got = image.smart_resize(x, size, interpolation=interpolation, data_format=data_format)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


@pytest.mark.skipif(HAS_PIL, reason="Pillow is installed")
def test_pillow_functions_ask_for_pillow(tmp_path):
    with pytest.raises(ImportError, match="pip install pillow"):
        image.array_to_img(np.zeros((2, 2, 3)))
    with pytest.raises(ImportError, match="pip install pillow"):
        image.save_img(str(tmp_path / "x.png"), np.zeros((2, 2, 3)))
    (tmp_path / "x.png").write_bytes(b"")
    with pytest.raises(ImportError, match="pip install pillow"):
        image.load_img(str(tmp_path / "x.png"))
    # argument errors come first, without Pillow
    with pytest.raises(ValueError, match="`color_mode`"):
        image.load_img(str(tmp_path / "x.png"), color_mode="cmyk")
    with pytest.raises(TypeError, match="`path`"):
        image.load_img(3)


@pytest.mark.skipif(not HAS_PIL, reason="Pillow is not installed")
def test_pillow_round_trip(tmp_path):
    x = np.random.RandomState(1).randint(0, 256, size=(4, 5, 3)).astype("float32")
    image.save_img(str(tmp_path / "x.png"), x, scale=False)
    img = image.load_img(str(tmp_path / "x.png"))
    np.testing.assert_array_equal(image.img_to_array(img), x)
    assert image.load_img(str(tmp_path / "x.png"), target_size=(2, 2)).size == (2, 2)
    assert image.array_to_img(x[:, :, :1]).mode == "L"
