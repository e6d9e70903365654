"""`SpectralNormalization`: keep a wrapped layer's kernel at spectral norm 1 while training."""

from __future__ import annotations

from typing import Any

from kerasx import initializers, ops
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.normalization._utils import cast_to, float_dtype, is_int


def _layer_classes() -> dict:
    import kerasx.layers as layers_module

    return {
        name: obj
        for name, obj in vars(layers_module).items()
        if isinstance(obj, type) and issubclass(obj, Layer)
    }


class SpectralNormalization(Layer):
    """Wrap a layer with a ``kernel`` (Dense, Conv*, ...) or ``embeddings`` weight and divide
    that weight by its largest singular value while training.

    The largest singular value ``sigma`` of the kernel (reshaped to a matrix
    ``(-1, kernel.shape[-1])``) is estimated by `power_iterations` steps of the power method,
    starting from the non-trainable vector ``vector_u`` ``(1, kernel.shape[-1])``, which keeps
    the last estimate between calls. A call with ``training=True`` stores the new
    ``vector_u`` and replaces the kernel by ``kernel / sigma`` before running the wrapped
    layer (inside a training step the replacement is part of the forward pass, so gradients
    flow through the normalization); inference calls run the wrapped layer unchanged. An
    all-zero kernel is left as it is.

    Args:
        layer: the layer to wrap; it must have a ``kernel`` or ``embeddings`` weight once
            built.
        power_iterations: the number of power-method steps per training call (a positive
            integer).
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(self, layer: Layer, power_iterations: int = 1, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(layer, Layer):
            raise ValueError(
                "SpectralNormalization: received an invalid value for `layer`, expected a "
                f"kerasx Layer instance. Received: layer={layer!r}"
            )
        if not is_int(power_iterations) or power_iterations <= 0:
            raise ValueError(
                "SpectralNormalization: received an invalid value for `power_iterations`, "
                f"expected a positive integer. Received: power_iterations={power_iterations!r}"
            )
        self.layer = layer
        self.power_iterations = int(power_iterations)

    def build(self, input_shape: Any) -> None:
        """Build the wrapped layer, find its kernel and create ``vector_u``.

        Args:
            input_shape: the input shape of the wrapped layer.
        """
        input_shape = tuple(input_shape)
        if not self.layer.built:
            self.layer.build(input_shape)
            self.layer.built = True
        if getattr(self.layer, "kernel", None) is not None:
            self.kernel = self.layer.kernel
        elif getattr(self.layer, "embeddings", None) is not None:
            self.kernel = self.layer.embeddings
        else:
            raise ValueError(
                f"SpectralNormalization: the wrapped layer {type(self.layer).__name__} "
                f"('{self.layer.name}') has no `kernel` or `embeddings` weight to normalize."
            )
        self.input_spec = InputSpec(min_ndim=1, axes={-1: input_shape[-1]})
        self.kernel_shape = tuple(self.kernel.shape)
        self.vector_u = self.add_weight(
            shape=(1, self.kernel_shape[-1]),
            initializer=initializers.TruncatedNormal(stddev=0.02),
            trainable=False,
            name="vector_u",
            dtype=self.kernel.dtype,
        )
        self.built = True

    def normalized_weights(self) -> tuple:
        """One power-method estimate of the kernel's largest singular value.

        Returns:
            ``(vector_u, kernel / sigma)``: the new ``vector_u`` and the normalized kernel
            (both unchanged when the kernel is all zeros).
        """
        kernel = self.kernel.value
        w = ops.reshape(kernel, (-1, self.kernel_shape[-1]))
        u = self.vector_u.value
        v = u
        for _ in range(self.power_iterations):
            v = ops.normalize(ops.matmul(u, ops.transpose(w)), axis=-1)
            u = ops.normalize(ops.matmul(v, w), axis=-1)
        sigma = ops.matmul(ops.matmul(v, w), ops.transpose(u))  # shape (1, 1)
        zero = ops.all(ops.equal(kernel, 0))
        sigma = ops.where(zero, ops.ones_like(sigma), sigma)
        new_u = ops.where(zero, self.vector_u.value, u)
        new_kernel = ops.reshape(ops.divide(w, sigma), self.kernel_shape)
        return cast_to(new_u, self.vector_u.dtype), cast_to(new_kernel, self.kernel.dtype)

    def call(self, inputs: Any, training: Any = False) -> Any:
        """Run the wrapped layer, normalizing its kernel first when `training`.

        Args:
            inputs: the wrapped layer's input.
            training: whether to update ``vector_u`` and normalize the kernel.

        Returns:
            The wrapped layer's output, in the dtype of `inputs`.
        """
        if training:
            new_u, new_kernel = self.normalized_weights()
            self.vector_u.assign(new_u)
            self.kernel.assign(new_kernel)
        out = self.layer(inputs)
        dtype = float_dtype(inputs)
        return cast_to(out, dtype)

    def compute_output_spec(self, inputs: Any, training: Any = False) -> Any:
        return self.layer.compute_output_spec(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The wrapped layer's output shape."""
        return self.layer.compute_output_shape(input_shape)

    def get_config(self) -> dict:
        """The base config plus the serialized wrapped layer and `power_iterations`."""
        from kerasx.saving.serialization import serialize_keras_object

        config = super().get_config()
        layer_config = serialize_keras_object(self.layer, module="keras.layers")
        build = self.layer.get_build_config()
        if build is not None:
            layer_config["build_config"] = build
        config.update({"layer": layer_config, "power_iterations": self.power_iterations})
        return config

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Layer:
        """Rebuild the wrapper (and its wrapped layer) from `get_config`'s output."""
        from kerasx.saving.serialization import deserialize_keras_object

        config = dict(config)
        layer_config = config.pop("layer")
        if isinstance(layer_config, dict):
            build = layer_config.get("build_config")
            layer = deserialize_keras_object(
                {k: v for k, v in layer_config.items() if k != "build_config"},
                module_objects=_layer_classes(),
                custom_objects=custom_objects,
                printable_module_name="layer",
            )
            if build is not None:
                layer.build_from_config(build)
        else:
            layer = layer_config
        return super().from_config({**config, "layer": layer})
