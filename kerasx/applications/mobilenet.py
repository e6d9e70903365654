"""MobileNet (v1): a stack of depthwise-separable convolutions with a width multiplier.

Reference: Howard et al., "MobileNets: Efficient Convolutional Neural Networks for Mobile
Vision Applications" (https://arxiv.org/abs/1704.04861).

Same layers, weights and ImageNet files as `keras.applications.mobilenet`.
"""

from __future__ import annotations

import warnings
from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models.functional import Functional

__all__ = ["MobileNet", "decode_predictions", "preprocess_input"]

_BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet/"

_IMAGENET_SIZES = (128, 160, 192, 224)
_IMAGENET_ALPHAS = (0.25, 0.50, 0.75, 1.0)
# The alpha part of the ImageNet file names.
_ALPHA_TEXT = {1.0: "1_0", 0.75: "7_5", 0.5: "5_0", 0.25: "2_5"}

# (pointwise filters, stride) of the 13 depthwise-separable blocks.
_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)


def MobileNet(
    input_shape: tuple[int | None, ...] | None = None,
    alpha: float = 1.0,
    depth_multiplier: int = 1,
    dropout: float = 1e-3,
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str | None = None,
) -> Functional:
    """Build a MobileNet image classifier (or feature extractor).

    Feed it images prepared by `kerasx.applications.mobilenet.preprocess_input` (values in
    [-1, 1]).

    Args:
        input_shape: the image shape without the batch axis, e.g. `(160, 160, 3)`; at least
            32x32 with 3 channels. With the classifier and ImageNet weights it must be the
            default `(224, 224, 3)`. Ignored when `input_tensor` is given.
        alpha: width multiplier: scales the number of filters of every layer (ImageNet
            weights exist for 0.25, 0.5, 0.75 and 1.0).
        depth_multiplier: channel multiplier of the depthwise convolutions (1 for the
            ImageNet weights).
        dropout: dropout rate before the classifier.
        include_top: whether to end with the 1x1-convolution classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional tensor (e.g. the output of `Input`) to use as the image
            input.
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        name: the model's name (default `"mobilenet_{alpha:.2f}_{rows}"`).

    Returns:
        A functional `Model`.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape`, `alpha` or
            `depth_multiplier` for the requested weights.
    """
    helpers.check_weights_and_classes(weights, include_top, classes)
    channels_first = image_data_format() == "channels_first"

    # A square size with ImageNet weights becomes the default (so it is accepted with the top).
    default_size = 224
    if input_shape is not None:
        rows, cols = (input_shape[1], input_shape[2]) if channels_first else input_shape[:2]
        if rows == cols and rows in _IMAGENET_SIZES:
            default_size = rows
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    rows, cols = (input_shape[1], input_shape[2]) if channels_first else input_shape[:2]

    if weights == "imagenet":
        if depth_multiplier != 1:
            raise ValueError(
                "The ImageNet weights of MobileNet have `depth_multiplier=1`. Received: "
                f"depth_multiplier={depth_multiplier}"
            )
        if alpha not in _IMAGENET_ALPHAS:
            raise ValueError(
                "ImageNet weights of MobileNet exist for `alpha` in 0.25, 0.5, 0.75 or 1.0 "
                f"only. Received: alpha={alpha}"
            )
        if rows != cols or rows not in _IMAGENET_SIZES:
            rows = 224
            warnings.warn(
                "The input size is not given, not square, or not one of 128, 160, 192, "
                "224: the ImageNet weights for 224x224 inputs are loaded.",
                stacklevel=2,
            )

    img_input = helpers.image_input(input_tensor, input_shape)
    channel_axis = 1 if channels_first else -1

    x = layers.Conv2D(
        int(32 * alpha),
        (3, 3),
        strides=(2, 2),
        padding="same",
        use_bias=False,
        name="conv1",
    )(img_input)
    x = layers.BatchNormalization(axis=channel_axis, name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, stride) in enumerate(_BLOCKS, start=1):
        x = _separable_block(x, filters, alpha, depth_multiplier, stride, block_id, channel_axis)

    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Dropout(dropout, name="dropout")(x)
        x = layers.Conv2D(classes, (1, 1), padding="same", name="conv_preds")(x)
        x = layers.Reshape((classes,), name="reshape_2")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    if name is None:
        name = f"mobilenet_{alpha:0.2f}_{rows}"
    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)

    suffix = "" if include_top else "_no_top"
    fname = f"mobilenet_{_ALPHA_TEXT.get(float(alpha), '')}_{rows}_tf{suffix}.h5"
    helpers.load_weights(model, weights, (fname, _BASE_WEIGHT_PATH + fname, None))
    return model


def _separable_block(
    x: Any,
    filters: int,
    alpha: float,
    depth_multiplier: int,
    stride: int,
    block_id: int,
    channel_axis: int,
) -> Any:
    """Depthwise 3x3 conv, BN, ReLU6, then pointwise 1x1 conv, BN, ReLU6."""
    if stride == 1:
        padding = "same"
    else:
        # Pad bottom/right only, as TensorFlow's "same" does for stride 2.
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(
        (3, 3),
        padding=padding,
        depth_multiplier=depth_multiplier,
        strides=(stride, stride),
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(
        int(filters * alpha),
        (1, 1),
        padding="same",
        use_bias=False,
        strides=(1, 1),
        name=f"conv_pw_{block_id}",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale images from [0, 255] to [-1, 1], as the MobileNet ImageNet weights expect.

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
