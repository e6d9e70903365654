"""Reducing metrics: `Sum`, `Mean` and `MeanMetricWrapper` (the mean of a per-sample function)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasx import ops
from kerasx.metrics.metric import Metric


def _cast(x: Any, dtype: str) -> Any:
    x = ops.convert_to_tensor(x)
    return x if str(x.dtype) == dtype else ops.cast(x, dtype)


def _drop_unit_axis(values: Any, weight: Any) -> Any:
    """Squeeze a trailing unit axis that makes `weight` one rank longer than `values`."""
    if weight.ndim == values.ndim + 1 and weight.shape[-1] == 1:
        weight = ops.squeeze(weight, -1)
    return weight


def _expand_to_rank(weight: Any, rank: int) -> Any:
    """Append unit axes to `weight` until it has `rank` axes (a batch-aligned broadcast)."""
    for _ in range(rank - weight.ndim):
        weight = ops.expand_dims(weight, -1)
    return weight


def _mean_over(x: Any, first_axis: int) -> Any:
    if x.ndim <= first_axis:
        return x
    return ops.mean(x, axis=tuple(range(first_axis, x.ndim)))


def weighted_per_sample(values: Any, sample_weight: Any, dtype: str) -> tuple[Any, Any]:
    """Weight `values` and reduce them (and the weights) to one number per sample.

    Values with more axes than the weights are first averaged over the extra trailing axes;
    the weights are then broadcast onto the values and both are averaged over every axis
    after the first, so each sample counts once whatever its shape.

    Args:
        values: a tensor of values.
        sample_weight: None or weights whose shape is a prefix of the values' shape (a
            trailing unit axis beyond the values' rank is ignored).
        dtype: the dtype of the computation.

    Returns:
        ``(weighted values, weights)`` per sample; the weights are None when
        `sample_weight` is None.
    """
    values = _cast(values, dtype)
    if sample_weight is None:
        return _mean_over(values, 1), None
    weight = _drop_unit_axis(values, _cast(sample_weight, dtype))
    if values.ndim > weight.ndim:
        values = _mean_over(values, weight.ndim)
    if weight.ndim > values.ndim:
        raise ValueError(
            "`sample_weight` must not have more axes than the values it weights. Received: "
            f"sample_weight.shape={tuple(weight.shape)}, values.shape={tuple(values.shape)}"
        )
    weight = ops.broadcast_to(weight, values.shape)
    values = values * weight
    return _mean_over(values, 1), _mean_over(weight, 1)


def apply_mask(sample_weight: Any, mask: Any, values: Any, dtype: str) -> Any:
    """Fold a boolean mask on the predictions into the sample weights.

    Args:
        sample_weight: None or the user's weights.
        mask: None or a mask broadcastable to `values` (a trailing unit axis is tolerated).
        values: the per-sample values the weights apply to.
        dtype: the dtype of the computation.

    Returns:
        The combined weights (or `sample_weight` unchanged when `mask` is None).
    """
    if mask is None:
        return sample_weight
    mask = _drop_unit_axis(values, _cast(mask, dtype))
    if sample_weight is None:
        return mask
    weight = _drop_unit_axis(values, _cast(sample_weight, dtype))
    rank = max(mask.ndim, weight.ndim)
    return _expand_to_rank(mask, rank) * _expand_to_rank(weight, rank)


class Sum(Metric):
    """The running (weighted) sum of all values passed to `update_state`.

    Args:
        name: name of the metric (default ``"sum"``).
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "sum", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Add the (weighted) values of one batch to the total.

        Args:
            values: a tensor of any shape.
            sample_weight: None, or weights whose shape is a prefix of `values`' shape
                (a scalar weights every value).
        """
        values = _cast(values, self.dtype)
        if sample_weight is not None:
            weight = _drop_unit_axis(values, _cast(sample_weight, self.dtype))
            values = values * _expand_to_rank(weight, values.ndim)
        self.total.assign(self.total.value + ops.sum(values))

    def result(self) -> Any:
        """Return the total."""
        return ops.convert_to_tensor(self.total.value)


class Mean(Metric):
    """The running (weighted) mean of the values passed to `update_state`.

    Each sample counts once: the values of one sample (everything after the first axis)
    are averaged first, and the mean is ``sum(weight * value) / sum(weight)``.

    Args:
        name: name of the metric (default ``"mean"``).
        dtype: dtype of the state.
    """

    def __init__(self, name: str = "mean", dtype: Any = None) -> None:
        super().__init__(name=name, dtype=dtype)
        self.total = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="total"
        )
        self.count = self.add_variable(
            shape=(), initializer="zeros", dtype=self.dtype, name="count"
        )

    def update_state(self, values: Any, sample_weight: Any = None) -> None:
        """Fold one batch of values into the mean.

        Args:
            values: a tensor whose first axis is the batch (a scalar counts as one sample).
            sample_weight: None, or weights whose shape is a prefix of `values`' shape.
        """
        values, weight = weighted_per_sample(values, sample_weight, self.dtype)
        if weight is None:
            count = values.shape[0] if values.ndim else 1
            count = ops.convert_to_tensor(count, dtype=self.dtype)
        else:
            count = ops.sum(weight)
        self.total.assign(self.total.value + ops.sum(values))
        self.count.assign(self.count.value + _cast(count, self.count.dtype))

    def result(self) -> Any:
        """Return ``total / count`` (0 before any update)."""
        return ops.divide_no_nan(self.total.value, ops.cast(self.count.value, self.dtype))


def serialize_fn(fn: Callable[..., Any]) -> dict:
    """Keras's description of a plain function inside a config."""
    return {
        "module": "builtins",
        "class_name": "function",
        "config": getattr(fn, "__name__", str(fn)),
        "registered_name": "function",
    }


