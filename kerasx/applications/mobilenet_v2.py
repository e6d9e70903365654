"""MobileNetV2: inverted residual blocks with linear bottlenecks.

Reference: Sandler et al., "MobileNetV2: Inverted Residuals and Linear Bottlenecks"
(https://arxiv.org/abs/1801.04381).

Same layers, weights and ImageNet files as `keras.applications.mobilenet_v2`.
"""

from __future__ import annotations

import warnings
from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.engine.symbolic import is_keras_tensor
from kerasx.models.functional import Functional

__all__ = ["MobileNetV2", "decode_predictions", "preprocess_input"]

_BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v2/"

_IMAGENET_SIZES = (96, 128, 160, 192, 224)
_IMAGENET_ALPHAS = (0.35, 0.50, 0.75, 1.0, 1.3, 1.4)

# (expansion, output filters, stride) of the 17 inverted residual blocks, in order.
_BLOCKS = (
    (1, 16, 1),
    (6, 24, 2),
    (6, 24, 1),
    (6, 32, 2),
    (6, 32, 1),
    (6, 32, 1),
    (6, 64, 2),
    (6, 64, 1),
    (6, 64, 1),
    (6, 64, 1),
    (6, 96, 1),
    (6, 96, 1),
    (6, 96, 1),
    (6, 160, 2),
    (6, 160, 1),
    (6, 160, 1),
    (6, 320, 1),
)

# Batch normalization settings of the whole network (from the TensorFlow-slim original).
_BN = {"epsilon": 1e-3, "momentum": 0.999}


