"""NASNet-A Mobile and Large (Zoph et al., 2018, https://arxiv.org/abs/1707.07012).

The architecture found by neural architecture search: a stem convolution, two reduction
cells, then three groups of normal cells separated by reduction cells. Each cell combines
its input and the previous cell's output (`p`, first adjusted to the same size and width)
through separable convolutions, poolings and sums, and concatenates the results. The layers
are created inside the same name scopes as Keras (`normal_A_block_<id>/block_1/...`), so the
weight paths match too. Channels-last only. Inputs go through `preprocess_input` (pixels
scaled to [-1, 1]).
"""

from __future__ import annotations

from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.engine.name_scope import name_scope
from kerasx.models.functional import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/nasnet/"
NASNET_MOBILE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-mobile.h5"
NASNET_MOBILE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-mobile-no-top.h5"
NASNET_LARGE_WEIGHT_PATH = f"{BASE_WEIGHTS_PATH}NASNet-large.h5"
NASNET_LARGE_WEIGHT_PATH_NO_TOP = f"{BASE_WEIGHTS_PATH}NASNet-large-no-top.h5"

# default_size -> include_top -> (cache file name, URL, md5)
_WEIGHTS_FILES = {
    224: {
        True: ("nasnet_mobile.h5", NASNET_MOBILE_WEIGHT_PATH, "020fb642bf7360b370c678b08e0adf61"),
        False: (
            "nasnet_mobile_no_top.h5",
            NASNET_MOBILE_WEIGHT_PATH_NO_TOP,
            "1ed92395b5b598bdda52abe5c0dbfd63",
        ),
    },
    331: {
        True: ("nasnet_large.h5", NASNET_LARGE_WEIGHT_PATH, "11577c9a518f0070763c2b964a382f17"),
        False: (
            "nasnet_large_no_top.h5",
            NASNET_LARGE_WEIGHT_PATH_NO_TOP,
            "d81d89dc07e6e56530c4e77faddd61b5",
        ),
    },
}

_CHANNELS = -1  # channels-last only


def _bn(name: str | None = None) -> layers.BatchNormalization:
    return layers.BatchNormalization(axis=_CHANNELS, momentum=0.9997, epsilon=1e-3, name=name)


def _conv1x1(filters: int, name: str) -> layers.Conv2D:
    return layers.Conv2D(
        filters,
        (1, 1),
        strides=(1, 1),
        padding="same",
        use_bias=False,
        name=name,
        kernel_initializer="he_normal",
    )


def _separable_conv_block(
    ip: Any,
    filters: int,
    kernel_size: tuple[int, int] = (3, 3),
    strides: tuple[int, int] = (1, 1),
    block_id: str | None = None,
) -> Any:
    """ReLU, separable convolution (stride `strides`), BN, ReLU, separable convolution, BN."""
    with name_scope(f"separable_conv_block_{block_id}"):
        x = layers.Activation("relu")(ip)
        padding = "same"
        if strides == (2, 2):
            pad = imagenet_utils.correct_pad(x, kernel_size)
            x = layers.ZeroPadding2D(padding=pad, name=f"separable_conv_1_pad_{block_id}")(x)
            padding = "valid"
        x = layers.SeparableConv2D(
            filters,
            kernel_size,
            strides=strides,
            name=f"separable_conv_1_{block_id}",
            padding=padding,
            use_bias=False,
        )(x)
        x = _bn(f"separable_conv_1_bn_{block_id}")(x)
        x = layers.Activation("relu")(x)
        x = layers.SeparableConv2D(
            filters,
            kernel_size,
            name=f"separable_conv_2_{block_id}",
            padding="same",
            use_bias=False,
        )(x)
        x = _bn(f"separable_conv_2_bn_{block_id}")(x)
    return x


