"""The `.keras` archive and `.weights.h5` files: writing (crash-safe) and reading (checked).

A `.keras` file is a zip holding ``metadata.json``, ``config.json`` and ``model.weights.h5``
(all stored uncompressed), exactly as Keras 3 writes it. Every write goes to a temporary
file in the target's directory, is flushed to disk, and is renamed over the target with
`os.replace`, so a crash or a kill mid-write leaves the previous file intact.
"""

from __future__ import annotations

import contextlib
import datetime
import io
import json
import os
import shutil
import tempfile
import threading
import warnings
import zipfile
from collections.abc import Iterator
from typing import Any

from kerasx.saving import serialization as _ser
from kerasx.saving import weights_io

CONFIG = "config.json"
METADATA = "metadata.json"
WEIGHTS = "model.weights.h5"
# The Keras file-format version whose layout these files follow.
KERAS_FORMAT_VERSION = "3.15.1"

# Limits on what a file may ask us to read (bytes).
MAX_JSON_BYTES = 256 * 2**20
MAX_JSON_DEPTH = 200
# Slack beyond the stored weight bytes that building a loaded model may allocate.
ALLOCATION_SLACK_BYTES = 64 * 2**20


class FileFormatError(ValueError):
    """A file is not a valid `.keras` archive or weights file (named in the message)."""


# ---------------------------------------------------------------------------- atomic writes


def _fsync_dir(path: str) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write_path(filepath: str) -> Iterator[str]:
    """Yield a temporary path beside `filepath`; on success it replaces `filepath` atomically.

    On any error (or interruption) the temporary file is removed and `filepath` is left as it
    was.

    Args:
        filepath: the final path.

    Yields:
        The temporary path to write to.
    """
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(
        dir=directory, prefix=f".{os.path.basename(filepath)}.", suffix=".tmp"
    )
    os.close(fd)
    try:
        yield tmp
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        _copy_mode(filepath, tmp)
        os.replace(tmp, filepath)
        _fsync_dir(directory)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


def _copy_mode(existing: str, tmp: str) -> None:
    try:
        mode = os.stat(existing).st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    with contextlib.suppress(OSError):
        os.chmod(tmp, mode)


def atomic_write_bytes(filepath: str, data: bytes) -> None:
    """Write `data` to `filepath` crash-safely (temporary file + rename)."""
    with atomic_write_path(filepath) as tmp, open(tmp, "wb") as f:
        f.write(data)


# ---------------------------------------------------------------------------- saving


def _metadata() -> str:
    from kerasx import __version__

    return json.dumps(
        {
            "keras_version": KERAS_FORMAT_VERSION,
            "date_saved": datetime.datetime.now().strftime("%Y-%m-%d@%H:%M:%S"),
            "kerasx_version": __version__,
        }
    )


def _weights_bytes(model: Any) -> bytes:
    import h5py

    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        weights_io.write(model, f)
    return buf.getvalue()


def save_model(model: Any, filepath: str, zipped: bool = True) -> None:
    """Write `model` to a `.keras` archive (or a directory when `zipped` is False).

    Everything is computed in memory first (config, weights), so a model that cannot be
    serialized raises before the file system is touched.

    Args:
        model: the model.
        filepath: the destination.
        zipped: write a zip archive (default) or a directory of the same three files.
    """
    config_json = json.dumps(_ser.serialize_keras_object(model))
    metadata_json = _metadata()
    weights = _weights_bytes(model)
    if not zipped:
        _save_directory(filepath, config_json, metadata_json, weights)
        return
    with atomic_write_path(filepath) as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_STORED) as zf:
            for name, text in ((METADATA, metadata_json), (CONFIG, config_json)):
                info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
                info.compress_type = zipfile.ZIP_STORED
                info.external_attr = 0o600 << 16
                zf.writestr(info, text.encode("utf-8"))
            info = zipfile.ZipInfo(WEIGHTS, date_time=datetime.datetime.now().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            info.external_attr = 0o600 << 16
            zf.writestr(info, weights)


def _save_directory(filepath: str, config_json: str, metadata_json: str, weights: bytes) -> None:
    parent = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(filepath)}.", suffix=".tmp")
    try:
        for name, data in (
            (METADATA, metadata_json.encode()),
            (CONFIG, config_json.encode()),
            (WEIGHTS, weights),
        ):
            with open(os.path.join(tmp, name), "wb") as f:
                f.write(data)
                os.fsync(f.fileno())
        old = None
        if os.path.exists(filepath):
            old = tempfile.mkdtemp(dir=parent, prefix=f".{os.path.basename(filepath)}.old.")
            os.rmdir(old)
            os.replace(filepath, old)
        os.replace(tmp, filepath)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def save_weights_only(model: Any, filepath: str) -> None:
    """Write the model's weights (and optimizer state) to a `.weights.h5` file, crash-safely.

    Args:
        model: the model.
        filepath: the destination (ending in ``.weights.h5``).
    """
    data = _weights_bytes(model)
    atomic_write_bytes(filepath, data)


