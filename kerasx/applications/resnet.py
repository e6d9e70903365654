"""ResNet50 / ResNet101 / ResNet152 (He et al., "Deep Residual Learning for Image
Recognition", CVPR 2015), with ImageNet weights.

Bottleneck residual blocks (1x1, 3x3, 1x1 convolutions, batch normalization after each) in
four stages. Layer names, weight order and the weight files are Keras's, so weights move both
ways. The shared builder also serves `resnet_v2` (pre-activation blocks).

Inputs go through `preprocess_input` first ("caffe" mode: RGB to BGR, minus the ImageNet
channel means).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasx import layers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models import Functional

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/resnet/"

# Per weights name: (hash of the file with the classifier, hash of the "notop" file).
WEIGHTS_HASHES = {
    "resnet50": ("2cb95161c43110f7111970584f804107", "4d473c1dd8becc155b73f8504c6f6626"),
    "resnet101": ("f1aeb4b969a6efcfb50fad2f0c20cfc5", "88cf7a10940856eca736dc7b7e228a21"),
    "resnet152": ("100835be76be38e30d865e96f2aaae62", "ee4c566cf9a93f14d82f913c2dc6dd0c"),
    "resnet50v2": ("3ef43a0b657b3be2300d5770ece849e0", "fac2f116257151a9d068a22e544a4917"),
    "resnet101v2": ("6343647c601c52e1368623803854d971", "c0ed64b8031c3730f411d2eb4eea35b5"),
    "resnet152v2": ("a49b44d1979771252814e80f8ec446f9", "ed17cf2e0169df9d443503ef94b23b33"),
    "resnext50": ("67a5b30d522ed92f75a1f16eef299d1a", "62527c363bdd9ec598bed41947b379fc"),
    "resnext101": ("34fb605428fcc7aa4d62f44404c11509", "0f678c91647380debd923963594981b3"),
}

_BN_EPSILON = 1.001e-5


def _bn_axis() -> int:
    return 3 if image_data_format() == "channels_last" else 1


def _bn(x: Any, name: str) -> Any:
    return layers.BatchNormalization(axis=_bn_axis(), epsilon=_BN_EPSILON, name=name)(x)


def ResNet(
    stack_fn: Callable[[Any], Any],
    preact: bool,
    use_bias: bool,
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet",
    weights_name: str | None = None,
) -> Functional:
    """Build a ResNet (v1 or v2) around the residual stages made by `stack_fn`.

    Args:
        stack_fn: maps the stem's output tensor to the last stage's output tensor.
        preact: True for v2 (pre-activation: batch norm + ReLU after the stages, none in the
            stem), False for v1.
        use_bias: whether the stem convolution has a bias.
        include_top: whether to end with the 1000-way (or `classes`-way) classifier.
        weights: None, "imagenet" or the path of a weights file.
        input_tensor: an optional tensor to build the model on.
        input_shape: the input shape without batch axis (default 224x224x3; at least 32x32).
        pooling: without the top, None (4-D feature map), "avg" or "max" (global pooling).
        classes: the classifier's class count.
        classifier_activation: the classifier's activation (softmax or None with weights).
        name: the model's name.
        weights_name: the key of the ImageNet files in `WEIGHTS_HASHES`.

    Returns:
        The Functional model.
    """
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

    # Stem: 7x7/2 convolution, then 3x3/2 max pooling.
    x = layers.ZeroPadding2D(padding=((3, 3), (3, 3)), name="conv1_pad")(img_input)
    x = layers.Conv2D(64, 7, strides=2, use_bias=use_bias, name="conv1_conv")(x)
    if not preact:
        x = _bn(x, "conv1_bn")
        x = layers.Activation("relu", name="conv1_relu")(x)
    x = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name="pool1_pad")(x)
    x = layers.MaxPooling2D(3, strides=2, name="pool1_pool")(x)

    x = stack_fn(x)
    if preact:
        x = _bn(x, "post_bn")
        x = layers.Activation("relu", name="post_relu")(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="max_pool")(x)

    model = Functional(imagenet_utils.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet" and weights_name in WEIGHTS_HASHES:
        suffix = "" if include_top else "_notop"
        file_name = f"{weights_name}_weights_tf_dim_ordering_tf_kernels{suffix}.h5"
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
        imagenet_utils.load_imagenet_weights(
            model, weights, file_name, BASE_WEIGHTS_PATH + file_name, file_hash
        )
    elif weights is not None and weights != "imagenet":
        model.load_weights(weights)
    return model


def residual_block_v1(
    x: Any,
    filters: int,
    kernel_size: int = 3,
    stride: int = 1,
    conv_shortcut: bool = True,
    name: str | None = None,
) -> Any:
    """One v1 bottleneck block: 1x1 (strided) -> 3x3 -> 1x1 with 4*filters channels, batch
    norm after each, added to the shortcut, then ReLU.

    Args:
        x: the input tensor.
        filters: the bottleneck width.
        kernel_size: the middle convolution's kernel size.
        stride: the stride of the first convolution (and of the projection shortcut).
        conv_shortcut: project the shortcut with a 1x1 convolution + batch norm (True) or
            pass the input through (False).
        name: the block's layer-name prefix.

    Returns:
        The block's output tensor.
    """
    # Layers are called in the order Keras lists them (by depth from the output), which
    # is the order of `model.layers` / `model.weights` and of the ImageNet weight files.
    y = layers.Conv2D(filters, 1, strides=stride, name=f"{name}_1_conv")(x)
    y = _bn(y, f"{name}_1_bn")
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.Conv2D(filters, kernel_size, padding="SAME", name=f"{name}_2_conv")(y)
    y = _bn(y, f"{name}_2_bn")
    y = layers.Activation("relu", name=f"{name}_2_relu")(y)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(x)
        y = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(y)
        shortcut = _bn(shortcut, f"{name}_0_bn")
    else:
        shortcut = x
        y = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(y)
    y = _bn(y, f"{name}_3_bn")
    x = layers.Add(name=f"{name}_add")([shortcut, y])
    return layers.Activation("relu", name=f"{name}_out")(x)


def stack_residual_blocks_v1(
    x: Any, filters: int, blocks: int, stride1: int = 2, name: str | None = None
) -> Any:
    """A v1 stage: a projecting first block (stride `stride1`), then identity blocks.

    Args:
        x: the input tensor.
        filters: the bottleneck width of every block.
        blocks: the number of blocks.
        stride1: the first block's stride.
        name: the stage's prefix ("conv2", ...); blocks are `{name}_block{i}`.

    Returns:
        The stage's output tensor.
    """
    x = residual_block_v1(x, filters, stride=stride1, name=f"{name}_block1")
    for i in range(2, blocks + 1):
        x = residual_block_v1(x, filters, conv_shortcut=False, name=f"{name}_block{i}")
    return x


def residual_block_v2(
    x: Any,
    filters: int,
    kernel_size: int = 3,
    stride: int = 1,
    conv_shortcut: bool = False,
    name: str | None = None,
) -> Any:
    """One v2 (pre-activation) bottleneck block: batch norm + ReLU first, then 1x1 -> 3x3
    (strided) -> 1x1 with 4*filters channels, added to the shortcut.

    Args:
        x: the input tensor.
        filters: the bottleneck width.
        kernel_size: the middle convolution's kernel size.
        stride: the stride of the middle convolution (and of the shortcut).
        conv_shortcut: project the pre-activated input with a 1x1 convolution (True), or
            take the input itself, subsampled by a 1x1 max pooling when `stride` > 1 (False).
        name: the block's layer-name prefix.

    Returns:
        The block's output tensor.
    """
    preact = _bn(x, f"{name}_preact_bn")
    preact = layers.Activation("relu", name=f"{name}_preact_relu")(preact)
    # Layers are called in the order Keras lists them (by depth from the output): the
    # residual branch up to its last convolution, then the shortcut.
    y = layers.Conv2D(filters, 1, strides=1, use_bias=False, name=f"{name}_1_conv")(preact)
    y = _bn(y, f"{name}_1_bn")
    y = layers.Activation("relu", name=f"{name}_1_relu")(y)
    y = layers.ZeroPadding2D(padding=((1, 1), (1, 1)), name=f"{name}_2_pad")(y)
    y = layers.Conv2D(filters, kernel_size, strides=stride, use_bias=False, name=f"{name}_2_conv")(
        y
    )
    y = _bn(y, f"{name}_2_bn")
    y = layers.Activation("relu", name=f"{name}_2_relu")(y)
    if conv_shortcut:
        shortcut = layers.Conv2D(4 * filters, 1, strides=stride, name=f"{name}_0_conv")(preact)
    elif stride > 1:
        shortcut = layers.MaxPooling2D(1, strides=stride)(x)
    else:
        shortcut = x
    y = layers.Conv2D(4 * filters, 1, name=f"{name}_3_conv")(y)
    return layers.Add(name=f"{name}_out")([shortcut, y])


def stack_residual_blocks_v2(
    x: Any, filters: int, blocks: int, stride1: int = 2, name: str | None = None
) -> Any:
    """A v2 stage: a projecting first block, identity blocks, and a last block with stride
    `stride1` (v2 downsamples at the end of a stage).

    Args:
        x: the input tensor.
        filters: the bottleneck width of every block.
        blocks: the number of blocks.
        stride1: the last block's stride.
        name: the stage's prefix ("conv2", ...); blocks are `{name}_block{i}`.

    Returns:
        The stage's output tensor.
    """
    x = residual_block_v2(x, filters, conv_shortcut=True, name=f"{name}_block1")
    for i in range(2, blocks):
        x = residual_block_v2(x, filters, name=f"{name}_block{i}")
    return residual_block_v2(x, filters, stride=stride1, name=f"{name}_block{blocks}")


def _v1_model(
    blocks: tuple[int, int, int, int],
    weights_name: str,
    include_top: bool,
    weights: str | None,
    input_tensor: Any,
    input_shape: tuple[int | None, ...] | None,
    pooling: str | None,
    classes: int,
    classifier_activation: Any,
    name: str,
) -> Functional:
    def stack_fn(x: Any) -> Any:
        x = stack_residual_blocks_v1(x, 64, blocks[0], stride1=1, name="conv2")
        x = stack_residual_blocks_v1(x, 128, blocks[1], name="conv3")
        x = stack_residual_blocks_v1(x, 256, blocks[2], name="conv4")
        return stack_residual_blocks_v1(x, 512, blocks[3], name="conv5")

    return ResNet(
        stack_fn,
        preact=False,
        use_bias=True,
        include_top=include_top,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
        name=name,
        weights_name=weights_name,
    )


_ARGS_DOC = """
    Args:
        include_top: whether to end with the fully connected classifier.
        weights: None (random initialization), "imagenet" (ImageNet weights) or the path of
            a weights file to load.
        input_tensor: an optional Keras tensor (e.g. from `keras.Input`) to use as the image
            input.
        input_shape: the input shape without the batch axis; only with
            `include_top=False` may it differ from (224, 224, 3) ((3, 224, 224) for
            "channels_first"). 3 channels, height and width at least 32.
        pooling: with `include_top=False`: None (the 4-D output of the last stage), "avg"
            or "max" (global pooling to a 2-D output).
        classes: the number of classes of the classifier (1000 with ImageNet weights).
        classifier_activation: the classifier's activation; None gives logits. With
            pretrained weights only "softmax" or None.
        name: the model's name.

    Returns:
        A `keras.Model`.
"""


def ResNet50(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet50",
) -> Functional:
    """The ResNet50 model (stages of 3, 4, 6 and 3 bottleneck blocks).

    Feed it images prepared by `keras.applications.resnet.preprocess_input`.
    """
    return _v1_model(
        (3, 4, 6, 3),
        "resnet50",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet101(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet101",
) -> Functional:
    """The ResNet101 model (stages of 3, 4, 23 and 3 bottleneck blocks).

    Feed it images prepared by `keras.applications.resnet.preprocess_input`.
    """
    return _v1_model(
        (3, 4, 23, 3),
        "resnet101",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet152(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet152",
) -> Functional:
    """The ResNet152 model (stages of 3, 8, 36 and 3 bottleneck blocks).

    Feed it images prepared by `keras.applications.resnet.preprocess_input`.
    """
    return _v1_model(
        (3, 8, 36, 3),
        "resnet152",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


for _fn in (ResNet50, ResNet101, ResNet152):
    _fn.__doc__ = (_fn.__doc__ or "") + _ARGS_DOC
del _fn


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Prepare images for the ResNet weights: RGB to BGR, minus the ImageNet channel means.

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
