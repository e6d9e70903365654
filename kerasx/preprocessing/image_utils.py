"""Image helpers of ``keras.preprocessing.image``: PIL conversions, loading, saving, resizing.

`array_to_img`, `load_img` and `save_img` work on PIL images; Pillow is not a kerasx
dependency, so they import it when called and ask for ``pip install pillow`` when it is
missing. `img_to_array` and `smart_resize` need no Pillow.
"""

from __future__ import annotations

import io
import os
import pathlib
import warnings
from typing import Any

import numpy as np

from kerasx import config

_RESAMPLING = ("nearest", "bilinear", "bicubic", "hamming", "box", "lanczos")


def _pil_image(function: str) -> Any:
    try:
        from PIL import Image
    except ImportError:
        raise ImportError(
            f"`{function}` needs Pillow, which kerasx does not install. Install it with "
            "`pip install pillow`."
        ) from None
    return Image


def _data_format(data_format: str | None) -> str:
    data_format = config.image_data_format() if data_format is None else data_format
    if data_format not in ("channels_last", "channels_first"):
        raise ValueError(
            'Received an invalid value for `data_format`, expected "channels_last" or '
            f'"channels_first". Received: data_format={data_format!r}'
        )
    return data_format


def array_to_img(
    x: Any, data_format: str | None = None, scale: bool = True, dtype: Any = None
) -> Any:
    """Turn a 3D array (one image) into a PIL image.

    Args:
        x: an array-like of rank 3: ``(height, width, channels)`` or channels first.
        data_format: ``"channels_last"`` or ``"channels_first"`` (None: the global setting).
        scale: shift and scale the values so that they span ``[0, 255]``.
        dtype: the working dtype (None: `floatx`).

    Returns:
        A PIL image: mode ``"RGBA"``, ``"RGB"`` or ``"L"`` for 4, 3 or 1 channels (``"I"``
        for one channel with values over 255).
    """
    data_format = _data_format(data_format)
    dtype = config.floatx() if dtype is None else dtype
    image_module = _pil_image("array_to_img")
    x = np.array(x, dtype=dtype)
    if x.ndim != 3:
        raise ValueError(
            "`array_to_img` converts one image: expected an array of rank 3, "
            f"(height, width, channels) or channels first. Received shape {x.shape}"
        )
    if data_format == "channels_first":
        x = np.transpose(x, (1, 2, 0))
    if scale:
        x = x - x.min()
        top = x.max()
        if top != 0:
            x = x / top
        x = x * 255
    channels = x.shape[2]
    if channels in (3, 4):
        return image_module.fromarray(x.astype("uint8"), "RGB" if channels == 3 else "RGBA")
    if channels == 1:
        if x.max() > 255:
            return image_module.fromarray(x[:, :, 0].astype("int32"), "I")
        return image_module.fromarray(x[:, :, 0].astype("uint8"), "L")
    raise ValueError(
        f"`array_to_img` handles 1, 3 or 4 channels. Received an image with {channels} "
        f"channels (shape {x.shape})."
    )


def img_to_array(img: Any, data_format: str | None = None, dtype: Any = None) -> np.ndarray:
    """Turn a PIL image (or any array-like image) into a 3D NumPy array.

    Args:
        img: a PIL image, or an array-like of rank 2 (grayscale) or 3.
        data_format: ``"channels_last"`` or ``"channels_first"`` (None: the global setting).
        dtype: the dtype of the result (None: `floatx`).

    Returns:
        A rank-3 array, ``(height, width, channels)`` or ``(channels, height, width)``;
        a rank-2 image gets a channel axis of size 1.
    """
    data_format = _data_format(data_format)
    dtype = config.floatx() if dtype is None else dtype
    x = np.asarray(img, dtype=dtype)
    if x.ndim == 3:
        return np.transpose(x, (2, 0, 1)) if data_format == "channels_first" else x
    if x.ndim == 2:
        return x[None] if data_format == "channels_first" else x[:, :, None]
    raise ValueError(f"`img_to_array` expects an image of rank 2 or 3. Received shape {x.shape}")


def save_img(
    path: Any,
    x: Any,
    data_format: str | None = None,
    file_format: str | None = None,
    scale: bool = True,
    **kwargs: Any,
) -> None:
    """Save an array as an image file (through Pillow).

    Args:
        path: a path or a file object.
        x: the image, an array of rank 3.
        data_format: ``"channels_last"`` or ``"channels_first"`` (None: the global setting).
        file_format: the image format (e.g. ``"png"``); None: taken from the path's
            extension (required for file objects).
        scale: rescale the values to span ``[0, 255]``.
        **kwargs: passed on to ``PIL.Image.Image.save``.
    """
    data_format = _data_format(data_format)
    if file_format is None and isinstance(path, (str, os.PathLike)):
        file_format = pathlib.Path(path).suffix[1:].lower()
    if file_format and file_format.lower() == "jpg":
        file_format = "jpeg"
    img = array_to_img(x, data_format=data_format, scale=scale)
    if img.mode == "RGBA" and file_format == "jpeg":
        warnings.warn("JPEG cannot store an alpha channel; saving the image as RGB.", stacklevel=2)
        img = img.convert("RGB")
    img.save(path, format=file_format or None, **kwargs)


