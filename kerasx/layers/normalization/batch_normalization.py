"""`BatchNormalization`: normalize each feature with batch statistics (training) or their
moving averages (inference)."""

from __future__ import annotations

from typing import Any

from kerasx import constraints, initializers, ops, regularizers
from kerasx.engine import dtypes as _dt
from kerasx.engine.variables import AutocastScope
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
    is_number,
    output_spec,
    resolve_axes,
    serialize_or_none,
)

_CLIP_KEYS = ("rmax", "rmin", "dmax")


def _const(value: Any) -> Any:
    """An initializer returning `value` (a tensor of the weight's shape) in the given dtype."""

    def init(shape: Any, dtype: Any = None) -> Any:
        return cast_to(value, dtype) if dtype is not None else value

    return init


def _check_momentum(value: Any, name: str) -> float:
    if not is_number(value) or not 0 <= value <= 1:
        raise ValueError(
            f"BatchNormalization: received an invalid value for `{name}`, expected a number "
            f"in [0, 1]. Received: {name}={value!r}"
        )
    return float(value)


class BatchNormalization(Layer):
    """Normalize the features of a batch to zero mean and unit variance, then scale and shift.

    While training (``training=True`` and the layer is trainable) each feature along `axis`
    is normalized with the mean and variance of the current batch (over every other axis),
    and the moving averages ``moving = moving * momentum + batch * (1 - momentum)`` are
    updated. Otherwise the moving averages are used. A layer with ``trainable=False``
    always runs in inference mode, even when called with ``training=True`` (the usual way to
    fine-tune a network with frozen batch-norm layers). The output is
    ``gamma * (x - mean) / sqrt(variance + epsilon) + beta``.

    Statistics of float16/bfloat16 inputs are computed in float32, and the result is cast
    back to the input dtype.

    Args:
        axis: the feature axis (``-1`` for channels-last data, ``1`` for channels-first).
        momentum: the weight of the old value in the moving averages, in [0, 1].
        epsilon: a small non-negative number added to the variance.
        center: whether to add the learned offset ``beta``.
        scale: whether to multiply by the learned scale ``gamma``.
        beta_initializer: initializer of ``beta``.
        gamma_initializer: initializer of ``gamma``.
        moving_mean_initializer: initializer of ``moving_mean``.
        moving_variance_initializer: initializer of ``moving_variance``.
        beta_regularizer: optional regularizer of ``beta``.
        gamma_regularizer: optional regularizer of ``gamma``.
        beta_constraint: optional constraint of ``beta``.
        gamma_constraint: optional constraint of ``gamma``.
        renorm: whether to use batch renormalization: in training, the batch-normalized
            values are corrected towards the statistics tracked in ``renorm_mean`` and
            ``renorm_stddev`` by the (gradient-free) factors ``r`` and ``d``.
        renorm_clipping: with `renorm`, an optional dict with keys among ``"rmax"``,
            ``"rmin"`` and ``"dmax"`` bounding ``r`` to [rmin, rmax] and ``d`` to
            [-dmax, dmax] (a missing key: no bound).
        renorm_momentum: the momentum of the renormalization statistics.
        synchronized: accepted for Keras compatibility (statistics are always global: kerasx
            computes a batch on one device).
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).

    Call arguments:
        inputs: a tensor of any rank.
        training: whether to normalize with the batch statistics (and update the moving
            ones).
        mask: an optional boolean mask of shape ``inputs.shape[:-1]`` (or of the input's
            shape); in training, only the unmasked positions count in the statistics.
    """

    _auto_config = False
    supports_masking = True

    def __init__(
        self,
        axis: int = -1,
        momentum: float = 0.99,
        epsilon: float = 1e-3,
        center: bool = True,
        scale: bool = True,
        beta_initializer: Any = "zeros",
        gamma_initializer: Any = "ones",
        moving_mean_initializer: Any = "zeros",
        moving_variance_initializer: Any = "ones",
        beta_regularizer: Any = None,
        gamma_regularizer: Any = None,
        beta_constraint: Any = None,
        gamma_constraint: Any = None,
        renorm: bool = False,
        renorm_clipping: dict | None = None,
        renorm_momentum: float = 0.99,
        synchronized: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.axis = check_int_axis(axis, "BatchNormalization")
        self.momentum = _check_momentum(momentum, "momentum")
        self.epsilon = check_epsilon(epsilon, "BatchNormalization")
        self.center = bool(center)
        self.scale = bool(scale)
        self.beta_initializer = initializers.get(beta_initializer)
        self.gamma_initializer = initializers.get(gamma_initializer)
        self.moving_mean_initializer = initializers.get(moving_mean_initializer)
        self.moving_variance_initializer = initializers.get(moving_variance_initializer)
        self.beta_regularizer = regularizers.get(beta_regularizer)
        self.gamma_regularizer = regularizers.get(gamma_regularizer)
        self.beta_constraint = constraints.get(beta_constraint)
        self.gamma_constraint = constraints.get(gamma_constraint)
        self.synchronized = bool(synchronized)
        self.renorm = bool(renorm)
        if renorm_clipping is not None:
            if not isinstance(renorm_clipping, dict) or set(renorm_clipping) - set(_CLIP_KEYS):
                raise ValueError(
                    "BatchNormalization: received an invalid value for `renorm_clipping`, "
                    f"expected None or a dict with keys among {list(_CLIP_KEYS)}. "
                    f"Received: renorm_clipping={renorm_clipping!r}"
                )
            for v in renorm_clipping.values():
                if v is not None and not is_number(v):
                    raise ValueError(
                        "BatchNormalization: every value of `renorm_clipping` must be a "
                        f"number or None. Received: renorm_clipping={renorm_clipping!r}"
                    )
            renorm_clipping = dict(renorm_clipping)
        self.renorm_clipping = renorm_clipping
        self.renorm_momentum = _check_momentum(renorm_momentum, "renorm_momentum")
        self.gamma = None
        self.beta = None

    def build(self, input_shape: Any) -> None:
        """Create ``gamma``, ``beta``, ``moving_mean`` and ``moving_variance`` (and, with
        `renorm`, ``moving_stddev``, ``renorm_mean`` and ``renorm_stddev``), each of shape
        ``(input_shape[axis],)``.

        Args:
            input_shape: the input shape; the feature axis must be known.
        """
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        (axis,) = resolve_axes(self.axis, ndim, "BatchNormalization")
        dim = input_shape[axis]
        if dim is None:
            raise ValueError(
                f"BatchNormalization: the size of the feature axis (axis={self.axis}) must be "
                f"known to create the weights. Received: input_shape={input_shape}"
            )
        shape = (int(dim),)
        self._kx_axis = axis
        self._kx_ndim = ndim
        self._kx_reduce = tuple(a for a in range(ndim) if a != axis)
        self._kx_bshape = broadcast_shape(ndim, [axis], shape)
        if self.scale:
            self.gamma = self.add_weight(
                shape=shape,
                name="gamma",
                initializer=self.gamma_initializer,
                regularizer=self.gamma_regularizer,
                constraint=self.gamma_constraint,
                trainable=True,
            )
        if self.center:
            self.beta = self.add_weight(
                shape=shape,
                name="beta",
                initializer=self.beta_initializer,
                regularizer=self.beta_regularizer,
                constraint=self.beta_constraint,
                trainable=True,
            )
        self.moving_mean = self._stat_weight("moving_mean", shape, self.moving_mean_initializer)
        self.moving_variance = self._stat_weight(
            "moving_variance", shape, self.moving_variance_initializer
        )
        if self.renorm:
            # The renormalization statistics start from the moving ones.
            mean0 = self.moving_mean.value
            std0 = ops.sqrt(self.moving_variance.value)
            self.moving_stddev = self._stat_weight("moving_stddev", shape, _const(std0))
            self.renorm_mean = self._stat_weight("renorm_mean", shape, _const(mean0))
            self.renorm_stddev = self._stat_weight("renorm_stddev", shape, _const(std0))
        self.input_spec = InputSpec(ndim=ndim, axes={self.axis: int(dim)})
        self.built = True

    def _stat_weight(self, name: str, shape: tuple, initializer: Any) -> Any:
        var = self.add_weight(shape=shape, name=name, initializer=initializer, trainable=False)
        var.autocast = False  # moving statistics are always read in their own dtype
        return var

    # ------------------------------------------------------------------ call

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        """Normalize `inputs` (see the class docstring).

        Args:
            inputs: the input tensor.
            training: whether to use (and update) the batch statistics.
            mask: optional mask restricting the batch statistics to unmasked positions.

        Returns:
            A tensor of the shape and dtype of `inputs`.
        """
        dtype = float_dtype(inputs)
        x = cast_to(inputs, "float32") if dtype in HALF_FLOATS else inputs
        if not _dt.is_float_dtype(dtype):
            dtype = self.compute_dtype
            x = cast_to(x, dtype)
        cdt = float_dtype(x)
        with AutocastScope(None):  # read gamma/beta in full precision
            gamma = None if self.gamma is None else cast_to(self.gamma.value, cdt)
            beta = None if self.beta is None else cast_to(self.beta.value, cdt)
        if training and self.trainable:
            mean, variance = self._moments(x, mask)
            if self.renorm:
                scale, shift = self._renormalize(mean, variance, cdt)
            else:
                scale = ops.rsqrt(ops.add(variance, self.epsilon))
                shift = ops.negative(ops.multiply(mean, scale))
                self._update(self.moving_mean, mean, self.momentum)
                self._update(self.moving_variance, variance, self.momentum)
        else:
            mean = cast_to(self.moving_mean.value, cdt)
            variance = cast_to(self.moving_variance.value, cdt)
            scale = ops.rsqrt(ops.add(variance, self.epsilon))
            shift = ops.negative(ops.multiply(mean, scale))
        if gamma is not None:
            scale = ops.multiply(scale, gamma)
            shift = ops.multiply(shift, gamma)
        if beta is not None:
            shift = ops.add(shift, beta)
        bshape = self._kx_bshape
        out = ops.add(ops.multiply(x, along(scale, bshape)), along(shift, bshape))
        return cast_to(out, dtype)

    def _moments(self, x: Any, mask: Any) -> tuple:
        axes = self._kx_reduce
        if mask is None:
            return ops.moments(x, axes=axes)
        # Weighted statistics: a masked position has weight 0.
        w = cast_to(mask, float_dtype(x))
        if len(w.shape) == len(x.shape) - 1:
            w = ops.expand_dims(w, -1)
        tiny = 1e-7
        count = ops.add(ops.sum(w, axis=axes, keepdims=True), tiny)
        wx = ops.multiply(w, x)
        mean = ops.divide(ops.sum(wx, axis=axes, keepdims=True), count)
        sq = ops.square(ops.subtract(wx, mean))
        variance = ops.divide(ops.sum(ops.multiply(w, sq), axis=axes, keepdims=True), count)
        return ops.squeeze(mean, axis=axes), ops.squeeze(variance, axis=axes)

    def _renormalize(self, mean: Any, variance: Any, cdt: str) -> tuple:
        """Batch renormalization: the per-feature ``scale`` and ``shift``, and the updates of
        the moving and renormalization statistics."""
        stddev = ops.sqrt(ops.add(variance, self.epsilon))
        r_std = cast_to(self.renorm_stddev.value, cdt)
        r = ops.divide(stddev, r_std)
        d = ops.divide(ops.subtract(mean, cast_to(self.renorm_mean.value, cdt)), r_std)
        clip = self.renorm_clipping or {}
        if clip.get("rmax") is not None:
            r = ops.minimum(r, float(clip["rmax"]))
        if clip.get("rmin") is not None:
            r = ops.maximum(r, float(clip["rmin"]))
        if clip.get("dmax") is not None:
            d = ops.clip(d, -float(clip["dmax"]), float(clip["dmax"]))
        r = ops.stop_gradient(r)
        d = ops.stop_gradient(d)
        # (x - mean) / stddev * r + d  ==  x * scale + shift
        scale = ops.divide(r, stddev)
        shift = ops.subtract(d, ops.multiply(mean, scale))
        self._update(self.moving_mean, mean, self.momentum)
        new_std = self._update(self.moving_stddev, stddev, self.momentum)
        # The moving variance follows the moving standard deviation.
        self.moving_variance.assign(
            cast_to(ops.subtract(ops.square(new_std), self.epsilon), self.moving_variance.dtype)
        )
        self._update(self.renorm_mean, mean, self.renorm_momentum)
        self._update(self.renorm_stddev, stddev, self.renorm_momentum)
        return scale, shift

    @staticmethod
    def _update(var: Any, value: Any, momentum: float) -> Any:
        """``var = var * momentum + value * (1 - momentum)``; returns the new value."""
        old = cast_to(var.value, float_dtype(value))
        new = ops.add(ops.multiply(old, momentum), ops.multiply(value, 1.0 - momentum))
        new = cast_to(new, var.dtype)
        var.assign(new)
        return new

    # ------------------------------------------------------------------ shapes and config

    def compute_output_spec(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        return output_spec(self, inputs)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The constructor arguments, in Keras's format."""
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "momentum": self.momentum,
                "epsilon": self.epsilon,
                "center": self.center,
                "scale": self.scale,
                "beta_initializer": initializers.serialize(self.beta_initializer),
                "gamma_initializer": initializers.serialize(self.gamma_initializer),
                "moving_mean_initializer": initializers.serialize(self.moving_mean_initializer),
                "moving_variance_initializer": initializers.serialize(
                    self.moving_variance_initializer
                ),
                "beta_regularizer": serialize_or_none(regularizers, self.beta_regularizer),
                "gamma_regularizer": serialize_or_none(regularizers, self.gamma_regularizer),
                "beta_constraint": serialize_or_none(constraints, self.beta_constraint),
                "gamma_constraint": serialize_or_none(constraints, self.gamma_constraint),
                "synchronized": self.synchronized,
                "renorm": self.renorm,
                "renorm_clipping": self.renorm_clipping,
                "renorm_momentum": self.renorm_momentum,
            }
        )
        return config
