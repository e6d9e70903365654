"""The `Loss` base class and the reduction of per-sample losses to a scalar."""

from __future__ import annotations

import re
from typing import Any

from kerasx import config, ops

REDUCTIONS = ("sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None)


def check_reduction(reduction: Any) -> Any:
    """Validate a reduction mode and return it unchanged.

    Args:
        reduction: one of "sum_over_batch_size", "sum", "mean", "mean_with_sample_weight",
            "none" or None.

    Returns:
        The same value.
    """
    if reduction is not None and (not isinstance(reduction, str) or reduction not in REDUCTIONS):
        raise ValueError(
            "Received an invalid value for argument `reduction`, expected one of "
            f"{list(REDUCTIONS)}. Received: reduction={reduction!r}"
        )
    return reduction


def align_ranks(a: Any, b: Any, expand_rank_1: bool = True) -> tuple[Any, Any]:
    """Make two tensors whose ranks differ by one by a trailing unit axis have equal rank.

    When one tensor has exactly one more axis than the other and that last axis has size 1,
    that axis is dropped, except that a rank-1 partner is given a trailing axis instead
    (when `expand_rank_1`). Any other rank pair is returned unchanged.

    Args:
        a: first tensor.
        b: second tensor.
        expand_rank_1: whether a rank-1 tensor grows an axis rather than the other shrinking.

    Returns:
        The pair ``(a, b)`` after the adjustment.
    """
    ra, rb = len(a.shape), len(b.shape)
    if ra == rb + 1 and a.shape[-1] == 1:
        if rb == 1 and expand_rank_1:
            b = ops.expand_dims(b, -1)
        else:
            a = ops.squeeze(a, -1)
    elif rb == ra + 1 and b.shape[-1] == 1:
        if ra == 1 and expand_rank_1:
            a = ops.expand_dims(a, -1)
        else:
            b = ops.squeeze(b, -1)
    return a, b


def reduce_values(values: Any, sample_weight: Any = None, reduction: Any = "sum_over_batch_size"):
    """Reduce (already weighted) per-sample losses according to `reduction`.

    Args:
        values: tensor of losses.
        sample_weight: the weights that were applied, used as divisor by
            "mean_with_sample_weight".
        reduction: the reduction mode.

    Returns:
        The reduced loss (or `values` itself for "none"/None and for scalars or empty vectors).
    """
    shape = tuple(values.shape)
    if reduction is None or reduction == "none" or shape == () or shape == (0,):
        return values
    total = ops.sum(values)
    if reduction == "sum":
        return total
    if reduction == "mean_with_sample_weight" and sample_weight is not None:
        divisor = ops.cast(ops.sum(sample_weight), total.dtype)
    else:
        count = 1
        for d in shape:
            count *= int(d)
        divisor = ops.cast(count, total.dtype)
    return ops.divide_no_nan(total, divisor)


def reduce_weighted_values(
    values: Any,
    sample_weight: Any = None,
    reduction: Any = "sum_over_batch_size",
    dtype: Any = None,
) -> Any:
    """Apply `sample_weight` to per-sample losses, then reduce them.

    Args:
        values: tensor of per-sample losses.
        sample_weight: None or a tensor broadcastable to `values` (a trailing unit axis or a
            missing trailing axis is reconciled first).
        reduction: the reduction mode.
        dtype: dtype of the computation (defaults to `values`' dtype).

    Returns:
        The reduced, weighted loss.
    """
    check_reduction(reduction)
    dtype = dtype or values.dtype
    values = ops.convert_to_tensor(values, dtype=dtype)
    if sample_weight is not None:
        sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
        values, sample_weight = align_ranks(values, sample_weight)
        values = values * sample_weight
    return reduce_values(values, sample_weight, reduction)


def _mask_weights(mask: Any, sample_weight: Any, reduction: Any, dtype: Any) -> Any:
    """Fold a validity mask into the sample weights (rescaled so means skip masked entries)."""
    m = ops.cast(mask, dtype)
    if reduction in ("sum_over_batch_size", "mean"):
        count = 1
        for d in m.shape:
            count *= int(d)
        m = m * (count / (ops.sum(m) + config.epsilon()))
    if sample_weight is None:
        return m
    sample_weight = ops.convert_to_tensor(sample_weight, dtype=dtype)
    m, sample_weight = align_ranks(m, sample_weight)
    return m * sample_weight


def _snake_case(name: str) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


class Loss:
    """Base class of losses: subclasses implement `call(y_true, y_pred)`.

    Calling an instance computes the per-sample losses with `call`, weights them with the
    optional `sample_weight` and reduces them according to `reduction`.

    Args:
        name: name of the loss (defaults to the snake-cased class name).
        reduction: "sum_over_batch_size" (default), "sum", "mean", "mean_with_sample_weight",
            "none" or None.
        dtype: dtype of the loss computation (defaults to `kerasx.config.floatx()`).
    """

    def __init__(
        self, name: str | None = None, reduction: Any = "sum_over_batch_size", dtype: Any = None
    ) -> None:
        self.name = name or _snake_case(self.__class__.__name__)
        self.reduction = check_reduction(reduction)
        self._dtype = dtype

    @property
    def dtype(self) -> str:
        """The dtype the loss is computed in."""
        dtype = self._dtype
        if dtype is None:
            return config.floatx()
        if isinstance(dtype, str):
            return dtype
        return getattr(dtype, "compute_dtype", None) or str(dtype)

    def __call__(self, y_true: Any, y_pred: Any, sample_weight: Any = None) -> Any:
        """Compute the weighted, reduced loss.

        Args:
            y_true: targets.
            y_pred: predictions.
            sample_weight: optional per-sample (or per-element) weights.

        Returns:
            The loss tensor.
        """
        dtype = self.dtype
        y_pred = ops.convert_to_tensor(y_pred, dtype=dtype)
        y_true = ops.convert_to_tensor(y_true, dtype=dtype)
        values, mask = self._call_masked(y_true, y_pred)
        if mask is not None:
            sample_weight = _mask_weights(mask, sample_weight, self.reduction, dtype)
        return reduce_weighted_values(
            values, sample_weight=sample_weight, reduction=self.reduction, dtype=dtype
        )

    def _call_masked(self, y_true: Any, y_pred: Any) -> tuple:
        """``(losses, validity mask or None)``; the mask drops entries from the mean."""
        return self.call(y_true, y_pred), None

    def call(self, y_true: Any, y_pred: Any) -> Any:
        """Per-sample losses; subclasses must implement this.

        Args:
            y_true: targets.
            y_pred: predictions.

        Returns:
            The unreduced losses.
        """
        raise NotImplementedError(f"{type(self).__name__} must implement `call(y_true, y_pred)`.")

    def get_config(self) -> dict:
        """Return the constructor arguments as a dict."""
        return {"name": self.name, "reduction": self.reduction}

    @classmethod
    def from_config(cls, config: dict) -> Loss:
        """Rebuild a loss from the dict returned by `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name!r} reduction={self.reduction!r}>"
