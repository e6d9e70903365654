"""Callbacks: objects called by `fit`, `evaluate` and `predict` at fixed points."""

from kerasx.callbacks.backup_and_restore import BackupAndRestore as BackupAndRestore
from kerasx.callbacks.callback import Callback as Callback
from kerasx.callbacks.callback_list import CallbackList as CallbackList
from kerasx.callbacks.csv_logger import CSVLogger as CSVLogger
from kerasx.callbacks.early_stopping import EarlyStopping as EarlyStopping
from kerasx.callbacks.history import History as History
from kerasx.callbacks.lambda_callback import LambdaCallback as LambdaCallback
from kerasx.callbacks.learning_rate_scheduler import (
    LearningRateScheduler as LearningRateScheduler,
)
from kerasx.callbacks.model_checkpoint import ModelCheckpoint as ModelCheckpoint
from kerasx.callbacks.progbar_logger import ProgbarLogger as ProgbarLogger
from kerasx.callbacks.reduce_lr_on_plateau import ReduceLROnPlateau as ReduceLROnPlateau
from kerasx.callbacks.swap_ema_weights import SwapEMAWeights as SwapEMAWeights
from kerasx.callbacks.terminate_on_nan import TerminateOnNaN as TerminateOnNaN

# Imported on first use (`fit` imports this package; these two load sockets and file writers).
_LAZY = {
    "RemoteMonitor": "kerasx.callbacks.remote_monitor",
    "TensorBoard": "kerasx.callbacks.tensorboard",
}

# the public names (not the submodules that imports leave here), lazy ones included
__all__ = sorted(
    {n for n, v in globals().items() if not n.startswith("_") and type(v).__name__ != "module"}
    | set(_LAZY)
)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kerasx.callbacks' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
