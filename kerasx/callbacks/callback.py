"""`Callback`: the base class of objects that hook into `fit`, `evaluate` and `predict`."""

from __future__ import annotations

import logging
import sys
from typing import Any

import numpy as np

from kerasx import config

_logger = logging.getLogger("kerasx")


def print_msg(message: str) -> None:
    """Print a callback message on stdout (or log it when interactive logging is off).

    Args:
        message: the text to show; a newline is added.
    """
    if config.is_interactive_logging_enabled():
        sys.stdout.write(message + "\n")
        sys.stdout.flush()
    else:
        _logger.info(message)


def to_host(value: Any) -> Any:
    """A log value as a host value: Python numbers stay, tensors become NumPy values."""
    if isinstance(value, (bool, int, float, str, np.ndarray, np.generic)) or value is None:
        return value
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        from kerasx import ops

        return np.asarray(ops.convert_to_numpy(value))
    return value


def to_float(value: Any) -> float:
    """A scalar (Python number, NumPy scalar, engine tensor or variable) as a Python float."""
    if isinstance(value, float):
        return value
    return float(np.asarray(to_host(getattr(value, "value", value))))


class Callback:
    """Base class of callbacks: objects whose methods `fit`, `evaluate` and `predict` call.

    Subclass it and override any of the `on_*` hooks. Every hook receives a `logs` dict (or
    ``None``): at the end of a batch or epoch it holds the metric values so far. The training
    loop sets `model` (the model being trained) and `params` (a dict with ``"verbose"``,
    ``"epochs"`` and ``"steps"``) before the first hook runs.

    `on_train_batch_begin`/`on_train_batch_end` call the older `on_batch_begin` /
    `on_batch_end` hooks, so overriding either name reacts to training batches.
    """

    def __init__(self) -> None:
        self.params: dict | None = None
        self._model: Any = None

    def set_params(self, params: dict | None) -> None:
        """Record the training parameters (``verbose``, ``epochs``, ``steps``).

        Args:
            params: the parameter dict.
        """
        self.params = params

    def set_model(self, model: Any) -> None:
        """Attach the model the callback acts on.

        Args:
            model: the model being trained, evaluated or used for prediction.
        """
        self._model = model

    @property
    def model(self) -> Any:
        """The model this callback is attached to (``None`` before `set_model`)."""
        return self._model

    # Batch-level aliases -----------------------------------------------------------------

    def on_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a training batch (alias used by `on_train_batch_begin`)."""

    def on_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a training batch (alias used by `on_train_batch_end`)."""

    # Epochs ------------------------------------------------------------------------------

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the start of an epoch of `fit` (`epoch` counts from 0)."""

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Called at the end of an epoch of `fit` with the epoch's metrics in `logs`.

        Validation metrics, when there are any, carry a ``val_`` prefix.
        """

    # Batches -----------------------------------------------------------------------------

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a training batch (`batch` is its index in the epoch)."""
        self.on_batch_begin(batch, logs=logs)

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a training batch, with the running metric values."""
        self.on_batch_end(batch, logs=logs)

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a batch of `evaluate` (and of validation in `fit`)."""

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a batch of `evaluate`, with the running metric values."""

    def on_predict_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Called at the start of a batch of `predict`."""

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Called at the end of a batch of `predict`; ``logs["outputs"]`` holds the outputs."""

    # Whole runs --------------------------------------------------------------------------

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Called once at the start of `fit`."""

    def on_train_end(self, logs: dict | None = None) -> None:
        """Called once at the end of `fit`, with the last epoch's logs."""

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `evaluate` (and of each validation run in `fit`)."""

    def on_test_end(self, logs: dict | None = None) -> None:
        """Called at the end of `evaluate`, with the final metric values."""

    def on_predict_begin(self, logs: dict | None = None) -> None:
        """Called at the start of `predict`."""

    def on_predict_end(self, logs: dict | None = None) -> None:
        """Called at the end of `predict`."""
