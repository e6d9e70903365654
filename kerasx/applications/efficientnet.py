"""EfficientNet B0 to B7 (Tan & Le, 2019, https://arxiv.org/abs/1905.11946).

The eight variants share one body: a stem convolution, seven stages of inverted-residual
("MBConv") blocks with squeeze-and-excitation, and a 1x1 head convolution. A variant scales
the stage widths (`width_coefficient`), the number of blocks per stage (`depth_coefficient`)
and the input size. The input scaling lives inside the model (a `Rescaling` and a
`Normalization` layer), so the models take raw pixels in [0, 255] and `preprocess_input` here
returns its input unchanged.

Layer names, weight order and shapes follow Keras, so Keras's weight files load and
`set_weights` works both ways.
"""

from __future__ import annotations

import copy
import math
from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models.functional import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/keras-applications/"

# Per variant: the md5 of the weights file with the classifier, then without it.
WEIGHTS_HASHES = {
    "b0": ("902e53a9f72be733fc0bcb005b3ebbac", "50bc09e76180e00e4465e1a485ddc09d"),
    "b1": ("1d254153d4ab51201f1646940f018540", "74c4e6b3e1f6a1eea24c589628592432"),
    "b2": ("b15cce36ff4dcbd00b6dd88e7857a6ad", "111f8e2ac8aa800a7a99e3239f7bfb39"),
    "b3": ("ffd1fdc53d0ce67064dc6a9c7960ede0", "af6d107764bb5b1abb91932881670226"),
    "b4": ("18c95ad55216b8f92d7e70b3a046e2fc", "ebc24e6d6c33eaebbd558eafbeedf1ba"),
    "b5": ("ace28f2a6363774853a83a0b21b9421a", "38879255a25d3c92d5e44e04ae6cec6f"),
    "b6": ("165f6e37dce68623721b423839de8be5", "9ecce42647a20130c1f39a5d4cb75743"),
    "b7": ("8c03f828fec3ef71311cd463b6759d99", "cbcfe4450ddf6f3ad90b1b398090fe4a"),
}

# The B0 stages: (kernel_size, repeats, filters_in, filters_out, expand_ratio, strides).
# Every block keeps its identity skip when the shapes allow and uses an SE ratio of 0.25.
_STAGES = (
    (3, 1, 32, 16, 1, 1),
    (3, 2, 16, 24, 6, 2),
    (5, 2, 24, 40, 6, 2),
    (3, 3, 40, 80, 6, 2),
    (5, 3, 80, 112, 6, 1),
    (5, 4, 112, 192, 6, 2),
    (3, 1, 192, 320, 6, 1),
)
_FIELDS = ("kernel_size", "repeats", "filters_in", "filters_out", "expand_ratio", "strides")
DEFAULT_BLOCKS_ARGS = [
    {**dict(zip(_FIELDS, stage)), "id_skip": True, "se_ratio": 0.25} for stage in _STAGES
]

CONV_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 2.0, "mode": "fan_out", "distribution": "truncated_normal"},
}
DENSE_KERNEL_INITIALIZER = {
    "class_name": "VarianceScaling",
    "config": {"scale": 1.0 / 3.0, "mode": "fan_out", "distribution": "uniform"},
}

# The published ImageNet weights store the squared standard deviations as the Normalization
# layer's variance, so the models built for them divide once more by sqrt(std).
IMAGENET_STDDEV_RGB = [0.229, 0.224, 0.225]

# Variant -> (width_coefficient, depth_coefficient, default_size, dropout_rate).
_VARIANTS = {
    "b0": (1.0, 1.0, 224, 0.2),
    "b1": (1.0, 1.1, 240, 0.2),
    "b2": (1.1, 1.2, 260, 0.3),
    "b3": (1.2, 1.4, 300, 0.3),
    "b4": (1.4, 1.8, 380, 0.4),
    "b5": (1.6, 2.2, 456, 0.4),
    "b6": (1.8, 2.6, 528, 0.5),
    "b7": (2.0, 3.1, 600, 0.5),
}


def _channel_axis() -> int:
    return 3 if image_data_format() == "channels_last" else 1


