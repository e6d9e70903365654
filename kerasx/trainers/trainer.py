"""The one trainer: `compile`, `fit`, `evaluate`, `predict` for every engine.

A training step is a pure function ``step(state, batch) -> (logs, state)`` where the state
is the values of the model's trainable and non-trainable variables, the optimizer's
variables and the metrics' variables. It runs the (overridable) `train_step` inside a
`StatelessScope` that maps every variable to its value and records assignments, so the
same Python code is jit-compiled as one XLA program on JAX (state buffers donated) and runs
eagerly through the tape on NumPy. The variables themselves are written back at the end of
each epoch (and whenever training stops, even by an exception), never half-updated.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.engine import dispatch, tree
from kerasx.engine import dtypes as _dt
from kerasx.engine.autodiff import last_use_of_donated, value_and_grad
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import StatelessScope
from kerasx.trainers.batch_methods import SingleBatchMixin
from kerasx.trainers.compile_utils import CompileLoss, CompileMetrics
from kerasx.trainers.step_runner import (
    StepRunner,
    _batch_size_of,
    _callbacks_read_model,
    _current_distribution,
    _first_rows,
    _LazyLogs,
    distribute_batch,
)


def _symbolic_like(t: Any) -> Any:
    """A `KerasTensor` with `t`'s shape and dtype (`t` itself when it is not an array)."""
    shape, dtype = getattr(t, "shape", None), getattr(t, "dtype", None)
    if shape is None or dtype is None:
        return t
    return KerasTensor(tuple(shape), _dt.standardize_dtype(dtype))


def _load_training_modules() -> None:
    """Import what `fit` / `evaluate` / `predict` use (callbacks, data adapters, the progress
    bar, the engine's step compiler) when a model is compiled rather than inside its first
    `fit`. `import kerasx` stays light; the code of the training loop (about 1 MiB) is loaded
    where the user asks for training, as `import keras` loads it, and is not part of any
    particular `fit`'s memory or time."""
    import kerasx.callbacks.callback_list  # noqa: F401
    import kerasx.callbacks.history  # noqa: F401
    import kerasx.callbacks.progbar_logger  # noqa: F401
    import kerasx.trainers.data_adapters  # noqa: F401

    load = getattr(dispatch.engine(), "load_compiler", None)
    if load is not None:
        load()


