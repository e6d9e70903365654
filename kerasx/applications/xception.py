"""Xception: a deep stack of depthwise-separable convolutions with residual connections.

Reference: Chollet, "Xception: Deep Learning with Depthwise Separable Convolutions"
(CVPR 2017, https://arxiv.org/abs/1610.02357).

Same layers, weights and ImageNet files as `keras.applications.xception`.
"""

from __future__ import annotations

from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models.functional import Functional

__all__ = ["Xception", "decode_predictions", "preprocess_input"]

_BASE = "https://storage.googleapis.com/tensorflow/keras-applications/xception/"
_FILE_TOP = "xception_weights_tf_dim_ordering_tf_kernels.h5"
_FILE_NO_TOP = "xception_weights_tf_dim_ordering_tf_kernels_notop.h5"
_HASH_TOP = "0a58e3b7378bc2990ea3b43d5981f1f6"
_HASH_NO_TOP = "b0042744bf5b25fce3cb969f33bebb97"


def Xception(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "xception",
) -> Functional:
    """Build an Xception image classifier (or feature extractor).

    Feed it images prepared by `kerasx.applications.xception.preprocess_input` (values in
    [-1, 1]).

    Args:
        include_top: whether to end with the dense classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional tensor (e.g. the output of `Input`) to use as the image
            input.
        input_shape: the image shape without the batch axis, e.g. `(150, 150, 3)`; at least
            71x71 with 3 channels. With the classifier and ImageNet weights it must be the
            default `(299, 299, 3)`.
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: an invalid `weights`, `classes` or `input_shape`.
    """
    helpers.check_weights_and_classes(weights, include_top, classes)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=299,
        min_size=71,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = helpers.image_input(input_tensor, input_shape)
    axis = 1 if image_data_format() == "channels_first" else -1

    def bn(t: Any, name: str | None = None) -> Any:
        return layers.BatchNormalization(axis=axis, name=name)(t)

    def sepconv(t: Any, filters: int, name: str) -> Any:
        t = layers.SeparableConv2D(filters, (3, 3), padding="same", use_bias=False, name=name)(t)
        return bn(t, f"{name}_bn")

    def downsampling_block(t: Any, filters: tuple[int, int], block: int, first_act: bool) -> Any:
        # Two separable convs and a max pool, plus a strided 1x1 conv shortcut.
        # The shortcut's layers are unnamed in the original (automatic names, so created
        # first), and are called between the main path's layers in the order Keras lists
        # them: that order is the order of the model's layers and weights.
        res_conv = layers.Conv2D(filters[1], (1, 1), strides=(2, 2), padding="same", use_bias=False)
        res_bn = layers.BatchNormalization(axis=axis)
        x = t
        if first_act:
            x = layers.Activation("relu", name=f"block{block}_sepconv1_act")(x)
        x = sepconv(x, filters[0], f"block{block}_sepconv1")
        x = layers.Activation("relu", name=f"block{block}_sepconv2_act")(x)
        x = sepconv(x, filters[1], f"block{block}_sepconv2")
        residual = res_conv(t)
        x = layers.MaxPooling2D((3, 3), strides=(2, 2), padding="same", name=f"block{block}_pool")(
            x
        )
        residual = res_bn(residual)
        return layers.add([x, residual])

    # Entry flow.
    x = layers.Conv2D(32, (3, 3), strides=(2, 2), use_bias=False, name="block1_conv1")(img_input)
    x = bn(x, "block1_conv1_bn")
    x = layers.Activation("relu", name="block1_conv1_act")(x)
    x = layers.Conv2D(64, (3, 3), use_bias=False, name="block1_conv2")(x)
    x = bn(x, "block1_conv2_bn")
    x = layers.Activation("relu", name="block1_conv2_act")(x)

    # Blocks 2-4 halve the size; block 2 starts without an activation.
    for block, filters in ((2, 128), (3, 256), (4, 728)):
        x = downsampling_block(x, (filters, filters), block, first_act=block > 2)

    # Middle flow: eight residual blocks of three separable convolutions.
    for block in range(5, 13):
        residual = x
        for i in (1, 2, 3):
            x = layers.Activation("relu", name=f"block{block}_sepconv{i}_act")(x)
            x = sepconv(x, 728, f"block{block}_sepconv{i}")
        x = layers.add([x, residual])

    # Exit flow.
    x = downsampling_block(x, (728, 1024), 13, first_act=True)
    x = sepconv(x, 1536, "block14_sepconv1")
    x = layers.Activation("relu", name="block14_sepconv1_act")(x)
    x = sepconv(x, 2048, "block14_sepconv2")
    x = layers.Activation("relu", name="block14_sepconv2_act")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)
    if include_top:
        imagenet_file = (_FILE_TOP, _BASE + _FILE_TOP, _HASH_TOP)
    else:
        imagenet_file = (_FILE_NO_TOP, _BASE + _FILE_NO_TOP, _HASH_NO_TOP)
    helpers.load_weights(model, weights, imagenet_file)
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale images from [0, 255] to [-1, 1], as the Xception ImageNet weights expect.

    Args:
        x: a float NumPy array or a tensor of images (3-D or 4-D, 3 channels). A float NumPy
            array is updated in place.
        data_format: "channels_last" or "channels_first"; None uses the global setting.

    Returns:
        The scaled images.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """Turn a batch of ImageNet class scores into the `top` (class_id, name, score) guesses.

    Args:
        preds: an array of shape `(samples, 1000)`.
        top: how many guesses per sample.

    Returns:
        One list of `(class_id, class_name, score)` tuples per sample, best first.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
