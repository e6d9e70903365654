"""Callbacks: objects called by `fit`, `evaluate` and `predict` at fixed points.

Each callback loads on first use (PEP 562): `fit` imports this package for `CallbackList`,
`History` and `ProgbarLogger` only, not for the file writers, sockets and CSV module the others
bring in.
"""

from __future__ import annotations

import importlib as _importlib

# public name -> the module that defines it
_EXPORTS = {
    "BackupAndRestore": "backup_and_restore",
    "CSVLogger": "csv_logger",
    "Callback": "callback",
    "CallbackList": "callback_list",
    "EarlyStopping": "early_stopping",
    "History": "history",
    "LambdaCallback": "lambda_callback",
    "LearningRateScheduler": "learning_rate_scheduler",
    "ModelCheckpoint": "model_checkpoint",
    "ProgbarLogger": "progbar_logger",
    "ReduceLROnPlateau": "reduce_lr_on_plateau",
    "RemoteMonitor": "remote_monitor",
    "SwapEMAWeights": "swap_ema_weights",
    "TensorBoard": "tensorboard",
    "TerminateOnNaN": "terminate_on_nan",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kerasx.callbacks' has no attribute {name!r}")
    value = getattr(_importlib.import_module(f"kerasx.callbacks.{module}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})
