"""Public saving entry points: `save_model`, `load_model`, `save_weights`, `load_weights`."""

from __future__ import annotations

import os
from typing import Any

from kerasx.saving import saving_lib


def _path(filepath: Any) -> str:
    if isinstance(filepath, os.PathLike):
        filepath = os.fspath(filepath)
    if not isinstance(filepath, str):
        raise TypeError(
            "Received an invalid value for `filepath`, expected a string or path. Received: "
            f"filepath={filepath!r}"
        )
    return filepath


def _proceed_with_overwrite(filepath: str) -> bool:
    answer = input(f"[WARNING] {filepath} already exists - overwrite? [y/n]").strip().lower()
    while answer not in ("y", "n"):
        answer = input('Enter "y" (overwrite) or "n" (cancel).').strip().lower()
    return answer == "y"


def save_model(
    model: Any, filepath: Any, overwrite: bool = True, zipped: bool | None = None, **kwargs: Any
) -> None:
    """Save a model to a ``.keras`` file: config, weights and optimizer state.

    The write is crash-safe: a temporary file beside `filepath` is renamed into place.

    Args:
        model: the model.
        filepath: the destination, ending in ``.keras``.
        overwrite: replace an existing file without asking (False asks on the terminal).
        zipped: False writes a directory with the same three files instead of a zip.
        **kwargs: none are supported; any given raises a ValueError naming them.
    """
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    filepath = _path(filepath)
    if filepath.endswith((".h5", ".hdf5")):
        raise ValueError(
            "kerasx does not write the legacy HDF5 model format (.h5). Save the model with a "
            f"`.keras` extension instead. Received: filepath={filepath}"
        )
    if zipped is None:
        zipped = True
    if zipped and not filepath.endswith(".keras"):
        raise ValueError(
            "Invalid filepath extension for saving. Please add either a `.keras` extension for "
            "the native Keras format (recommended) or a `.h5` extension. Use "
            "`model.export(filepath)` if you want to export a SavedModel for use with "
            f"TFLite/TFServing/etc. Received: filepath={filepath}."
        )
    if not overwrite and os.path.exists(filepath):
        if not _proceed_with_overwrite(filepath):
            return
    saving_lib.save_model(model, filepath, zipped=zipped)


def load_model(
    filepath: Any, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True
) -> Any:
    """Load a model saved with `save_model` (by kerasx or by Keras 3), safely.

    Safe mode (the default) never runs code from the file: a Lambda layer holding Python
    bytecode is refused, and the config may only name kerasx classes or classes and
    functions you registered (`register_keras_serializable`) or pass in `custom_objects`.

    Args:
        filepath: a ``.keras`` file (or a directory written with ``zipped=False``), or a
            legacy ``.h5`` model file.
        custom_objects: a dict of user classes and functions the config refers to.
        compile: compile the model with its saved compile arguments.
        safe_mode: False allows loading Lambda bytecode (only for files you trust).

    Returns:
        The model, with its weights and (when compiled) its optimizer state.
    """
    filepath = _path(filepath)
    if not os.path.exists(filepath):
        raise ValueError(
            f"File not found: filepath={filepath}. Please ensure the file is an accessible "
            "`.keras` zip file."
        )
    if filepath.endswith((".h5", ".hdf5")) and not os.path.isdir(filepath):
        from kerasx.saving import legacy_h5

        return legacy_h5.load_model(
            filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )
    if filepath.endswith(".keras") or os.path.isdir(filepath):
        return saving_lib.load_model(
            filepath, custom_objects=custom_objects, compile=compile, safe_mode=safe_mode
        )
    raise ValueError(
        f"File format not supported: filepath={filepath}. kerasx supports `.keras` files "
        "(zip or directory) and, for loading, legacy `.h5` model files."
    )