class MeanMetricWrapper(Mean):
    """The running mean of a per-sample function ``fn(y_true, y_pred, **kwargs)``.

    Args:
        fn: a function returning per-sample values, such as a loss function.
        name: name of the metric (default ``"mean_metric_wrapper"``).
        dtype: dtype of the state and of the inputs passed to `fn`.
        **kwargs: keyword arguments passed to `fn` on every call.
    """

    def __init__(
        self, fn: Callable[..., Any], name: str | None = None, dtype: Any = None, **kwargs: Any
    ) -> None:
        if not callable(fn):
            raise TypeError(
                "Received an invalid value for `fn`, expected a callable "
                f"fn(y_true, y_pred). Received: fn={fn!r}"
            )
        super().__init__(name=name or "mean_metric_wrapper", dtype=dtype)
        self._fn = fn
        self._fn_kwargs = kwargs

    def update_state(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> None:
        """Evaluate `fn` on one batch and fold its per-sample values into the mean.

        Args:
            y_true: targets.
            y_pred: predictions (a ``_keras_mask`` attribute, when present, masks samples).
            sample_weight: None or per-sample (or per-element) weights.
        """
        mask = getattr(y_pred, "_keras_mask", None)
        y_true = _cast(y_true, self.dtype)
        y_pred = _cast(y_pred, self.dtype)
        values = self._fn(y_true, y_pred, **self._fn_kwargs)
        own = self._values_mask(y_true, values)
        if own is not None:
            mask = own if mask is None else ops.logical_and(own, ops.cast(mask, "bool"))
        sample_weight = apply_mask(sample_weight, mask, values, self.dtype)
        super().update_state(values, sample_weight=sample_weight)

    def _values_mask(self, y_true: Any, values: Any) -> Any:
        """A boolean mask of the values to leave out of the mean (None: keep all)."""
        return None

    def get_config(self) -> dict:
        """Name, dtype and `fn`'s keyword arguments (and `fn` itself for the plain wrapper)."""
        config = {"name": self.name, "dtype": self.dtype}
        if type(self) is MeanMetricWrapper:
            config["fn"] = serialize_fn(self._fn)
        config.update(self._fn_kwargs)
        return config

    @classmethod
    def from_config(cls, config: dict) -> MeanMetricWrapper:
        """Rebuild from `get_config`'s output (a serialized `fn` is looked up by name)."""
        config = dict(config)
        if cls is MeanMetricWrapper and "fn" in config:
            from kerasx.metrics.registry import function_by_name

            fn = config.pop("fn")
            if isinstance(fn, dict):
                fn = fn.get("config")
            if isinstance(fn, str):
                fn = function_by_name(fn)
            return cls(fn, **config)
        return cls(**config)
