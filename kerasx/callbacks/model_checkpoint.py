"""`ModelCheckpoint`: save the model (or its weights) during training."""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from kerasx.callbacks.callback import print_msg, to_host
from kerasx.callbacks.monitor_callback import MonitorCallback


def _format_value(value: Any) -> Any:
    """Log values as Python numbers, so `{loss:.2f}`-style templates format them."""
    value = to_host(value)
    if isinstance(value, (np.ndarray, np.generic)) and np.ndim(value) == 0:
        return value.item()
    return value


class ModelCheckpoint(MonitorCallback):
    """Saves the model or its weights at the end of every epoch or every few batches.

    `filepath` may hold `str.format` fields filled in at save time: ``{epoch}`` (counted
    from 1), ``{batch}`` (for batch-level saves) and any log entry, for example
    ``"ckpt/w.{epoch:02d}-{val_loss:.2f}.weights.h5"``.

    Args:
        filepath: where to save; must end in ``.keras`` for whole models (or ``.h5``) and in
            ``.weights.h5`` when `save_weights_only` is set.
        monitor: the metric used by `save_best_only`.
        verbose: 1 prints a message on every save decision.
        save_best_only: save only when the monitored metric improves on the best so far.
        save_weights_only: save with `model.save_weights` instead of `model.save`.
        mode: ``"auto"``, ``"min"`` or ``"max"``: which way the monitored metric improves.
        save_freq: ``"epoch"`` to save at the end of every epoch, or an integer number of
            batches between saves.
        initial_value_threshold: the value the monitored metric must beat before the first
            save (with `save_best_only`).
    """

    def __init__(
        self,
        filepath: str | os.PathLike,
        monitor: str = "val_loss",
        verbose: int = 0,
        save_best_only: bool = False,
        save_weights_only: bool = False,
        mode: str = "auto",
        save_freq: str | int = "epoch",
        initial_value_threshold: float | None = None,
    ) -> None:
        super().__init__(monitor, mode, initial_value_threshold)
        self.verbose = verbose
        self.filepath = os.fspath(filepath) if isinstance(filepath, os.PathLike) else filepath
        self.save_best_only = save_best_only
        self.save_weights_only = save_weights_only
        self.save_freq = save_freq
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen: int | None = None
        self._current_epoch = 0
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                f"Unrecognized save_freq: {save_freq}. Expected save_freq are 'epoch' or "
                "integer values"
            )
        if save_weights_only:
            if not self.filepath.endswith(".weights.h5"):
                raise ValueError(
                    "When using `save_weights_only=True` in `ModelCheckpoint`, the filepath "
                    "provided must end in `.weights.h5` (Keras weights format). Received: "
                    f"filepath={self.filepath}"
                )
        elif not self.filepath.endswith((".keras", ".h5")):
            raise ValueError(
                "The filepath provided must end in `.keras` (Keras model format). Received: "
                f"filepath={self.filepath}"
            )

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch

    def _kx_batch_hooks_idle(self, kind: str) -> bool:
        """Whether its batch hooks do nothing (saving once per epoch): the trainer then
        neither calls them nor writes the weights back for them between steps."""
        return self.save_freq == "epoch"

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model(self._current_epoch, batch, logs)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.save_freq == "epoch":
            self._save_model(epoch, None, logs)

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch":
            return False
        if self._last_batch_seen is None or batch <= self._last_batch_seen:
            new_batches = batch + 1  # a new epoch started
        else:
            new_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += new_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _get_file_path(self, epoch: int, batch: int | None, logs: dict) -> str:
        values = {k: _format_value(v) for k, v in logs.items()}
        try:
            if batch is None or "batch" in values:
                return self.filepath.format(epoch=epoch + 1, **values)
            return self.filepath.format(epoch=epoch + 1, batch=batch + 1, **values)
        except KeyError as e:
            raise KeyError(
                f'Failed to format this callback filepath: "{self.filepath}". Reason: {e}'
            ) from e

    def _write(self, filepath: str) -> None:
        if self.save_weights_only:
            self.model.save_weights(filepath, overwrite=True)
        else:
            self.model.save(filepath, overwrite=True)

    def _save_model(self, epoch: int, batch: int | None, logs: dict | None) -> None:
        logs = logs or {}
        if self.monitor_op is None:
            self._set_monitor_op()
        filepath = self._get_file_path(epoch, batch, logs)
        dirname = os.path.dirname(filepath)
        if dirname and not os.path.exists(dirname):
            os.makedirs(dirname, exist_ok=True)
        try:
            if self.save_best_only:
                current = to_host(logs.get(self.monitor))
                if current is None:
                    warnings.warn(
                        f"Can save best model only with {self.monitor} available.",
                        stacklevel=2,
                    )
                elif isinstance(current, np.ndarray) and current.ndim > 0:
                    warnings.warn(
                        "Can save best model only when `monitor` is a scalar value. Received: "
                        f"{current}. Falling back to `save_best_only=False`.",
                        stacklevel=2,
                    )
                else:
                    current = float(current)
                    if not self._is_improvement(current, self.best):
                        if self.verbose > 0:
                            best = "None" if self.best is None else f"{self.best:.5f}"
                            print_msg(
                                f"\nEpoch {epoch + 1}: {self.monitor} did not improve from {best}"
                            )
                        return
                    if self.verbose > 0:
                        best = "None" if self.best is None else f"{self.best:.5f}"
                        print_msg(
                            f"\nEpoch {epoch + 1}: {self.monitor} improved from {best} to "
                            f"{current:.5f}, saving model to {filepath}"
                        )
                    self.best = current
            elif self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: saving model to {filepath}")
            self._write(filepath)
            if self.verbose > 0:
                print_msg(f"\nEpoch {epoch + 1}: finished saving model to {filepath}")
        except IsADirectoryError as e:
            raise OSError(
                "Please specify a non-directory filepath for ModelCheckpoint. Filepath used is "
                f"an existing directory: {filepath}"
            ) from e
