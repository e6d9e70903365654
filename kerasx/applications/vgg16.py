"""VGG16 (Simonyan & Zisserman, "Very Deep Convolutional Networks for Large-Scale Image
Recognition", ICLR 2015), with ImageNet weights.

Five blocks of 3x3 "same" convolutions with ReLU, each followed by 2x2 max pooling, then
(with the top) two 4096-unit dense layers and the classifier. Layer names, weight order and
weight files are Keras's. The builder here also serves `vgg19`.

Inputs go through `preprocess_input` first ("caffe" mode: RGB to BGR, minus the ImageNet
channel means).
"""

from __future__ import annotations

from typing import Any

from kerasx import layers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models import Functional

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/"
WEIGHTS_PATH = _BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels.h5"
WEIGHTS_PATH_NO_TOP = _BASE + "vgg16/vgg16_weights_tf_dim_ordering_tf_kernels_notop.h5"
_HASHES = ("64373286793e3c8b2b4e3219cbf3544b", "6d6bbae143d832006294945121d1f1fc")

_BLOCK_FILTERS = (64, 128, 256, 512, 512)


def _vgg(
    convs_per_block: tuple[int, ...],
    urls: tuple[str, str],
    hashes: tuple[str, str],
    include_top: bool,
    weights: str | None,
    input_tensor: Any,
    input_shape: tuple[int | None, ...] | None,
    pooling: str | None,
    classes: int,
    classifier_activation: Any,
    name: str,
) -> Functional:
    """Build a VGG network with `convs_per_block[i]` convolutions in block i + 1."""
    imagenet_utils.check_weights_and_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=224,
        min_size=32,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    if include_top:  # checked before building anything (Keras checks it after the backbone)
        imagenet_utils.validate_activation(classifier_activation, weights)
    img_input = imagenet_utils.image_input(input_tensor, input_shape)

    x = img_input
    for block, (filters, convs) in enumerate(zip(_BLOCK_FILTERS, convs_per_block), start=1):
        for i in range(1, convs + 1):
            x = layers.Conv2D(
                filters,
                (3, 3),
                activation="relu",
                padding="same",
                name=f"block{block}_conv{i}",
            )(x)
        x = layers.MaxPooling2D((2, 2), strides=(2, 2), name=f"block{block}_pool")(x)

    if include_top:
        x = layers.Flatten(name="flatten")(x)
        x = layers.Dense(4096, activation="relu", name="fc1")(x)
        x = layers.Dense(4096, activation="relu", name="fc2")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    which = 0 if include_top else 1
    url = urls[which]
    imagenet_utils.load_imagenet_weights(model, weights, url.rsplit("/", 1)[-1], url, hashes[which])
    return model


_ARGS_DOC = """
    Args:
        include_top: whether to end with the three fully connected layers.
        weights: None (random initialization), "imagenet" (ImageNet weights) or the path of
            a weights file to load.
        input_tensor: an optional Keras tensor (e.g. from `keras.Input`) to use as the image
            input.
        input_shape: the input shape without the batch axis; only with
            `include_top=False` may it differ from (224, 224, 3) ((3, 224, 224) for
            "channels_first"). 3 channels, height and width at least 32.
        pooling: with `include_top=False`: None (the 4-D output of the last block), "avg"
            or "max" (global pooling to a 2-D output).
        classes: the number of classes of the classifier (1000 with ImageNet weights).
        classifier_activation: the classifier's activation; None gives logits. With
            pretrained weights only "softmax" or None.
        name: the model's name.

    Returns:
        A `keras.Model`.
"""


def VGG16(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "vgg16",
) -> Functional:
    """The VGG16 model (13 convolutions in 5 blocks, then 3 dense layers).

    Feed it images prepared by `keras.applications.vgg16.preprocess_input`.
    """
    return _vgg(
        (2, 2, 3, 3, 3),
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


VGG16.__doc__ = (VGG16.__doc__ or "") + _ARGS_DOC


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
