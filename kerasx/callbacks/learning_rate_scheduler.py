"""`LearningRateScheduler`: set the learning rate from a function of the epoch."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from kerasx.callbacks.callback import Callback, print_msg, to_float


class LearningRateScheduler(Callback):
    """Sets the optimizer's learning rate at the start of every epoch.

    Args:
        schedule: a function ``schedule(epoch, lr) -> new_lr`` (or ``schedule(epoch)``),
            where `epoch` counts from 0 and `lr` is the current learning rate as a float.
            It must return a float.
        verbose: 1 prints the new learning rate at each epoch.

    The learning rate is also added to the epoch logs as ``"learning_rate"``. With a
    `MultiOptimizer`, every sub-optimizer is scheduled and logged as
    ``"learning_rate_<name>"``.
    """

    def __init__(self, schedule: Callable, verbose: int = 0) -> None:
        super().__init__()
        self.schedule = schedule
        self.verbose = verbose

    def _set_rate(self, optimizer: object, epoch: int) -> float:
        if not hasattr(optimizer, "learning_rate"):
            raise ValueError('Optimizer must have a "learning_rate" attribute.')
        try:
            learning_rate = self.schedule(epoch, to_float(optimizer.learning_rate))
        except TypeError:  # a one-argument schedule(epoch)
            learning_rate = self.schedule(epoch)
        if not isinstance(learning_rate, (float, np.float32, np.float64)):
            raise ValueError(
                f"The output of the `schedule` function should be a float. Got: {learning_rate}"
            )
        optimizer.learning_rate = learning_rate
        return learning_rate

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        optimizer = self.model.optimizer
        # A MultiOptimizer (anything listing `optimizers`): each sub-optimizer is scheduled.
        for opt in optimizer.optimizers if hasattr(optimizer, "optimizers") else [optimizer]:
            learning_rate = self._set_rate(opt, epoch)
            if self.verbose > 0:
                which = f"{opt.name} " if opt is not optimizer else ""
                print_msg(
                    f"\nEpoch {epoch + 1}: LearningRateScheduler setting {which}learning rate "
                    f"to {learning_rate}."
                )

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if logs is not None:
            optimizer = self.model.optimizer
            if hasattr(optimizer, "optimizers"):
                for opt in optimizer.optimizers:
                    logs[f"learning_rate_{opt.name}"] = to_float(opt.learning_rate)
            else:
                logs["learning_rate"] = to_float(optimizer.learning_rate)
