"""`History`: records the epoch logs of `fit`; `fit` returns it."""

from __future__ import annotations

from typing import Any

from kerasx.callbacks.callback import Callback


class History(Callback):
    """Records each epoch's logs in `history` (metric name -> list of values).

    `fit` adds one automatically and returns it; it is also `model.history`. The `epoch`
    attribute lists the epoch indices recorded since the last `on_train_begin`, while
    `history` keeps growing across calls to `fit`.
    """

    # its batch hooks read only the logs: `fit` need not write the weights back each step
    _kx_batch_hooks_read_logs_only = True

    def __init__(self) -> None:
        super().__init__()
        self.history: dict[str, list] = {}

    def on_train_begin(self, logs: dict | None = None) -> None:
        self.epoch: list[int] = []

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if not hasattr(self, "epoch"):
            self.epoch = []
        self.epoch.append(epoch)
        for name, value in (logs or {}).items():
            self.history.setdefault(name, []).append(value)
        model: Any = self.model
        if model is not None:
            model.history = self
