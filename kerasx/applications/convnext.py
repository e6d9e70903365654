"""ConvNeXt Tiny, Small, Base, Large and XLarge (Liu et al., 2022,
https://arxiv.org/abs/2201.03545).

A patchify stem (4x4 convolution, stride 4), then four stages of ConvNeXt blocks separated by
downsampling blocks (LayerNormalization and a 2x2 stride-2 convolution). A block is a 7x7
depthwise convolution, LayerNormalization, an MLP of two Dense layers (4x wider, GELU), a
learned per-channel scale (`LayerScale`) and a residual sum. With `include_preprocessing=True`
(the default) the ImageNet normalization is the model's first layer, so the models take raw
pixels in [0, 255] and `preprocess_input` here returns its input unchanged. Channels-last
only, as in Keras.

Layer names, weight order and shapes follow Keras, so Keras's weight files load and
`set_weights` works both ways.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import initializers, layers, ops, random
from kerasx.applications import _model_helpers as helpers
from kerasx.applications import imagenet_utils
from kerasx.config import image_data_format
from kerasx.layers.layer import Layer
from kerasx.models.functional import Functional
from kerasx.models.sequential import Sequential

BASE_WEIGHTS_PATH = "https://storage.googleapis.com/tensorflow/keras-applications/convnext/"

# Per variant: the sha256 of the weights file with the classifier, then without it.
WEIGHTS_HASHES = {
    "convnext_tiny": (
        "8ae6e78ce2933352b1ef4008e6dd2f17bc40771563877d156bc6426c7cf503ff",
        "d547c096cabd03329d7be5562c5e14798aa39ed24b474157cef5e85ab9e49ef1",
    ),
    "convnext_small": (
        "ce1277d8f1ee5a0ef0e171469089c18f5233860ceaf9b168049cb9263fd7483c",
        "6fc8009faa2f00c1c1dfce59feea9b0745eb260a7dd11bee65c8e20843da6eab",
    ),
    "convnext_base": (
        "52cbb006d3dadd03f6e095a8ca1aca47aecdd75acb4bc74bce1f5c695d0086e6",
        "40a20c5548a5e9202f69735ecc06c990e6b7c9d2de39f0361e27baeb24cb7c45",
    ),
    "convnext_large": (
        "070c5ed9ed289581e477741d3b34beffa920db8cf590899d6d2c67fba2a198a6",
        "96f02b6f0753d4f543261bc9d09bed650f24dd6bc02ddde3066135b63d23a1cd",
    ),
    "convnext_xlarge": (
        "c1f5ccab661354fc3a79a10fa99af82f0fbf10ec65cb894a3ae0815f17a889ee",
        "de3f8a54174130e0cecdc71583354753d557fcf1f4487331558e2a16ba0cfe05",
    ),
}

_DEEP = [3, 3, 27, 3]
MODEL_CONFIGS = {
    "tiny": {"depths": [3, 3, 9, 3], "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "small": {"depths": _DEEP, "projection_dims": [96, 192, 384, 768], "default_size": 224},
    "base": {"depths": _DEEP, "projection_dims": [128, 256, 512, 1024], "default_size": 224},
    "large": {"depths": _DEEP, "projection_dims": [192, 384, 768, 1536], "default_size": 224},
    "xlarge": {"depths": _DEEP, "projection_dims": [256, 512, 1024, 2048], "default_size": 224},
}

# ImageNet-1k statistics, in pixel units.
_MEAN = [0.485 * 255, 0.456 * 255, 0.406 * 255]
_VARIANCE = [(0.229 * 255) ** 2, (0.224 * 255) ** 2, (0.225 * 255) ** 2]


class StochasticDepth(Layer):
    """Drop the residual branch of a whole sample with probability `drop_path_rate` while
    training (the kept ones are scaled by `1 / (1 - drop_path_rate)`); identity otherwise.

    Args:
        drop_path_rate: the probability of dropping, in [0, 1].
        **kwargs: the base `Layer` arguments (`name`, `dtype`, ...).
    """

    def __init__(self, drop_path_rate: float, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.drop_path_rate = drop_path_rate

    def call(self, x: Any, training: bool | None = None) -> Any:
        if not training:
            return x
        keep = 1.0 - self.drop_path_rate
        shape = (ops.shape(x)[0],) + (1,) * (len(x.shape) - 1)
        mask = ops.floor(keep + random.uniform(shape, 0.0, 1.0, dtype=x.dtype))
        return x / keep * mask

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "drop_path_rate": self.drop_path_rate}


class LayerScale(Layer):
    """Multiply the last axis by a learned vector (one weight per channel) that starts at
    `init_values`.

    Args:
        init_values: the initial value of every scale.
        projection_dim: the size of the last axis.
        **kwargs: the base `Layer` arguments (`name`, `dtype`, ...).
    """

    def __init__(self, init_values: float, projection_dim: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.init_values = init_values
        self.projection_dim = projection_dim

    def build(self, input_shape: Any) -> None:
        self.gamma = self.add_weight(
            shape=(self.projection_dim,),
            initializer=initializers.Constant(self.init_values),
            trainable=True,
        )

    def call(self, x: Any) -> Any:
        return x * self.gamma

    def compute_output_shape(self, input_shape: Any) -> Any:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {
            **super().get_config(),
            "init_values": self.init_values,
            "projection_dim": self.projection_dim,
        }


def _block(
    x: Any, projection_dim: int, drop_path_rate: float, layer_scale_init_value: Any, name: str
) -> Any:
    """One ConvNeXt block on `x` (layer names start with `name`)."""
    inputs = x
    x = layers.Conv2D(
        projection_dim,
        kernel_size=7,
        padding="same",
        groups=projection_dim,
        name=f"{name}_depthwise_conv",
    )(x)
    x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_layernorm")(x)
    x = layers.Dense(4 * projection_dim, name=f"{name}_pointwise_conv_1")(x)
    x = layers.Activation("gelu", name=f"{name}_gelu")(x)
    x = layers.Dense(projection_dim, name=f"{name}_pointwise_conv_2")(x)
    if layer_scale_init_value is not None:
        x = LayerScale(layer_scale_init_value, projection_dim, name=f"{name}_layer_scale")(x)
    if drop_path_rate:
        x = StochasticDepth(drop_path_rate, name=f"{name}_stochastic_depth")(x)
    else:
        x = layers.Activation("linear", name=f"{name}_identity")(x)
    return inputs + x


def ConvNeXt(
    depths: list[int],
    projection_dims: list[int],
    drop_path_rate: float = 0.0,
    layer_scale_init_value: Any = 1e-6,
    default_size: int = 224,
    name: str = "convnext",
    include_preprocessing: bool = True,
    include_top: bool = True,
    weights: Any = None,
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    weights_name: str | None = None,
) -> Functional:
    """Build a ConvNeXt from its stage depths and widths (the engine of Tiny to XLarge).

    Args:
        depths: the number of blocks of each of the four stages.
        projection_dims: the number of channels of each stage.
        drop_path_rate: the largest stochastic-depth rate (rising linearly over the blocks
            from 0); 0 disables it.
        layer_scale_init_value: the initial LayerScale value; None disables LayerScale.
        default_size: the input height and width the variant is trained at.
        name: the model's name (and the prefix of its layer names).
        include_preprocessing: whether the model starts with the ImageNet normalization.
        include_top: whether to end with the classifier head.
        weights: None, "imagenet" or the path of a weights file.
        input_tensor: an optional tensor to build the model on.
        input_shape: the input shape without the batch axis (default: the variant's size).
        pooling: without the top: None (4-D feature map), "avg" or "max" (a final
            LayerNormalization follows in every case).
        classes: the classifier's number of classes.
        classifier_activation: the classifier's activation (None gives logits).
        weights_name: the variant ("convnext_tiny", ...) that picks the ImageNet file.

    Returns:
        The model.

    Raises:
        ValueError: `channels_first` data format, invalid `weights` / `classes` /
            `input_shape` / `classifier_activation`, or ImageNet weights asked for an
            architecture or name that does not match `weights_name`.
    """
    if image_data_format() == "channels_first":
        raise ValueError(
            "ConvNeXt supports only the `channels_last` image data format. Call "
            "`keras.config.set_image_data_format('channels_last')` (or edit "
            "~/.keras/keras.json). Received: image_data_format='channels_first'"
        )
    helpers.check_weights_and_classes(weights, include_top, classes)
    if include_top:
        imagenet_utils.validate_activation(classifier_activation, weights)
    if weights == "imagenet":
        expected = MODEL_CONFIGS[weights_name.split("convnext_")[-1]]
        if (
            list(depths) != expected["depths"]
            or list(projection_dims) != (expected["projection_dims"])
        ):
            raise ValueError(
                f"The ImageNet weights of {weights_name} need its architecture: depths="
                f"{expected['depths']} and projection_dims={expected['projection_dims']}. "
                f"Received: depths={depths}, projection_dims={projection_dims}"
            )
        if weights_name not in name:
            raise ValueError(
                f"With ImageNet weights the model name must contain the variant "
                f"'{weights_name}' (the weights file is named after the model). "
                f"Received: name={name!r}"
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

    x = img_input
    if include_preprocessing and input_shape[-1] == 3:
        x = layers.Normalization(
            mean=_MEAN, variance=_VARIANCE, name=f"{name}_prestem_normalization"
        )(x)

    stem = Sequential(
        [
            layers.Conv2D(projection_dims[0], kernel_size=4, strides=4, name=f"{name}_stem_conv"),
            layers.LayerNormalization(epsilon=1e-6, name=f"{name}_stem_layernorm"),
        ],
        name=f"{name}_stem",
    )
    downsampling = [stem]
    for i in range(3):
        downsampling.append(
            Sequential(
                [
                    layers.LayerNormalization(
                        epsilon=1e-6, name=f"{name}_downsampling_layernorm_{i}"
                    ),
                    layers.Conv2D(
                        projection_dims[i + 1],
                        kernel_size=2,
                        strides=2,
                        name=f"{name}_downsampling_conv_{i}",
                    ),
                ],
                name=f"{name}_downsampling_block_{i}",
            )
        )

    rates = [float(r) for r in np.linspace(0.0, drop_path_rate, sum(depths))]
    first = 0
    for i in range(4):
        x = downsampling[i](x)
        for j in range(depths[i]):
            x = _block(
                x,
                projection_dims[i],
                rates[first + j],
                layer_scale_init_value,
                name=f"{name}_stage_{i}_block_{j}",
            )
        first += depths[i]

    if include_top:
        x = layers.GlobalAveragePooling2D(name=f"{name}_head_gap")(x)
        x = layers.LayerNormalization(epsilon=1e-6, name=f"{name}_head_layernorm")(x)
        x = layers.Dense(classes, activation=classifier_activation, name=f"{name}_head_dense")(x)
    else:
        if pooling == "avg":
            x = layers.GlobalAveragePooling2D()(x)
        elif pooling == "max":
            x = layers.GlobalMaxPooling2D()(x)
        x = layers.LayerNormalization(epsilon=1e-6)(x)

    model = Functional(helpers.model_inputs(input_tensor, img_input), x, name=name)
    if weights == "imagenet":
        fname = name + (".h5" if include_top else "_notop.h5")
        file_hash = WEIGHTS_HASHES[weights_name][0 if include_top else 1]
        helpers.load_weights(model, weights, (fname, BASE_WEIGHTS_PATH + fname, file_hash))
    else:
        helpers.load_weights(model, weights, ("", "", None))
    return model


def _variant(size: str, name: str, **kwargs: Any) -> Functional:
    config = MODEL_CONFIGS[size]
    return ConvNeXt(
        weights_name=f"convnext_{size}",
        depths=config["depths"],
        projection_dims=config["projection_dims"],
        drop_path_rate=0.0,
        layer_scale_init_value=1e-6,
        default_size=config["default_size"],
        name=name,
        **kwargs,
    )


_DOC = """Build {model} (ConvNeXt-{size}), optionally with ImageNet weights.

    The Base, Large and XLarge ImageNet weights were pre-trained on ImageNet-21k and
    fine-tuned on ImageNet-1k. With `include_preprocessing=True` the model takes raw pixels
    in [0, 255] (this module's `preprocess_input` returns its input unchanged).

    Args:
        include_top: whether to end with the classifier head (global average pooling,
            LayerNormalization, Dense).
        include_preprocessing: whether the model starts with the ImageNet normalization
            (keep True with the ImageNet weights).
        weights: None (random initialization), "imagenet" (downloads Keras's weights file
            into the "models" cache) or the path of a weights file to load.
        input_tensor: an optional tensor (e.g. from `keras.Input`) to use as the image input.
        input_shape: the input shape without the batch axis; only without the top, or equal
            to (224, 224, 3) with it. Height and width of at least 32.
        pooling: without the top: None for the 4-D feature map, "avg" or "max" for global
            pooling to a 2-D output (a LayerNormalization follows in every case).
        classes: the number of classes of the classifier (1000 with ImageNet weights).
        classifier_activation: the classifier's activation; None returns logits. With
            pretrained weights only None or "softmax".
        name: the model's name; with ImageNet weights it must contain "{key}".

    Returns:
        A `Functional` model.

    Raises:
        ValueError: an invalid `weights`, `classes`, `input_shape`,
            `classifier_activation` or `name`, or the `channels_first` data format.
    """


def ConvNeXtTiny(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "convnext_tiny",
) -> Functional:
    return _variant(
        "tiny",
        name,
        include_top=include_top,
        include_preprocessing=include_preprocessing,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ConvNeXtSmall(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "convnext_small",
) -> Functional:
    return _variant(
        "small",
        name,
        include_top=include_top,
        include_preprocessing=include_preprocessing,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ConvNeXtBase(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "convnext_base",
) -> Functional:
    return _variant(
        "base",
        name,
        include_top=include_top,
        include_preprocessing=include_preprocessing,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ConvNeXtLarge(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "convnext_large",
) -> Functional:
    return _variant(
        "large",
        name,
        include_top=include_top,
        include_preprocessing=include_preprocessing,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


def ConvNeXtXLarge(
    include_top: bool = True,
    include_preprocessing: bool = True,
    weights: Any = "imagenet",
    input_tensor: Any = None,
    input_shape: Any = None,
    pooling: str | None = None,
    classes: int = 1000,
    classifier_activation: Any = "softmax",
    name: str = "convnext_xlarge",
) -> Functional:
    return _variant(
        "xlarge",
        name,
        include_top=include_top,
        include_preprocessing=include_preprocessing,
        weights=weights,
        input_tensor=input_tensor,
        input_shape=input_shape,
        pooling=pooling,
        classes=classes,
        classifier_activation=classifier_activation,
    )


for _fn, _size in zip(
    (ConvNeXtTiny, ConvNeXtSmall, ConvNeXtBase, ConvNeXtLarge, ConvNeXtXLarge), MODEL_CONFIGS
):
    _fn.__doc__ = _DOC.format(model=_fn.__name__, size=_size.capitalize(), key=f"convnext_{_size}")


def preprocess_input(x: Any, data_format: str | None = None) -> Any:
    """Return `x` unchanged: ConvNeXt models normalize their inputs themselves.

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
