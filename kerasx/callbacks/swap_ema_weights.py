"""`SwapEMAWeights`: evaluate (and optionally checkpoint) with the optimizer's EMA weights."""

from __future__ import annotations

from kerasx import ops
from kerasx.callbacks.callback import Callback


class SwapEMAWeights(Callback):
    """Swaps the model's weights with their exponential moving average (EMA) for evaluation.

    The optimizer must be created with ``use_ema=True``. Around every `evaluate`/`predict`
    (and validation run) the model's trainable weights are exchanged with the optimizer's
    averages, then exchanged back. With `swap_on_epoch`, the EMA weights are also in the
    model between the end of one epoch and the start of the next, so callbacks placed after
    this one (such as `ModelCheckpoint`) see them.

    Args:
        swap_on_epoch: also swap at the end of every epoch (and back at the next start).
    """

    def __init__(self, swap_on_epoch: bool = False) -> None:
        super().__init__()
        self.swap_on_epoch = swap_on_epoch
        self._ema_weights_in_model = False

    def _pairs(self) -> list:
        """(model weight, its moving average) pairs. With a `MultiOptimizer`, the weights of
        every sub-optimizer that keeps an EMA (the others are left alone), as in Keras."""
        optimizer = self.model.optimizer
        subs = getattr(optimizer, "optimizers", None)
        if subs is not None:
            pairs = []
            for sub in subs:
                if getattr(sub, "use_ema", False):
                    pairs += zip(sub._trainable_variables, sub._model_variables_moving_average)
            if pairs:
                return pairs
        elif getattr(optimizer, "use_ema", False):
            averages = optimizer._model_variables_moving_average
            return list(zip(self.model.trainable_variables, averages, strict=False))
        raise ValueError(
            "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer (or, with "
            "a MultiOptimizer, on at least one of its optimizers). Received: "
            f"use_ema={getattr(optimizer, 'use_ema', None)}"
        )

    def _swap_variables(self) -> None:
        for var, average in self._pairs():
            held = ops.convert_to_tensor(ops.copy(var.value))
            var.assign(average.value)
            average.assign(held)

    def _finalize_ema_values(self) -> None:
        # The model now holds the EMA weights; copy them into the averages so that the
        # trainer's end-of-training finalization (model <- averages) keeps them.
        for var, average in self._pairs():
            average.assign(var.value)

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = False

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        if self.swap_on_epoch and not self._ema_weights_in_model:
            self._swap_variables()
            self._ema_weights_in_model = True
            if self.params and epoch == self.params.get("epochs", 0) - 1:
                self._finalize_ema_values()

    def on_test_begin(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()

    def on_test_end(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()

    def on_predict_begin(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()

    def on_predict_end(self, logs: dict | None = None) -> None:
        if not self._ema_weights_in_model:
            self._swap_variables()
