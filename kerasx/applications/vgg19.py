"""VGG19 (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015), with ImageNet weights.

Like VGG16 with four convolutions in each of the last three blocks (16 in all). Layer names,
weight order and weight files are Keras's.

Inputs go through `preprocess_input` first ("caffe" mode: RGB to BGR, minus the ImageNet
channel means).
"""

from __future__ import annotations

from typing import Any

from kerasx.applications import imagenet_utils, vgg16
from kerasx.models import Functional

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
WEIGHTS_PATH = _BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = _BASE + "vgg19/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5"
_HASHES = ("cbe5617147190e668d6c5d5026f83318", "253f8cb515780f3b799900260a226db6")


def VGG19(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "vgg19",
) -> Functional:
    """The VGG19 model (16 convolutions in 5 blocks, then 3 dense layers).

    Feed it images prepared by `keras.applications.vgg19.preprocess_input`.
    """
    return vgg16._vgg(
        (2, 2, 4, 4, 4),
        (WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP),
        _HASHES,
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


VGG19.__doc__ = (VGG19.__doc__ or "") + vgg16._ARGS_DOC


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Prepare images for the VGG weights: RGB to BGR, minus the ImageNet channel means.

    Args:
        x: a float NumPy array (updated in place) or a tensor, 3-D or 4-D, RGB, values in
            [0, 255].
        data_format: "channels_last" or "channels_first"; None uses the global setting.

    Returns:
        The preprocessed images.

    Raises:
        ValueError: `data_format` is not one of the accepted values.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="caffe")


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """Turn ImageNet class scores into `(class_id, class_name, score)` top-k guesses.

    Args:
        preds: an array or tensor of shape `(samples, 1000)`.
        top: how many guesses per sample.

    Returns:
        One list of tuples per sample, best first.

    Raises:
        ValueError: `preds` is not of shape `(samples, 1000)`.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
