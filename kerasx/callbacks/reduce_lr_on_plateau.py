"""`ReduceLROnPlateau`: lower the learning rate when a metric stops improving."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerasx.callbacks.callback import print_msg, to_float
from kerasx.callbacks.early_stopping import _scalar
from kerasx.callbacks.monitor_callback import MonitorCallback


class ReduceLROnPlateau(MonitorCallback):
    """Multiplies the learning rate by `factor` when the monitored metric plateaus.

    After `patience` epochs without an improvement larger than `min_delta`, the optimizer's
    learning rate becomes ``max(lr * factor, min_lr)``; then `cooldown` epochs pass before
    counting resumes. The current learning rate is added to the epoch logs as
    ``"learning_rate"``. The optimizer's learning rate must be settable (a float, not a
    `LearningRateSchedule`). With a `MultiOptimizer`, each sub-optimizer is reduced and
    logged (as ``"learning_rate_<name>"``).

    Args:
        monitor: the metric to watch.
        factor: the multiplier applied to the learning rate; must be below 1.
        patience: the number of epochs without improvement before reducing.
        verbose: 1 prints a message on each reduction.
        mode: ``"auto"``, ``"min"`` or ``"max"``: which way the metric improves.
        min_delta: the smallest change counted as an improvement.
        cooldown: the number of epochs to wait after a reduction before counting again.
        min_lr: the lower bound of the learning rate.
        **kwargs: accepted and ignored (older argument names).
    """

    def __init__(
        self,
        monitor: str = "val_loss",
        factor: float = 0.1,
        patience: int = 10,
        verbose: int = 0,
        mode: str = "auto",
        min_delta: float = 1e-4,
        cooldown: int = 0,
        min_lr: float = 0.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(monitor, mode, min_delta=min_delta)
        if factor >= 1.0:
            raise ValueError(
                f"ReduceLROnPlateau does not support a factor >= 1.0. Received factor={factor}"
            )
        self.factor = factor
        self.min_lr = min_lr
        self.patience = patience
        self.verbose = verbose
        self.cooldown = cooldown
        self.cooldown_counter = 0
        self.wait = 0

    def _reset(self) -> None:
        self.cooldown_counter = 0
        self.wait = 0

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._reset()

    def in_cooldown(self) -> bool:
        """Whether the callback is waiting out its cooldown after a reduction."""
        return self.cooldown_counter > 0

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        logs = logs or {}
        optimizer = self.model.optimizer
        # A MultiOptimizer (anything listing `optimizers`): each sub-optimizer is logged and
        # reduced on its own.
        multi = hasattr(optimizer, "optimizers")
        if multi:
            for opt in optimizer.optimizers:
                logs[f"learning_rate_{opt.name}"] = to_float(opt.learning_rate)
        else:
            logs["learning_rate"] = to_float(optimizer.learning_rate)
        if self.monitor_op is None:
            self._set_monitor_op()
        current = logs.get(self.monitor)
        if current is None:
            warnings.warn(
                f"Learning rate reduction is conditioned on metric `{self.monitor}` which is "
                f"not available. Available metrics are: {','.join(list(logs.keys()))}.",
                stacklevel=2,
            )
            return
        current = _scalar(current)
        if self.in_cooldown():
            self.cooldown_counter -= 1
            self.wait = 0
        if self._is_improvement(current, self.best):
            self.best = current
            self.wait = 0
            return
        if self.in_cooldown():
            return
        self.wait += 1
        if self.wait < self.patience:
            return
        reduced = False
        for opt in optimizer.optimizers if multi else [optimizer]:
            old_lr = to_float(opt.learning_rate)
            if old_lr > np.float32(self.min_lr):
                new_lr = max(old_lr * self.factor, self.min_lr)
                opt.learning_rate = new_lr
                reduced = True
                if self.verbose > 0:
                    which = f" {opt.name}" if multi else ""
                    print_msg(
                        f"\nEpoch {epoch + 1}: ReduceLROnPlateau reducing{which} learning rate "
                        f"to {new_lr}."
                    )
        if reduced:
            self.cooldown_counter = self.cooldown
            self.wait = 0