def _mbconv_block(
    inputs: Any,
    activation: Any,
    drop_rate: float,
    name: str,
    filters_in: int,
    filters_out: int,
    kernel_size: int,
    strides: int,
    expand_ratio: int,
    se_ratio: float,
    id_skip: bool,
) -> Any:
    """One inverted-residual block: expand (1x1), depthwise conv, squeeze-and-excite,
    project (1x1), and the identity skip (with per-sample drop-connect) when shapes allow."""
    axis = _channel_axis()
    filters = filters_in * expand_ratio
    x = inputs
    if expand_ratio != 1:
        x = layers.Conv2D(
            filters,
            1,
            padding="same",
            use_bias=False,
            kernel_initializer=CONV_KERNEL_INITIALIZER,
            name=f"{name}expand_conv",
        )(x)
        x = layers.BatchNormalization(axis=axis, name=f"{name}expand_bn")(x)
        x = layers.Activation(activation, name=f"{name}expand_activation")(x)

    padding = "same"
    if strides == 2:
        pad = imagenet_utils.correct_pad(x, kernel_size)
        x = layers.ZeroPadding2D(padding=pad, name=f"{name}dwconv_pad")(x)
        padding = "valid"
    x = layers.DepthwiseConv2D(
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=False,
        depthwise_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}dwconv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}bn")(x)
    x = layers.Activation(activation, name=f"{name}activation")(x)

    if 0 < se_ratio <= 1:
        x = squeeze_excite(x, filters, max(1, int(filters_in * se_ratio)), activation, name)

    x = layers.Conv2D(
        filters_out,
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}project_conv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name=f"{name}project_bn")(x)
    if id_skip and strides == 1 and filters_in == filters_out:
        if drop_rate > 0:
            x = layers.Dropout(drop_rate, noise_shape=(None, 1, 1, 1), name=f"{name}drop")(x)
        x = layers.add([x, inputs], name=f"{name}add")
    return x


def squeeze_excite(x: Any, filters: int, filters_se: int, activation: Any, name: str) -> Any:
    """Squeeze-and-excitation: rescale each channel of `x` by a gate computed from its
    spatial mean (two 1x1 convolutions, `filters_se` wide in between). Used by EfficientNet
    and EfficientNetV2 with the same layer names (`{name}se_squeeze`, ... `{name}se_excite`).
    """
    se = layers.GlobalAveragePooling2D(name=f"{name}se_squeeze")(x)
    shape = (1, 1, filters) if _channel_axis() == 3 else (filters, 1, 1)
    se = layers.Reshape(shape, name=f"{name}se_reshape")(se)
    se = layers.Conv2D(
        filters_se,
        1,
        padding="same",
        activation=activation,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}se_reduce",
    )(se)
    se = layers.Conv2D(
        filters,
        1,
        padding="same",
        activation="sigmoid",
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name=f"{name}se_expand",
    )(se)
    return layers.multiply([x, se], name=f"{name}se_excite")


