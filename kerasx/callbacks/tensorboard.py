"""`TensorBoard`: log metrics and weight histograms as TensorBoard event files.

The event files are written directly (see `_event_file`), so neither TensorFlow nor the
``tensorboard`` package is needed to produce them; install ``tensorboard`` only to view them.
"""

from __future__ import annotations

import collections.abc
import os
import time
import warnings
from typing import Any

import numpy as np

from kerasx.callbacks import _event_file
from kerasx.callbacks.callback import Callback, to_float, to_host

_PROFILE_ERROR = (
    "Received an invalid value for `profile_batch`, expected a non-negative integer, a pair "
    "of positive integers `(start, stop)` with start <= stop, or a string 'start,stop'. "
    "Received: profile_batch={!r}"
)

# The projector's tensor name Keras writes for every `Embedding` layer.
_EMBEDDING_TENSOR = "layer_with_weights-0/embeddings/.ATTRIBUTES/VARIABLE_VALUE"


def _non_negative_int(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 0:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected a non-negative integer "
            f"(0 turns it off). Received: {name}={value!r}"
        )
    return int(value)


def _profile_range(profile_batch: Any) -> tuple[int, int]:
    value = profile_batch
    if isinstance(value, str):
        try:
            value = [int(part) for part in value.split(",")]
        except ValueError:
            raise ValueError(_PROFILE_ERROR.format(profile_batch)) from None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        start = stop = int(value)
    elif isinstance(value, (tuple, list)) and len(value) == 2:
        start, stop = value
    else:
        raise ValueError(_PROFILE_ERROR.format(profile_batch))
    if not all(isinstance(v, (int, np.integer)) for v in (start, stop)):
        raise ValueError(_PROFILE_ERROR.format(profile_batch))
    if start < 0 or stop < start:
        raise ValueError(_PROFILE_ERROR.format(profile_batch))
    return int(start), int(stop)


def _scalar(value: Any) -> float | None:
    """A log value as a float, or None when it is not a single number."""
    value = to_host(getattr(value, "value", value))
    if isinstance(value, (str, bytes)) or value is None:
        return None
    try:
        array = np.asarray(value)
    except Exception:  # noqa: BLE001 (anything that is not array-like is not a scalar)
        return None
    if array.size != 1 or array.dtype.kind not in "biuf":
        return None
    return float(array.reshape(()))


