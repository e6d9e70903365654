"""Inception-ResNet V2 (Szegedy et al., 2016, https://arxiv.org/abs/1602.07261).

An Inception stem, then three groups of residual Inception blocks (10 x `block35`,
20 x `block17`, 10 x `block8`) separated by the reduction modules `mixed_6a` and `mixed_7a`.
Each residual block adds `scale * branch` to its input (`CustomScaleLayer`). Layers inside
the branches keep their automatic names (`conv2d_N`, `batch_normalization_N`,
`activation_N`) as in Keras; Keras's weight files are read by layer position, in the
order the functional model lists its layers. Inputs go through `preprocess_input` (pixels scaled to [-1, 1]).
"""

from __future__ import annotations

from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.layers.layer import Layer
from kerasx.models.functional import Functional

BASE_WEIGHT_URL = (
    "https://storage.googleapis.com/tensorflow/keras-applications/inception_resnet_v2/"
)
_TOP_FILE = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels.h5"
_NOTOP_FILE = "inception_resnet_v2_weights_tf_dim_ordering_tf_kernels_notop.h5"
_WEIGHTS_FILES = {
    True: (_TOP_FILE, BASE_WEIGHT_URL + _TOP_FILE, "e693bd0210a403b3192acc6073ad2e96"),
    False: (_NOTOP_FILE, BASE_WEIGHT_URL + _NOTOP_FILE, "d19885ff4a710c122648d3b5c3b684e4"),
}


def _axis() -> int:
    return 1 if image_data_format() == "channels_first" else 3


class CustomScaleLayer(Layer):
    """The residual sum of an Inception-ResNet block: `inputs[0] + scale * inputs[1]`.

    Args:
        scale: the factor of the residual branch.
        **kwargs: the base `Layer` arguments (`name`, `dtype`, ...).
    """

    def __init__(self, scale: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scale = scale

    def call(self, inputs: Any) -> Any:
        return inputs[0] + inputs[1] * self.scale

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape[0]

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "scale": self.scale}


def _conv2d_bn(
    x: Any,
    filters: int,
    kernel_size: Any,
    strides: int = 1,
    padding: str = "same",
    activation: Any = "relu",
    use_bias: bool = False,
    name: str | None = None,
) -> Any:
    """A convolution, then (without a bias) a BatchNormalization without scale, then
    the activation. `name` None keeps automatic names; else the convolution is `name` and
    the others `{name}_bn` and `{name}_ac`."""
    x = layers.Conv2D(
        filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias, name=name
    )(x)
    if not use_bias:
        bn_name = None if name is None else f"{name}_bn"
        x = layers.BatchNormalization(axis=_axis(), scale=False, name=bn_name)(x)
    if activation is not None:
        x = layers.Activation(activation, name=None if name is None else f"{name}_ac")(x)
    return x


def _residual_block(
    x: Any,
    scale: float,
    block_type: str,
    block_idx: int,
    activation: Any = "relu",
) -> Any:
    """One residual Inception block: `activation(x + scale * conv1x1(branches))`.

    Args:
        x: the block's input.
        scale: the factor of the residual branch.
        block_type: "block35", "block17" or "block8" (the branch layout).
        block_idx: the block's number, used in its layer names (`{block_type}_{block_idx}`).
        activation: the final activation, or None for none.

    Returns:
        The block's output.
    """
    if block_type == "block35":
        branch_0 = _conv2d_bn(x, 32, 1)
        branch_1 = _conv2d_bn(x, 32, 1)
        branch_1 = _conv2d_bn(branch_1, 32, 3)
        branch_2 = _conv2d_bn(x, 32, 1)
        branch_2 = _conv2d_bn(branch_2, 48, 3)
        branch_2 = _conv2d_bn(branch_2, 64, 3)
        branches = [branch_0, branch_1, branch_2]
    else:
        # block17 / block8: a 1x1 branch and a factorized k x k branch.
        width, k, widths = (128, 7, (160, 192)) if block_type == "block17" else (192, 3, (224, 256))
        branch_0 = _conv2d_bn(x, 192, 1)
        branch_1 = _conv2d_bn(x, width, 1)
        branch_1 = _conv2d_bn(branch_1, widths[0], [1, k])
        branch_1 = _conv2d_bn(branch_1, widths[1], [k, 1])
        branches = [branch_0, branch_1]
    block_name = f"{block_type}_{block_idx}"
    mixed = layers.Concatenate(axis=_axis(), name=f"{block_name}_mixed")(branches)
    channels = x.shape[_axis()]
    up = _conv2d_bn(mixed, channels, 1, activation=None, use_bias=True, name=f"{block_name}_conv")
    x = CustomScaleLayer(scale)([x, up])
    if activation is not None:
        x = layers.Activation(activation, name=f"{block_name}_ac")(x)
    return x


