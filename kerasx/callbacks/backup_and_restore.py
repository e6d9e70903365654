"""`BackupAndRestore`: resume an interrupted `fit` from its last backup."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from typing import Any

from kerasx.callbacks.callback import Callback


class BackupAndRestore(Callback):
    """Backs up the model during training so that a rerun of `fit` resumes where it stopped.

    The weights (and optimizer state) go to ``<backup_dir>/latest.weights.h5`` and the
    progress to ``<backup_dir>/training_metadata.json``. When `fit` starts and a backup
    exists, it is loaded and training continues from the epoch after the last backed-up
    one. When training ends normally the backup directory is deleted (unless
    `delete_checkpoint` is false).

    Args:
        backup_dir: the directory for the backup files (created when needed).
        save_freq: ``"epoch"`` to back up at the end of every epoch, an integer to back up
            every that many batches, or ``False`` to never back up.
        double_checkpoint: keep the previous backup as ``*.bkp`` files and fall back to them
            when the latest cannot be loaded.
        delete_checkpoint: delete `backup_dir` when training completes.
    """

    def __init__(
        self,
        backup_dir: str | os.PathLike,
        save_freq: str | int = "epoch",
        double_checkpoint: bool = False,
        delete_checkpoint: bool = True,
    ) -> None:
        super().__init__()
        self.save_freq = save_freq
        self.double_checkpoint = double_checkpoint
        self.delete_checkpoint = delete_checkpoint
        self._batches_seen_since_last_saving = 0
        self._last_batch_seen = 0
        self._current_epoch = 0
        if not backup_dir:
            raise ValueError("Empty `backup_dir` argument passed")
        self.backup_dir = os.fspath(backup_dir)
        self._weights_path = os.path.join(self.backup_dir, "latest.weights.h5")
        self._training_metadata_path = os.path.join(self.backup_dir, "training_metadata.json")
        self._prev_weights_path = self._weights_path + ".bkp"
        self._prev_training_metadata_path = self._training_metadata_path + ".bkp"
        self._pending_path = os.path.join(self.backup_dir, ".training_metadata.pending.json")
        if save_freq != "epoch" and not isinstance(save_freq, int):
            raise ValueError(
                "Invalid value for argument `save_freq`. "
                f"Received: save_freq={save_freq}. "
                "Expected either 'epoch' or an integer value."
            )

    def on_train_begin(self, logs: dict | None = None) -> None:
        model: Any = self.model
        self._discard_partial_writes()
        if os.path.exists(self._weights_path):
            if not getattr(model, "built", True):
                raise ValueError(
                    "To use the BackupAndRestore callback, you model must be built before "
                    f"you call `fit()`. Model {model} is unbuilt. You can build it beforehand "
                    "by calling it on a batch of data."
                )
            optimizer = getattr(model, "optimizer", None)
            if optimizer is not None and not getattr(optimizer, "built", True):
                optimizer.build(model.trainable_variables)
            metadata = self._committed_metadata()
            try:
                model.load_weights(self._weights_path)
            except Exception:
                if not (self.double_checkpoint and os.path.exists(self._prev_weights_path)):
                    raise
                model.load_weights(self._prev_weights_path)
                metadata = _read_json(self._prev_training_metadata_path)
        else:
            metadata = _read_json(self._training_metadata_path)
        if metadata is not None:
            self._current_epoch = metadata["epoch"]
            # `fit` starts its epoch loop from `model._initial_epoch` when it is set.
            model._initial_epoch = metadata["epoch"]

    def _discard_partial_writes(self) -> None:
        """Remove temporary files left by a backup that was interrupted mid-write."""
        if not os.path.isdir(self.backup_dir):
            return
        for name in os.listdir(self.backup_dir):
            if name.startswith(".") and (".tmp" in name or name.endswith(".tmp")):
                with contextlib.suppress(OSError):
                    os.remove(os.path.join(self.backup_dir, name))

    def _committed_metadata(self) -> dict | None:
        """The progress that matches the weights file on disk.

        A backup writes a pending record (with the new weights' checksum) before it renames
        the new weights into place, and the metadata file after. If the process died between
        the two renames, the pending record's checksum matches the weights on disk and its
        progress is the right one; otherwise the metadata file is.
        """
        pending = _read_json(self._pending_path)
        if pending is not None and pending.get("weights_sha256") == _sha256(self._weights_path):
            return {"epoch": pending["epoch"], "batch": pending["batch"]}
        return _read_json(self._training_metadata_path)

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self._current_epoch = epoch + 1
        self._last_batch_seen = 0
        if self.save_freq == "epoch":
            self._save_model()

    def _kx_batch_hooks_idle(self, kind: str) -> bool:
        """Whether its batch hooks do nothing (backing up once per epoch or never): the
        trainer then neither calls them nor writes the weights back for them between steps."""
        return self.save_freq == "epoch" or self.save_freq is False

    def on_train_batch_end(self, batch: int, logs: dict | None = None) -> None:
        if self._should_save_on_batch(batch):
            self._save_model()

    def _should_save_on_batch(self, batch: int) -> bool:
        if self.save_freq == "epoch" or self.save_freq is False:
            return False
        if batch <= self._last_batch_seen:
            new_batches = batch + 1  # a new epoch started
        else:
            new_batches = batch - self._last_batch_seen
        self._batches_seen_since_last_saving += new_batches
        self._last_batch_seen = batch
        if self._batches_seen_since_last_saving >= self.save_freq:
            self._batches_seen_since_last_saving = 0
            return True
        return False

    def _save_model(self) -> None:
        """Back up weights and progress so that a kill at any instant leaves a usable pair.

        Order: new weights to a temporary file; a pending record (progress + checksum of the
        new weights); rename the weights into place; write the metadata file (atomically);
        remove the pending record. Every file is replaced by rename, never rewritten in place.
        """
        from kerasx.saving.saving_lib import atomic_write_bytes

        os.makedirs(self.backup_dir, exist_ok=True)
        progress = {"epoch": self._current_epoch, "batch": self._last_batch_seen}
        tmp = os.path.join(self.backup_dir, ".latest.tmp.weights.h5")
        self.model.save_weights(tmp, overwrite=True)
        pending = {**progress, "weights_sha256": _sha256(tmp)}
        atomic_write_bytes(self._pending_path, json.dumps(pending).encode())
        if self.double_checkpoint:
            for src, dst in (
                (self._weights_path, self._prev_weights_path),
                (self._training_metadata_path, self._prev_training_metadata_path),
            ):
                if os.path.exists(src):
                    with open(src, "rb") as f:
                        atomic_write_bytes(dst, f.read())
        os.replace(tmp, self._weights_path)
        atomic_write_bytes(self._training_metadata_path, json.dumps(progress).encode())
        with contextlib.suppress(OSError):
            os.remove(self._pending_path)

    def on_train_end(self, logs: dict | None = None) -> None:
        if self.delete_checkpoint and os.path.exists(self.backup_dir):
            shutil.rmtree(self.backup_dir, ignore_errors=True)


def _read_json(path: str) -> dict | None:
    if not os.path.exists(path):
        return None
    with open(path) as f:
        return json.loads(f.read())


def _sha256(path: str) -> str | None:
    if not os.path.exists(path):
        return None
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