# ---------------------------------------------------------------------------- reading files


def _check_depth(value: Any, what: str) -> None:
    stack = [(value, 0)]
    while stack:
        v, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise FileFormatError(f"{what} is nested more than {MAX_JSON_DEPTH} levels deep.")
        if isinstance(v, dict):
            stack.extend((x, depth + 1) for x in v.values())
        elif isinstance(v, list):
            stack.extend((x, depth + 1) for x in v)


def parse_json(data: bytes, what: str) -> Any:
    """Parse JSON from a file member, with clear errors and a nesting limit."""
    try:
        value = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise FileFormatError(f"{what} is not valid JSON: {e}") from None
    _check_depth(value, what)
    return value


class _Archive:
    """Read access to the members of a `.keras` zip or directory, with size limits."""

    def __init__(self, filepath: str) -> None:
        self.filepath = filepath
        self.zf: zipfile.ZipFile | None = None
        if os.path.isdir(filepath):
            return
        try:
            self.zf = zipfile.ZipFile(filepath, "r")
        except zipfile.BadZipFile as e:
            raise FileFormatError(
                f"The file {filepath} is not a valid .keras archive (it is truncated or not a "
                f"zip file): {e}"
            ) from None

    def close(self) -> None:
        if self.zf is not None:
            self.zf.close()

    def size(self, name: str) -> int | None:
        if self.zf is None:
            path = os.path.join(self.filepath, name)
            return os.path.getsize(path) if os.path.isfile(path) else None
        try:
            return self.zf.getinfo(name).file_size
        except KeyError:
            return None

    def read(self, name: str, limit: int) -> bytes:
        size = self.size(name)
        if size is None:
            raise FileFormatError(
                f"The .keras archive {self.filepath} has no '{name}' member; it is incomplete "
                "or was not written by Keras/kerasx."
            )
        if size > limit:
            raise FileFormatError(
                f"'{name}' in {self.filepath} declares {size} bytes, more than the limit of "
                f"{limit} bytes."
            )
        try:
            if self.zf is None:
                with open(os.path.join(self.filepath, name), "rb") as f:
                    data = f.read(size + 1)
            else:
                with self.zf.open(name) as f:
                    data = f.read(size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as e:
            raise FileFormatError(
                f"Could not read '{name}' from {self.filepath} (the archive is corrupt or "
                f"truncated): {e}"
            ) from None
        if len(data) != size:
            raise FileFormatError(
                f"'{name}' in {self.filepath} does not have its declared size of {size} bytes "
                "(the archive is corrupt or truncated)."
            )
        return data


def _open_h5(data: bytes, what: str) -> Any:
    import h5py

    try:
        return h5py.File(io.BytesIO(data), "r")
    except OSError as e:
        raise FileFormatError(
            f"{what} is not a valid HDF5 file (corrupt or truncated): {e}"
        ) from None


def _max_weights_bytes(filepath: str) -> int:
    return max(os.path.getsize(filepath), 1) if os.path.isfile(filepath) else 2**40


# ---------------------------------------------------------------------------- allocation guard

_guard = threading.local()


class AllocationGuard:
    """Refuse weights larger than a budget while a loaded config is being built.

    Layers created from a file get a checked `add_weight` until loading ends, so a config
    that asks for huge weights fails before the memory is allocated.

    Args:
        budget: the bytes the rebuilt layers may allocate in total.
        source: the file, for messages.
    """

    def __init__(self, budget: int, source: str) -> None:
        self.budget = budget
        self.used = 0
        self.source = source
        self.patched: list = []

    def __enter__(self) -> AllocationGuard:
        self._prev = getattr(_guard, "current", None)
        _guard.current = self
        return self

    def __exit__(self, *exc: Any) -> None:
        _guard.current = self._prev
        for layer in self.patched:
            layer.__dict__.pop("add_weight", None)
        self.patched.clear()

    def charge(self, shape: Any, dtype: str, what: str) -> None:
        import numpy as np

        try:
            dims = [int(d) for d in (shape or ())]
        except (TypeError, ValueError):
            raise FileFormatError(f"Invalid weight shape {shape!r} for {what}.") from None
        if any(d < 0 for d in dims):
            raise FileFormatError(f"Negative dimension in weight shape {dims} for {what}.")
        nbytes = int(np.prod(dims, dtype=object)) * np.dtype(dtype).itemsize
        self.used += nbytes
        if self.used > self.budget:
            raise FileFormatError(
                f"Refusing to build {what} with a weight of shape {tuple(dims)}: the model "
                f"described by {self.source} would allocate more than {self.budget} bytes, "
                "more than its weights file can hold. The config is corrupt or malicious."
            )

    def watch(self, layer: Any) -> None:
        if "add_weight" in layer.__dict__:
            return
        original = layer.add_weight
        guard = self

        import inspect

        signature = inspect.signature(original)

        def add_weight(*args: Any, **kwargs: Any) -> Any:
            from kerasx.engine import dtypes as _dt

            bound = signature.bind(*args, **kwargs).arguments
            dtype = bound.get("dtype") or layer._dtype_policy.variable_dtype
            guard.charge(bound.get("shape"), _dt.standardize_dtype(dtype), f"layer '{layer.name}'")
            return original(*args, **kwargs)

        layer.__dict__["add_weight"] = add_weight
        self.patched.append(layer)


def current_guard() -> AllocationGuard | None:
    """The allocation guard of the load in progress (None when not loading a file)."""
    return getattr(_guard, "current", None)


# ---------------------------------------------------------------------------- loading


def load_model(
    filepath: str, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True
) -> Any:
    """Read a `.keras` archive (or directory) and rebuild the model, safely.

    Args:
        filepath: the file.
        custom_objects: names of user classes and functions used by the config.
        compile: compile the model with its saved compile arguments.
        safe_mode: False allows Python bytecode (Lambda lambdas) from the file.

    Returns:
        The model with its weights and (when compiled) optimizer state.
    """
    archive = _Archive(filepath)
    try:
        config = parse_json(archive.read(CONFIG, MAX_JSON_BYTES), f"'{CONFIG}' in {filepath}")
        if archive.size(METADATA) is not None:
            parse_json(archive.read(METADATA, 2**20), f"'{METADATA}' in {filepath}")
        weights_size = archive.size(WEIGHTS)
        limit = _max_weights_bytes(filepath) if archive.zf is not None else 2**40
        weights = archive.read(WEIGHTS, max(limit, 1)) if weights_size is not None else None
    finally:
        archive.close()
    if not isinstance(config, dict) or "class_name" not in config:
        raise FileFormatError(
            f"'{CONFIG}' in {filepath} does not describe a model: expected an object with a "
            "'class_name' key."
        )
    if not compile:
        config = {k: v for k, v in config.items() if k != "compile_config"}
    h5 = _open_h5(weights, f"'{WEIGHTS}' in {filepath}") if weights is not None else None
    try:
        budget = (
            weights_io.total_dataset_bytes(h5) if h5 is not None else 0
        ) + ALLOCATION_SLACK_BYTES
        with (
            _ser.SafeModeScope(safe_mode),
            _ser.CustomObjectScope(custom_objects or {}),
            AllocationGuard(budget, filepath),
        ):
            model = _ser.deserialize_keras_object(
                config, custom_objects=custom_objects, safe_mode=safe_mode
            )
        from kerasx.layers.layer import Layer

        if not isinstance(model, Layer):
            raise FileFormatError(f"'{CONFIG}' in {filepath} does not describe a model or layer.")
        if h5 is not None:
            load_into(model, h5, source=filepath)
        elif model.weights:
            raise FileFormatError(f"The .keras archive {filepath} has no '{WEIGHTS}' member.")
    finally:
        if h5 is not None:
            h5.close()
    return model


def _maybe_build_optimizer(model: Any, h5file: Any) -> None:
    optimizer = getattr(model, "optimizer", None)
    if optimizer is None or getattr(optimizer, "built", True):
        return
    group = h5file.get("optimizer/vars")
    if group is not None and len(group.keys()) > len(optimizer.variables):
        optimizer.build(model.trainable_variables)


def load_into(model: Any, h5file: Any, source: str, skip_mismatch: bool = False) -> None:
    """Validate `h5file` against `model`, then assign every weight (all or nothing).

    Args:
        model: the model.
        h5file: an open `h5py.File` in Keras's layout.
        source: the file's name for messages.
        skip_mismatch: warn and skip mismatched layers instead of raising.
    """
    if not getattr(model, "built", True):
        raise ValueError(
            f"Cannot load weights into model '{model.name}': it has not been built yet, so it "
            "has no variables. Build it first (call it on data or use `model.build(shape)`)."
        )
    _maybe_build_optimizer(model, h5file)
    plan = weights_io.plan_load(model, h5file, skip_mismatch=skip_mismatch, source=source)
    weights_io.apply_plan(plan)


def load_weights_from(model: Any, filepath: str, skip_mismatch: bool = False) -> None:
    """Load weights from a `.weights.h5` file or from the weights inside a `.keras` archive.

    Args:
        model: the model.
        filepath: the file.
        skip_mismatch: warn and skip mismatched layers instead of raising.
    """
    if filepath.endswith(".keras") or os.path.isdir(filepath):
        archive = _Archive(filepath)
        try:
            data = archive.read(WEIGHTS, max(_max_weights_bytes(filepath), 1))
        finally:
            archive.close()
        h5 = _open_h5(data, f"'{WEIGHTS}' in {filepath}")
    else:
        import h5py

        try:
            h5 = h5py.File(filepath, "r")
        except OSError as e:
            raise FileFormatError(
                f"{filepath} is not a valid HDF5 weights file (corrupt or truncated): {e}"
            ) from None
    try:
        load_into(model, h5, source=filepath, skip_mismatch=skip_mismatch)
    finally:
        h5.close()


# ---------------------------------------------------------------------------- compile config


def _deserialize_compile_value(value: Any) -> Any:
    if isinstance(value, dict) and "class_name" in value:
        return _ser.deserialize_keras_object(value)
    if isinstance(value, dict):
        return {k: _deserialize_compile_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deserialize_compile_value(v) for v in value]
    return value


def compile_from_config(model: Any, config: dict) -> None:
    """Compile `model` from a saved compile config (Keras's ``compile_config``).

    Args:
        model: the model.
        config: the saved dict (optimizer, loss, metrics, ...).
    """
    from kerasx import optimizers

    if not isinstance(config, dict):
        raise FileFormatError(f"Invalid compile_config: expected a dict, received {config!r}.")
    cfg = dict(config)
    allowed = {
        "optimizer",
        "loss",
        "loss_weights",
        "metrics",
        "weighted_metrics",
        "run_eagerly",
        "steps_per_execution",
        "jit_compile",
    }
    cfg = {k: v for k, v in cfg.items() if k in allowed}
    opt = cfg.get("optimizer")
    if isinstance(opt, dict):
        cfg["optimizer"] = _ser.deserialize_keras_object(opt, printable_module_name="optimizer")
        if not isinstance(cfg["optimizer"], optimizers.Optimizer):
            raise FileFormatError("The saved compile_config's optimizer is not an optimizer.")
    for key in ("loss", "metrics", "weighted_metrics", "loss_weights"):
        if key in cfg:
            cfg[key] = _deserialize_compile_value(cfg[key])
    try:
        model.compile(**cfg)
    except (ValueError, TypeError) as e:
        warnings.warn(
            f"The model could not be compiled from its saved compile arguments ({e}); it is "
            "returned uncompiled. Call `model.compile()` yourself.",
            stacklevel=2,
        )
        return
    if model.built and model.optimizer is not None and not model.optimizer.built:
        model.optimizer.build(model.trainable_variables)
