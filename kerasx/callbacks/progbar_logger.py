"""`ProgbarLogger`: prints the progress bar of `fit`, `evaluate` and `predict`."""

from __future__ import annotations

from typing import Any

from kerasx.callbacks.callback import Callback, print_msg
from kerasx.utils.progbar import Progbar


class ProgbarLogger(Callback):
    """Prints a progress bar and the metrics to stdout.

    `fit`, `evaluate` and `predict` add one when ``verbose`` is not 0. With ``verbose=1``
    the bar is redrawn after every batch; with ``verbose=2`` one line is printed per epoch.
    ``Epoch N/M`` headers are printed when training runs for more than one epoch. While
    attached to `fit`, validation batches do not draw a bar of their own.
    """

    # its batch hooks read only the logs: `fit` need not write the weights back each step
    _kx_batch_hooks_read_logs_only = True

    def __init__(self) -> None:
        super().__init__()
        self.seen = 0
        self.progbar: Progbar | None = None
        self.target: int | None = None
        self.verbose: Any = 1
        self.epochs = 1
        self._called_in_fit = False

    def set_params(self, params: dict | None) -> None:
        # Like Keras, the parameters are read here but `self.params` is left unset.
        params = params or {}
        verbose = params.get("verbose", 1)
        self.verbose = 1 if verbose == "auto" else verbose
        self.epochs = params.get("epochs", 1)
        self.target = params.get("steps")

    def _kx_batch_hooks_per_block(self, kind: str) -> bool:
        """Whether the trainer may call this callback's `kind` ("train" / "test") batch hooks
        once per block of steps (kerasx/trainers/step_blocks.py) without changing what it
        prints: when the bar is not redrawn between batches (``verbose=2``, output that is not
        an interactive terminal, or validation inside `fit`). The time per step it prints is
        measured after the first step, which the trainer runs on its own."""
        from kerasx.utils.progbar import _draws_live

        if kind == "test" and self._called_in_fit:
            return True
        return self.verbose != 1 or not _draws_live()

    def on_train_begin(self, logs: dict | None = None) -> None:
        self._called_in_fit = True

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._reset_progbar()
            self._maybe_init_progbar()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._reset_progbar()
        self._maybe_init_progbar()
        if self.verbose and self.epochs > 1:
            print_msg(f"Epoch {epoch + 1}/{self.epochs}")

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        self._update_progbar(batch, logs)

    def on_test_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._update_progbar(batch, logs)

    def on_predict_batch_end(self, batch: int, logs: dict | None = None) -> None:
        # The outputs in `logs` are not metrics: only the step count is shown.
        self._update_progbar(batch, None)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._called_in_fit:
            self._finalize_progbar(logs)

    def on_predict_end(self, logs: dict | None = None) -> None:
        self._finalize_progbar(logs)

    def _reset_progbar(self) -> None:
        self.seen = 0
        self.progbar = None

    def _maybe_init_progbar(self) -> None:
        if self.progbar is None:
            self.progbar = Progbar(target=self.target, verbose=self.verbose, unit_name="step")

    def _update_progbar(self, batch: int, logs: dict | None) -> None:
        self._maybe_init_progbar()
        self.seen = batch + 1
        if self.verbose == 1:
            self.progbar.update(self.seen, list((logs or {}).items()), finalize=False)

    def _finalize_progbar(self, logs: dict | None) -> None:
        self._maybe_init_progbar()
        if self.target is None:
            self.target = self.seen
            self.progbar.target = self.target
        self.progbar.update(self.target, list((logs or {}).items()), finalize=True)