def save_weights(
    model: Any, filepath: Any, overwrite: bool = True, max_shard_size: Any = None, **kwargs: Any
) -> None:
    """Save a model's weights (and optimizer state) to a ``.weights.h5`` file, or sharded.

    Args:
        model: the model.
        filepath: the destination, ending in ``.weights.h5``; with `max_shard_size`, the
            index file, ending in ``.weights.json`` (a ``.weights.h5`` name is changed to
            ``.weights.json`` with a warning), beside which the shards
            ``<name>_00000.weights.h5``, ``<name>_00001.weights.h5``, ... are written.
        overwrite: replace an existing file without asking.
        max_shard_size: None (one file) or the largest shard size in GB (2**30 bytes) of
            array data, an int or float.
        **kwargs: none are supported.
    """
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    filepath = _path(filepath)
    if max_shard_size is not None:
        from kerasx.saving import sharding

        sharding.max_shard_bytes(max_shard_size)
        filepath = sharding.index_path_for(filepath)
        if not overwrite and os.path.exists(filepath):
            if not _proceed_with_overwrite(filepath):
                return
        sharding.save_sharded(model, filepath, max_shard_size)
        return
    if not filepath.endswith(".weights.h5"):
        raise ValueError(f"The filename must end in `.weights.h5`. Received: filepath={filepath}")
    if not overwrite and os.path.exists(filepath):
        if not _proceed_with_overwrite(filepath):
            return
    saving_lib.save_weights_only(model, filepath)


def load_weights(model: Any, filepath: Any, skip_mismatch: bool = False, **kwargs: Any) -> None:
    """Load weights into `model` from a ``.weights.h5``, ``.weights.json`` or ``.keras`` file,
    or a legacy Keras HDF5 weights file (``.h5`` / ``.hdf5``, e.g. `keras.applications`'s).

    Every weight is checked against the model before any is assigned: on any error the
    model is left exactly as it was.

    Args:
        model: the model.
        filepath: the file: a weights file, the index of sharded weights
            (``.weights.json``, written with `max_shard_size`), or a ``.keras`` archive.
        skip_mismatch: skip (with a warning) layers whose weights do not match.
        **kwargs: ``by_name`` (legacy ``.h5`` files only): match layers by name.
    """
    filepath = _path(filepath)
    if filepath.endswith((".h5", ".hdf5")) and not filepath.endswith(".weights.h5"):
        by_name = kwargs.pop("by_name", False)
        if kwargs:
            raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
        if not os.path.exists(filepath):
            raise FileNotFoundError(f"No such weights file: filepath={filepath}")
        from kerasx.saving import legacy_h5

        legacy_h5.load_legacy_weights(model, filepath, by_name, skip_mismatch)
        return
    if kwargs:
        raise ValueError(f"The following argument(s) are not supported: {list(kwargs.keys())}")
    if filepath.endswith(".weights.json"):
        from kerasx.saving import sharding

        sharding.load_sharded(model, filepath, skip_mismatch=skip_mismatch)
        return
    if not (filepath.endswith((".keras", ".weights.h5")) or os.path.isdir(filepath)):
        raise ValueError(
            f"File format not supported: filepath={filepath}. kerasx loads weights from "
            "`.weights.h5`, `.weights.json` (sharded) and `.keras` files."
        )
    if not os.path.exists(filepath):
        raise FileNotFoundError(f"No such weights file: filepath={filepath}")
    saving_lib.load_weights_from(model, filepath, skip_mismatch=skip_mismatch)


def model_from_json(json_string: str, custom_objects: dict | None = None) -> Any:
    """Rebuild a model (without weights) from `Model.to_json`'s string.

    Args:
        json_string: the JSON text.
        custom_objects: names of user classes and functions.

    Returns:
        A new, uncompiled model with freshly initialized weights.
    """
    from kerasx.saving import serialization

    config = saving_lib.parse_json(json_string.encode("utf-8"), "The model JSON")
    if isinstance(config, dict):
        config = {k: v for k, v in config.items() if k != "compile_config"}
    return serialization.deserialize_keras_object(config, custom_objects=custom_objects)
