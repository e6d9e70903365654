"""MobileNetV3 (Small and Large): inverted residual blocks with squeeze-and-excite and
hard-swish, found by architecture search.

Reference: Howard et al., "Searching for MobileNetV3" (https://arxiv.org/abs/1905.02244).

Same layers, weights and ImageNet files as Keras's MobileNetV3. These models rescale their
input themselves (`include_preprocessing=True`): feed them pixels in [0, 255];
`preprocess_input` here returns its input unchanged.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.engine.symbolic import is_keras_tensor
from kerasx.models.functional import Functional

__all__ = ["MobileNetV3Large", "MobileNetV3Small", "decode_predictions", "preprocess_input"]

_BASE_WEIGHT_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/mobilenet_v3/"

# Published ImageNet files: variant -> (hash with the classifier, hash without it).
_WEIGHTS_HASHES = {
    "large_224_0.75_float": (
        "765b44a33ad4005b3ac83185abf1d0eb",
        "40af19a13ebea4e2ee0c676887f69a2e",
    ),
    "large_224_1.0_float": (
        "59e551e166be033d707958cf9e29a6a7",
        "07fb09a5933dd0c8eaafa16978110389",
    ),
    "large_minimalistic_224_1.0_float": (
        "675e7b876c45c57e9e63e6d90a36599c",
        "ec5221f64a2f6d1ef965a614bdae7973",
    ),
    "small_224_0.75_float": (
        "cb65d4e5be93758266aa0a7f2c6708b7",
        "ebdb5cc8e0b497cd13a7c275d475c819",
    ),
    "small_224_1.0_float": (
        "8768d4c2e7dee89b9d02b2d03d65d862",
        "d3e8ec802a04aa4fc771ee12a9a9b836",
    ),
    "small_minimalistic_224_1.0_float": (
        "99cd97fb2fcdad2bf028eb838de69e37",
        "cde8136e733e811080d9fcd8a252f7e4",
    ),
}

_BN = {"epsilon": 1e-3, "momentum": 0.999}

# The blocks of each variant, as (expansion, filters, kernel, stride, squeeze-excite,
# activation). kernel "k" is 5 (3 in the minimalistic variants); "se" means squeeze-and-
# excite with ratio 0.25 (none in the minimalistic variants); activation "relu" is ReLU
# everywhere, "act" is hard-swish (ReLU in the minimalistic variants).
_SMALL_BLOCKS = (
    (1, 16, 3, 2, "se", "relu"),
    (72.0 / 16, 24, 3, 2, None, "relu"),
    (88.0 / 24, 24, 3, 1, None, "relu"),
    (4, 40, "k", 2, "se", "act"),
    (6, 40, "k", 1, "se", "act"),
    (6, 40, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"),
    (3, 48, "k", 1, "se", "act"),
    (6, 96, "k", 2, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
    (6, 96, "k", 1, "se", "act"),
)
_LARGE_BLOCKS = (
    (1, 16, 3, 1, None, "relu"),
    (4, 24, 3, 2, None, "relu"),
    (3, 24, 3, 1, None, "relu"),
    (3, 40, "k", 2, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"),
    (3, 40, "k", 1, "se", "relu"),
    (6, 80, 3, 2, None, "act"),
    (2.5, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"),
    (2.3, 80, 3, 1, None, "act"),
    (6, 112, 3, 1, "se", "act"),
    (6, 112, 3, 1, "se", "act"),
    (6, 160, "k", 2, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
    (6, 160, "k", 1, "se", "act"),
)


def MobileNetV3Small(
    input_shape: tuple[int | None, ...] | None = None,
    alpha: float = 1.0,
    minimalistic: bool = False,
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    classes: int = 1000,
    pooling: str | None = None,
    dropout_rate: float = 0.2,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "MobileNetV3Small",
) -> Functional:
    """Build a MobileNetV3Small image classifier (or feature extractor).

    Args:
        input_shape: the image shape without the batch axis; height and width may be None
            and must otherwise be at least 32. Defaults to `(None, None, 3)`; with a
            symbolic `input_tensor` its size is used.
        alpha: width multiplier of the blocks (ImageNet weights exist for 0.75 and 1.0, and
            1.0 only for `minimalistic=True`).
        minimalistic: use the variant without squeeze-and-excite, hard-swish and 5x5
            kernels (faster on some hardware).
        include_top: whether to end with the classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional symbolic tensor (e.g. the output of `Input`) to use as the
            image input.
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        dropout_rate: dropout rate before the last classifier layer (0 for none).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        include_preprocessing: whether the model starts by rescaling [0, 255] inputs to
            [-1, 1] (a `Rescaling` layer).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape`, `input_tensor` or
            `alpha` for the requested weights.
    """
    return _mobilenet_v3(
        _SMALL_BLOCKS,
        1024,
        "small",
        input_shape=input_shape,
        alpha=alpha,
        minimalistic=minimalistic,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        classes=classes,
        pooling=pooling,
        dropout_rate=dropout_rate,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
        name=name,
    )


def MobileNetV3Large(
    input_shape: tuple[int | None, ...] | None = None,
    alpha: float = 1.0,
    minimalistic: bool = False,
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    classes: int = 1000,
    pooling: str | None = None,
    dropout_rate: float = 0.2,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "MobileNetV3Large",
) -> Functional:
    """Build a MobileNetV3Large image classifier (or feature extractor).

    Args:
        input_shape: the image shape without the batch axis; height and width may be None
            and must otherwise be at least 32. Defaults to `(None, None, 3)`; with a
            symbolic `input_tensor` its size is used.
        alpha: width multiplier of the blocks (ImageNet weights exist for 0.75 and 1.0, and
            1.0 only for `minimalistic=True`).
        minimalistic: use the variant without squeeze-and-excite, hard-swish and 5x5
            kernels (faster on some hardware).
        include_top: whether to end with the classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional symbolic tensor (e.g. the output of `Input`) to use as the
            image input.
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        dropout_rate: dropout rate before the last classifier layer (0 for none).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        include_preprocessing: whether the model starts by rescaling [0, 255] inputs to
            [-1, 1] (a `Rescaling` layer).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape`, `input_tensor` or
            `alpha` for the requested weights.
    """
    return _mobilenet_v3(
        _LARGE_BLOCKS,
        1280,
        "large",
        input_shape=input_shape,
        alpha=alpha,
        minimalistic=minimalistic,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        classes=classes,
        pooling=pooling,
        dropout_rate=dropout_rate,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
        name=name,
    )


def _mobilenet_v3(
    blocks: tuple,
    last_point_ch: int,
    model_type: str,
    *,
    input_shape: Any,
    alpha: float,
    minimalistic: bool,
    include_top: bool,
    weights: Any,
    input_tensor: Any,
    classes: int,
    pooling: str | None,
    dropout_rate: float,
    classifier_activation: Any,
    include_preprocessing: bool,
    name: str,
) -> Functional:
    """The body shared by the two variants: checks, stem, `blocks`, head, weights."""
    helpers.check_weights_and_classes(weights, include_top, classes)
    channels_first = image_data_format() == "channels_first"

    if input_tensor is not None and not is_keras_tensor(input_tensor):
        raise ValueError(
            "`input_tensor` must be a symbolic Keras tensor (e.g. the output of "
            "`keras.Input`). Received: input_tensor of type "
            f"{type(input_tensor).__name__} with shape {getattr(input_tensor, 'shape', None)}"
        )
    if input_tensor is not None:
        shape = tuple(input_tensor.shape)
        if input_shape is not None:
            width = shape[3 if channels_first else 2]
            if width != input_shape[2 if channels_first else 1]:
                raise ValueError(
                    "`input_shape` and `input_tensor` disagree on the image width. "
                    f"Received: input_shape={input_shape}, input_tensor.shape={shape}"
                )
        else:
            input_shape = (3, shape[2], shape[3]) if channels_first else (shape[1], shape[2], 3)
    if input_shape is None:
        input_shape = (3, None, None) if channels_first else (None, None, 3)

    rows, cols = (input_shape[1], input_shape[2]) if channels_first else input_shape[:2]
    if (rows is not None and rows < 32) or (cols is not None and cols < 32):
        raise ValueError(
            "The input height and width must be at least 32x32. Received: "
            f"input_shape={input_shape}"
        )
    if weights == "imagenet":
        allowed = (1.0,) if minimalistic else (0.75, 1.0)
        if alpha not in allowed:
            raise ValueError(
                "ImageNet weights of MobileNetV3 exist for `alpha` in 0.75 or 1.0 (1.0 only "
                f"with `minimalistic=True`). Received: alpha={alpha}, "
                f"minimalistic={minimalistic}"
            )
        if rows != cols or rows != 224:
            warnings.warn(
                "The input size is not given, not square, or not 224: the ImageNet weights "
                "for 224x224 inputs are loaded.",
                stacklevel=3,
            )

    img_input = helpers.image_input(input_tensor, input_shape)
    channel_axis = 1 if channels_first else -1
    if minimalistic:
        wide_kernel, activation, se_ratio = 3, _relu, None
    else:
        wide_kernel, activation, se_ratio = 5, _hard_swish, 0.25

    x = img_input
    if include_preprocessing:
        x = layers.Rescaling(scale=1.0 / 127.5, offset=-1.0)(x)
    x = layers.Conv2D(
        16, kernel_size=3, strides=(2, 2), padding="same", use_bias=False, name="conv"
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name="conv_bn", **_BN)(x)
    x = activation(x)

    for block_id, (expansion, filters, kernel, stride, se, act) in enumerate(blocks):
        x = _inverted_res_block(
            x,
            expansion,
            _depth(filters * alpha),
            wide_kernel if kernel == "k" else kernel,
            stride,
            se_ratio if se else None,
            _relu if act == "relu" else activation,
            block_id,
            channel_axis,
        )

    last_conv_ch = _depth(x.shape[channel_axis] * 6)
    if alpha > 1.0:
        last_point_ch = _depth(last_point_ch * alpha)
    x = layers.Conv2D(last_conv_ch, kernel_size=1, padding="same", use_bias=False, name="conv_1")(x)
    x = layers.BatchNormalization(axis=channel_axis, name="conv_1_bn", **_BN)(x)
    x = activation(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(keepdims=True)(x)
        x = layers.Conv2D(
            last_point_ch, kernel_size=1, padding="same", use_bias=True, name="conv_2"
        )(x)
        x = activation(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate)(x)
        x = layers.Conv2D(classes, kernel_size=1, padding="same", name="logits")(x)
        x = layers.Flatten()(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Activation(activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)

    variant = f"{model_type}{'_minimalistic' if minimalistic else ''}_224_{float(alpha)}_float"
    hashes = _WEIGHTS_HASHES.get(variant, (None, None))
    if include_top:
        fname, file_hash = f"weights_mobilenet_v3_{variant}.h5", hashes[0]
    else:
        fname, file_hash = f"weights_mobilenet_v3_{variant}_no_top_v2.h5", hashes[1]
    helpers.load_weights(model, weights, (fname, _BASE_WEIGHT_PATH + fname, file_hash))
    return model


def _relu(x: Any) -> Any:
    return layers.ReLU()(x)


def _hard_sigmoid(x: Any) -> Any:
    # relu6(x + 3) / 6, written with ops so that it adds no layer (and no weights).
    return layers.ReLU(6.0)(x + 3.0) * (1.0 / 6.0)


def _hard_swish(x: Any) -> Any:
    return layers.Activation("hard_swish")(x)


def _depth(v: float, divisor: int = 8, min_value: int | None = None) -> int:
    """`v` rounded to the nearest multiple of `divisor` (at least `min_value`, default
    `divisor`), never more than 10% below `v`."""
    if min_value is None:
        min_value = divisor
    rounded = max(min_value, int(v + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * v:
        rounded += divisor
    return rounded


def _se_block(inputs: Any, filters: int, se_ratio: float, prefix: str) -> Any:
    """Squeeze-and-excite: scale each channel by a gate computed from its global average."""
    x = layers.GlobalAveragePooling2D(keepdims=True, name=f"{prefix}squeeze_excite_avg_pool")(
        inputs
    )
    x = layers.Conv2D(
        _depth(filters * se_ratio),
        kernel_size=1,
        padding="same",
        name=f"{prefix}squeeze_excite_conv",
    )(x)
    x = layers.ReLU(name=f"{prefix}squeeze_excite_relu")(x)
    x = layers.Conv2D(
        filters, kernel_size=1, padding="same", name=f"{prefix}squeeze_excite_conv_1"
    )(x)
    x = _hard_sigmoid(x)
    return layers.Multiply(name=f"{prefix}squeeze_excite_mul")([inputs, x])


def _inverted_res_block(
    x: Any,
    expansion: float,
    filters: int,
    kernel_size: int,
    stride: int,
    se_ratio: float | None,
    activation: Callable[[Any], Any],
    block_id: int,
    channel_axis: int,
) -> Any:
    """Expand (1x1), depthwise, optional squeeze-and-excite, project (1x1, linear), and a
    residual add when the shapes allow. Block 0 has no expansion and is `expanded_conv_*`,
    the others `expanded_conv_{id}_*`."""
    shortcut = x
    in_filters = x.shape[channel_axis]
    prefix = "expanded_conv_"
    if block_id:
        prefix = f"expanded_conv_{block_id}_"
        x = layers.Conv2D(
            _depth(in_filters * expansion),
            kernel_size=1,
            padding="same",
            use_bias=False,
            name=f"{prefix}expand",
        )(x)
        x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}expand_bn", **_BN)(x)
        x = activation(x)

    if stride == 2:
        x = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(x, kernel_size), name=f"{prefix}depthwise_pad"
        )(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=stride,
        padding="same" if stride == 1 else "valid",
        use_bias=False,
        name=f"{prefix}depthwise",
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}depthwise_bn", **_BN)(x)
    x = activation(x)
    if se_ratio:
        x = _se_block(x, _depth(in_filters * expansion), se_ratio, prefix)

    x = layers.Conv2D(
        filters, kernel_size=1, padding="same", use_bias=False, name=f"{prefix}project"
    )(x)
    x = layers.BatchNormalization(axis=channel_axis, name=f"{prefix}project_bn", **_BN)(x)
    if stride == 1 and in_filters == filters:
        x = layers.Add(name=f"{prefix}add")([shortcut, x])
    return x


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Return `x` unchanged: MobileNetV3 models rescale their input themselves.

    Kept so that every family has the same API.

    Args:
        x: images (an array or tensor) with values in [0, 255].
        data_format: ignored.

    Returns:
        `x` itself.
    """
    return x


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """Turn a batch of ImageNet class scores into the `top` (class_id, name, score) guesses.

    Args:
        preds: an array of shape `(samples, 1000)`.
        top: how many guesses per sample.

    Returns:
        One list of `(class_id, class_name, score)` tuples per sample, best first.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