def MobileNetV2(
    input_shape: tuple[int | None, ...] | None = None,
    alpha: float = 1.0,
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str | None = None,
) -> Functional:
    """Build a MobileNetV2 image classifier (or feature extractor).

    Feed it images prepared by `kerasx.applications.mobilenet_v2.preprocess_input` (values
    in [-1, 1]).

    Args:
        input_shape: the image shape without the batch axis, e.g. `(160, 160, 3)`; at least
            32x32 with 3 channels. With the classifier and ImageNet weights it must be a
            square size the weights exist for (96, 128, 160, 192 or 224). Ignored when
            `input_tensor` is given (a symbolic `input_tensor` then sets the size).
        alpha: width multiplier: scales the number of filters of every block (ImageNet
            weights exist for 0.35, 0.5, 0.75, 1.0, 1.3 and 1.4).
        include_top: whether to end with the dense classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional symbolic tensor (e.g. the output of `Input`) to use as the
            image input.
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        name: the model's name (default `"mobilenetv2_{alpha:.2f}_{rows}"`).

    Returns:
        A functional `Model`.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape`, `input_tensor` or
            `alpha` for the requested weights.
    """
    helpers.check_weights_and_classes(weights, include_top, classes)
    channels_first = image_data_format() == "channels_first"

    if input_tensor is not None and not is_keras_tensor(input_tensor):
        raise ValueError(
            "`input_tensor` must be a symbolic Keras tensor (e.g. the output of "
            "`keras.Input`). Received: input_tensor of type "
            f"{type(input_tensor).__name__} with shape {getattr(input_tensor, 'shape', None)}"
        )
    if input_shape is not None and input_tensor is not None:
        # The width of the tensor must agree with the width asked for.
        width = input_tensor.shape[3 if channels_first else 2]
        if width != input_shape[2 if channels_first else 1]:
            raise ValueError(
                "`input_shape` and `input_tensor` disagree on the image width. Received: "
                f"input_shape={input_shape}, input_tensor.shape={tuple(input_tensor.shape)}"
            )

    # A square size that ImageNet weights exist for becomes the default size.
    if input_shape is not None:
        size = (input_shape[1], input_shape[2]) if channels_first else tuple(input_shape[:2])
    elif input_tensor is not None:
        shape = input_tensor.shape
        size = (shape[2], shape[3]) if channels_first else (shape[1], shape[2])
    else:
        size = (224, 224)
    default_size = size[0] if size[0] == size[1] and size[0] in _IMAGENET_SIZES else 224

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
        if alpha not in _IMAGENET_ALPHAS:
            raise ValueError(
                "ImageNet weights of MobileNetV2 exist for `alpha` in 0.35, 0.5, 0.75, 1.0, "
                f"1.3 or 1.4 only. Received: alpha={alpha}"
            )
        if rows != cols or rows not in _IMAGENET_SIZES:
            rows = 224
            warnings.warn(
                "The input size is not given, not square, or not one of 96, 128, 160, 192, "
                "224: the ImageNet weights for 224x224 inputs are loaded.",
                stacklevel=2,
            )

    img_input = helpers.image_input(input_tensor, input_shape)
    channel_axis = 1 if channels_first else -1

    x = layers.Conv2D(
        _make_divisible(32 * alpha, 8),
        kernel_size=3,
        strides=(2, 2),
        padding="same",
        use_bias=False,
        name="Conv1",
    )(img_input)
    x = layers.BatchNormalization(axis=channel_axis, name="bn_Conv1", **_BN)(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    for block_id, (expansion, filters, stride) in enumerate(_BLOCKS):
        x = _inverted_res_block(x, expansion, stride, alpha, filters, block_id, channel_axis)

    # Only widening (alpha > 1) widens the last convolution.
    last_filters = _make_divisible(1280 * alpha, 8) if alpha > 1.0 else 1280
    x = layers.Conv2D(last_filters, kernel_size=1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, name="Conv_1_bn", **_BN)(x)
    x = layers.ReLU(6.0, name="out_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    if name is None:
        name = f"mobilenetv2_{alpha:0.2f}_{rows}"
    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)

    suffix = "" if include_top else "_no_top"
    fname = f"mobilenet_v2_weights_tf_dim_ordering_tf_kernels_{float(alpha)}_{rows}{suffix}.h5"
    helpers.load_weights(model, weights, (fname, _BASE_WEIGHT_PATH + fname, None))
    return model


def _inverted_res_block(
    inputs: Any,
    expansion: int,
    stride: int,
    alpha: float,
    filters: int,
    block_id: int,
    channel_axis: int,
) -> Any:
    """Expand (1x1), depthwise 3x3, project (1x1, linear); a residual add when shapes allow.

    The first block (id 0) has no expansion and is named `expanded_conv_*`; the others
    `block_{id}_*`.
    """
    in_channels = inputs.shape[channel_axis]
    out_channels = _make_divisible(int(filters * alpha), 8)
    x = inputs
    if block_id:
        prefix = f"block_{block_id}_"
        x = layers.Conv2D(
            expansion * in_channels,
            kernel_size=1,
            padding="same",
            use_bias=False,
            activation=None,
            name=f"{prefix}expand",
        )(x)
        x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}expand_BN", **_BN)(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    else:
        prefix = "expanded_conv_"

    if stride == 2:
        x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name=f"{prefix}pad")(x)
    x = layers.DepthwiseConv2D(
        kernel_size=3,
        strides=stride,
        activation=None,
        use_bias=False,
        padding="same" if stride == 1 else "valid",
        name=f"{prefix}depthwise",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}depthwise_BN", **_BN)(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)

    x = layers.Conv2D(
        out_channels,
        kernel_size=1,
        padding="same",
        use_bias=False,
        activation=None,
        name=f"{prefix}project",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}project_BN", **_BN)(x)
    if stride == 1 and in_channels == out_channels:
        return layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _make_divisible(v: float, divisor: int, min_value: int | None = None) -> int:
    """`v` rounded to the nearest multiple of `divisor` (at least `min_value`, default
    `divisor`), never more than 10% below `v`."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale images from [0, 255] to [-1, 1], as the MobileNetV2 ImageNet weights expect.

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