def load_img(
    path: Any,
    color_mode: str = "rgb",
    target_size: tuple[int, int] | None = None,
    interpolation: str = "nearest",
    keep_aspect_ratio: bool = False,
) -> Any:
    """Load an image file as a PIL image (through Pillow).

    Args:
        path: a path (str, bytes or `pathlib.Path`) or an `io.BytesIO`.
        color_mode: ``"grayscale"``, ``"rgb"`` or ``"rgba"``.
        target_size: None (keep the size) or ``(height, width)``.
        interpolation: the resampling filter when resizing: ``"nearest"``, ``"bilinear"``,
            ``"bicubic"``, ``"hamming"``, ``"box"`` or ``"lanczos"``.
        keep_aspect_ratio: resize the largest centered crop with the target's aspect ratio
            instead of stretching the whole image.

    Returns:
        A PIL image.
    """
    if color_mode not in ("grayscale", "rgb", "rgba"):
        raise ValueError(
            'Received an invalid value for `color_mode`, expected "grayscale", "rgb" or '
            f'"rgba". Received: color_mode={color_mode!r}'
        )
    if not isinstance(path, (io.BytesIO, str, bytes, os.PathLike)):
        raise TypeError(
            f"`path` must be a path (str, bytes, pathlib.Path) or an io.BytesIO. Received an "
            f"object of type {type(path)}"
        )
    image_module = _pil_image("load_img")
    if isinstance(path, io.BytesIO):
        img = image_module.open(path)
    else:
        with open(path, "rb") as f:
            img = image_module.open(io.BytesIO(f.read()))
    if color_mode == "grayscale":
        if img.mode not in ("L", "I;16", "I"):
            img = img.convert("L")
    elif img.mode != color_mode.upper():
        img = img.convert(color_mode.upper())
    if target_size is None:
        return img
    wanted = (int(target_size[1]), int(target_size[0]))
    if img.size == wanted:
        return img
    if interpolation not in _RESAMPLING:
        raise ValueError(
            f"Received an invalid value for `interpolation`, expected one of {_RESAMPLING}. "
            f"Received: interpolation={interpolation!r}"
        )
    resampling = getattr(image_module, "Resampling", image_module)
    resample = getattr(resampling, interpolation.upper())
    if not keep_aspect_ratio:
        return img.resize(wanted, resample)
    width, height = img.size
    crop_h = min(height, (width * wanted[1]) // wanted[0])
    crop_w = min(width, (height * wanted[0]) // wanted[1])
    top, left = (height - crop_h) // 2, (width - crop_w) // 2
    return img.resize(wanted, resample, box=[left, top, left + crop_w, top + crop_h])


def smart_resize(
    x: Any,
    size: tuple[int, int],
    interpolation: str = "bilinear",
    data_format: str = "channels_last",
    **kwargs: Any,
) -> Any:
    """Resize images to `size` without distorting them: crop to the aspect ratio, then resize.

    The largest centered crop with the aspect ratio of `size` is cut out of each image and
    resized to `size` with `kerasx.ops.image.resize`.

    Args:
        x: one image ``(height, width, channels)`` or a batch ``(batch, height, width,
            channels)`` (channels first with ``data_format="channels_first"``); an array or
            a tensor.
        size: ``(height, width)`` of the result.
        interpolation: the resize interpolation (``"bilinear"``, ``"nearest"``,
            ``"bicubic"``, ``"lanczos3"``, ``"lanczos5"``, ...).
        data_format: ``"channels_last"`` or ``"channels_first"``.
        **kwargs: accepted for Keras compatibility (``backend_module``); ignored.

    Returns:
        The resized images: a NumPy array for a NumPy input, else a tensor.
    """
    from kerasx import ops

    kwargs.pop("backend_module", None)
    if kwargs:
        raise TypeError(f"smart_resize() got unexpected keyword arguments: {list(kwargs)}")
    if len(size) != 2:
        raise ValueError(f"`size` must be (height, width), two integers. Received: size={size!r}")
    img = ops.convert_to_tensor(x)
    rank = len(img.shape)
    if rank not in (3, 4):
        raise ValueError(
            "`smart_resize` expects one image (height, width, channels) or a batch (batch, "
            f"height, width, channels). Received a tensor of shape {tuple(img.shape)}"
        )
    h_axis = rank - 3 if data_format == "channels_last" else rank - 2
    height, width = int(img.shape[h_axis]), int(img.shape[h_axis + 1])
    target_h, target_w = size
    crop_h = max(min(height, int(float(width * target_h) / target_w)), 1)
    crop_w = max(min(width, int(float(height * target_w) / target_h)), 1)
    top, left = int((height - crop_h) / 2), int((width - crop_w) / 2)
    index = [slice(None)] * rank
    index[h_axis] = slice(top, top + crop_h)
    index[h_axis + 1] = slice(left, left + crop_w)
    img = img[tuple(index)]
    out = ops.image.resize(img, size=size, interpolation=interpolation, data_format=data_format)
    if isinstance(x, np.ndarray):
        return np.array(ops.convert_to_numpy(out))
    return out