class TensorBoard(Callback):
    """Write training logs for TensorBoard: metric curves and weight histograms.

    During `fit`, scalars go to two runs under `log_dir`: ``train/`` and ``validation/``.

    - After each epoch: every training log as ``epoch_<name>`` in ``train/`` (plus
      ``epoch_learning_rate`` — or ``epoch_learning_rate_<optimizer name>`` for each
      optimizer of a `MultiOptimizer` — and, with `write_steps_per_second`,
      ``epoch_steps_per_second``), and every ``val_<name>`` log as ``epoch_<name>`` in
      ``validation/``; the step is the epoch index (from 0).
    - After each evaluation (validation inside `fit`, or `evaluate` with this callback):
      ``evaluation_<name>_vs_iterations`` in ``validation/``, at the optimizer's
      iteration count.
    - With an integer `update_freq` (or ``"batch"``): every `update_freq`-th training batch,
      ``batch_<name>`` (and ``batch_steps_per_second`` with `write_steps_per_second`) in
      ``train/``, the step counting training batches from 1 across epochs.
    - With `histogram_freq`: every `histogram_freq` epochs, a histogram of each weight of
      each layer of the model, tagged ``<weight path>/histogram`` (``:`` replaced by ``_``).
    - With `write_graph`: the model's config as a ``keras`` summary at step 0 (shown by
      TensorBoard's graph dashboard as the conceptual graph) for `Sequential` and
      functional models.

    Each `fit` starts a new event file in each run directory; files are flushed after each
    epoch and evaluation and closed when training ends. View them with
    ``tensorboard --logdir <log_dir>``.

    Not written: the op-level graph of the train function (a TensorFlow graph), profiler
    traces (`profile_batch` is checked but a non-zero value only warns), and weight
    images (`write_images=True` warns). Log values that are not single numbers are skipped.
    Scalars are stored as float32 ``simple_value``s and histograms as ``HistogramProto``s
    (30 equal-width buckets), which TensorBoard reads like TensorFlow's own summaries.
    Epoch scalars are written whatever `update_freq` is (with TensorFlow, an integer
    `update_freq` can drop them when the batch count is not a multiple of it).

    Args:
        log_dir: the directory of the logs; keep one directory per callback.
        histogram_freq: write weight histograms every this many epochs (0: never).
        write_graph: write the model's config for TensorBoard's graph dashboard.
        write_images: write weights as images (not supported: warns).
        write_steps_per_second: also log training steps per second, per epoch and (with
            batch-level logging) per batch.
        update_freq: ``"epoch"`` (log after each epoch), ``"batch"`` (same as 1) or a
            positive integer ``n`` (also log the batch metrics every ``n`` batches).
        profile_batch: the batch or ``(start, stop)`` batch range to profile, as in Keras;
            0 turns profiling off. Profiling is not available: a non-zero value warns.
        embeddings_freq: every this many epochs, save the weights to
            ``<log_dir>/train/keras_embedding.ckpt-<epoch>.weights.h5`` (0: never); a
            ``projector_config.pbtxt`` naming the `Embedding` layers is written when the
            model is set.
        embeddings_metadata: a metadata file name for every `Embedding` layer, or a dict
            mapping `Embedding` layer names to metadata file names.

    Example::

        tb = keras.callbacks.TensorBoard(log_dir="./logs", histogram_freq=1)
        model.fit(x, y, validation_split=0.2, epochs=5, callbacks=[tb])
    """

    # its batch hooks read only the logs: `fit` need not write the weights back each step
    _kx_batch_hooks_read_logs_only = True

    def __init__(
        self,
        log_dir: str | os.PathLike = "logs",
        histogram_freq: int = 0,
        write_graph: bool = True,
        write_images: bool = False,
        write_steps_per_second: bool = False,
        update_freq: str | int = "epoch",
        profile_batch: int | str | tuple[int, int] = 0,
        embeddings_freq: int = 0,
        embeddings_metadata: str | dict | None = None,
    ) -> None:
        super().__init__()
        self.log_dir = str(os.fspath(log_dir))
        self.histogram_freq = _non_negative_int("histogram_freq", histogram_freq)
        self.write_graph = bool(write_graph)
        self.write_images = bool(write_images)
        self.write_steps_per_second = bool(write_steps_per_second)
        if update_freq == "batch":
            update_freq = 1
        valid_int = (
            isinstance(update_freq, (int, np.integer))
            and not isinstance(update_freq, bool)
            and update_freq > 0
        )
        if update_freq != "epoch" and not valid_int:
            raise ValueError(
                "Received an invalid value for `update_freq`, expected 'epoch', 'batch' or a "
                f"positive integer (a number of batches). Received: update_freq={update_freq!r}"
            )
        self.update_freq = update_freq if update_freq == "epoch" else int(update_freq)
        self.embeddings_freq = _non_negative_int("embeddings_freq", embeddings_freq)
        if embeddings_metadata is not None and not isinstance(embeddings_metadata, (str, dict)):
            raise ValueError(
                "Received an invalid value for `embeddings_metadata`, expected None, a file "
                "name, or a dict mapping `Embedding` layer names to file names. "
                f"Received: embeddings_metadata={embeddings_metadata!r}"
            )
        self.embeddings_metadata = embeddings_metadata
        self._start_batch, self._stop_batch = _profile_range(profile_batch)
        self.profile_batch = profile_batch
        if self._start_batch or self._stop_batch:
            warnings.warn(
                "kerasx's TensorBoard callback does not write profiler traces; "
                f"profile_batch={profile_batch!r} is ignored (metrics are still written).",
                stacklevel=2,
            )
        if self.write_images:
            warnings.warn(
                "kerasx's TensorBoard callback does not write weight images; "
                "write_images=True is ignored (metrics and histograms are still written).",
                stacklevel=2,
            )
        self._writers: dict[str, _event_file.EventFileWriter] = {}
        self._global_train_batch = 0
        self._global_test_batch = 0
        self._previous_epoch_iterations = 0.0
        self._epoch_start_time = 0.0
        self._batch_start_time = 0.0
        self._in_fit = False
        self._should_write_graph = False
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")

    # ---------------------------------------------------------------- writers

    def _writer(self, run: str) -> _event_file.EventFileWriter:
        writer = self._writers.get(run)
        if writer is None or writer.closed:
            logdir = self._train_dir if run == "train" else self._val_dir
            writer = self._writers[run] = _event_file.EventFileWriter(logdir)
        return writer

    @property
    def _train_writer(self) -> _event_file.EventFileWriter:
        return self._writer("train")

    @property
    def _val_writer(self) -> _event_file.EventFileWriter:
        return self._writer("val")

    def _close_writers(self) -> None:
        for writer in self._writers.values():
            writer.close()
        self._writers = {}

    # ---------------------------------------------------------------- model

    def set_model(self, model: Any) -> None:
        """Attach the model (resets the event files) and write the projector config.

        Args:
            model: the model being trained or evaluated.
        """
        super().set_model(model)
        self._close_writers()
        self._log_write_dir = self.log_dir
        self._train_dir = os.path.join(self.log_dir, "train")
        self._val_dir = os.path.join(self.log_dir, "validation")
        # Written when `fit` or `evaluate` starts, so no file is left open by a model that
        # is only set (e.g. for `predict`).
        self._should_write_graph = self.write_graph and model is not None
        if model is not None and self.embeddings_freq:
            self._write_projector_config()

    def _write_pending_graph(self) -> None:
        if self._should_write_graph:
            self._should_write_graph = False
            self._write_model_config()

    def _write_model_config(self) -> None:
        if type(self.model).__name__ not in ("Functional", "Sequential"):
            return
        try:
            config_json = self.model.to_json()
        except Exception as exc:  # noqa: BLE001 (an unserializable model only loses its graph)
            warnings.warn(
                f"The model's config could not be written for TensorBoard's graph "
                f"dashboard, as it cannot be serialized to JSON: {exc}",
                stacklevel=3,
            )
            return
        value = _event_file.summary_value(
            "keras",
            tensor=_event_file.string_tensor(config_json),
            metadata=_event_file.plugin_metadata("graph_keras_model", b"1"),
        )
        writer = self._train_writer
        writer.add_summary(_event_file.summary(value), step=0)
        writer.flush()

    def _write_projector_config(self) -> None:
        from kerasx.layers import Embedding

        metadata = self.embeddings_metadata
        if isinstance(metadata, dict):
            metadata = dict(metadata)
        entries = []
        for layer in getattr(self.model, "layers", []):
            if not isinstance(layer, Embedding):
                continue
            entry = f'embeddings {{\n  tensor_name: "{_EMBEDDING_TENSOR}"\n'
            path = None
            if isinstance(metadata, str):
                path = metadata
            elif isinstance(metadata, dict):
                path = metadata.pop(layer.name, None)
            if path is not None:
                entry += f'  metadata_path: "{path}"\n'
            entries.append(entry + "}\n")
        if isinstance(metadata, dict) and metadata:
            raise ValueError(
                "`embeddings_metadata` names layers that are not `Embedding` layers of the "
                f"model: {sorted(metadata)}. Use the names of the model's `Embedding` layers."
            )
        os.makedirs(self._log_write_dir, exist_ok=True)
        path = os.path.join(self._log_write_dir, "projector_config.pbtxt")
        with open(path, "w") as f:
            f.write("".join(entries))

    # ---------------------------------------------------------------- fit hooks

    def on_train_begin(self, logs: dict | None = None) -> None:
        """Reset the batch counter at the start of `fit`."""
        self._in_fit = True
        self._global_train_batch = 0
        self._previous_epoch_iterations = 0.0
        self._write_pending_graph()

    def on_train_end(self, logs: dict | None = None) -> None:
        """Flush and close the event files."""
        self._in_fit = False
        self._close_writers()

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        """Start the epoch's clock (for `write_steps_per_second`)."""
        if self.write_steps_per_second:
            self._previous_epoch_iterations = self._iterations()
            self._epoch_start_time = time.time()

    def on_train_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Count the batch (steps of batch summaries count from 1 across epochs)."""
        self._global_train_batch += 1
        if self.write_steps_per_second:
            self._batch_start_time = time.time()

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        """Write ``batch_*`` scalars every `update_freq` batches (when it is an integer)."""
        if self.update_freq == "epoch":
            return
        step = self._global_train_batch
        if step % self.update_freq:
            return
        writer = self._train_writer
        if self.write_steps_per_second:
            elapsed = time.time() - self._batch_start_time
            if elapsed > 0:
                writer.add_scalar("batch_steps_per_second", 1.0 / elapsed, step)
        if isinstance(logs, collections.abc.Mapping):
            for name, value in logs.items():
                number = _scalar(value)
                if number is not None:
                    writer.add_scalar(f"batch_{name}", number, step)

    def on_test_begin(self, logs: dict | None = None) -> None:
        """Write the model config first when `evaluate` runs outside `fit`."""
        self._write_pending_graph()

    def on_test_batch_begin(self, batch: int, logs: dict | None = None) -> None:
        """Count evaluation batches."""
        self._global_test_batch += 1

    def on_test_end(self, logs: dict | None = None) -> None:
        """Write ``evaluation_<name>_vs_iterations`` at the optimizer's iteration count."""
        optimizer = getattr(self.model, "optimizer", None)
        if logs and optimizer is not None and hasattr(optimizer, "iterations"):
            step = int(self._iterations())
            writer = self._val_writer
            for name, value in logs.items():
                number = _scalar(value)
                if number is not None:
                    writer.add_scalar(f"evaluation_{name}_vs_iterations", number, step)
            writer.flush()
        if not self._in_fit:  # `evaluate` on its own: nothing else will close the files.
            self._close_writers()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        """Write the epoch's scalars, then histograms and embeddings when they are due."""
        self._log_epoch_metrics(epoch, logs)
        if self.histogram_freq and epoch % self.histogram_freq == 0:
            self._log_weights(epoch)
        if self.embeddings_freq and epoch % self.embeddings_freq == 0:
            path = os.path.join(self._train_dir, f"keras_embedding.ckpt-{epoch}.weights.h5")
            os.makedirs(self._train_dir, exist_ok=True)
            self.model.save_weights(path)
        for writer in self._writers.values():
            writer.flush()

    # ---------------------------------------------------------------- helpers

    def _iterations(self) -> float:
        optimizer = getattr(self.model, "optimizer", None)
        if optimizer is None or not hasattr(optimizer, "iterations"):
            return 0.0
        return to_float(optimizer.iterations)

    def _learning_rates(self) -> dict:
        from kerasx.optimizers import Optimizer

        optimizer = getattr(self.model, "optimizer", None)
        if hasattr(optimizer, "inner_optimizer"):
            optimizer = optimizer.inner_optimizer
        if hasattr(optimizer, "optimizers"):
            return {
                f"learning_rate_{opt.name}": to_float(opt.learning_rate)
                for opt in optimizer.optimizers
            }
        if isinstance(optimizer, Optimizer):
            return {"learning_rate": to_float(optimizer.learning_rate)}
        return {}

    def _log_epoch_metrics(self, epoch: int, logs: dict | None) -> None:
        if not logs:
            return
        train_logs = {k: v for k, v in logs.items() if not k.startswith("val_")}
        val_logs = {k[4:]: v for k, v in logs.items() if k.startswith("val_")}
        train_logs.update(self._learning_rates())
        if self.write_steps_per_second:
            elapsed = time.time() - self._epoch_start_time
            done = self._iterations() - self._previous_epoch_iterations
            train_logs["steps_per_second"] = done / elapsed if elapsed > 0 else 0.0
        for run, run_logs in (("train", train_logs), ("val", val_logs)):
            if not run_logs:
                continue
            writer = self._writer(run)
            for name, value in run_logs.items():
                number = _scalar(value)
                if number is not None:
                    writer.add_scalar(f"epoch_{name}", number, epoch)

    def _log_weights(self, epoch: int) -> None:
        writer = self._train_writer
        for layer in getattr(self.model, "layers", []):
            for weight in layer.weights:
                tag = weight.path.replace(":", "_") + "/histogram"
                writer.add_histogram(tag, to_host(weight.value), epoch)
        writer.flush()