class Trainer(StepRunner, SingleBatchMixin):
    """Mixin giving a model `compile`, `fit`, `evaluate`, `predict` and the step methods."""

    def __init__(self) -> None:
        d = self.__dict__
        d["compiled"] = False
        d["optimizer"] = None
        d["_kx_compile_loss"] = None
        d["_kx_compile_metrics"] = None
        d["_kx_loss_tracker"] = None
        d["_kx_output_loss_trackers"] = []
        d["_kx_fns"] = {}
        d["stop_training"] = False
        d["history"] = None
        d["steps_per_execution"] = 1
        d["run_eagerly"] = False
        d["jit_compile"] = "auto"
        d["loss"] = None

    # ------------------------------------------------------------------ compile

    def compile(
        self,
        optimizer: Any = "rmsprop",
        loss: Any = None,
        loss_weights: Any = None,
        metrics: Any = None,
        weighted_metrics: Any = None,
        run_eagerly: bool = False,
        steps_per_execution: int = 1,
        jit_compile: Any = "auto",
        auto_scale_loss: bool = True,
    ) -> None:
        """Configure the model for training.

        Args:
            optimizer: an optimizer name (``"adam"``) or instance.
            loss: a loss name, function or `Loss`; or a list / dict with one per output.
            loss_weights: scalars weighting each output's loss (list or dict).
            metrics: metrics to track (names, functions, `Metric`s; list, or per output).
            weighted_metrics: metrics computed with the sample weights.
            run_eagerly: run the step without compilation (debugging).
            steps_per_execution: batches run per compiled call (fewer host round trips).
            jit_compile: ``"auto"`` (compile where the engine can), True or False.
            auto_scale_loss: wrap the optimizer in a `LossScaleOptimizer` when the model's
                dtype policy is ``mixed_float16`` (as Keras does).
        """
        from kerasx import losses as losses_module
        from kerasx import metrics as metrics_module
        from kerasx import optimizers as optimizers_module

        if not isinstance(steps_per_execution, int) or steps_per_execution < 1:
            raise ValueError(
                "Received an invalid value for `steps_per_execution`, expected a positive "
                f"integer. Received: steps_per_execution={steps_per_execution!r}"
            )
        opt = optimizers_module.get(optimizer)
        if (
            auto_scale_loss
            and self.dtype_policy.name == "mixed_float16"
            and not isinstance(opt, optimizers_module.LossScaleOptimizer)
        ):
            # float16 gradients underflow without loss scaling; Keras wraps the optimizer too.
            opt = optimizers_module.LossScaleOptimizer(opt)
        names = self._output_names_for_compile()
        if loss is not None and isinstance(loss, str):
            losses_module.get(loss)  # unknown names raise here, before anything changes
        compiled_loss = CompileLoss(loss, loss_weights, names) if loss is not None else None
        compiled_metrics = CompileMetrics(metrics, weighted_metrics, names)
        _load_training_modules()
        d = self.__dict__
        d["optimizer"] = opt
        d["loss"] = loss
        d["_kx_compile_loss"] = compiled_loss
        d["_kx_compile_metrics"] = compiled_metrics
        d["_kx_loss_tracker"] = metrics_module.Mean(name="loss")
        trackers = []
        if compiled_loss is not None and len(names) > 1:
            trackers = [
                (i, metrics_module.Mean(name=f"{names[i]}_loss")) for i in compiled_loss.active
            ]
        d["_kx_output_loss_trackers"] = trackers
        d["run_eagerly"] = bool(run_eagerly)
        d["jit_compile"] = jit_compile
        d["steps_per_execution"] = steps_per_execution
        d["compiled"] = True
        d["_kx_fns"] = {}
        d["_kx_compile_config"] = {
            "optimizer": optimizer,
            "loss": loss,
            "loss_weights": loss_weights,
            "metrics": metrics,
            "weighted_metrics": weighted_metrics,
            "run_eagerly": run_eagerly,
            "steps_per_execution": steps_per_execution,
            "jit_compile": jit_compile,
        }

    def _output_names_for_compile(self) -> list:
        names = getattr(self, "output_names", None)
        if isinstance(names, list) and names:
            return names
        return ["output"]

    def _assert_compiled(self) -> None:
        if not self.compiled:
            raise RuntimeError(
                "You must call `compile()` before using the model for training or evaluation: "
                "e.g. `model.compile(optimizer='adam', loss='mse')`."
            )

    # ------------------------------------------------------------------ metrics

    @property
    def metrics(self) -> list:
        """The metrics tracked by the model: the loss, the compiled metrics, and any `Metric`
        assigned as an attribute."""
        out: list = []
        if self.__dict__.get("_kx_loss_tracker") is not None:
            out.append(self._kx_loss_tracker)
        cm = self.__dict__.get("_kx_compile_metrics")
        if cm is not None and cm.has_metrics:
            out.append(cm)
        out.extend(m for _, m in self.__dict__.get("_kx_output_loss_trackers", []))
        out.extend(self._attribute_metrics())
        return out

    def _attribute_metrics(self) -> list:
        from kerasx.metrics import Metric

        found = []
        for key, value in self.__dict__.items():
            if key.startswith("_kx_"):
                continue
            items = value if isinstance(value, (list, tuple)) else [value]
            for item in items:
                if isinstance(item, Metric) and all(item is not m for m in found):
                    found.append(item)
        return found

    @property
    def metrics_names(self) -> list:
        """Names of `metrics`."""
        return [m.name for m in self.metrics]

    @property
    def metrics_variables(self) -> list:
        """All variables of all metrics."""
        return [v for m in self.metrics for v in m.variables]

    def reset_metrics(self) -> None:
        """Reset the state of every metric."""
        for m in self.metrics:
            m.reset_state()

    def get_metrics_result(self) -> dict:
        """Current metric values, ``{name: value}`` with keys sorted as Keras logs them."""
        logs: dict = {}
        for m in self.metrics:
            r = m.result()
            if isinstance(r, dict):
                logs.update(r)
            else:
                logs[m.name] = r
        return {k: logs[k] for k in sorted(logs)}

    def _ordered_results(self, logs: dict) -> list:
        """Keras's `evaluate` list order: the loss, per-output losses, compiled metrics, then
        the model's other metrics as `metrics` lists them."""
        order = ["loss"]
        order += [m.name for _, m in self._kx_output_loss_trackers]
        cm = self._kx_compile_metrics
        if cm is not None and cm.built:
            order += [m.name for m in cm.metrics]
        # then the model's other metrics in `metrics` order (as Keras), then anything else
        order += [m.name for m in self.metrics if m.name in logs and m.name not in order]
        order += [k for k in logs if k not in order]
        return [logs[k] for k in order if k in logs]

    # ------------------------------------------------------------------ step pieces

    def compute_loss(
        self,
        x: Any = None,
        y: Any = None,
        y_pred: Any = None,
        sample_weight: Any = None,
        training: bool = True,
    ) -> Any:
        """The total loss: the compiled loss plus the losses the layers added.

        Returns:
            A scalar tensor.
        """
        total, _ = self._compute_loss_parts(y, y_pred, sample_weight)
        return total

    def _compute_loss_parts(self, y: Any, y_pred: Any, sample_weight: Any) -> tuple:
        parts: list = []
        total = None
        cl = self._kx_compile_loss
        if cl is not None and y is not None:
            total, parts = cl(y, y_pred, sample_weight)
        extra = self.losses
        if extra:
            s = extra[0]
            for term in extra[1:]:
                s = ops.add(s, term)
            total = s if total is None else ops.add(total, s)
        if total is None:
            raise ValueError(
                "No loss to compute. Provide a `loss` argument in `compile()` (and targets `y` "
                "to `fit`), or add losses in your layers with `add_loss`."
            )
        return total, parts

    def compute_metrics(self, x: Any, y: Any, y_pred: Any, sample_weight: Any = None) -> dict:
        """Update the compiled metrics with one batch and return all metric results."""
        cm = self._kx_compile_metrics
        if cm is not None and y is not None:
            cm.update_state(y, y_pred, sample_weight)
        return self.get_metrics_result()

    def _step_logs(self, x: Any, y: Any, y_pred: Any, sample_weight: Any) -> Any:
        if self.__dict__.get("_kx_eager") and type(self).compute_metrics is Trainer.compute_metrics:
            cm = self._kx_compile_metrics
            if cm is not None and y is not None:
                cm.update_state(y, y_pred, sample_weight)
            return _LazyLogs(self)
        return self.compute_metrics(x, y, y_pred, sample_weight)

    def _update_loss_trackers(self, x: Any, loss: Any, parts: list) -> None:
        n = _batch_size_of(x)
        self._kx_loss_tracker.update_state(loss, sample_weight=n)
        for i, tracker in self._kx_output_loss_trackers:
            if parts and parts[i] is not None:
                tracker.update_state(parts[i], sample_weight=n)

    def train_step(self, data: Any) -> dict:
        """One training step on a batch: forward, loss, gradients, update, metrics.

        Override it to customize training; use `kerasx.value_and_grad` for gradients and
        it runs on every engine (see the README for an example).

        Args:
            data: the batch, ``(x,)``, ``(x, y)`` or ``(x, y, sample_weight)``.

        Returns:
            A dict of logs (metric name -> value).
        """
        from kerasx.trainers.data_adapters import unpack_x_y_sample_weight

        x, y, sample_weight = unpack_x_y_sample_weight(data)
        cached = self.__dict__.get("_kx_step_vars")
        if cached is not None:
            tvars = cached[0]
        else:
            tvars = self.trainable_variables
        trained = {id(v) for v in tvars}
        updated: list = []  # the variables the forward pass and the loss assigned

        def loss_fn(values: list) -> tuple:
            with StatelessScope(list(zip(tvars, values))) as scope:
                y_pred = self(x, training=True)
                loss, parts = self._loss_and_parts(x, y, y_pred, sample_weight, training=True)
                scaled = self.optimizer.scale_loss(loss)
            # Non-trainable state (moving statistics, seeds) and metrics updated inside (a
            # custom `compute_loss` may update its trackers) leave the differentiated function
            # as outputs; assignments to trained weights are dropped, as in Keras.
            keys = [k for k in scope.assigned if k not in trained]
            updated[:] = [scope.assigned_variables[k] for k in keys]
            return scaled, (y_pred, loss, parts, [scope.assigned[k] for k in keys])

        if not tvars:
            (y_pred, loss, parts, new_values) = loss_fn([])[1]
            grads: list = []
        else:
            (_, (y_pred, loss, parts, new_values)), grads = value_and_grad(loss_fn, has_aux=True)(
                [v.value for v in tvars]
            )
        for v, new in zip(updated, new_values):
            v.assign(new)
        if not tvars:
            self._update_loss_trackers(x, loss, parts)
            return self._step_logs(x, y, y_pred, sample_weight)
        if self._logs_are_builtin("train") and type(self.optimizer).__module__.startswith(
            "kerasx."
        ):
            # The built-in metrics read the batch and the predictions, not the weights, so
            # they are updated first; then the update is the step's last use of the weights'
            # and the optimizer's old values (an engine may update donated state in place
            # while it compiles the step), and an error in a metric leaves the weights as
            # they were.
            self._update_loss_trackers(x, loss, parts)
            logs = self._step_logs(x, y, y_pred, sample_weight)
            with last_use_of_donated():
                self.optimizer.apply(grads, tvars)
            return logs
        self.optimizer.apply(grads, tvars)
        self._update_loss_trackers(x, loss, parts)
        return self._step_logs(x, y, y_pred, sample_weight)

    def _loss_and_parts(
        self, x: Any, y: Any, y_pred: Any, sample_weight: Any, training: bool
    ) -> tuple:
        """The loss of a batch and its per-output parts: an overridden `compute_loss`
        (no parts), else the compiled loss."""
        if type(self).compute_loss is not Trainer.compute_loss:
            loss = self.compute_loss(
                x=x, y=y, y_pred=y_pred, sample_weight=sample_weight, training=training
            )
            return loss, []
        return self._compute_loss_parts(y, y_pred, sample_weight)

    def test_step(self, data: Any) -> dict:
        """One evaluation step: forward, loss and metrics (no update)."""
        from kerasx.trainers.data_adapters import unpack_x_y_sample_weight

        x, y, sample_weight = unpack_x_y_sample_weight(data)
        y_pred = self(x, training=False)
        loss, parts = self._loss_and_parts(x, y, y_pred, sample_weight, training=False)
        self._update_loss_trackers(x, loss, parts)
        return self._step_logs(x, y, y_pred, sample_weight)

    def predict_step(self, data: Any) -> Any:
        """One prediction step: the model's outputs for a batch."""
        from kerasx.trainers.data_adapters import unpack_x_y_sample_weight

        x, _, _ = unpack_x_y_sample_weight(data)
        return self(x, training=False)

    def _prepare(self, batch: Any, kind: str) -> None:
        """Build the model, the optimizer and the metrics on the first batch (eagerly)."""
        from kerasx.trainers.data_adapters import unpack_x_y_sample_weight

        x, y, sw = unpack_x_y_sample_weight(batch)
        needs = not self.built or (
            self.compiled
            and self._kx_compile_metrics is not None
            and not self._kx_compile_metrics.built
        )
        if needs:
            # Symbolically first (shapes only: on JAX an eager pass compiles every op it
            # meets, about 20 small XLA programs for an MLP), eagerly when the model or a
            # metric needs values (its errors are then the eager pass's).
            symbolic = (
                tree.map_structure(_symbolic_like, t) if t is not None else None for t in (x, y, sw)
            )
            try:
                self._build_pass(*symbolic, kind)
            except Exception:
                self._build_pass(x, y, sw, kind)
        if kind == "train" and self.optimizer is not None and not self.optimizer.built:
            self.optimizer.build(self.trainable_variables)

    def _build_pass(self, x: Any, y: Any, sw: Any, kind: str) -> None:
        """The model, its loss and its metrics called once on a batch (real or symbolic),
        discarding every assignment: what builds them."""
        with StatelessScope([]):
            y_pred = self(x, training=False)
            if self.compiled and kind != "predict":
                try:
                    # (an overridden compute_loss needs no compiled loss; its metric updates
                    # here are discarded with this scope)
                    loss, parts = self._loss_and_parts(x, y, y_pred, sw, training=False)
                    self._update_loss_trackers(x, loss, parts)
                except ValueError:
                    if kind == "train" and self._uses_builtin_step("train"):
                        raise
                if y is not None:
                    self._kx_compile_metrics.update_state(y, y_pred, sw)

    # ------------------------------------------------------------------ fit

    def fit(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        epochs: int = 1,
        verbose: Any = "auto",
        callbacks: Any = None,
        validation_split: float = 0.0,
        validation_data: Any = None,
        shuffle: Any = True,
        class_weight: dict | None = None,
        sample_weight: Any = None,
        initial_epoch: int = 0,
        steps_per_epoch: int | None = None,
        validation_steps: int | None = None,
        validation_batch_size: int | None = None,
        validation_freq: int = 1,
    ) -> Any:
        """Train the model for a number of epochs.

        Args:
            x: inputs: arrays (or lists / dicts of arrays), a generator or a `PyDataset`.
            y: targets (omit for generators and datasets that yield them).
            batch_size: samples per step (default 32 for arrays).
            epochs: the epoch to stop after.
            verbose: 0 silent, 1 progress bar, 2 one line per epoch, "auto" = 1.
            callbacks: `Callback`s called during training.
            validation_split: fraction of the array data (taken from the end) held out.
            validation_data: ``(x_val, y_val)`` or ``(x_val, y_val, sample_weight)``.
            shuffle: reshuffle array data each epoch (or ``"batch"``).
            class_weight: ``{class index: weight}`` to weight the loss by class.
            sample_weight: per-sample weights for the training data.
            initial_epoch: the epoch to start from (to resume training).
            steps_per_epoch: steps that make an epoch (default: one pass over the data).
            validation_steps: steps per validation run.
            validation_batch_size: batch size for validation (default `batch_size`).
            validation_freq: validate every `validation_freq` epochs.

        Returns:
            The `History` callback; ``history.history`` maps each metric to its values.
        """
        from kerasx import callbacks as callbacks_module
        from kerasx.trainers.data_adapters import (
            EpochIterator,
            train_validation_split,
            unpack_x_y_sample_weight,
        )

        self._assert_compiled()
        if not isinstance(epochs, int) or epochs < 0:
            raise ValueError(
                f"Received an invalid value for `epochs`, expected a non-negative integer. "
                f"Received: epochs={epochs!r}"
            )
        if not isinstance(validation_split, (int, float)) or not 0 <= validation_split < 1:
            raise ValueError(
                "Received an invalid value for `validation_split`, expected a float in [0, 1). "
                f"Received: validation_split={validation_split!r}"
            )
        if validation_split and validation_data is None:
            (x, y, sample_weight), validation_data = train_validation_split(
                (x, y, sample_weight), validation_split=validation_split
            )
        val_iter = None
        if validation_data is not None:
            vx, vy, vsw = unpack_x_y_sample_weight(validation_data)
            val_iter = EpochIterator(
                x=vx,
                y=vy,
                sample_weight=vsw,
                batch_size=validation_batch_size or batch_size,
                steps_per_epoch=validation_steps,
                shuffle=False,
                steps_per_execution=self.steps_per_execution,
            )
        iterator = EpochIterator(
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps_per_epoch,
            shuffle=shuffle,
            class_weight=class_weight,
            steps_per_execution=self.steps_per_execution,
        )
        verbose = 1 if verbose == "auto" else verbose
        cbs = callbacks
        if not isinstance(cbs, callbacks_module.CallbackList):
            cbs = callbacks_module.CallbackList(
                callbacks,
                add_history=True,
                add_progbar=verbose != 0,
                verbose=verbose,
                epochs=epochs,
                steps=iterator.num_batches,
                model=self,
            )
        self.stop_training = False
        if not self.built:
            first = _first_rows(x, y, sample_weight)
            if first is not None:
                self._prepare(first, "train")
        if self.built and self.optimizer is not None and not getattr(self.optimizer, "built", True):
            # As in Keras, the optimizer exists before the callbacks start (they may read it).
            self.optimizer.build(self.trainable_variables)
        self.__dict__["_kx_sync_each_step"] = _callbacks_read_model(cbs)
        cbs.on_train_begin()
        # BackupAndRestore, restoring a backup, says which epoch to resume from.
        restored = self.__dict__.pop("_initial_epoch", None)
        if restored is not None:
            initial_epoch = max(initial_epoch, int(restored))
        training_logs: dict = {}
        epoch_logs: dict = {}
        state = None
        try:
            for epoch in range(initial_epoch, epochs):
                self.reset_metrics()
                cbs.on_epoch_begin(epoch)
                state = self._run_epoch("train", iterator, cbs)
                state.write_back()
                epoch_logs = self._host_logs(self.get_metrics_result())
                if val_iter is not None and self._should_eval(epoch, validation_freq):
                    val_logs = self._evaluate_iter(val_iter, cbs)
                    epoch_logs.update({"val_" + k: v for k, v in val_logs.items()})
                cbs.on_epoch_end(epoch, epoch_logs)
                training_logs = epoch_logs
                if self.stop_training:
                    break
        finally:
            if state is not None:
                state.write_back()
        if self.optimizer is not None and hasattr(self.optimizer, "finalize_variable_values"):
            # Every optimizer finalizes (a no-op without EMA): wrappers such as MultiOptimizer
            # forward it to inner optimizers that keep an EMA.
            self.optimizer.finalize_variable_values(self.trainable_variables)
        cbs.on_train_end(training_logs)
        return self.history

    def fit_generator(self, generator: Any, *args: Any, **kwargs: Any) -> Any:
        """Old name of `fit` for generators (kept so older code runs); use `fit`."""
        warnings.warn(
            "`Model.fit_generator` is deprecated; `Model.fit` accepts generators directly.",
            DeprecationWarning,
            stacklevel=2,
        )
        return self.fit(generator, *args, **kwargs)

    @staticmethod
    def _should_eval(epoch: int, freq: Any) -> bool:
        if isinstance(freq, int):
            return (epoch + 1) % freq == 0
        return (epoch + 1) in freq

    # ------------------------------------------------------------------ evaluate

    def evaluate(
        self,
        x: Any = None,
        y: Any = None,
        batch_size: int | None = None,
        verbose: Any = "auto",
        sample_weight: Any = None,
        steps: int | None = None,
        callbacks: Any = None,
        return_dict: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Compute the loss and metrics over a dataset.

        Args:
            x: inputs (as in `fit`).
            y: targets.
            batch_size: samples per step (default 32 for arrays).
            verbose: 0 silent, 1 progress bar, 2 one line.
            sample_weight: per-sample weights.
            steps: number of steps to run (default: the whole data).
            callbacks: `Callback`s.
            return_dict: return ``{name: value}`` instead of a list.

        Returns:
            The loss (a float) when there are no metrics, else a list (loss first) or a dict.
        """
        from kerasx import callbacks as callbacks_module
        from kerasx.trainers.data_adapters import EpochIterator

        self._assert_compiled()
        unknown = set(kwargs) - {"_use_cached_eval_dataset"}
        if unknown:
            raise TypeError(f"evaluate() got unexpected keyword arguments: {sorted(unknown)}")
        iterator = EpochIterator(
            x=x,
            y=y,
            sample_weight=sample_weight,
            batch_size=batch_size,
            steps_per_epoch=steps,
            shuffle=False,
            steps_per_execution=self.steps_per_execution,
        )
        verbose = 1 if verbose == "auto" else verbose
        cbs = callbacks
        if not isinstance(cbs, callbacks_module.CallbackList):
            cbs = callbacks_module.CallbackList(
                callbacks,
                add_progbar=verbose != 0,
                verbose=verbose,
                epochs=1,
                steps=iterator.num_batches,
                model=self,
            )
        logs = self._evaluate_iter(iterator, cbs)
        if return_dict:
            return logs
        values = self._ordered_results(logs)
        return values[0] if len(values) == 1 else values

    def _evaluate_iter(self, iterator: Any, cbs: Any) -> dict:
        self.reset_metrics()
        if cbs is not None:
            cbs.on_test_begin()
        state = self._run_epoch("test", iterator, cbs)
        state.write_back()
        logs = self._host_logs(self.get_metrics_result())
        if cbs is not None:
            cbs.on_test_end(logs)
        return logs

    # ------------------------------------------------------------------ predict

    def predict(
        self,
        x: Any,
        batch_size: int | None = None,
        verbose: Any = "auto",
        steps: int | None = None,
        callbacks: Any = None,
    ) -> Any:
        """The model's outputs for the inputs `x`, as NumPy arrays.

        Args:
            x: inputs (arrays, lists / dicts of arrays, a generator or a `PyDataset`).
            batch_size: samples per step (default 32 for arrays).
            verbose: 0 silent, 1 progress bar, 2 one line.
            steps: number of steps to run.
            callbacks: `Callback`s.

        Returns:
            NumPy array(s) in the structure of the model's outputs.
        """
        from kerasx import callbacks as callbacks_module
        from kerasx.trainers.data_adapters import EpochIterator

        iterator = EpochIterator(x=x, batch_size=batch_size, steps_per_epoch=steps, shuffle=False)
        verbose = 1 if verbose == "auto" else verbose
        cbs = callbacks
        if not isinstance(cbs, callbacks_module.CallbackList):
            cbs = callbacks_module.CallbackList(
                callbacks,
                add_progbar=verbose != 0,
                verbose=verbose,
                epochs=1,
                steps=iterator.num_batches,
                model=self,
            )
        cbs.on_predict_begin()
        to_np = dispatch.engine().to_numpy
        outputs: list = []
        fn = None
        values = None
        dist = _current_distribution()
        for step, batch in iterator.enumerate_epoch():
            if fn is None:
                self._prepare(batch, "predict")
                groups = self._state_groups("predict")
                values = [[v.value for v in g] for g in groups]
                fn = self._make_function("predict", groups)
            cbs.on_predict_batch_begin(step)
            if dist is not None:
                batch = distribute_batch(dist, batch)
            _, out = fn(values, batch)
            out = tree.map_structure(lambda t: np.asarray(to_np(t)), out)
            outputs.append(out)
            cbs.on_predict_batch_end(step, {"outputs": out})
        if not outputs:
            raise ValueError("The data passed to `predict` produced no batches: it is empty.")
        result = tree.map_structure(lambda *xs: np.concatenate(xs, axis=0), *outputs)
        cbs.on_predict_end()
        return result

    def _uses_builtin_step(self, kind: str) -> bool:
        """Whether `kind`'s step ("train" / "test") is `Trainer`'s own, not an override."""
        builtin = {"train": Trainer.train_step, "test": Trainer.test_step}.get(kind)
        return builtin is not None and getattr(type(self), f"{kind}_step") is builtin

    def _logs_are_builtin(self, kind: str) -> bool:
        """Whether `kind`'s step computes its logs itself (the built-in step and
        `compute_metrics`), so a compiled step's logs can be used as they are."""
        return self._uses_builtin_step(kind) and (
            type(self).compute_metrics is Trainer.compute_metrics
        )

    def get_compile_config(self) -> dict | None:
        """The arguments `compile` was called with (for saving)."""
        return self.__dict__.get("_kx_compile_config")