def _round_filters(filters: float, width_coefficient: float, divisor: int) -> int:
    """Scale a width and round it to a multiple of `divisor`, never more than 10% down."""
    filters *= width_coefficient
    rounded = max(divisor, int(filters + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * filters:
        rounded += divisor
    return int(rounded)


def EfficientNet(
    width_coefficient: float,
    depth_coefficient: float,
    default_size: int,
    dropout_rate: float = 0.2,
    drop_connect_rate: float = 0.2,
    depth_divisor: int = 8,
    activation: Any = "swish",
    blocks_args: Any = "default",
    name: str = "efficientnet",
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    weights_name: str | None = None,
) -> Functional:
    """Build an EfficientNet from its scaling coefficients (the engine of B0 to B7).

    Args:
        width_coefficient: multiplier of every stage's number of filters.
        depth_coefficient: multiplier of every stage's number of blocks (rounded up).
        default_size: the input height and width the variant is trained at.
        dropout_rate: dropout before the classifier.
        drop_connect_rate: the largest per-sample drop rate on the residual branches; block
            `b` of `n` uses `drop_connect_rate * b / n`.
        depth_divisor: widths are rounded to multiples of this.
        activation: the activation of the convolutions.
        blocks_args: "default" (the B0 stages) or a list of dicts with the keys
            kernel_size, repeats, filters_in, filters_out, expand_ratio, id_skip, strides,
            se_ratio.
        name: the model's name.
        include_top: whether to end with the classifier (pooling, dropout, Dense).
        weights: None, "imagenet" or the path of a weights file.
        input_tensor: an optional tensor to build the model on.
        input_shape: the input shape without the batch axis (default: the variant's size).
        pooling: without the top: None (4-D feature map), "avg" or "max".
        classes: the classifier's number of classes.
        classifier_activation: the classifier's activation (None gives logits).
        weights_name: the variant key ("b0" ... "b7") that picks the ImageNet file's hash.

    Returns:
        The model.
    """
    if blocks_args == "default":
        blocks_args = DEFAULT_BLOCKS_ARGS
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
        if args["repeats"] <= 0:
            raise ValueError(
                "Every stage of `blocks_args` needs at least one block, expected `repeats` "
                f"> 0. Received: repeats={args['repeats']}"
            )
    img_input = helpers.image_input(input_tensor, input_shape)
    axis = _channel_axis()

    def round_filters(filters: float) -> int:
        return _round_filters(filters, width_coefficient, depth_divisor)

    def round_repeats(repeats: int) -> int:
        return int(math.ceil(depth_coefficient * repeats))

    x = layers.Rescaling(1.0 / 255.0)(img_input)
    x = layers.Normalization(axis=axis)(x)
    if weights == "imagenet":
        x = layers.Rescaling([1.0 / math.sqrt(s) for s in IMAGENET_STDDEV_RGB])(x)

    x = layers.ZeroPadding2D(padding=imagenet_utils.correct_pad(x, 3), name="stem_conv_pad")(x)
    x = layers.Conv2D(
        round_filters(32),
        3,
        strides=2,
        padding="valid",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="stem_conv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name="stem_bn")(x)
    x = layers.Activation(activation, name="stem_activation")(x)

    total = float(sum(round_repeats(args["repeats"]) for args in blocks_args))
    b = 0
    for i, args in enumerate(blocks_args):
        args["filters_in"] = round_filters(args["filters_in"])
        args["filters_out"] = round_filters(args["filters_out"])
        for j in range(round_repeats(args.pop("repeats"))):
            if j > 0:
                args["strides"] = 1
                args["filters_in"] = args["filters_out"]
            x = _mbconv_block(
                x,
                activation,
                drop_connect_rate * b / total,
                name=f"block{i + 1}{chr(ord('a') + j)}_",
                **args,
            )
            b += 1

    x = layers.Conv2D(
        round_filters(1280),
        1,
        padding="same",
        use_bias=False,
        kernel_initializer=CONV_KERNEL_INITIALIZER,
        name="top_conv",
    )(x)
    x = layers.BatchNormalization(axis=axis, name="top_bn")(x)
    x = layers.Activation(activation, name="top_activation")(x)
    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        if dropout_rate > 0:
            x = layers.Dropout(dropout_rate, name="top_dropout")(x)
        x = layers.Dense(
            classes,
            activation=classifier_activation,
            kernel_initializer=DENSE_KERNEL_INITIALIZER,
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
    width, depth, size, dropout = _VARIANTS[key]
    return EfficientNet(width, depth, size, dropout, name=name, weights_name=key, **kwargs)


_DOC = """Build {model} (EfficientNet scaled to a {size}x{size} input), optionally with ImageNet
    weights.

    The model takes raw pixels in [0, 255]: rescaling and normalization are its first layers
    (this module's `preprocess_input` returns its input unchanged).

    Args:
        include_top: whether to end with the 1000-way classifier (global average pooling,
            dropout, Dense).
        weights: None (random initialization), "imagenet" (downloads Keras's weights file
            into the "models" cache) or the path of a weights file to load.
        input_tensor: an optional tensor (e.g. from `keras.Input`) to use as the image input.
        input_shape: the input shape without the batch axis; only without the top, or equal
            to ({size}, {size}, 3) with it. Height and width of at least 32, 3 channels.
        pooling: without the top: None for the 4-D feature map, "avg" or "max" for global
            pooling to a 2-D output.
        classes: the number of classes of the classifier (1000 with ImageNet weights).
        classifier_activation: the classifier's activation; None returns logits. With
            pretrained weights only None or "softmax".
        name: the model's name.

    Returns:
        A `Functional` model.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape` or
            `classifier_activation` combination.
    """


def EfficientNetB0(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb0",
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
    )


def EfficientNetB1(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb1",
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
    )


def EfficientNetB2(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb2",
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
    )


def EfficientNetB3(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb3",
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
    )


def EfficientNetB4(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb4",
) -> Functional:
    return _variant(
        "b4",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def EfficientNetB5(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb5",
) -> Functional:
    return _variant(
        "b5",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def EfficientNetB6(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb6",
) -> Functional:
    return _variant(
        "b6",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def EfficientNetB7(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "efficientnetb7",
) -> Functional:
    return _variant(
        "b7",
        name,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


for _fn, _key in zip(
    (
        EfficientNetB0,
        EfficientNetB1,
        EfficientNetB2,
        EfficientNetB3,
        EfficientNetB4,
        EfficientNetB5,
        EfficientNetB6,
        EfficientNetB7,
    ),
    _VARIANTS,
):
    _fn.__doc__ = _DOC.format(model=_fn.__name__, size=_VARIANTS[_key][2])


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Return `x` unchanged: EfficientNet models scale their inputs themselves.

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
