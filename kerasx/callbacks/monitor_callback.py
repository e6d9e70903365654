"""`MonitorCallback`: shared logic of callbacks that watch one metric (not public)."""

from __future__ import annotations

import operator
import warnings
from typing import Any

from kerasx.callbacks.callback import Callback

_MODES = ("auto", "min", "max")

# Which way each built-in metric improves, for metric objects that do not say so themselves
# through a `_direction` attribute ("up" or "down", as Keras metrics do).
_UP = (
    "AUC Accuracy BinaryAccuracy BinaryIoU CategoricalAccuracy ConcordanceCorrelation "
    "CosineSimilarity F1Score FBetaScore IoU MeanIoU OneHotIoU OneHotMeanIoU "
    "PearsonCorrelation Precision PrecisionAtRecall R2Score Recall RecallAtPrecision "
    "SensitivityAtSpecificity SparseCategoricalAccuracy SparseTopKCategoricalAccuracy "
    "SpecificityAtSensitivity TopKCategoricalAccuracy"
).split()
_DOWN = (
    "BinaryCrossentropy CategoricalCrossentropy CategoricalHinge Hinge KLDivergence "
    "LogCoshError MeanAbsoluteError MeanAbsolutePercentageError MeanSquaredError "
    "MeanSquaredLogarithmicError Poisson RootMeanSquaredError SparseCategoricalCrossentropy "
    "SquaredHinge"
).split()
_DIRECTIONS = {**dict.fromkeys(_UP, "up"), **dict.fromkeys(_DOWN, "down")}


class MonitorCallback(Callback):
    """Base of callbacks that track whether a monitored metric improves.

    Args:
        monitor: the name of the metric in the logs (``"val_loss"``, ``"accuracy"``...).
        mode: ``"min"``, ``"max"`` or ``"auto"``. In ``"auto"`` mode the direction comes
            from the metric: losses decrease, and compiled metrics say which way is better.
            An unknown mode warns and falls back to ``"auto"``.
        initial_value_threshold: the value an improvement must beat first (``None``: any
            first value is an improvement).
        min_delta: the smallest change that counts as an improvement (its sign is ignored).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        mode: str = "auto",
        initial_value_threshold: float | None = None,
        min_delta: float = 0,
    ) -> None:
        super().__init__()
        if mode not in _MODES:
            warnings.warn(
                f"{self.__class__.__name__} mode '{mode}' is unknown, fallback to auto mode.",
                stacklevel=3,
            )
            mode = "auto"
        self.monitor = monitor
        self.mode = mode
        self.best = initial_value_threshold
        self.min_delta = abs(min_delta)
        self.monitor_op: Any = None

    def _metric_direction(self, name: str) -> str | None:
        """``"up"``/``"down"`` for a compiled metric called `name`, or ``None``."""
        compiled: list = []
        for metric in getattr(self.model, "metrics", None) or []:
            children = getattr(metric, "metrics", None)
            if isinstance(children, (list, tuple)):
                compiled.extend(children)
        direction = None
        for metric in compiled:
            if getattr(metric, "name", None) == name:
                own = getattr(metric, "_direction", None)
                direction = own or _DIRECTIONS.get(type(metric).__name__, direction)
        return direction

    def _set_monitor_op(self) -> None:
        op = None
        if self.mode == "min":
            op = operator.lt
        elif self.mode == "max":
            op = operator.gt
        else:
            name = self.monitor.removeprefix("val_")
            if name == "loss":
                op = operator.lt
            elif self.model is not None:
                direction = self._metric_direction(name)
                if direction == "up":
                    op = operator.gt
                elif direction == "down":
                    op = operator.lt
        if op is None:
            raise ValueError(
                f"{self.__class__.__name__} callback received monitor={self.monitor}, but "
                "Keras isn't able to automatically determine whether that metric should be "
                "maximized or minimized. Pass `mode='max'` in order to monitor based on the "
                "highest metric value, or pass `mode='min'` in order to use the lowest value."
            )
        self.monitor_op = op
        if op is operator.lt:
            self.min_delta = -abs(self.min_delta)
        else:
            self.min_delta = abs(self.min_delta)

    def _is_improvement(self, value: Any, reference: Any) -> bool:
        if reference is None:
            return True
        return bool(self.monitor_op(value - self.min_delta, reference))
