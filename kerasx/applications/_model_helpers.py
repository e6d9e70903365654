"""Steps that the MobileNet, MobileNetV2, MobileNetV3, DenseNet and Xception builders share:
checking the `weights` / `classes` arguments, making the image input, finding the model's
source inputs, and loading the requested weights.

Private to `kerasx.applications`; the public entry points are the family modules.
"""

from __future__ import annotations

import os
from typing import Any

from kerasx import layers, utils
from kerasx.engine.symbolic import is_keras_tensor
from kerasx.layers.node import get_source_inputs

WEIGHTS_CACHE_SUBDIR = "models"


def is_weights_file(weights: Any) -> bool:
    """Whether `weights` names an existing file (a string or path-like)."""
    return isinstance(weights, (str, os.PathLike)) and os.path.exists(weights)


def check_weights_and_classes(weights: Any, include_top: bool, classes: int) -> None:
    """The argument checks every family runs before it builds anything.

    Args:
        weights: the `weights` argument: None, "imagenet" or a path to an existing file.
        include_top: whether the classifier is included.
        classes: the number of classes of the classifier.

    Raises:
        ValueError: `weights` is none of these, or ImageNet weights with the classifier are
            asked for with a number of classes other than 1000.
    """
    if not (weights is None or weights == "imagenet" or is_weights_file(weights)):
        raise ValueError(
            "Received an invalid value for `weights`, expected None (random initialization), "
            "'imagenet' (weights trained on ImageNet) or the path of an existing weights "
            f"file. Received: weights={weights!r}"
        )
    if weights == "imagenet" and include_top and classes != 1000:
        raise ValueError(
            "The ImageNet classifier has 1000 classes: with `weights='imagenet'` and "
            "`include_top=True`, `classes` must be 1000 (or pass `weights=None` to train "
            f"a classifier of another size). Received: classes={classes}"
        )


def image_input(input_tensor: Any, input_shape: Any) -> Any:
    """The symbolic image tensor the model starts from.

    Args:
        input_tensor: the user's `input_tensor` (None, or a tensor to start from).
        input_shape: the resolved input shape, without the batch axis.

    Returns:
        `input_tensor` itself when it is already symbolic, else a new `Input`.
    """
    if input_tensor is None:
        return layers.Input(shape=input_shape)
    if is_keras_tensor(input_tensor):
        return input_tensor
    return layers.Input(tensor=input_tensor, shape=input_shape)


def model_inputs(input_tensor: Any, img_input: Any) -> Any:
    """The model's inputs: the `Input`s behind `input_tensor` when one was given."""
    if input_tensor is not None:
        return get_source_inputs(input_tensor)
    return img_input


def load_weights(model: Any, weights: Any, imagenet_file: tuple[str, str, str | None]) -> None:
    """Load `weights` into `model`: the ImageNet file (downloaded into the cache) or a path.

    Args:
        model: the freshly built model.
        weights: None (nothing to load), "imagenet" or a file path.
        imagenet_file: `(fname, origin, file_hash)` of the ImageNet weights: the file's name
            in the cache, its URL, and its expected hash (None when none is published).
    """
    if weights is None:
        return
    if weights == "imagenet":
        fname, origin, file_hash = imagenet_file
        path = utils.get_file(fname, origin, cache_subdir=WEIGHTS_CACHE_SUBDIR, file_hash=file_hash)
        model.load_weights(path)
    else:
        model.load_weights(weights)
