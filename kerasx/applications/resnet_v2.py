"""ResNet50V2 / ResNet101V2 / ResNet152V2 (He et al., "Identity Mappings in Deep Residual
Networks", ECCV 2016), with ImageNet weights.

Pre-activation bottleneck blocks (batch norm and ReLU before each convolution), built by the
shared `resnet.ResNet` builder. Layer names, weight order and weight files are Keras's.

Inputs go through `preprocess_input` first ("tf" mode: values scaled to [-1, 1]).
"""

from __future__ import annotations

from typing import Any

from kerasx.applications import imagenet_utils, resnet
from kerasx.models import Functional


def _v2_model(
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
        x = resnet.stack_residual_blocks_v2(x, 64, blocks[0], name="conv2")
        x = resnet.stack_residual_blocks_v2(x, 128, blocks[1], name="conv3")
        x = resnet.stack_residual_blocks_v2(x, 256, blocks[2], name="conv4")
        return resnet.stack_residual_blocks_v2(x, 512, blocks[3], stride1=1, name="conv5")

    return resnet.ResNet(
        stack_fn,
        preact=True,
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


def ResNet50V2(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet50v2",
) -> Functional:
    """The ResNet50V2 model (stages of 3, 4, 6 and 3 pre-activation blocks).

    Feed it images prepared by `keras.applications.resnet_v2.preprocess_input`.
    """
    return _v2_model(
        (3, 4, 6, 3),
        "resnet50v2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet101V2(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet101v2",
) -> Functional:
    """The ResNet101V2 model (stages of 3, 4, 23 and 3 pre-activation blocks).

    Feed it images prepared by `keras.applications.resnet_v2.preprocess_input`.
    """
    return _v2_model(
        (3, 4, 23, 3),
        "resnet101v2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


def ResNet152V2(
    include_top: bool = True,
    weights: str | None = "imagenet",
    input_tensor: Any = None,
    input_shape: tuple[int | None, ...] | None = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "resnet152v2",
) -> Functional:
    """The ResNet152V2 model (stages of 3, 8, 36 and 3 pre-activation blocks).

    Feed it images prepared by `keras.applications.resnet_v2.preprocess_input`.
    """
    return _v2_model(
        (3, 8, 36, 3),
        "resnet152v2",
        include_top,
        weights,
        input_tensor,
        input_shape,
        pooling,
        classes,
        classifier_activation,
        name,
    )


for _fn in (ResNet50V2, ResNet101V2, ResNet152V2):
    _fn.__doc__ = (_fn.__doc__ or "") + resnet._ARGS_DOC
del _fn


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Prepare images for the ResNetV2 weights: values scaled from [0, 255] to [-1, 1].

    Args:
        x: a float NumPy array (updated in place) or a tensor, 3-D or 4-D, values in
            [0, 255].
        data_format: "channels_last" or "channels_first"; None uses the global setting.

    Returns:
        The preprocessed images.

    Raises:
        ValueError: `data_format` is not one of the accepted values.
    """
    return imagenet_utils.preprocess_input(x, data_format=data_format, mode="tf")


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
