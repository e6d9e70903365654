"""`GroupNormalization`: normalize each example over groups of channels."""

from __future__ import annotations

from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.engine import dtypes as _dt
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.normalization._utils import (
    HALF_FLOATS,
    along,
    broadcast_shape,
    cast_to,
    check_epsilon,
    check_int_axis,
    float_dtype,
    is_int,
    output_spec,
    resolve_axes,
    serialize_or_none,
)


class GroupNormalization(Layer):
    """Split the channels into `groups` groups and normalize each example over each group.

    For every example, the channels along `axis` are divided into `groups` contiguous
    groups; each group is normalized to zero mean and unit variance over its channels and all
    the other non-batch axes, then the per-channel ``gamma`` and ``beta`` are applied.
    ``groups=1`` normalizes over all channels (like layer normalization over the whole
    example); ``groups=-1`` (or the number of channels) gives instance normalization.
    float16/bfloat16 inputs are normalized in float32 and cast back.

    Args:
        groups: the number of groups, a positive divisor of the number of channels, or -1
            for one group per channel.
        axis: the channel axis (``-1`` for channels-last data, ``1`` for channels-first).
        epsilon: a small non-negative number added to the variance.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned scale ``gamma``.
        beta_initializer: initializer of ``beta``.
        gamma_initializer: initializer of ``gamma``.
        beta_regularizer: optional regularizer of ``beta``.
        gamma_regularizer: optional regularizer of ``gamma``.
        beta_constraint: optional constraint of ``beta``.
        gamma_constraint: optional constraint of ``gamma``.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        groups: int = 32,
        axis: int = -1,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not is_int(groups) or (groups <= 0 and groups != -1):
            raise ValueError(
                "GroupNormalization: received an invalid value for `groups`, expected a "
                "positive integer (or -1 for one group per channel). "
                f"Received: groups={groups!r}"
            )
        self.groups = int(groups)
        self.axis = check_int_axis(axis, "GroupNormalization")
        self.epsilon = check_epsilon(epsilon, "GroupNormalization")
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.gamma = None
        self.beta = None

    def build(self, input_shape: Any) -> None:
        """Check the channel count against `groups`; create ``gamma`` and ``beta``
        ``(channels,)``.

        Args:
            input_shape: the input shape; the channel axis must be known.
        """
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        (axis,) = resolve_axes(self.axis, ndim, "GroupNormalization")
        if axis == 0:
            raise ValueError(
                "GroupNormalization: received an invalid value for `axis`: the channel axis "
                f"cannot be the batch axis. Received: axis={self.axis}"
            )
        channels = input_shape[axis]
        if channels is None:
            raise ValueError(
                f"GroupNormalization: the size of the channel axis (axis={self.axis}) must be "
                f"known to create the weights. Received: input_shape={input_shape}"
            )
        channels = int(channels)
        groups = channels if self.groups == -1 else self.groups
        if groups > channels:
            raise ValueError(
                f"GroupNormalization: `groups` ({groups}) cannot be larger than the number of "
                f"channels ({channels}). Received: groups={self.groups}, "
                f"input_shape={input_shape}"
            )
        if channels % groups:
            raise ValueError(
                f"GroupNormalization: the number of channels ({channels}) must be a multiple "
                f"of `groups`. Received: groups={self.groups}, input_shape={input_shape}"
            )
        self.groups = groups
        if self.scale:
            self.gamma = self.add_weight(
                shape=(channels,),
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
            )
        if self.center:
            self.beta = self.add_weight(
                shape=(channels,),
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
            )
        self._kx_axis = axis
        self._kx_bshape = broadcast_shape(ndim, [axis], (channels,))
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: channels})
        self.built = True

    def call(self, inputs: Any) -> Any:
        """Normalize each group of channels of each example.

        Args:
            inputs: the input tensor.

        Returns:
            A tensor of the shape and dtype of `inputs`.
        """
        dtype = float_dtype(inputs)
        x = cast_to(inputs, "float32") if dtype in HALF_FLOATS else inputs
        if not _dt.is_float_dtype(dtype):
            dtype = self.compute_dtype
            x = cast_to(x, dtype)
        cdt = float_dtype(x)
        axis = self._kx_axis
        shape = tuple(x.shape)
        channels = shape[axis]
        # Split the channel axis into (groups, channels // groups); reduce over everything
        # but the batch and group axes.
        grouped = (-1, *shape[1:axis], self.groups, channels // self.groups, *shape[axis + 1 :])
        xg = ops.reshape(x, grouped)
        reduce = tuple(a for a in range(1, len(grouped)) if a != axis)
        mean, variance = ops.moments(xg, axes=reduce, keepdims=True)
        inv = ops.rsqrt(ops.add(variance, self.epsilon))
        out = ops.reshape(ops.multiply(ops.subtract(xg, mean), inv), (-1, *shape[1:]))
        if self.gamma is not None:
            out = ops.multiply(out, along(cast_to(self.gamma.value, cdt), self._kx_bshape))
        if self.beta is not None:
            out = ops.add(out, along(cast_to(self.beta.value, cdt), self._kx_bshape))
        return cast_to(out, dtype)

    def compute_output_spec(self, inputs: Any) -> Any:
        return output_spec(self, inputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "groups": self.groups,
                "axis": self.axis,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "beta_regularizer": serialize_or_none(regularizers, self.beta_regularizer),
                "gamma_regularizer": serialize_or_none(regularizers, self.gamma_regularizer),
                "beta_constraint": serialize_or_none(constraints, self.beta_constraint),
                "gamma_constraint": serialize_or_none(constraints, self.gamma_constraint),
            }
        )
        return config