def InceptionResNetV2(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "inception_resnet_v2",
) -> Functional:
    """Build Inception-ResNet V2, optionally with ImageNet weights.

    Inputs should go through `kerasx.applications.inception_resnet_v2.preprocess_input`
    (pixels in [0, 255] scaled to [-1, 1]).

    Args:
        include_top: whether to end with the 1000-way classifier (global average pooling and
            Dense).
        weights: None (random initialization), "imagenet" (downloads Keras's weights file
            into the "models" cache) or the path of a weights file to load.
        input_tensor: an optional tensor (e.g. from `keras.Input`) to use as the image input.
        input_shape: the input shape without the batch axis; only without the top, or equal
            to (299, 299, 3) with it. Height and width of at least 75, 3 channels.
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
    helpers.check_weights_and_classes(weights, include_top, classes)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    input_shape = imagenet_utils.obtain_input_shape(
        input_shape,
        default_size=299,
        min_size=75,
        data_format=image_data_format(),
        require_flatten=include_top,
        weights=weights,
    )
    img_input = helpers.image_input(input_tensor, input_shape)
    axis = _axis()

    # Stem: 35 x 35 x 192 at the default size.
    x = _conv2d_bn(img_input, 32, 3, strides=2, padding="valid")
    x = _conv2d_bn(x, 32, 3, padding="valid")
    x = _conv2d_bn(x, 64, 3)
    x = layers.MaxPooling2D(3, strides=2)(x)
    x = _conv2d_bn(x, 80, 1, padding="valid")
    x = _conv2d_bn(x, 192, 3, padding="valid")
    x = layers.MaxPooling2D(3, strides=2)(x)

    # Mixed 5b (Inception-A): 35 x 35 x 320.
    branch_0 = _conv2d_bn(x, 96, 1)
    branch_1 = _conv2d_bn(x, 48, 1)
    branch_1 = _conv2d_bn(branch_1, 64, 5)
    branch_2 = _conv2d_bn(x, 64, 1)
    branch_2 = _conv2d_bn(branch_2, 96, 3)
    branch_2 = _conv2d_bn(branch_2, 96, 3)
    branch_pool = layers.AveragePooling2D(3, strides=1, padding="same")(x)
    branch_pool = _conv2d_bn(branch_pool, 64, 1)
    branches = [branch_0, branch_1, branch_2, branch_pool]
    x = layers.Concatenate(axis=axis, name="mixed_5b")(branches)

    for idx in range(1, 11):
        x = _residual_block(x, scale=0.17, block_type="block35", block_idx=idx)

    # Mixed 6a (Reduction-A): 17 x 17 x 1088.
    branch_0 = _conv2d_bn(x, 384, 3, strides=2, padding="valid")
    branch_1 = _conv2d_bn(x, 256, 1)
    branch_1 = _conv2d_bn(branch_1, 256, 3)
    branch_1 = _conv2d_bn(branch_1, 384, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    x = layers.Concatenate(axis=axis, name="mixed_6a")([branch_0, branch_1, branch_pool])

    for idx in range(1, 21):
        x = _residual_block(x, scale=0.1, block_type="block17", block_idx=idx)

    # Mixed 7a (Reduction-B): 8 x 8 x 2080.
    branch_0 = _conv2d_bn(x, 256, 1)
    branch_0 = _conv2d_bn(branch_0, 384, 3, strides=2, padding="valid")
    branch_1 = _conv2d_bn(x, 256, 1)
    branch_1 = _conv2d_bn(branch_1, 288, 3, strides=2, padding="valid")
    branch_2 = _conv2d_bn(x, 256, 1)
    branch_2 = _conv2d_bn(branch_2, 288, 3)
    branch_2 = _conv2d_bn(branch_2, 320, 3, strides=2, padding="valid")
    branch_pool = layers.MaxPooling2D(3, strides=2, padding="valid")(x)
    branches = [branch_0, branch_1, branch_2, branch_pool]
    x = layers.Concatenate(axis=axis, name="mixed_7a")(branches)

    for idx in range(1, 10):
        x = _residual_block(x, scale=0.2, block_type="block8", block_idx=idx)
    x = _residual_block(x, scale=1.0, activation=None, block_type="block8", block_idx=10)

    # Final convolution: 8 x 8 x 1536.
    x = _conv2d_bn(x, 1536, 1, name="conv_7b")

    if include_top:
        x = layers.GlobalAveragePooling2D(name="avg_pool")(x)
        x = layers.Dense(classes, activation=classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D()(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D()(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)
    helpers.load_weights(model, weights, _WEIGHTS_FILES[bool(include_top)])
    return model


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Scale pixels from [0, 255] to [-1, 1], as the ImageNet weights expect.

    Args:
        x: a batch of images (NumPy array or tensor), channels last or first.
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
