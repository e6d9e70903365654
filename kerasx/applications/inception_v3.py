"""Inception V3 (Szegedy et al., 2016, https://arxiv.org/abs/1512.00567).

A convolutional stem, then eleven "mixed" modules (named `mixed0` ... `mixed10`) whose
parallel branches of factorized convolutions are concatenated along the channels. Every
convolution is followed by a BatchNormalization without scale and a ReLU; these layers keep
their automatic names (`conv2d_N`, `batch_normalization_N`, `activation_N`) as in Keras;
Keras's weight files are read by layer position, in the order the functional model lists its
layers. Inputs go through `preprocess_input` (pixels scaled to [-1, 1]).
"""

from __future__ import annotations

from typing import Any

from kerasx import layers
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.models.functional import Functional

WEIGHTS_PATH = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels.h5"
)
WEIGHTS_PATH_NO_TOP = (
    "https://storage.googleapis.com/tensorflow/keras-applications/"
    "inception_v3/inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5"
)
_WEIGHTS_FILES = {
    True: (
        "inception_v3_weights_tf_dim_ordering_tf_kernels.h5",
        WEIGHTS_PATH,
        "9a0d58056eeedaa3f26cb7ebd46da564",
    ),
    False: (
        "inception_v3_weights_tf_dim_ordering_tf_kernels_notop.h5",
        WEIGHTS_PATH_NO_TOP,
        "bcbd6486424b2319ff4ef7d526e38f63",
    ),
}


def _axis() -> int:
    return 1 if image_data_format() == "channels_first" else 3


def _conv2d_bn(
    x: Any,
    filters: int,
    num_row: int,
    num_col: int,
    padding: str = "same",
    strides: tuple[int, int] = (1, 1),
) -> Any:
    """A convolution (no bias), BatchNormalization (no scale) and ReLU, all with
    automatic names."""
    x = layers.Conv2D(
        filters, (num_row, num_col), strides=strides, padding=padding, use_bias=False
    )(x)
    x = layers.BatchNormalization(axis=_axis(), scale=False)(x)
    return layers.Activation("relu")(x)


def _avg_pool_branch(x: Any, filters: int) -> Any:
    x = layers.AveragePooling2D((3, 3), strides=(1, 1), padding="same")(x)
    return _conv2d_bn(x, filters, 1, 1)


def _concat(branches: list[Any], name: str | None = None) -> Any:
    return layers.Concatenate(axis=_axis(), name=name)(branches)


def _module_a(x: Any, pool_filters: int, name: str) -> Any:
    """35x35 module: 1x1, 5x5, double 3x3 and pooled branches."""
    b1 = _conv2d_bn(x, 64, 1, 1)
    b5 = _conv2d_bn(x, 48, 1, 1)
    b5 = _conv2d_bn(b5, 64, 5, 5)
    b3 = _conv2d_bn(x, 64, 1, 1)
    b3 = _conv2d_bn(b3, 96, 3, 3)
    b3 = _conv2d_bn(b3, 96, 3, 3)
    bp = _avg_pool_branch(x, pool_filters)
    return _concat([b1, b5, b3, bp], name)


def _module_b(x: Any, width: int, name: str) -> Any:
    """17x17 module: 1x1, factorized 7x7, double factorized 7x7 and pooled branches."""
    b1 = _conv2d_bn(x, 192, 1, 1)
    b7 = _conv2d_bn(x, width, 1, 1)
    b7 = _conv2d_bn(b7, width, 1, 7)
    b7 = _conv2d_bn(b7, 192, 7, 1)
    bd = _conv2d_bn(x, width, 1, 1)
    bd = _conv2d_bn(bd, width, 7, 1)
    bd = _conv2d_bn(bd, width, 1, 7)
    bd = _conv2d_bn(bd, width, 7, 1)
    bd = _conv2d_bn(bd, 192, 1, 7)
    bp = _avg_pool_branch(x, 192)
    return _concat([b1, b7, bd, bp], name)


def _module_c(x: Any, index: int) -> Any:
    """8x8 module: 1x1, split 3x3, double split 3x3 and pooled branches."""
    b1 = _conv2d_bn(x, 320, 1, 1)
    b3 = _conv2d_bn(x, 384, 1, 1)
    b3_1 = _conv2d_bn(b3, 384, 1, 3)
    b3_2 = _conv2d_bn(b3, 384, 3, 1)
    b3 = _concat([b3_1, b3_2], f"mixed9_{index}")
    bd = _conv2d_bn(x, 448, 1, 1)
    bd = _conv2d_bn(bd, 384, 3, 3)
    bd_1 = _conv2d_bn(bd, 384, 1, 3)
    bd_2 = _conv2d_bn(bd, 384, 3, 1)
    bd = _concat([bd_1, bd_2])
    bp = _avg_pool_branch(x, 192)
    return _concat([b1, b3, bd, bp], f"mixed{9 + index}")


def InceptionV3(
    include_top: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "inception_v3",
) -> Functional:
    """Build Inception V3, optionally with ImageNet weights.

    Inputs should go through `kerasx.applications.inception_v3.preprocess_input` (pixels in
    [0, 255] scaled to [-1, 1]).

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

    x = _conv2d_bn(img_input, 32, 3, 3, strides=(2, 2), padding="valid")
    x = _conv2d_bn(x, 32, 3, 3, padding="valid")
    x = _conv2d_bn(x, 64, 3, 3)
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _conv2d_bn(x, 80, 1, 1, padding="valid")
    x = _conv2d_bn(x, 192, 3, 3, padding="valid")
    x = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)

    x = _module_a(x, 32, "mixed0")
    x = _module_a(x, 64, "mixed1")
    x = _module_a(x, 64, "mixed2")

    # Reduction to 17x17.
    b3 = _conv2d_bn(x, 384, 3, 3, strides=(2, 2), padding="valid")
    bd = _conv2d_bn(x, 64, 1, 1)
    bd = _conv2d_bn(bd, 96, 3, 3)
    bd = _conv2d_bn(bd, 96, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _concat([b3, bd, bp], "mixed3")

    x = _module_b(x, 128, "mixed4")
    x = _module_b(x, 160, "mixed5")
    x = _module_b(x, 160, "mixed6")
    x = _module_b(x, 192, "mixed7")

    # Reduction to 8x8.
    b3 = _conv2d_bn(x, 192, 1, 1)
    b3 = _conv2d_bn(b3, 320, 3, 3, strides=(2, 2), padding="valid")
    b7 = _conv2d_bn(x, 192, 1, 1)
    b7 = _conv2d_bn(b7, 192, 1, 7)
    b7 = _conv2d_bn(b7, 192, 7, 1)
    b7 = _conv2d_bn(b7, 192, 3, 3, strides=(2, 2), padding="valid")
    bp = layers.MaxPooling2D((3, 3), strides=(2, 2))(x)
    x = _concat([b3, b7, bp], "mixed8")

    x = _module_c(x, 0)
    x = _module_c(x, 1)

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
