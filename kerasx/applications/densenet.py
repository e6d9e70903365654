"""DenseNet-121, -169 and -201: every layer of a dense block sees the concatenated outputs
of all the layers before it.

Reference: Huang et al., "Densely Connected Convolutional Networks" (CVPR 2017,
https://arxiv.org/abs/1608.06993).

Same layers, weights and ImageNet files as `keras.applications.densenet`.
"""

from __future__ import annotations

from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models.functional import Functional

__all__ = ["DenseNet121", "DenseNet169", "DenseNet201", "decode_predictions", "preprocess_input"]

_BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/densenet/"

# Number of conv blocks in each of the four dense blocks, per depth.
_BLOCKS = {121: (6, 12, 24, 16), 169: (6, 12, 32, 32), 201: (6, 12, 48, 32)}

# Published ImageNet files: depth -> (hash with the classifier, hash without it).
_HASHES = {
    121: ("9d60b8095a5708f2dcce2bca79d332c7", "30ee3e1110167f948a6b9946edeeb738"),
    169: ("d699b8f76981ab1b30698df4c175e90b", "b8c4d4c20dd625c148057b9ff1c1176b"),
    201: ("1ceb130c1ea1b78c3bf6114dbdfd8807", "c13680b51ded0fb44dff2d8f86ac8bb1"),
}

_GROWTH_RATE = 32
_BN_EPSILON = 1.001e-5


def _dense_block(x: Any, blocks: int, name: str) -> Any:
    """A dense block: `blocks` conv blocks, each adding 32 channels to its input.

    Args:
        x: the input tensor.
        blocks: the number of conv blocks.
        name: the block's name prefix (its layers are `{name}_block{i}_*`).

    Returns:
        The output tensor.
    """
    for i in range(blocks):
        x = _conv_block(x, _GROWTH_RATE, name=f"{name}_block{i + 1}")
    return x


def _transition_block(x: Any, reduction: float, name: str) -> Any:
    """A transition block: BN, ReLU, a 1x1 conv keeping `reduction` of the channels, then
    2x2 average pooling.

    Args:
        x: the input tensor.
        reduction: the fraction of channels kept.
        name: the block's name prefix.

    Returns:
        The output tensor.
    """
    bn_axis = _bn_axis()
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_BN_EPSILON, name=f"{name}_bn")(x)
    x = layers.Activation("relu", name=f"{name}_relu")(x)
    x = layers.Conv2D(int(x.shape[bn_axis] * reduction), 1, use_bias=False, name=f"{name}_conv")(x)
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _conv_block(x: Any, growth_rate: int, name: str) -> Any:
    """One building block of a dense block: BN, ReLU, 1x1 conv (4 * `growth_rate`
    filters), BN, ReLU, 3x3 conv (`growth_rate` filters), concatenated to the input.

    Args:
        x: the input tensor.
        growth_rate: the number of channels the block adds.
        name: the block's name prefix.

    Returns:
        The input with `growth_rate` more channels.
    """
    bn_axis = _bn_axis()
    y = layers.BatchNormalization(axis=bn_axis, epsilon=_BN_EPSILON, name=f"{name}_0_bn")(x)
    y = layers.Activation("relu", name=f"{name}_0_relu")(y)
    y = layers.Conv2D(4 * growth_rate, 1, use_bias=False, name=f"{name}_1_conv")(y)
    y = layers.BatchNormalization(axis=bn_axis, epsilon=_BN_EPSILON, name=f"{name}_1_bn")(y)
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(growth_rate, 3, padding="same", use_bias=False, name=f"{name}_2_conv")(y)
    return layers.Concatenate(axis=bn_axis, name=f"{name}_concat")([x, y])


def _bn_axis() -> int:
    return 3 if image_data_format() == "channels_last" else 1


