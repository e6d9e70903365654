"""`Normalization`: shift and scale inputs by a mean and variance, given or learned by `adapt`."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features._utils import is_int, iter_batches


def _as_plain(value: Any) -> Any:
    if isinstance(value, np.ndarray) or hasattr(value, "shape"):
        arr = np.asarray(value)
        return arr.item() if arr.ndim == 0 else arr.tolist()
    return value


class Normalization(Layer):
    """Normalize features: ``(inputs - mean) / sqrt(variance)`` (or its inverse).

    The statistics are either given (`mean` and `variance`, broadcast against the kept axes)
    or learned with ``adapt(data)`` before use, where they are stored in the non-trainable
    weights ``mean``, ``variance`` and ``count``. A standard deviation below the backend
    epsilon is replaced by epsilon.

    Args:
        axis: the axis or axes that keep separate statistics (default the last axis, one mean
            per feature); None computes one scalar mean and variance over everything. The
            batch axis may not be one of them.
        mean: the mean to use instead of adapting (needs `variance` too).
        variance: the variance to use instead of adapting (needs `mean` too).
        invert: apply the inverse: ``mean + inputs * sqrt(variance)``.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(
        self,
        axis: Any = -1,
        mean: Any = None,
        variance: Any = None,
        invert: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if axis is None:
            axis = ()
        elif is_int(axis):
            axis = (int(axis),)
        elif isinstance(axis, (list, tuple)) and all(is_int(a) for a in axis):
            axis = tuple(int(a) for a in axis)
        else:
            raise ValueError(
                "Received an invalid value for `axis`, expected an integer, a tuple of "
                f"integers or None. Received: axis={axis!r}"
            )
        self.axis = axis
        if (mean is None) != (variance is None):
            raise ValueError(
                "When setting values directly, both `mean` and `variance` must be set. "
                f"Received: mean={mean} and variance={variance}"
            )
        self.input_mean = mean
        self.input_variance = variance
        self.invert = bool(invert)
        self.supports_masking = True
        self._kx_adapted = False

    def build(self, input_shape: Any) -> None:
        """Create the statistics for inputs of `input_shape` (weights unless given).

        Args:
            input_shape: the input shape; the kept axes must be known.
        """
        input_shape = tuple(input_shape)
        ndim = len(input_shape)
        self._kx_build_input_shape = input_shape
        for a in self.axis:
            if a >= ndim or a < -ndim:
                raise ValueError(
                    "All `axis` values must be in the range [-ndim, ndim). Received inputs "
                    f"with ndim={ndim}, while axis={self.axis}"
                )
        self._keep_axis = tuple(sorted(a if a >= 0 else a + ndim for a in self.axis))
        for d in self._keep_axis:
            if input_shape[d] is None:
                raise ValueError(
                    "All `axis` values to be kept must have a known shape. Received axis="
                    f"{self.axis}, inputs.shape={input_shape}, with unknown axis at index {d}"
                )
        self._reduce_axis = tuple(d for d in range(ndim) if d not in self._keep_axis)
        stat_shape = tuple(input_shape[d] for d in self._keep_axis)
        self._broadcast_shape = tuple(
            input_shape[d] if d in self._keep_axis else 1 for d in range(ndim)
        )
        if self.input_mean is None:
            self.adapt_mean = self.add_weight(
                name="mean", shape=stat_shape, initializer="zeros", trainable=False
            )
            self.adapt_variance = self.add_weight(
                name="variance", shape=stat_shape, initializer="ones", trainable=False
            )
            self.count = self.add_weight(
                name="count", shape=(), dtype="int32", initializer="zeros", trainable=False
            )
            self.mean = None
            self.variance = None
        else:
            stats = []
            for name, value in (("mean", self.input_mean), ("variance", self.input_variance)):
                arr = np.asarray(_as_plain(value), dtype="float64")
                if arr.ndim > len(self._keep_axis):
                    raise ValueError(
                        f"The rank of `{name}` must be less than or equal to the number of axes "
                        f"({len(self._keep_axis)}). Received: {name} shape {arr.shape} for "
                        f"axis {self.axis}"
                    )
                try:
                    arr = np.broadcast_to(arr, stat_shape)
                except ValueError:
                    raise ValueError(
                        f"`{name}` of shape {arr.shape} cannot be broadcast to the statistics "
                        f"shape {stat_shape} of inputs {input_shape} with axis={self.axis}."
                    ) from None
                stats.append(arr.reshape(self._broadcast_shape))
            self.mean = ops.convert_to_tensor(stats[0], dtype=self.compute_dtype)
            self.variance = ops.convert_to_tensor(stats[1], dtype=self.compute_dtype)
        self.built = True

    def adapt(self, data: Any) -> None:
        """Learn the mean and variance of `data` (replacing any previous statistics).

        Args:
            data: an array or tensor (one batch), or an iterable of batches (a generator, a
                list of arrays); statistics are combined over all batches exactly.
        """
        if self.input_mean is not None:
            raise ValueError(
                "Cannot adapt a Normalization layer that was created with `mean` and "
                "`variance`; create it without them to learn the statistics."
            )
        total = 0
        mean = var = None
        for batch in iter_batches(data):
            batch = np.asarray(batch, dtype="float64")
            if not self.built:
                self.build(batch.shape)
            if batch.ndim != len(self._broadcast_shape) or any(
                batch.shape[d] != self._broadcast_shape[d] for d in self._keep_axis
            ):
                raise ValueError(
                    f"The layer was built with input_shape={self._kx_build_input_shape}, but "
                    "adapt() is being called with data with an incompatible shape, "
                    f"data.shape={batch.shape}"
                )
            n = int(np.prod([batch.shape[d] for d in self._reduce_axis], dtype="int64"))
            if n == 0:
                continue
            b_mean = batch.mean(axis=self._reduce_axis)
            b_var = batch.var(axis=self._reduce_axis)
            if mean is None:
                mean, var, total = b_mean, b_var, n
                continue
            new_total = total + n
            w_old, w_new = total / new_total, n / new_total
            new_mean = mean * w_old + b_mean * w_new
            var = (var + (mean - new_mean) ** 2) * w_old + (b_var + (b_mean - new_mean) ** 2) * (
                w_new
            )
            mean, total = new_mean, new_total
        if mean is None:
            raise ValueError("`adapt` received no data (an empty array or iterable).")
        self.adapt_mean.assign(np.asarray(mean).astype(self.adapt_mean.dtype))
        self.adapt_variance.assign(np.asarray(var).astype(self.adapt_variance.dtype))
        self.finalize_state()

    def finalize_state(self) -> None:
        """Expose the adapted statistics as broadcastable `mean` and `variance` tensors."""
        if self.input_mean is not None or not self.built:
            return
        self.mean = ops.reshape(
            ops.cast(self.adapt_mean, self.compute_dtype), self._broadcast_shape
        )
        self.variance = ops.reshape(
            ops.cast(self.adapt_variance, self.compute_dtype), self._broadcast_shape
        )

    def call(self, inputs: Any) -> Any:
        """Normalize `inputs` (cast to the compute dtype) with the stored statistics."""
        dtype = self.compute_dtype
        x = ops.cast(inputs, dtype)
        if self.input_mean is None:
            mean = ops.reshape(ops.cast(self.adapt_mean, dtype), self._broadcast_shape)
            variance = ops.reshape(ops.cast(self.adapt_variance, dtype), self._broadcast_shape)
        else:
            mean, variance = self.mean, self.variance
        std = ops.maximum(ops.sqrt(variance), ops.cast(_config.epsilon(), dtype))
        if self.invert:
            return mean + x * std
        return (x - mean) / std

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The input shape."""
        return tuple(input_shape)

    def get_config(self) -> dict:
        """The base config plus axis, invert, mean and variance."""
        config = super().get_config()
        config.update(
            {
                "axis": self.axis,
                "invert": self.invert,
                "mean": _as_plain(self.input_mean),
                "variance": _as_plain(self.input_variance),
            }
        )
        return config
