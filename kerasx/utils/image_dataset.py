"""`image_dataset_from_directory`: a `PyDataset` of image batches read from a directory tree.

Files, labels, shuffling and the validation split follow the rules shared with
`text_dataset_from_directory` (`kerasx.utils.directory_datasets`). The files are decoded with
Pillow, which kerasx does not install (``pip install pillow``): it is imported on the first
call. Resizing uses `kerasx.ops.image.resize` without antialiasing, the resampling of
TensorFlow's ``tf.image.resize`` that Keras applies.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

from kerasx import config
from kerasx.utils.directory_datasets import (
    _check_format,
    _check_labels_args,
    _directory_datasets,
)

_IMAGE_FORMATS = (".bmp", ".gif", ".jpeg", ".jpg", ".png")
_CHANNELS = {"grayscale": 1, "rgb": 3, "rgba": 4}
_PIL_MODES = {"grayscale": "L", "rgb": "RGB", "rgba": "RGBA"}
# Keras accepts these (TensorFlow's resize methods); kerasx's resize has the first five.
_INTERPOLATIONS = ("bilinear", "nearest", "bicubic", "lanczos3", "lanczos5")
_TF_ONLY = ("area", "gaussian", "mitchellcubic")


def _pil_image() -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            "`image_dataset_from_directory` decodes images with Pillow, which kerasx does not "
            "install. Install it with `pip install pillow`."
        ) from None
    return Image


def _check_image_size(image_size: Any) -> tuple[int, int]:
    ok = isinstance(image_size, (list, tuple)) and len(image_size) == 2
    if ok:
        ok = all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) and v > 0
            for v in image_size
        )
    if not ok:
        raise ValueError(
            "`image_size` must be (height, width), two positive integers: every image is "
            f"resized to it. Received: image_size={image_size!r}"
        )
    return int(image_size[0]), int(image_size[1])


def _padded_box(height: int, width: int, target_h: int, target_w: int) -> tuple[int, ...]:
    """The size an image is resized to inside the target, and the offsets of the result, as
    ``tf.image.resize_with_pad`` computes them (scale to fit, centre, floor; in float32)."""
    f32 = np.float32
    h, w, th, tw = f32(height), f32(width), f32(target_h), f32(target_w)
    ratio = max(w / tw, h / th)
    new_h, new_w = h / ratio, w / ratio
    top = max(0, int(np.floor((th - new_h) / f32(2))))
    left = max(0, int(np.floor((tw - new_w) / f32(2))))
    return max(1, int(np.floor(new_h))), max(1, int(np.floor(new_w))), top, left


def _pixels(img: Any, color_mode: str) -> np.ndarray:
    """The pixels of a PIL image in `color_mode`, as a float32 (height, width, channels)
    array (grayscale images of 16 or 32 bits keep their values, as in Keras)."""
    img.seek(0)  # an animation's first frame, as Keras decodes it
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != _PIL_MODES[color_mode]:
        img = img.convert(_PIL_MODES[color_mode])
    pixels = np.asarray(img, dtype="float32")
    return pixels[:, :, None] if pixels.ndim == 2 else pixels


def _image_reader(
    color_mode: str,
    size: tuple[int, int],
    interpolation: str,
    crop_to_aspect_ratio: bool,
    pad_to_aspect_ratio: bool,
    data_format: str,
    format: str,
) -> Any:
    image_module = _pil_image()

    def resized(pixels: np.ndarray, out_size: tuple[int, int], **options: Any) -> np.ndarray:
        from kerasx import ops

        out = ops.image.resize(
            pixels, out_size, interpolation=interpolation, data_format="channels_last", **options
        )
        return np.asarray(ops.convert_to_numpy(out), dtype="float32")

    def read(path: str) -> np.ndarray:
        with open(path, "rb") as f:
            data = f.read()
        try:
            with image_module.open(io.BytesIO(data)) as img:
                pixels = _pixels(img, color_mode)
        except (OSError, ValueError) as e:
            raise ValueError(f"Could not decode the image file {path!r}: {e}") from None
        if pad_to_aspect_ratio and format == "tf":
            # tf.image.resize_with_pad: scale to fit inside, then pad with zeros around it.
            new_h, new_w, top, left = _padded_box(*pixels.shape[:2], *size)
            image = np.zeros((*size, pixels.shape[2]), dtype="float32")
            image[top : top + new_h, left : left + new_w] = resized(pixels, (new_h, new_w))
        else:
            # Keras's grain loader: pad (or crop) to the aspect ratio, then resize.
            image = resized(
                pixels,
                size,
                crop_to_aspect_ratio=crop_to_aspect_ratio,
                pad_to_aspect_ratio=pad_to_aspect_ratio,
            )
        if data_format == "channels_first":
            image = np.ascontiguousarray(image.transpose(2, 0, 1))
        return image

    return read


def image_dataset_from_directory(
    directory: str | os.PathLike,
    labels: str | Sequence[int] | None = "inferred",
    label_mode: str | None = "int",
    class_names: Sequence[str] | None = None,
    color_mode: str = "rgb",
    batch_size: int | None = 32,
    image_size: tuple[int, int] = (256, 256),
    shuffle: bool = True,
    seed: int | None = None,
    validation_split: float | None = None,
    subset: str | None = None,
    interpolation: str = "bilinear",
    follow_links: bool = False,
    crop_to_aspect_ratio: bool = False,
    pad_to_aspect_ratio: bool = False,
    data_format: str | None = None,
    format: str = "tf",
    verbose: bool = True,
) -> Any:
    """Make a dataset of `(images, labels)` batches from the image files under a directory.

    The files (``.bmp``, ``.gif``, ``.jpeg``, ``.jpg``, ``.png``; the first frame of an
    animation) are listed, labelled, shuffled and split by the rules of
    `text_dataset_from_directory`: with ``labels="inferred"`` each subdirectory is a class.
    Each image is decoded with Pillow, converted to `color_mode` (Pillow's conversions: a
    colour image read as grayscale uses the ITU-R 601-2 luma weights, so it can differ by a
    level from TensorFlow's decoder) and resized to `image_size` without antialiasing, as
    Keras's ``tf.image.resize`` does. Pixel values stay in ``[0, 255]``, as float32.

    Unlike Keras 3, which returns a `tf.data.Dataset` (or a grain dataset), this returns an
    `ArrayDataset` (a `PyDataset` that `fit` accepts) that reads the files batch by batch.

    Args:
        directory: the root directory.
        labels: ``"inferred"``, None, or a list/tuple of integer labels, one per file in the
            sorted listing order.
        label_mode: ``"int"``, ``"categorical"``, ``"binary"`` or None (images only).
        class_names: with ``labels="inferred"``, the subdirectories to use, in label order.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"`` (1, 3 or 4 channels).
        batch_size: images per batch, or None for single images.
        image_size: ``(height, width)`` every image is resized to.
        shuffle: shuffle the files (False: the sorted listing order).
        seed: the shuffle seed (required with `validation_split` when shuffling).
        validation_split: the fraction of the files reserved for validation.
        subset: ``"training"``, ``"validation"`` or ``"both"`` (a list of two); only with
            `validation_split`.
        interpolation: ``"bilinear"``, ``"nearest"``, ``"bicubic"``, ``"lanczos3"`` or
            ``"lanczos5"`` (TensorFlow's ``"area"``, ``"gaussian"`` and ``"mitchellcubic"``
            are not available).
        follow_links: descend into symbolic links to directories.
        crop_to_aspect_ratio: resize the largest centred crop with the aspect ratio of
            `image_size`, instead of stretching the image.
        pad_to_aspect_ratio: resize the image to fit inside `image_size` keeping its aspect
            ratio, and pad it with zeros to `image_size`, centred.
        data_format: ``"channels_last"`` or ``"channels_first"`` (None: the global setting).
        format: ``"tf"`` or ``"grain"``; the result is an `ArrayDataset` either way.
        verbose: print how many files and classes were found.

    Returns:
        An `ArrayDataset` with `class_names` and `file_paths` attributes, or a list of two for
        ``subset="both"``. Batches of images are float32 arrays of shape ``(batch, height,
        width, channels)`` (channels first with ``data_format="channels_first"``).
    """
    _check_labels_args(labels, class_names, label_mode, "image")
    _check_format(format)
    if color_mode not in _CHANNELS:
        raise ValueError(
            'Received an invalid value for `color_mode`, expected "grayscale", "rgb" or '
            f'"rgba". Received: color_mode={color_mode!r}'
        )
    size = _check_image_size(image_size)
    if isinstance(interpolation, str):
        interpolation = interpolation.lower()
    if interpolation in _TF_ONLY:
        raise ValueError(
            f"`interpolation={interpolation!r}` is one of TensorFlow's resize methods, which "
            f"kerasx does not have. Use one of {_INTERPOLATIONS}."
        )
    if interpolation not in _INTERPOLATIONS:
        raise ValueError(
            f"Received an invalid value for `interpolation`, expected one of "
            f"{_INTERPOLATIONS}. Received: interpolation={interpolation!r}"
        )
    if crop_to_aspect_ratio and pad_to_aspect_ratio:
        raise ValueError(
            "Only one of `crop_to_aspect_ratio` and `pad_to_aspect_ratio` can be True. "
            "Received: crop_to_aspect_ratio=True, pad_to_aspect_ratio=True"
        )
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            'Received an invalid value for `data_format`, expected "channels_last" or '
            f'"channels_first". Received: data_format={data_format!r}'
        )
    read = _image_reader(
        color_mode,
        size,
        interpolation,
        crop_to_aspect_ratio,
        pad_to_aspect_ratio,
        data_format,
        format,
    )
    result = _directory_datasets(
        "image",
        _IMAGE_FORMATS,
        directory,
        labels,
        label_mode,
        class_names,
        batch_size,
        shuffle,
        seed,
        validation_split,
        subset,
        follow_links,
        verbose,
        read,
        np.stack,
    )
    return list(result) if isinstance(result, tuple) else result