def _densenet(
    blocks: Any,
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "densenet",
) -> Functional:
    """Build a DenseNet with `blocks` conv blocks in its four dense blocks.

    Args:
        blocks: four numbers of conv blocks (ImageNet weights exist for the DenseNet121,
            169 and 201 layouts).
        include_top: whether to end with the dense classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional tensor (e.g. the output of `Input`) to use as the image
            input.
        input_shape: the image shape without the batch axis, e.g. `(200, 200, 3)`; at least
            32x32 with 3 channels. With the classifier and ImageNet weights it must be the
            default `(224, 224, 3)`.
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: the image data format is "channels_first" (not supported), or an
            invalid `weights`, `classes` or `input_shape`.
    """
    if image_data_format() == "channels_first":
        raise ValueError(
            "DenseNet supports the 'channels_last' image data format only. Received: "
            "image_data_format='channels_first'; call "
            "`keras.config.set_image_data_format('channels_last')` (or edit keras.json)."
        )
    helpers.check_weights_and_classes(weights, include_top, classes)
    blocks = tuple(blocks)
    depth = next((d for d, b in _BLOCKS.items() if b == blocks), None)
    if weights == "imagenet" and depth is None:
        raise ValueError(
            "ImageNet weights exist for the DenseNet121, 169 and 201 layouts only, "
            f"{tuple(_BLOCKS.values())}. Received: blocks={blocks}"
        )
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=224,
        min_size=32,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )

    img_input = helpers.image_input(input_tensor, input_shape)
    bn_axis = _bn_axis()

    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)))(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=False, name="conv1_conv")(x)
    x = layers.BatchNormalization(axis=bn_axis, epsilon=_BN_EPSILON, name="conv1_bn")(x)
    x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)))(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1")(x)

    for stage, count in enumerate(blocks, start=2):
        x = _dense_block(x, count, name=f"conv{stage}")
        if stage < 5:
            x = _transition_block(x, 0.5, name=f"pool{stage}")

    x = layers.BatchNormalization(axis=bn_axis, epsilon=_BN_EPSILON, name="bn")(x)
    x = layers.Activation("relu", name="relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        imagenet_utils.validate_activation(classifier_activation, weights)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)

    if weights == "imagenet":
        stem = f"densenet{depth}_weights_tf_dim_ordering_tf_kernels"
        if include_top:
            fname, file_hash = f"{stem}.h5", _HASHES[depth][0]
        else:
            fname, file_hash = f"{stem}_notop.h5", _HASHES[depth][1]
        helpers.load_weights(model, weights, (fname, _BASE_WEIGHTS_PATH + fname, file_hash))
    else:
        helpers.load_weights(model, weights, ("", "", None))
    return model


def _variant_doc(depth: int) -> str:
    return f"""Build a DenseNet{depth} image classifier (or feature extractor).

    Feed it images prepared by `kerasx.applications.densenet.preprocess_input`.

    Args:
        include_top: whether to end with the dense classifier.
        weights: None (random initialization), "imagenet", or the path of a weights file.
        input_tensor: an optional tensor (e.g. the output of `Input`) to use as the image
            input.
        input_shape: the image shape without the batch axis, e.g. `(200, 200, 3)`; at least
            32x32 with 3 channels. With the classifier and ImageNet weights it must be the
            default `(224, 224, 3)`.
        pooling: without the classifier, None (4-D feature maps), "avg" or "max" (global
            pooling to a 2-D tensor).
        classes: number of classes (only with `include_top=True`; 1000 for ImageNet).
        classifier_activation: activation of the classifier: a name, a callable, or None
            for logits (only None or "softmax" with pretrained weights).
        name: the model's name.

    Returns:
        A functional `Model`.

    Raises:
        ValueError: the image data format is "channels_first" (not supported), or an
            invalid `weights`, `classes` or `input_shape`.
    """


def DenseNet121(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "densenet121",
) -> Functional:
    return _densenet(
        _BLOCKS[121],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name=name,
    )


def DenseNet169(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "densenet169",
) -> Functional:
    return _densenet(
        _BLOCKS[169],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name=name,
    )


def DenseNet201(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "densenet201",
) -> Functional:
    return _densenet(
        _BLOCKS[201],
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name=name,
    )


DenseNet121.__doc__ = _variant_doc(121)
DenseNet169.__doc__ = _variant_doc(169)
DenseNet201.__doc__ = _variant_doc(201)


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale images from [0, 255] to [0, 1], then normalize each channel by the ImageNet
    mean and standard deviation, as the DenseNet ImageNet weights expect.

    Args:
        x: a float NumPy array or a tensor of images (3-D or 4-D, 3 channels). A float NumPy
            array is updated in place.
        data_format: "channels_last" or "channels_first"; None uses the global setting.

    Returns:
        The normalized images.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="torch")


def decode_predictions(preds: Any, top: int = 5) -> list[list[tuple[str, str, Any]]]:
    """Turn a batch of ImageNet class scores into the `top` (class_id, name, score) guesses.

    Args:
        preds: an array of shape `(samples, 1000)`.
        top: how many guesses per sample.

    Returns:
        One list of `(class_id, class_name, score)` tuples per sample, best first.
    """
    return imagenet_utils.decode_predictions(preds, top=top)
