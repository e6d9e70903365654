"""EfficientNetV2 B0 to B3, S, M and L (Tan & Le, 2021, https://arxiv.org/abs/2104.00298).

The early stages use fused MBConv blocks (one regular convolution in place of the 1x1
expansion plus depthwise convolution), the later ones MBConv blocks with squeeze-and-
excitation. B0 to B3 share one stage table scaled by width and depth coefficients; S, M and L
each have their own. With `include_preprocessing=True` (the default) the input scaling is part
of the model, so the models take raw pixels in [0, 255] and `preprocess_input` here returns its
input unchanged.

Layer names, weight order and shapes follow Keras, so Keras's weight files load and
`set_weights` works both ways.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from kerasx import initializers, layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.applications.efficientnet import (
    CONV_KERNEL_INITIALIZER,
    DENSE_KERNEL_INITIALIZER,
    squeeze_excite,
)
from kerasx.config import image_data_format
from kerasx.models.functional import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/efficientnet_v2/"

# Per variant: the md5 of the weights file with the classifier, then without it.
WEIGHTS_HASHES = {
    "b0": ("21ecbf6da12460d5c40bb2f29ceb2188", "893217f2bb855e2983157299931e43ff"),
    "b1": ("069f0534ff22adf035c89e2d9547a9dc", "0e80663031ca32d657f9caa404b6ec37"),
    "b2": ("424e49f28180edbde1e94797771950a7", "1dfe2e7a5d45b6632553a8961ea609eb"),
    "b3": ("1f1fc43bd98a6e4fd8fdfd551e02c7a0", "f6abf7b5849ac99a89b50dd3fd532856"),
    "-s": ("e1d88a8495beba45748fedd0cecbe016", "af0682fb74e8c54910f2d4393339c070"),
    "-m": ("a3bf6aa3276309f4fc6a34aa114c95cd", "1b8dc055df72dde80d614482840fe342"),
    "-l": ("27e6d408b53c7ebc868fefa357689935", "b0b66b5c863aef5b46e8608fe1711615"),
}

# Stage tables: (num_repeat, input_filters, output_filters, expand_ratio, se_ratio, strides,
# conv_type) with conv_type 1 = fused MBConv, 0 = MBConv. Every kernel is 3x3.
_B_STAGES = (
    (1, 32, 16, 1, 0, 1, 1),
    (2, 16, 32, 4, 0, 2, 1),
    (2, 32, 48, 4, 0, 2, 1),
    (3, 48, 96, 4, 0.25, 2, 0),
    (5, 96, 112, 6, 0.25, 1, 0),
    (8, 112, 192, 6, 0.25, 2, 0),
)
_STAGE_TABLES = {
    "efficientnetv2-s": (
        (2, 24, 24, 1, 0, 1, 1),
        (4, 24, 48, 4, 0, 2, 1),
        (4, 48, 64, 4, 0, 2, 1),
        (6, 64, 128, 4, 0.25, 2, 0),
        (9, 128, 160, 6, 0.25, 1, 0),
        (15, 160, 256, 6, 0.25, 2, 0),
    ),
    "efficientnetv2-m": (
        (3, 24, 24, 1, 0, 1, 1),
        (5, 24, 48, 4, 0, 2, 1),
        (5, 48, 80, 4, 0, 2, 1),
        (7, 80, 160, 4, 0.25, 2, 0),
        (14, 160, 176, 6, 0.25, 1, 0),
        (18, 176, 304, 6, 0.25, 2, 0),
        (5, 304, 512, 6, 0.25, 1, 0),
    ),
    "efficientnetv2-l": (
        (4, 32, 32, 1, 0, 1, 1),
        (7, 32, 64, 4, 0, 2, 1),
        (7, 64, 96, 4, 0, 2, 1),
        (10, 96, 192, 4, 0.25, 2, 0),
        (19, 192, 224, 6, 0.25, 1, 0),
        (25, 224, 384, 6, 0.25, 2, 0),
        (7, 384, 640, 6, 0.25, 1, 0),
    ),
    **{f"efficientnetv2-b{i}": _B_STAGES for i in range(4)},
}
_FIELDS = (
    "num_repeat",
    "input_filters",
    "output_filters",
    "expand_ratio",
    "se_ratio",
    "strides",
    "conv_type",
)
DEFAULT_BLOCKS_ARGS = {
    key: [{"kernel_size": 3, **dict(zip(_FIELDS, stage))} for stage in table]
    for key, table in _STAGE_TABLES.items()
}

# Variant key -> (width_coefficient, depth_coefficient, default_size, table name).
_VARIANTS = {
    "b0": (1.0, 1.0, 224, "efficientnetv2-b0"),
    "b1": (1.0, 1.1, 240, "efficientnetv2-b1"),
    "b2": (1.1, 1.2, 260, "efficientnetv2-b2"),
    "b3": (1.2, 1.4, 300, "efficientnetv2-b3"),
    "-s": (1.0, 1.0, 384, "efficientnetv2-s"),
    "-m": (1.0, 1.0, 480, "efficientnetv2-m"),
    "-l": (1.0, 1.0, 480, "efficientnetv2-l"),
}


def _channel_axis() -> int:
    return 3 if image_data_format() == "channels_last" else 1


def round_filters(
    filters: float, width_coefficient: float, min_depth: int | None, depth_divisor: int
) -> int:
    """Scale a width by `width_coefficient` and round it to a multiple of `depth_divisor`
    (at least `min_depth`, or `depth_divisor` when that is None or 0)."""
    filters *= width_coefficient
    smallest = min_depth or depth_divisor
    return int(max(smallest, int(filters + depth_divisor / 2) // depth_divisor * depth_divisor))


def round_repeats(repeats: int, depth_coefficient: float) -> int:
    """Scale a number of blocks by `depth_coefficient`, rounding up."""
    return int(math.ceil(depth_coefficient * repeats))


def _conv(filters: int, kernel_size: int, strides: int, name: str) -> layers.Conv2D:
    return layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=name,
    )


def _bn(momentum: float, name: str) -> layers.BatchNormalization:
    return layers.BatchNormalization(axis=_channel_axis(), momentum=momentum, name=name)


def _residual(x: Any, inputs: Any, rate: float, name: str) -> Any:
    """The identity skip; a nonzero `rate` drops the whole branch per sample first."""
    if rate:
        x = layers.Dropout(rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
    return layers.add([x, inputs], name=f"{name}add")


def _mbconv(
    x: Any,
    input_filters: int,
    output_filters: int,
    expand_ratio: int,
    kernel_size: int,
    strides: int,
    se_ratio: float,
    bn_momentum: float,
    activation: Any,
    drop_rate: float,
    name: str,
) -> Any:
    """MBConv: 1x1 expansion, depthwise convolution, squeeze-and-excite, 1x1 projection."""
    inputs = x
    filters = input_filters * expand_ratio
    if expand_ratio != 1:
        x = _conv(filters, 1, 1, f"{name}expand_conv")(x)
        x = _bn(bn_momentum, f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        padding="same",
        use_bias=False,
        name=f"{name}dwconv2",
    )(x)
    x = _bn(bn_momentum, f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation, name)
    x = _conv(output_filters, 1, 1, f"{name}project_conv")(x)
    x = _bn(bn_momentum, f"{name}project_bn")(x)
    if strides == 1 and input_filters == output_filters:
        x = _residual(x, inputs, drop_rate, name)
    return x


def _fused_mbconv(
    x: Any,
    input_filters: int,
    output_filters: int,
    expand_ratio: int,
    kernel_size: int,
    strides: int,
    se_ratio: float,
    bn_momentum: float,
    activation: Any,
    drop_rate: float,
    name: str,
) -> Any:
    """Fused MBConv: one KxK expansion convolution (carrying the stride), optional
    squeeze-and-excite, 1x1 projection; without expansion, a single KxK convolution."""
    inputs = x
    filters = input_filters * expand_ratio
    if expand_ratio != 1:
        x = _conv(filters, kernel_size, strides, f"{name}expand_conv")(x)
        x = _bn(bn_momentum, f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)
    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(input_filters * se_ratio)), activation, name)
    if expand_ratio != 1:
        x = _conv(output_filters, 1, 1, f"{name}project_conv")(x)
    else:
        x = _conv(output_filters, kernel_size, strides, f"{name}project_conv")(x)
    x = _bn(bn_momentum, f"{name}project_bn")(x)
    if expand_ratio == 1:
        x = layers.Activation(activation, name=f"{name}project_activation")(x)
    if strides == 1 and input_filters == output_filters:
        x = _residual(x, inputs, drop_rate, name)
    return x


def EfficientNetV2(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    min_depth: int = 8,
    bn_momentum: float = 0.9,
    activation: Any = "swish",
    blocks_args: Any = "default",
    name: str = "efficientnetv2",
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    weights_name: str | None = None,
) -> Functional:
    """Build an EfficientNetV2 from its scaling coefficients (the engine of B0 to L).

    Args:
        width_coefficient: multiplier of every stage's number of filters.
        depth_coefficient: multiplier of every stage's number of blocks (rounded up).
        default_size: the input height and width the variant is trained at.
        dropout_rate: dropout before the classifier.
        drop_connect_rate: the largest per-sample drop rate on the residual branches; block
            `b` of `n` uses `drop_connect_rate * b / n`.
        depth_divisor: widths are rounded to multiples of this.
        min_depth: the smallest width after rounding.
        bn_momentum: the momentum of every BatchNormalization.
        activation: the activation of the convolutions.
        blocks_args: "default" (the variant's stage table) or a list of dicts with the keys
            kernel_size, num_repeat, input_filters, output_filters, expand_ratio, se_ratio,
            strides, conv_type (1 for fused MBConv, 0 for MBConv).
        name: the model's name.
        include_top: whether to end with the classifier (pooling, dropout, Dense).
        weights: None, "imagenet" or the path of a weights file.
        input_tensor: an optional tensor to build the model on.
        input_shape: the input shape without the batch axis (default: the variant's size).
        pooling: without the top: None (4-D feature map), "avg" or "max".
        classes: the classifier's number of classes.
        classifier_activation: the classifier's activation (None gives logits).
        include_preprocessing: whether the model starts with its input scaling layers.
        weights_name: the variant key ("b0" ... "b3", "-s", "-m", "-l"): picks the default
            stage table, the input scaling and the ImageNet file's hash.

    Returns:
        The model.
    """
    variant = _VARIANTS.get(weights_name)
    if blocks_args == "default":
        table = variant[3] if variant else name
        if table not in DEFAULT_BLOCKS_ARGS:
            raise ValueError(
                "`blocks_args='default'` needs a known variant, expected `weights_name` in "
                f"{sorted(_VARIANTS)} or `name` in {sorted(DEFAULT_BLOCKS_ARGS)}. Received: "
                f"weights_name={weights_name!r}, name={name!r}"
            )
        blocks_args = DEFAULT_BLOCKS_ARGS[table]
    helpers.check_weights_and_classes(weights, include_top, classes)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    blocks_args = copy.deepcopy(blocks_args)
    for args in blocks_args:
        if args["num_repeat"] <= 0:
            raise ValueError(
                "Every stage of `blocks_args` needs at least one block, expected "
                f"`num_repeat` > 0. Received: num_repeat={args['num_repeat']}"
            )
    img_input = helpers.image_input(input_tensor, input_shape)
    axis = _channel_axis()

    def widen(filters: float) -> int:
        return round_filters(filters, width_coefficient, min_depth, depth_divisor)

    x = img_input
    if include_preprocessing:
        channels = input_shape[axis - 1]
        # The B variants were trained on ImageNet-normalized inputs, S/M/L on [-1, 1].
        family = (variant[3] if variant else name).split("-")[-1]
        if family.startswith("b") and channels == 3:
            x = layers.Rescaling(scale=1.0 / 255)(x)
            x = layers.Normalization(
                mean=[0.485, 0.456, 0.406],
                variance=[0.229**2, 0.224**2, 0.225**2],
                axis=axis,
            )(x)
        else:
            x = layers.Rescaling(scale=1.0 / 128.0, offset=-1)(x)

    x = _conv(widen(blocks_args[0]["input_filters"]), 3, 2, "stem_conv")(x)
    x = _bn(bn_momentum, "stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total = float(sum(args["num_repeat"] for args in blocks_args))
    b = 0
    for i, args in enumerate(blocks_args):
        args["input_filters"] = widen(args["input_filters"])
        args["output_filters"] = widen(args["output_filters"])
        build_block = _fused_mbconv if args.pop("conv_type") == 1 else _mbconv
        for j in range(round_repeats(args.pop("num_repeat"), depth_coefficient)):
            if j > 0:
                args["strides"] = 1
                args["input_filters"] = args["output_filters"]
            x = build_block(
                x,
                bn_momentum=bn_momentum,
                activation=activation,
                drop_rate=drop_connect_rate * b / total,
                name=f"block{i + 1}{chr(ord('a') + j)}_",
                **args,
            )
            b += 1

    x = _conv(widen(1280), 1, 1, "top_conv")(x)
    x = _bn(bn_momentum, "top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
            bias_initializer=initializers.Constant(0.0),
            name="predictions",
        )(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        fname = name + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
        helpers.load_weights(model, weights, (fname, BASE_WEIGHTS_PATH + fname, file_hash))
    else:
        helpers.load_weights(model, weights, ("", "", None))
    return model


def _variant(key: str, name: str, **kwargs: Any) -> Functional:
    width, depth, size, _ = _VARIANTS[key]
    return EfficientNetV2(
        width_coefficient=width,
        depth_coefficient=depth,
        default_size=size,
        name=name,
        weights_name=key,
        **kwargs,
    )


_DOC = """Build {model} (EfficientNetV2 at a {size}x{size} input), optionally with ImageNet
    weights.

    With `include_preprocessing=True` the model takes raw pixels in [0, 255] (its first
    layers scale them; this module's `preprocess_input` returns its input unchanged).

    Args:
        include_top: whether to end with the 1000-way classifier (global average pooling,
            dropout, Dense).
        weights: None (random initialization), "imagenet" (downloads Keras's weights file
            into the "models" cache) or the path of a weights file to load.
        input_tensor: an optional tensor (e.g. from `keras.Input`) to use as the image input.
        input_shape: the input shape without the batch axis; only without the top, or equal
            to ({size}, {size}, 3) with it. Height and width of at least 32.
        pooling: without the top: None for the 4-D feature map, "avg" or "max" for global
            pooling to a 2-D output.
        classes: the number of classes of the classifier (1000 with ImageNet weights).
        classifier_activation: the classifier's activation; None returns logits. With
            pretrained weights only None or "softmax".
        include_preprocessing: whether the model starts with its input scaling layers
            (leave True for the ImageNet weights and [0, 255] inputs).
        name: the model's name.

    Returns:
        A `Functional` model.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape` or
            `classifier_activation` combination.
    """


def EfficientNetV2B0(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b0",
) -> Functional:
    return _variant(
        "b0",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


def EfficientNetV2B1(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b1",
) -> Functional:
    return _variant(
        "b1",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


def EfficientNetV2B2(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b2",
) -> Functional:
    return _variant(
        "b2",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


def EfficientNetV2B3(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-b3",
) -> Functional:
    return _variant(
        "b3",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


def EfficientNetV2S(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-s",
) -> Functional:
    return _variant(
        "-s",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


def EfficientNetV2M(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-m",
) -> Functional:
    return _variant(
        "-m",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


def EfficientNetV2L(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    include_preprocessing: bool = True,
    name: str = "efficientnetv2-l",
) -> Functional:
    return _variant(
        "-l",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        include_preprocessing=include_preprocessing,
    )


for _fn, _key in zip(
    (
        EfficientNetV2B0,
        EfficientNetV2B1,
        EfficientNetV2B2,
        EfficientNetV2B3,
        EfficientNetV2S,
        EfficientNetV2M,
        EfficientNetV2L,
    ),
    _VARIANTS,
):
    _fn.__doc__ = _DOC.format(model=_fn.__name__, size=_VARIANTS[_key][2])


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Return `x` unchanged: EfficientNetV2 models scale their inputs themselves.

    Kept so that code written for the other families (`preprocess_input` before the model)
    runs unchanged.

    Args:
        x: a batch of images with pixels in [0, 255] (array or tensor).
        data_format: ignored (accepted for the common signature).

    Returns:
        `x` itself.
    """
    return x


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """The `top` ImageNet classes of each prediction (see `imagenet_utils.decode_predictions`).

    Args:
        preds: a (batch, 1000) array of class scores.
        top: how many classes to return per sample.

    Returns:
        Per sample, a list of `(class_id, class_name, score)` from best to worst.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
