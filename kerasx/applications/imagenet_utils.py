"""Shared helpers of the ImageNet models: input preprocessing, decoding of predictions, and
the input-shape and classifier checks every family runs before it builds a model.

Public (as in `keras.applications.imagenet_utils`): `preprocess_input`, `decode_predictions`.
The others (`obtain_input_shape`, `correct_pad`, `validate_activation`) are for the family
modules, with the same signatures and semantics as Keras's internal helpers.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import numpy as np

from kerasx import activations, ops, utils
from kerasx.config import floatx, image_data_format

# The 1000 ImageNet classes ({"0": ["n01440764", "tench"], ...}), read once, on first use.
CLASS_INDEX: dict[str, list[str]] | None = None
CLASS_INDEX_PATH = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
_CLASS_INDEX_HASH = "c2c37ea517e94d9795004a39431a14cb"

_MODES = ("caffe", "tf", "torch")
_CAFFE_MEAN = (103.939, 116.779, 123.68)  # per channel, in BGR order
_TORCH_MEAN = (0.485, 0.456, 0.406)
_TORCH_STD = (0.229, 0.224, 0.225)

# Docstring pieces the family modules format into their own `preprocess_input` docs.
PREPROCESS_INPUT_DOC = """Prepare a batch of images for this family's ImageNet weights.

    Args:
        x: a float NumPy array or a tensor, 3-D (one image) or 4-D (a batch), with 3 color
            channels in RGB order and values in [0, 255]. A float NumPy array is updated in
            place; pass `numpy.copy(x)` to keep the original.
        data_format: "channels_last" or "channels_first"; None uses
            `keras.config.image_data_format()`.{mode}

    Returns:
        The preprocessed images (float32 for integer NumPy input).{ret}

    Raises:
        {error}
    """

PREPROCESS_INPUT_MODE_DOC = """
        mode: how to scale the values, one of:
            - "caffe" (default): RGB to BGR, then subtract the ImageNet mean of each channel.
            - "tf": scale to [-1, 1].
            - "torch": scale to [0, 1], then normalize each channel by the ImageNet mean
              and standard deviation."""

PREPROCESS_INPUT_DEFAULT_ERROR_DOC = """ValueError: `mode` or `data_format` is not one of the
            accepted values."""

PREPROCESS_INPUT_ERROR_DOC = """ValueError: `data_format` is not one of the accepted values."""

PREPROCESS_INPUT_RET_DOC_TF = """
        Values are scaled to [-1, 1]."""

PREPROCESS_INPUT_RET_DOC_TORCH = """
        Values are scaled to [0, 1], then each channel is normalized by the ImageNet mean
        and standard deviation."""

PREPROCESS_INPUT_RET_DOC_CAFFE = """
        Channels are reordered from RGB to BGR, then each is centered on its ImageNet mean
        (no scaling)."""


def preprocess_input(x: Any, data_format: str | None = None, mode: str = "caffe") -> Any:
    """Prepare a batch of images for ImageNet weights.

    Args:
        x: a float NumPy array or a tensor, 3-D (one image) or 4-D (a batch), with 3 color
            channels in RGB order and values in [0, 255]. A float NumPy array is updated in
            place; pass `numpy.copy(x)` to keep the original.
        data_format: "channels_last" or "channels_first"; None uses
            `keras.config.image_data_format()`.
        mode: "caffe" (RGB to BGR, minus the per-channel ImageNet mean), "tf" (scale to
            [-1, 1]) or "torch" (scale to [0, 1], then per-channel mean/std normalization).

    Returns:
        The preprocessed images (an integer NumPy array comes back as `floatx()`).

    Raises:
        ValueError: `mode` or `data_format` is not one of the accepted values.
    """
    if mode not in _MODES:
        raise ValueError(
            "Received an invalid value for `mode`, expected one of 'caffe', 'tf' or 'torch'. "
            f"Received: mode={mode!r}"
        )
    if data_format is None:
        data_format = image_data_format()
    elif data_format not in ("channels_first", "channels_last"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_first' or "
            f"'channels_last'. Received: data_format={data_format!r}"
        )
    if isinstance(x, np.ndarray):
        return _preprocess_numpy(x, data_format, mode)
    return _preprocess_tensor(x, data_format, mode)


def _mean_std(mode: str) -> tuple[tuple[float, ...], tuple[float, ...] | None]:
    if mode == "torch":
        return _TORCH_MEAN, _TORCH_STD
    return _CAFFE_MEAN, None


def _preprocess_numpy(x: np.ndarray, data_format: str, mode: str) -> np.ndarray:
    # Float arrays are worked on in place (as Keras does); others become floatx first.
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(floatx(), copy=False)
    if mode == "tf":
        x /= 127.5
        x -= 1.0
        return x
    if mode == "torch":
        x /= 255.0
    channels_first = data_format == "channels_first"
    if mode == "caffe":
        # RGB -> BGR as a reversed view, so the in-place updates below reach the caller's array.
        if channels_first:
            x = x[::-1, ...] if x.ndim == 3 else x[:, ::-1, ...]
        else:
            x = x[..., ::-1]
    mean, std = _mean_std(mode)
    for c in range(3):
        if channels_first:
            idx = (c,) if x.ndim == 3 else (slice(None), c)
        else:
            idx = (Ellipsis, c)
        x[idx] -= mean[c]
        if std is not None:
            x[idx] /= std[c]
    return x


def _preprocess_tensor(x: Any, data_format: str, mode: str) -> Any:
    ndim = len(x.shape)
    if mode == "tf":
        return x / 127.5 - 1.0
    if mode == "torch":
        x = x / 255.0
    channels_first = data_format == "channels_first"
    if channels_first:
        axis = 0 if ndim == 3 else 1
        shape = (3, 1, 1) if ndim == 3 else (1, 3) + (1,) * (ndim - 2)
    else:
        axis = ndim - 1
        shape = (1,) * (ndim - 1) + (3,)
    if mode == "caffe":
        parts = [ops.take(x, i, axis=axis) for i in (2, 1, 0)]
        x = ops.stack(parts, axis=axis)
    mean, std = _mean_std(mode)
    dtype = x.dtype
    x = x + ops.reshape(ops.convert_to_tensor(-np.asarray(mean), dtype=dtype), shape)
    if std is not None:
        std_shape = (-1, 1, 1) if channels_first else (3,)
        x = x / ops.reshape(ops.convert_to_tensor(np.asarray(std), dtype=dtype), std_shape)
    return x


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """Turn a batch of ImageNet class scores into readable top-k guesses.

    The class names come from the ImageNet class index (downloaded once through
    `keras.utils.get_file` into the "models" cache).

    Args:
        preds: an array or tensor of shape `(samples, 1000)`.
        top: how many guesses to return per sample.

    Returns:
        One list per sample of `(class_id, class_name, score)` tuples, best first.

    Raises:
        ValueError: `preds` is not of shape `(samples, 1000)`.
    """
    global CLASS_INDEX

    shape = tuple(preds.shape)
    if len(shape) != 2 or shape[1] != 1000:
        raise ValueError(
            "`decode_predictions` expects a batch of ImageNet predictions, a 2-D array of "
            f"shape (samples, 1000). Received an array of shape: {shape}"
        )
    if CLASS_INDEX is None:
        path = utils.get_file(
            "imagenet_class_index.json",
            CLASS_INDEX_PATH,
            cache_subdir="models",
            file_hash=_CLASS_INDEX_HASH,
        )
        with open(path) as f:
            CLASS_INDEX = json.load(f)
    results = []
    for row in ops.convert_to_numpy(preds):
        best = row.argsort()[-top:][::-1]
        guesses = [(*CLASS_INDEX[str(i)], row[i]) for i in best]
        guesses.sort(key=lambda g: g[2], reverse=True)
        results.append(guesses)
    return results


def obtain_input_shape(
    input_shape: tuple[int | None, ...] | None,
    default_size: int,
    min_size: int,
    data_format: str,
    require_flatten: bool,
    weights: str | None = None,
) -> tuple[int | None, ...]:
    """Work out (and check) the input shape of an ImageNet model, without the batch axis.

    Args:
        input_shape: None for the family's default, or the user's 3-tuple.
        default_size: the height and width the family is trained at.
        min_size: the smallest height and width the family accepts.
        data_format: "channels_last" or "channels_first".
        require_flatten: True when the classifier top is included (it needs a fixed size).
        weights: "imagenet" (3 channels, and the default size with the top), or anything
            else (no such constraint).

    Returns:
        The input shape, possibly with None for height and width.

    Raises:
        ValueError: the shape does not fit these constraints.
    """
    channels_first = data_format == "channels_first"
    if weights != "imagenet" and input_shape and len(input_shape) == 3:
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels not in (1, 3):
            warnings.warn(
                "This model is usually fed 1 or 3 input channels, but `input_shape` has "
                f"{channels}. Received: input_shape={input_shape}",
                stacklevel=2,
            )
        if channels_first:
            default_shape = (input_shape[0], default_size, default_size)
        else:
            default_shape = (default_size, default_size, input_shape[-1])
    elif channels_first:
        default_shape = (3, default_size, default_size)
    else:
        default_shape = (default_size, default_size, 3)

    if weights == "imagenet" and require_flatten:
        if input_shape is not None and input_shape != default_shape:
            raise ValueError(
                "With `include_top=True` and `weights='imagenet'`, `input_shape` must be "
                f"{default_shape} (or None). Received: input_shape={input_shape}"
            )
        return default_shape

    if input_shape:
        if len(input_shape) != 3:
            raise ValueError(
                "`input_shape` must be a tuple of three integers (height, width and channels "
                f"in the image data format). Received: input_shape={input_shape}"
            )
        channels = input_shape[0] if channels_first else input_shape[-1]
        if channels != 3 and weights == "imagenet":
            raise ValueError(
                f"ImageNet weights need 3 input channels. Received: input_shape={input_shape}"
            )
        spatial = input_shape[1:] if channels_first else input_shape[:2]
        if any(s is not None and s < min_size for s in spatial):
            raise ValueError(
                f"The input height and width must be at least {min_size}x{min_size}. "
                f"Received: input_shape={input_shape}"
            )
    elif require_flatten:
        input_shape = default_shape
    else:
        input_shape = (3, None, None) if channels_first else (None, None, 3)

    if require_flatten and None in input_shape:
        raise ValueError(
            "With `include_top=True` the input size must be fixed: give a static "
            f"`input_shape`. Received: input_shape={input_shape}"
        )
    return input_shape


def correct_pad(inputs: Any, kernel_size: int | tuple[int, int]) -> tuple[tuple[int, int], ...]:
    """Padding that makes a stride-2 "valid" convolution behave like TensorFlow's "same".

    Args:
        inputs: the 4-D tensor to be padded (its static height and width are read).
        kernel_size: the convolution's kernel size, an int or a pair.

    Returns:
        `((top, bottom), (left, right))` for `ZeroPadding2D`.
    """
    first = 2 if image_data_format() == "channels_first" else 1
    size = tuple(inputs.shape[first : first + 2])
    if isinstance(kernel_size, int):
        kernel_size = (kernel_size, kernel_size)
    if size[0] is None:
        adjust = (1, 1)
    else:
        adjust = (1 - size[0] % 2, 1 - size[1] % 2)
    half = (kernel_size[0] // 2, kernel_size[1] // 2)
    return ((half[0] - adjust[0], half[0]), (half[1] - adjust[1], half[1]))


def validate_activation(classifier_activation: Any, weights: Any) -> None:
    """Check that a classifier activation suits pretrained weights.

    Pretrained classifiers were trained with softmax, so only softmax or no activation
    (None, giving logits) is accepted unless `weights` is None.

    Args:
        classifier_activation: a name, a callable or None.
        weights: the `weights` argument of the model function.

    Raises:
        ValueError: another activation is combined with pretrained weights.
    """
    if weights is None:
        return
    fn = activations.get(classifier_activation)
    if fn not in (activations.get("softmax"), activations.get(None)):
        raise ValueError(
            "With pretrained weights, `classifier_activation` must be 'softmax' or None. "
            f"Received: classifier_activation={classifier_activation!r}"
        )


# ------------------------------------------------------------------ family-module helpers


def is_weights_file(weights: Any) -> bool:
    """Whether `weights` names an existing file (a string or a path-like object)."""
    import os

    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


def check_weights_and_classes(weights: Any, include_top: bool, classes: int) -> None:
    """The argument checks every family runs before building anything.

    Args:
        weights: None, "imagenet" or the path of an existing weights file.
        include_top: whether the classifier is included.
        classes: the classifier's class count (must be 1000 with the ImageNet classifier).

    Raises:
        ValueError: `weights` is none of these, or `classes` does not fit the weights.
    """
    if not (weights is None or weights == "imagenet" or is_weights_file(weights)):
        raise ValueError(
            "Received an invalid value for `weights`, expected None (random initialization), "
            "'imagenet' (ImageNet weights) or the path of an existing weights file. "
            f"Received: weights={weights!r}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            "With `weights='imagenet'` and `include_top=True`, `classes` must be 1000 (the "
            f"ImageNet classifier). Received: classes={classes}"
        )


def image_input(input_tensor: Any, input_shape: tuple[int | None, ...]) -> Any:
    """The symbolic image input of a model: `input_tensor` when it is a Keras tensor, else
    a new `Input` (wrapping `input_tensor` when one is given).

    Args:
        input_tensor: None or a tensor to build the model on.
        input_shape: the shape from `obtain_input_shape`.

    Returns:
        A Keras tensor.
    """
    from kerasx import layers
    from kerasx.engine.symbolic import is_keras_tensor

    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if is_keras_tensor(input_tensor):
        return input_tensor
    return layers.Input(tensor=input_tensor, shape=input_shape)


def model_inputs(input_tensor: Any, img_input: Any) -> Any:
    """The inputs of the Functional model: the sources behind `input_tensor`, if any.

    Args:
        input_tensor: the user's `input_tensor` argument.
        img_input: the tensor from `image_input`.

    Returns:
        What to pass as the model's inputs.
    """
    if input_tensor is None:
        return img_input
    from kerasx.layers.node import get_source_inputs

    return get_source_inputs(input_tensor)


def load_imagenet_weights(
    model: Any, weights: Any, file_name: str, origin: str, file_hash: str | None
) -> None:
    """Load `weights` into `model`: the ImageNet file (fetched and cached in "models"
    through `keras.utils.get_file`) for "imagenet", a user's file for a path, nothing for None.

    Args:
        model: the freshly built model.
        weights: None, "imagenet" or a path.
        file_name: the cache name of the ImageNet file.
        origin: its URL.
        file_hash: its expected hash.
    """
    if weights == "imagenet":
        path = utils.get_file(file_name, origin, cache_subdir="models", file_hash=file_hash)
        model.load_weights(path)
    elif weights is not None:
        model.load_weights(weights)
