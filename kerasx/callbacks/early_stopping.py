"""`EarlyStopping`: stop training when a monitored metric stops improving."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerasx.callbacks.callback import print_msg, to_host
from kerasx.callbacks.monitor_callback import MonitorCallback


def _scalar(value: Any) -> Any:
    value = to_host(value)
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        return float(value)
    return value


class EarlyStopping(MonitorCallback):
    """Stops training once the monitored metric has stopped improving.

    At the end of each epoch the monitored value is compared with the best value so far; an
    epoch that does not improve on it by more than `min_delta` adds one to a wait counter,
    an improving epoch resets it. When the counter reaches `patience` (and the epoch is not
    the first), `model.stop_training` is set.

    Args:
        monitor: the metric to watch (default ``"val_loss"``).
        min_delta: the smallest change counted as an improvement.
        patience: how many epochs without improvement to allow before stopping.
        verbose: 1 prints a message when training is stopped (and when weights are restored).
        mode: ``"auto"``, ``"min"`` or ``"max"``: whether the metric should go down or up.
        baseline: a value the metric must beat; until it does, improving epochs do not reset
            the wait counter.
        restore_best_weights: at the end of training, put back the weights of the best epoch
            (only when at least one epoch was monitored).
        start_from_epoch: the number of warm-up epochs during which nothing is monitored.
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        min_delta: float = 0,
        patience: int = 0,
        verbose: int = 0,
        mode: str = "auto",
        baseline: float | None = None,
        restore_best_weights: bool = False,
        start_from_epoch: int = 0,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        self.patience = patience
        self.verbose = verbose
        self.baseline = baseline
        self.wait = 0
        self.stopped_epoch = 0
        self.restore_best_weights = restore_best_weights
        self.best_weights: list | None = None
        self.start_from_epoch = start_from_epoch

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.wait = 0
        self.stopped_epoch = 0
        self.best = None
        self.best_weights = None
        self.best_epoch = 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.monitor_op is None:
            self._set_monitor_op()
        current = self.get_monitor_value(logs)
        if current is None or epoch < self.start_from_epoch:
            return
        if self.restore_best_weights and self.best_weights is None:
            # Keep the first monitored epoch's weights in case nothing ever improves.
            self.best_weights = self.model.get_weights()
        self.wait += 1
        if self._is_improvement(current, self.best):
            self.best = current
            self.best_epoch = epoch
            if self.restore_best_weights:
                self.best_weights = self.model.get_weights()
            if self.baseline is None or self._is_improvement(current, self.baseline):
                self.wait = 0
            return
        if self.wait >= self.patience and epoch > 0:
            self.stopped_epoch = epoch
            self.model.stop_training = True

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.stopped_epoch > 0 and self.verbose > 0:
            print_msg(f"Epoch {self.stopped_epoch + 1}: early stopping")
        if self.restore_best_weights and self.best_weights is not None:
            if self.verbose > 0:
                print_msg(
                    "Restoring model weights from the end of the best epoch: "
                    f"{self.best_epoch + 1}."
                )
            self.model.set_weights(self.best_weights)

    def get_monitor_value(self, logs: dict | None) -> Any:
        """The monitored value in `logs`, or ``None`` (with a warning) when it is missing.

        Args:
            logs: the epoch logs.

        Returns:
            The value (a Python float for scalars), or ``None``.
        """
        logs = logs or {}
        value = logs.get(self.monitor)
        if value is None:
            warnings.warn(
                f"Early stopping conditioned on metric `{self.monitor}` which is not "
                f"available. Available metrics are: {','.join(list(logs.keys()))}",
                stacklevel=2,
            )
            return None
        return _scalar(value)