def _adjust_block(p: Any, ip: Any, filters: int, block_id: str) -> Any:
    """Bring the previous cell's output `p` to the size of `ip` (a factorized stride-2
    reduction) or to `filters` channels (a 1x1 projection); `ip` itself when `p` is None."""
    with name_scope("adjust_block"):
        if p is None:
            return ip
        if p.shape[-2] != ip.shape[-2]:
            with name_scope(f"adjust_reduction_block_{block_id}"):
                p = layers.Activation("relu", name=f"adjust_relu_1_{block_id}")(p)
                p1 = layers.AveragePooling2D(
                    (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_1_{block_id}"
                )(p)
                p1 = layers.Conv2D(
                    filters // 2,
                    (1, 1),
                    padding="same",
                    use_bias=False,
                    name=f"adjust_conv_1_{block_id}",
                    kernel_initializer="he_normal",
                )(p1)
                # The second path samples the other pixel of each 2x2 patch.
                p2 = layers.ZeroPadding2D(padding=((0, 1), (0, 1)))(p)
                p2 = layers.Cropping2D(cropping=((1, 0), (1, 0)))(p2)
                p2 = layers.AveragePooling2D(
                    (1, 1), strides=(2, 2), padding="valid", name=f"adjust_avg_pool_2_{block_id}"
                )(p2)
                p2 = layers.Conv2D(
                    filters // 2,
                    (1, 1),
                    padding="same",
                    use_bias=False,
                    name=f"adjust_conv_2_{block_id}",
                    kernel_initializer="he_normal",
                )(p2)
                p = layers.concatenate([p1, p2], axis=_CHANNELS)
                p = _bn(f"adjust_bn_{block_id}")(p)
        elif p.shape[-1] != filters:
            with name_scope(f"adjust_projection_block_{block_id}"):
                p = layers.Activation("relu")(p)
                p = _conv1x1(filters, f"adjust_conv_projection_{block_id}")(p)
                p = _bn(f"adjust_bn_{block_id}")(p)
    return p


def _squeeze_input(ip: Any, filters: int, kind: str, block_id: str) -> Any:
    """ReLU and a 1x1 convolution with BN: the cell's view of its own input."""
    h = layers.Activation("relu")(ip)
    h = _conv1x1(filters, f"{kind}_conv_1_{block_id}")(h)
    return _bn(f"{kind}_bn_1_{block_id}")(h)


def _normal_a_cell(ip: Any, p: Any, filters: int, block_id: str) -> tuple[Any, Any]:
    """A normal cell (same size out as in). Returns (output, `ip` as the next `p`)."""
    with name_scope(f"normal_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _squeeze_input(ip, filters, "normal", block_id)
        with name_scope("block_1"):
            x1_1 = _separable_conv_block(
                h, filters, kernel_size=(5, 5), block_id=f"normal_left1_{block_id}"
            )
            x1_2 = _separable_conv_block(p, filters, block_id=f"normal_right1_{block_id}")
            x1 = layers.add([x1_1, x1_2], name=f"normal_add_1_{block_id}")
        with name_scope("block_2"):
            x2_1 = _separable_conv_block(p, filters, (5, 5), block_id=f"normal_left2_{block_id}")
            x2_2 = _separable_conv_block(p, filters, (3, 3), block_id=f"normal_right2_{block_id}")
            x2 = layers.add([x2_1, x2_2], name=f"normal_add_2_{block_id}")
        with name_scope("block_3"):
            x3 = layers.AveragePooling2D(
                (3, 3), strides=(1, 1), padding="same", name=f"normal_left3_{block_id}"
            )(h)
            x3 = layers.add([x3, p], name=f"normal_add_3_{block_id}")
        with name_scope("block_4"):
            x4_1 = layers.AveragePooling2D(
                (3, 3), strides=(1, 1), padding="same", name=f"normal_left4_{block_id}"
            )(p)
            x4_2 = layers.AveragePooling2D(
                (3, 3), strides=(1, 1), padding="same", name=f"normal_right4_{block_id}"
            )(p)
            x4 = layers.add([x4_1, x4_2], name=f"normal_add_4_{block_id}")
        with name_scope("block_5"):
            x5 = _separable_conv_block(h, filters, block_id=f"normal_left5_{block_id}")
            x5 = layers.add([x5, h], name=f"normal_add_5_{block_id}")
        x = layers.concatenate(
            [p, x1, x2, x3, x4, x5], axis=_CHANNELS, name=f"normal_concat_{block_id}"
        )
    return x, ip


def _reduction_a_cell(ip: Any, p: Any, filters: int, block_id: str) -> tuple[Any, Any]:
    """A reduction cell (half the size out). Returns (output, `ip` as the next `p`)."""
    with name_scope(f"reduction_A_block_{block_id}"):
        p = _adjust_block(p, ip, filters, block_id)
        h = _squeeze_input(ip, filters, "reduction", block_id)
        h3 = layers.ZeroPadding2D(
            padding=imagenet_utils.correct_pad(h, 3), name=f"reduction_pad_1_{block_id}"
        )(h)
        with name_scope("block_1"):
            x1_1 = _separable_conv_block(
                h, filters, (5, 5), strides=(2, 2), block_id=f"reduction_left1_{block_id}"
            )
            x1_2 = _separable_conv_block(
                p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right1_{block_id}"
            )
            x1 = layers.add([x1_1, x1_2], name=f"reduction_add_1_{block_id}")
        with name_scope("block_2"):
            x2_1 = layers.MaxPooling2D(
                (3, 3), strides=(2, 2), padding="valid", name=f"reduction_left2_{block_id}"
            )(h3)
            x2_2 = _separable_conv_block(
                p, filters, (7, 7), strides=(2, 2), block_id=f"reduction_right2_{block_id}"
            )
            x2 = layers.add([x2_1, x2_2], name=f"reduction_add_2_{block_id}")
        with name_scope("block_3"):
            x3_1 = layers.AveragePooling2D(
                (3, 3), strides=(2, 2), padding="valid", name=f"reduction_left3_{block_id}"
            )(h3)
            x3_2 = _separable_conv_block(
                p, filters, (5, 5), strides=(2, 2), block_id=f"reduction_right3_{block_id}"
            )
            x3 = layers.add([x3_1, x3_2], name=f"reduction_add3_{block_id}")
        with name_scope("block_4"):
            x4 = layers.AveragePooling2D(
                (3, 3), strides=(1, 1), padding="same", name=f"reduction_left4_{block_id}"
            )(x1)
            x4 = layers.add([x2, x4])
        with name_scope("block_5"):
            x5_1 = _separable_conv_block(
                x1, filters, (3, 3), block_id=f"reduction_left4_{block_id}"
            )
            x5_2 = layers.MaxPooling2D(
                (3, 3), strides=(2, 2), padding="valid", name=f"reduction_right5_{block_id}"
            )(h3)
            x5 = layers.add([x5_1, x5_2], name=f"reduction_add4_{block_id}")
        x = layers.concatenate(
            [x2, x3, x4, x5], axis=_CHANNELS, name=f"reduction_concat_{block_id}"
        )
    return x, ip


def NASNet(
    input_shape: Any = None,
    penultimate_filters: int = 4032,
    num_blocks: int = 6,
    stem_block_filters: int = 96,
    skip_reduction: bool = True,
    filter_multiplier: int = 2,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    default_size: int | None = None,
    classifier_activation: Any = "softmax",
    name: str = "NASNet",
) -> Functional:
    """Build a NASNet-A model (the engine of NASNetMobile and NASNetLarge).

    Args:
        input_shape: the input shape without the batch axis (default: the model's size).
        penultimate_filters: the width of the last cells; a multiple of
            `24 * filter_multiplier**2`.
        num_blocks: the number of normal cells in each of the three groups.
        stem_block_filters: the width of the stem convolution.
        skip_reduction: whether the cell after a reduction cell takes the cell before it as
            its `p` (True, NASNet-Large) or the reduction cell's input (False, Mobile).
        filter_multiplier: the width factor between groups.
        include_top: whether to end with the classifier (pooling and Dense).
        weights: None, "imagenet" (needs `default_size` 224 or 331) or a weights file.
        input_tensor: an optional tensor to build the model on.
        pooling: without the top: None (4-D feature map), "avg" or "max".
        classes: the classifier's number of classes.
        default_size: the input size the weights were trained at (331 when None).
        classifier_activation: the classifier's activation (None gives logits).
        name: the model's name.

    Returns:
        The model.

    Raises:
        ValueError: `channels_first` data format, invalid `weights` / `classes` /
            `input_shape` / `classifier_activation` / `penultimate_filters`, or ImageNet
            weights for a size other than 224 or 331.
    """
    if image_data_format() == "channels_first":
        raise ValueError(
            "NASNet supports only the `channels_last` image data format. Call "
            "`keras.config.set_image_data_format('channels_last')` (or edit "
            "~/.keras/keras.json). Received: image_data_format='channels_first'"
        )
    helpers.check_weights_and_classes(weights, include_top, classes)
    if isinstance(input_shape, tuple) and None in input_shape and weights == "imagenet":
        raise ValueError(
            "With ImageNet weights the NASNet input shape must be static (no None). "
            f"Received: input_shape={input_shape}"
        )
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    if default_size is None:
        default_size = 331
    if weights == "imagenet" and default_size not in _WEIGHTS_FILES:
        raise ValueError(
            "ImageNet weights exist only for NASNetMobile (default_size=224) and "
            f"NASNetLarge (default_size=331). Received: default_size={default_size}"
        )
    if penultimate_filters % (24 * filter_multiplier**2) != 0:
        raise ValueError(
            "For NASNet-A models `penultimate_filters` must be a multiple of "
            f"24 * filter_multiplier**2 = {24 * filter_multiplier**2}. Received: "
            f"penultimate_filters={penultimate_filters}"
        )
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=default_size,
        min_size=32,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = helpers.image_input(input_tensor, input_shape)

    filters = penultimate_filters // 24
    x = layers.Conv2D(
        stem_block_filters,
        (3, 3),
        strides=(2, 2),
        padding="valid",
        use_bias=False,
        name="stem_conv1",
        kernel_initializer="he_normal",
    )(img_input)
    x = _bn("stem_bn1")(x)

    p = None
    x, p = _reduction_a_cell(x, p, filters // (filter_multiplier**2), block_id="stem_1")
    x, p = _reduction_a_cell(x, p, filters // filter_multiplier, block_id="stem_2")
    for group in range(3):
        width = filters * filter_multiplier**group
        if group:
            x, p0 = _reduction_a_cell(x, p, width, block_id=f"reduce_{group * num_blocks}")
            p = p if skip_reduction else p0
        for i in range(num_blocks):
            # ids 0..n-1, then n+1..2n and 2n+1..3n (the reductions are "reduce_n", "reduce_2n")
            cell_id = group * num_blocks + i + (1 if group else 0)
            x, p = _normal_a_cell(x, p, width, block_id=str(cell_id))
    x = layers.Activation("relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D()(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)
    files = _WEIGHTS_FILES.get(default_size, {})
    helpers.load_weights(model, weights, files.get(bool(include_top), ("", "", None)))
    return model


def NASNetMobile(
    input_shape: Any = None,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "nasnet_mobile",
) -> Functional:
    """Build NASNet-A Mobile (4 @ 1056, 224x224 input), optionally with ImageNet weights.

    Inputs should go through `kerasx.applications.nasnet.preprocess_input` (pixels in
    [0, 255] scaled to [-1, 1]).

    Args:
        input_shape: the input shape without the batch axis; (224, 224, 3) by default (also
            without the top), and only that with the top and ImageNet weights.
        include_top: whether to end with the 1000-way classifier.
        weights: None (random initialization), "imagenet" (downloads Keras's weights file
            into the "models" cache) or the path of a weights file to load.
        input_tensor: an optional tensor (e.g. from `keras.Input`) to use as the image input.
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
            `classifier_activation` combination, or the `channels_first` data format.
    """
    if not include_top and input_shape is None:
        input_shape = (224, 224, 3)
    return NASNet(
        input_shape,
        penultimate_filters=1056,
        num_blocks=4,
        stem_block_filters=32,
        skip_reduction=False,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=224,
        classifier_activation=classifier_activation,
        name=name,
    )


def NASNetLarge(
    input_shape: Any = None,
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "nasnet_large",
) -> Functional:
    """Build NASNet-A Large (6 @ 4032, 331x331 input), optionally with ImageNet weights.

    Inputs should go through `kerasx.applications.nasnet.preprocess_input` (pixels in
    [0, 255] scaled to [-1, 1]).

    Args:
        input_shape: the input shape without the batch axis; only without the top, or equal
            to (331, 331, 3) with it. Height and width of at least 32.
        include_top: whether to end with the 1000-way classifier.
        weights: None (random initialization), "imagenet" (downloads Keras's weights file
            into the "models" cache) or the path of a weights file to load.
        input_tensor: an optional tensor (e.g. from `keras.Input`) to use as the image input.
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
            `classifier_activation` combination, or the `channels_first` data format.
    """
    return NASNet(
        input_shape,
        penultimate_filters=4032,
        num_blocks=6,
        stem_block_filters=96,
        skip_reduction=True,
        filter_multiplier=2,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        pooling=pooling,
        classes=classes,
        default_size=331,
        classifier_activation=classifier_activation,
        name=name,
    )


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as the ImageNet weights expect.

    Args:
        x: a batch of images (NumPy array or tensor).
        data_format: "channels_last", "channels_first" or None (the global setting).

    Returns:
        The scaled images (a new array for NumPy input, a tensor for tensor input).

    Raises:
        ValueError: `data_format` is not one of the accepted values.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """The `top` ImageNet classes of each prediction (see `imagenet_utils.decode_predictions`).

    Args:
        preds: a (batch, 1000) array of class scores.
        top: how many classes to return per sample.

    Returns:
        Per sample, a list of `(class_id, class_name, score)` from best to worst.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
