"""Reading legacy HDF5 model files (``model.save("m.h5")`` in Keras), with safe mode applied.

The model config sits in the root attribute ``model_config``; weights sit under
``model_weights/<layer name>`` listed by the ``weight_names`` attribute. The config goes
through the same safe deserializer as `.keras` files: a Lambda's bytecode is refused unless
``safe_mode=False`` (Keras used to ignore `safe_mode` for this format: CVE-2025-9905).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.saving import saving_lib
from kerasx.saving import serialization as _ser


def load_model(
    filepath: str, custom_objects: dict | None = None, compile: bool = True, safe_mode: bool = True
) -> Any:
    """Rebuild a model from a legacy ``.h5`` model file.

    Args:
        filepath: the file.
        custom_objects: names of user classes and functions.
        compile: kept for the same signature as `load_model` (legacy compile arguments are
            not restored).
        safe_mode: False allows Lambda bytecode from the file.

    Returns:
        The model with its weights.
    """
    import h5py

    try:
        f = h5py.File(filepath, "r")
    except OSError as e:
        raise saving_lib.FileFormatError(
            f"{filepath} is not a valid HDF5 file (corrupt or truncated): {e}"
        ) from None
    with f:
        raw = f.attrs.get("model_config")
        if raw is None:
            raise saving_lib.FileFormatError(
                f"{filepath} holds no model config (it may be a weights-only file; use "
                "`model.load_weights`)."
            )
        if isinstance(raw, bytes):
            raw = raw.decode("utf-8")
        config = saving_lib.parse_json(str(raw).encode("utf-8"), f"The model config of {filepath}")
        budget = saving_lib.weights_io.total_dataset_bytes(f) + saving_lib.ALLOCATION_SLACK_BYTES
        with (
            _ser.SafeModeScope(safe_mode),
            _ser.CustomObjectScope(custom_objects or {}),
            saving_lib.AllocationGuard(budget, filepath),
        ):
            model = _ser.deserialize_keras_object(
                config, custom_objects=custom_objects, safe_mode=safe_mode
            )
        if "model_weights" in f:
            _load_weights(model, f["model_weights"], filepath)
    return model


def _datasets(h5py: Any, group: Any, names: list, layer_name: str, filepath: str) -> list:
    """The datasets `names` of a layer's group, read safely (`weights_io._dataset`: no links,
    no data outside the file, numeric dtypes only)."""
    from kerasx.saving.weights_io import _dataset

    out = []
    for name in names:
        ds = _dataset(h5py, group, name, layer_name)
        if ds is None:
            raise saving_lib.FileFormatError(
                f"Weight '{name}' of layer '{layer_name}' is missing from {filepath}."
            )
        out.append(ds)
    return out


def _load_weights(model: Any, group: Any, filepath: str) -> None:
    import h5py

    plan = []
    for layer in model.layers:
        weights = layer.weights
        if not weights:
            continue
        if layer.name not in group:
            raise saving_lib.FileFormatError(
                f"Layer '{layer.name}' has {len(weights)} weights, but {filepath} has none for it."
            )
        g = group[layer.name]
        names = [n.decode() if isinstance(n, bytes) else str(n) for n in g.attrs["weight_names"]]
        if len(names) != len(weights):
            raise saving_lib.FileFormatError(
                f"Layer '{layer.name}' expects {len(weights)} weights, but {filepath} holds "
                f"{len(names)}."
            )
        for var, ds in zip(weights, _datasets(h5py, g, names, layer.name, filepath)):
            if tuple(ds.shape) != tuple(var.shape):
                raise saving_lib.FileFormatError(
                    f"Weight '{ds.name}' of layer '{layer.name}' has shape {tuple(ds.shape)}; "
                    f"expected shape {tuple(var.shape)}."
                )
            plan.append((var, ds))
    values = [(var, np.asarray(ds[()])) for var, ds in plan]
    for var, value in values:
        var.assign(value.astype(var.dtype))


def load_legacy_weights(
    model: Any, filepath: str, by_name: bool = False, skip_mismatch: bool = False
) -> None:
    """Load a legacy Keras HDF5 weights file (``.h5`` / ``.hdf5``: Keras 2's `save_weights`,
    the files of `keras.applications`, or the weights part of a legacy model file).

    The file lists its layers (root attribute ``layer_names``) and, per layer, its weights
    (``weight_names``). Without `by_name` the layers with weights are matched in order, as
    Keras does; with it, by layer name (layers the file lacks are left alone). Every weight is
    checked before any is assigned: on an error the model is unchanged.

    Args:
        model: the model to load into.
        filepath: the file.
        by_name: match layers by name instead of by position.
        skip_mismatch: with `by_name`, skip (with a warning) layers whose weight count or
            shapes differ instead of raising.

    Raises:
        ValueError: the file's layers or weights do not match the model.
    """
    import warnings

    import h5py

    try:
        f = h5py.File(filepath, "r")
    except OSError as e:
        raise saving_lib.FileFormatError(
            f"{filepath} is not a valid HDF5 file (corrupt or truncated): {e}"
        ) from e
    with f:
        group = f
        if "layer_names" not in f.attrs and "model_weights" in f:
            group = f["model_weights"]
        if "layer_names" not in group.attrs:
            raise ValueError(
                f"{filepath} is not a Keras weights file: it has no `layer_names` attribute. "
                "Weights saved by Keras 3 use the `.weights.h5` extension."
            )
        saved = {}
        for raw in group.attrs["layer_names"]:
            name = raw.decode() if isinstance(raw, bytes) else str(raw)
            g = group[name]
            names = [
                n.decode() if isinstance(n, bytes) else str(n) for n in g.attrs["weight_names"]
            ]
            if names:
                saved[name] = _datasets(h5py, g, names, name, filepath)
        layers = [layer for layer in model.layers if layer.weights]
        if by_name:
            pairs = [(layer, saved[layer.name]) for layer in layers if layer.name in saved]
        else:
            if len(layers) != len(saved):
                raise ValueError(
                    "Layer count mismatch when loading weights from file. Model expected "
                    f"{len(layers)} layers, found {len(saved)} saved layers."
                )
            pairs = list(zip(layers, saved.values()))
        plan = []
        for layer, datasets in pairs:
            weights = layer.weights
            problem = None
            if len(weights) != len(datasets):
                problem = (
                    f"Layer '{layer.name}' expects {len(weights)} weight(s), but the saved "
                    f"weights have {len(datasets)} element(s)."
                )
            else:
                for var, ds in zip(weights, datasets):
                    if tuple(ds.shape) != tuple(var.shape):
                        problem = (
                            f"Shape mismatch in layer '{layer.name}' for weight "
                            f"'{var.path}': the model's has shape {tuple(var.shape)}, the "
                            f"file's {ds.name} has shape {tuple(ds.shape)}."
                        )
                        break
            if problem is not None:
                if by_name and skip_mismatch:
                    warnings.warn(f"Skipping the loading of weights: {problem}", stacklevel=3)
                    continue
                raise ValueError(problem)
            plan.extend((var, np.asarray(ds[()])) for var, ds in zip(weights, datasets))
    for var, value in plan:
        var.assign(value.astype(var.dtype))
