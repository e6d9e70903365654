"""`KerasFileEditor`: look at and change the weights stored in a saved file, with no model.

The editor reads a ``.keras`` archive, a ``.weights.h5`` file or a sharded ``.weights.json``
index into a tree of plain dicts (`weights_dict`): one dict per object (layer, optimizer,
...) keyed by its place in Keras's HDF5 layout, holding its weights as NumPy arrays under
their dataset names (``"0"``, ``"1"``, ...) and, for objects that contain other objects,
their sub-objects as nested dicts. Edits change that tree in memory; `save` writes it back
as a ``.weights.h5`` file, crash-safely.

Nothing in the file is ever executed: the config of a ``.keras`` archive is only parsed as
JSON (kept in `config`, never deserialized), and the HDF5 data is checked (no links, no
external or virtual datasets, numeric dtypes only, declared sizes within the bytes the file
really holds) before any array is read.
"""

from __future__ import annotations

import io
import os
from typing import Any

import numpy as np

from kerasx.saving import saving_lib, weights_io

_SEPARATOR = "─" * 21
_MAX_LISTED = 40


def _filepath(filepath: Any, argument: str = "filepath") -> str:
    if isinstance(filepath, os.PathLike):
        filepath = os.fspath(filepath)
    if not isinstance(filepath, str):
        raise TypeError(
            f"Received an invalid value for `{argument}`, expected a string or path. Received: "
            f"{argument}={filepath!r}"
        )
    return filepath


def _attr_value(value: Any) -> Any:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    return value


# ---------------------------------------------------------------------------- reading


class _Reader:
    """Walks an open `h5py.File` into `weights_dict` / `object_metadata` (checks first)."""

    def __init__(self, h5file: Any, budget: float, source: str) -> None:
        import h5py

        self.h5py = h5py
        self.source = source
        self.budget = budget
        self.pending: list = []  # (node, key, dataset) read once everything is checked
        self.metadata: dict = {}
        self.tree = self._group(h5file, (), root=True)
        declared = sum(
            int(np.prod(ds.shape, dtype=object)) * ds.dtype.itemsize for _, _, ds in self.pending
        )
        if declared > self.budget:
            raise saving_lib.FileFormatError(
                f"The weights in {source} declare {declared} bytes of array data, more than "
                f"the {int(self.budget)} bytes the file holds; it is corrupt or malicious."
            )
        for node, key, ds in self.pending:
            node[key] = ds[()]
        self.pending.clear()

    def _child(self, group: Any, key: str, where: str) -> Any:
        link = group.get(key, getlink=True)
        if not isinstance(link, self.h5py.HardLink):
            raise saving_lib.FileFormatError(
                f"Refusing to follow '{where}/{key}' in {self.source}: it is a "
                f"{type(link).__name__} (a link to other data or another file)."
            )
        obj = group[key]
        if isinstance(obj, self.h5py.Group):
            return obj
        return weights_io._dataset(self.h5py, group, key, where or "/")

    def _group(self, group: Any, parts: tuple, root: bool = False) -> dict:
        where = "/".join(parts)
        node: dict = {}
        keys = list(group.keys())
        collapsed = False
        if not root and "vars" in keys:
            own = self._child(group, "vars", where)
            if isinstance(own, self.h5py.Group):
                collapsed = True
                vars_where = f"{where}/vars"
                for key in own.keys():
                    value = self._child(own, key, vars_where)
                    if isinstance(value, self.h5py.Group):
                        raise saving_lib.FileFormatError(
                            f"'{vars_where}/{key}' in {self.source} is a group; a 'vars' group "
                            "may only hold datasets."
                        )
                    node[key] = None
                    self.pending.append((node, key, value))
                if len(own):
                    self.metadata["/" + where] = {k: _attr_value(v) for k, v in own.attrs.items()}
        for key in keys:
            if collapsed and key == "vars":
                continue
            value = self._child(group, key, where)
            if isinstance(value, self.h5py.Group):
                child = self._group(value, (*parts, key))
                if not child:
                    continue
                if key in node:
                    raise saving_lib.FileFormatError(
                        f"'{where}/{key}' in {self.source} is both a weight and an object."
                    )
                node[key] = child
                continue
            node[key] = None
            self.pending.append((node, key, value))
            meta_key = "/" + where
            if meta_key not in self.metadata and len(group.attrs):
                self.metadata[meta_key] = {k: _attr_value(v) for k, v in group.attrs.items()}
        return node


# ---------------------------------------------------------------------------- the editor


class KerasFileEditor:
    """Inspect and edit the weights of a saved file without building its model.

    Useful to adapt an old weights file after changing a model's architecture: rename,
    delete or add layers' weights, check the file against the new model with `compare`,
    then write the result with `save`.

    Opening the file prints its name (and, for a ``.keras`` archive, the Keras version and
    date it records). Object names are their paths in the weights layout, such as
    ``"layers/dense_2"``; a method that takes an ``object_name`` also accepts the last part
    alone (``"dense_2"``) or the layer name stored in the file, when that picks exactly one
    object.

    Args:
        filepath: a ``.keras`` archive (zip or directory), a ``.weights.h5`` file, or the
            ``.weights.json`` index of sharded weights.

    Attributes:
        filepath: the file opened.
        weights_dict: the weights tree: nested dicts of NumPy arrays.
        object_metadata: the attributes stored with each object's weights (its ``name``),
            keyed by the object's path with a leading ``/``.
        config: the model config of a ``.keras`` archive as a plain dict (never
            deserialized), else None.
        metadata: the ``metadata.json`` dict of a ``.keras`` archive, else None.

    Example:

    ```python
    editor = KerasFileEditor("old.weights.h5")
    editor.summary()
    editor.delete_object("layers/dense_2")
    editor.add_object("layers/einsum_dense", weights={"0": kernel, "1": bias})
    editor.compare(new_model)
    editor.save("adapted.weights.h5")
    ```
    """

    def __init__(self, filepath: Any) -> None:
        filepath = _filepath(filepath)
        self.filepath = filepath
        self.metadata: dict | None = None
        self.config: dict | None = None
        h5, budget = self._open(filepath)
        try:
            reader = _Reader(h5, budget, filepath)
        finally:
            h5.close()
        self.weights_dict: dict = reader.tree
        self.object_metadata: dict = reader.metadata
        print(f"Keras model file '{filepath}'")
        if isinstance(self.metadata, dict):
            version = self.metadata.get("keras_version")
            date = self.metadata.get("date_saved")
            if version is not None or date is not None:
                print(f"Saved with Keras {version} - date: {date}")

    def _open(self, filepath: str) -> tuple:
        import h5py

        if filepath.endswith(".keras"):
            if not os.path.exists(filepath):
                raise FileNotFoundError(f"No such file: filepath={filepath}")
            archive = saving_lib._Archive(filepath)
            try:
                config = saving_lib.parse_json(
                    archive.read(saving_lib.CONFIG, saving_lib.MAX_JSON_BYTES),
                    f"'{saving_lib.CONFIG}' in {filepath}",
                )
                if archive.size(saving_lib.METADATA) is not None:
                    self.metadata = saving_lib.parse_json(
                        archive.read(saving_lib.METADATA, 2**20),
                        f"'{saving_lib.METADATA}' in {filepath}",
                    )
                limit = saving_lib._max_weights_bytes(filepath) if archive.zf else 2**40
                data = archive.read(saving_lib.WEIGHTS, max(limit, 1))
            finally:
                archive.close()
            self.config = config
            return saving_lib._open_h5(data, f"'{saving_lib.WEIGHTS}' in {filepath}"), len(data)
        if filepath.endswith(".weights.h5"):
            if not os.path.isfile(filepath):
                raise FileNotFoundError(f"No such weights file: filepath={filepath}")
            try:
                h5 = h5py.File(filepath, "r")
            except OSError as e:
                raise saving_lib.FileFormatError(
                    f"{filepath} is not a valid HDF5 weights file (corrupt or truncated): {e}"
                ) from None
            return h5, os.path.getsize(filepath)
        if filepath.endswith(".weights.json"):
            from kerasx.saving import sharding

            return sharding.merge_shards(filepath), float("inf")
        raise ValueError(
            "Invalid filename: expected a `.keras`, `.weights.h5` or `.weights.json` "
            f"extension. Received: filepath={filepath}"
        )

    # ------------------------------------------------------------------ lookup

    def _objects(self) -> list:
        out: list = []

        def walk(node: dict, parts: tuple) -> None:
            for key, value in node.items():
                if isinstance(value, dict):
                    out.append((*parts, key))
                    walk(value, (*parts, key))

        walk(self.weights_dict, ())
        return out

    def _available(self) -> str:
        paths = ["/".join(p) for p in self._objects()]
        if len(paths) > _MAX_LISTED:
            shown = paths[:_MAX_LISTED]
            return f"{shown} (and {len(paths) - _MAX_LISTED} more; see `summary()`)"
        return str(paths)

    def _node(self, parts: tuple) -> Any:
        node: Any = self.weights_dict
        for part in parts:
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
        return node

    def _find(self, object_name: Any, argument: str = "object_name") -> tuple:
        if not isinstance(object_name, str):
            raise TypeError(
                f"Received an invalid value for `{argument}`, expected a string (an object "
                f"name or path such as 'layers/dense'). Received: {argument}={object_name!r}"
            )
        name = object_name.strip("/")
        if "/" in name:
            parts = tuple(name.split("/"))
            if isinstance(self._node(parts), dict):
                return parts
            raise ValueError(
                f"Object '{name}' was not found in the file. Received: "
                f"{argument}={object_name!r}. Available objects: {self._available()}"
            )
        objects = self._objects()
        matches = [p for p in objects if p[-1] == name]
        if not matches:
            matches = [
                p
                for p in objects
                if self.object_metadata.get("/" + "/".join(p), {}).get("name") == name
            ]
        if len(matches) == 1:
            return matches[0]
        if matches:
            raise ValueError(
                f"The name '{name}' matches more than one object in the file: "
                f"{['/'.join(p) for p in matches]}. Pass the full path instead. Received: "
                f"{argument}={object_name!r}"
            )
        raise ValueError(
            f"Object '{name}' was not found in the file. Received: {argument}={object_name!r}. "
            f"Available objects: {self._available()}"
        )

    def _move_metadata(self, old: tuple, new: tuple | None) -> None:
        old_key = "/" + "/".join(old)
        moved = {}
        for key in list(self.object_metadata):
            if key == old_key or key.startswith(old_key + "/"):
                value = self.object_metadata.pop(key)
                if new is not None:
                    moved["/" + "/".join(new) + key[len(old_key) :]] = value
        self.object_metadata.update(moved)

    @staticmethod
    def _weights(weights: Any, where: str, allow_objects: bool) -> dict:
        if not isinstance(weights, dict):
            raise ValueError(
                "Argument `weights` should be a dict where keys are weight names (usually "
                "'0', '1', etc.) and values are NumPy arrays. Received: "
                f"type(weights)={type(weights)}"
            )
        out = {}
        for key, value in weights.items():
            if not isinstance(key, str) or not key or "/" in key or key in (".", ".."):
                raise ValueError(
                    f"Invalid weight name {key!r} for '{where}': expected a non-empty string "
                    "without '/' (such as '0')."
                )
            if isinstance(value, dict) and allow_objects:
                out[key] = KerasFileEditor._weights(value, f"{where}/{key}", True)
                continue
            try:
                array = np.asarray(value)
            except Exception as e:  # noqa: BLE001 - reported as a bad value
                raise TypeError(
                    f"The weight '{key}' for '{where}' is not an array: {e}. Received: "
                    f"{type(value)}"
                ) from None
            if array.dtype.kind not in "biuf" or array.dtype.names is not None:
                raise TypeError(
                    f"The weight '{key}' for '{where}' must be a numeric array (bool, int or "
                    f"float). Received: a value of dtype {array.dtype}: {value!r:.80}"
                )
            out[key] = array
        return out

    # ------------------------------------------------------------------ edits

    def rename_object(self, object_name: str, new_name: str) -> None:
        """Rename an object (its last path part), keeping its place and its contents.

        Args:
            object_name: the object's path (``"layers/dense_2"``) or name (``"dense_2"``).
            new_name: the new last part of its path, without any ``/``.
        """
        parts = self._find(object_name)
        if not isinstance(new_name, str) or not new_name:
            raise TypeError(
                "Received an invalid value for `new_name`, expected a non-empty string. "
                f"Received: new_name={new_name!r}"
            )
        if "/" in new_name:
            raise ValueError(
                "Argument `new_name` should be a leaf name, not a full path name. Received: "
                f"new_name={new_name!r}"
            )
        parent = self._node(parts[:-1])
        if new_name == parts[-1]:
            return
        if new_name in parent:
            raise ValueError(
                f"Cannot rename '{'/'.join(parts)}' to '{new_name}': "
                f"'{'/'.join((*parts[:-1], new_name))}' already exists in the file. Delete it "
                "first (`delete_object`) to replace it."
            )
        items = [(new_name if k == parts[-1] else k, v) for k, v in parent.items()]
        parent.clear()
        parent.update(items)
        self._move_metadata(parts, (*parts[:-1], new_name))

    def delete_object(self, object_name: str) -> None:
        """Remove an object (a layer, the optimizer, ...) and everything it holds.

        Args:
            object_name: the object's path (``"layers/dense_2"``) or name (``"dense_2"``).
        """
        parts = self._find(object_name)
        del self._node(parts[:-1])[parts[-1]]
        self._move_metadata(parts, None)

    def add_object(self, object_path: str, weights: dict) -> None:
        """Add a new object with its weights.

        Args:
            object_path: the full path of the new object (``"layers/dense_2"``); everything
                before its last part must already exist (a single name adds a top-level
                object).
            weights: the weights by name, e.g. ``{"0": kernel, "1": bias}`` (NumPy arrays or
                array-likes; nested dicts add sub-objects).
        """
        if not isinstance(object_path, str) or not object_path.strip("/"):
            raise TypeError(
                "Received an invalid value for `object_path`, expected a path string such as "
                f"'layers/dense_2'. Received: object_path={object_path!r}"
            )
        parts = tuple(object_path.strip("/").split("/"))
        if any(p in ("", ".", "..") for p in parts):
            raise ValueError(f"Invalid object path. Received: object_path={object_path!r}")
        parent = self._node(parts[:-1])
        if not isinstance(parent, dict):
            raise ValueError(
                f"Cannot add '{'/'.join(parts)}': its parent '{'/'.join(parts[:-1])}' was not "
                f"found in the file. Received: object_path={object_path!r}. Available objects: "
                f"{self._available()}"
            )
        if parts[-1] in parent:
            raise ValueError(
                f"'{'/'.join(parts)}' already exists in the file. Received: "
                f"object_path={object_path!r}. Delete it first (`delete_object`) to replace "
                "it, or add weights to it with `add_weights`."
            )
        parent[parts[-1]] = self._weights(weights, "/".join(parts), allow_objects=True)

    def delete_weight(self, object_name: str, weight_name: str) -> None:
        """Remove one weight from an object.

        Args:
            object_name: the object's path (``"layers/dense_2"``) or name (``"dense_2"``).
            weight_name: the weight's name in the file (``"0"``, ``"1"``, ...).
        """
        parts = self._find(object_name)
        node = self._node(parts)
        found = [k for k, v in node.items() if not isinstance(v, dict)]
        if not isinstance(weight_name, str) or weight_name not in found:
            raise ValueError(
                f"Weight {weight_name!r} was not found in object '{'/'.join(parts)}'. "
                f"Received: weight_name={weight_name!r}. Weights found: {found}"
            )
        del node[weight_name]

    def add_weights(self, object_name: str, weights: dict) -> None:
        """Add new weights to an existing object.

        Args:
            object_name: the object's path (``"layers/dense_2"``) or name (``"dense_2"``).
            weights: the new weights by name, e.g. ``{"2": moving_mean}``; names must not
                exist in the object yet (delete a weight first to replace it).
        """
        parts = self._find(object_name)
        node = self._node(parts)
        checked = self._weights(weights, "/".join(parts), allow_objects=False)
        taken = [k for k in checked if k in node]
        if taken:
            raise ValueError(
                f"Object '{'/'.join(parts)}' already has weight(s) {taken}. Received: "
                f"weights with names {list(checked)}. Delete them first (`delete_weight`) to "
                "replace them."
            )
        node.update(checked)

    # ------------------------------------------------------------------ display

    def summary(self) -> None:
        """Print the tree of objects and weights in the file, with shapes and dtypes."""
        lines = ["Weights structure"]
        _tree(self.weights_dict, "  ", True, lines)
        print("\n".join(lines))

    def compare(self, reference_model: Any) -> dict:
        """Check the file against a model: missing, extra and mis-shaped weights.

        Prints each mismatch, then a verdict.

        Args:
            reference_model: a built kerasx model (or layer) to compare the file with.

        Returns:
            A dict: ``status`` (``"success"`` or ``"error"``), ``error_count`` (the number of
            mismatches printed) and ``match_count`` (the number of weights present in both
            with the same shape).
        """
        from kerasx.layers.layer import Layer

        if not isinstance(reference_model, Layer):
            raise ValueError(
                "Expected `reference_model` to be a kerasx Model or Layer. Received: "
                f"reference_model={reference_model!r} of type {type(reference_model)}"
            )
        print("Running comparison")
        reference = _reference_tree(reference_model)
        report: list = []
        matches = _compare(reference, self.weights_dict, "", report)
        for line in report:
            print(line)
        errors = sum(1 for line in report if line.startswith("..."))
        print(_SEPARATOR)
        if errors:
            plural = "error" if errors == 1 else "errors"
            print(f"Found {errors} {plural}: saved file is not compatible with the reference model")
            return {"status": "error", "error_count": errors, "match_count": matches}
        print("Comparison successful: saved file is compatible with the reference model")
        print(f"    Found {matches} matching weights")
        return {"status": "success", "error_count": 0, "match_count": matches}

    # ------------------------------------------------------------------ saving

    def save(self, filepath: Any) -> None:
        """Write the (edited) weights to a ``.weights.h5`` file, crash-safely.

        The file is written to a temporary file beside `filepath` and renamed into place,
        so a failed save leaves any existing file (even the one opened) untouched.

        Args:
            filepath: the destination, ending in ``.weights.h5``.
        """
        filepath = _filepath(filepath)
        if not filepath.endswith(".weights.h5"):
            raise ValueError(
                "Invalid `filepath` argument: expected a `.weights.h5` extension. Received: "
                f"filepath={filepath}"
            )
        import h5py

        buf = io.BytesIO()
        with h5py.File(buf, "w") as f:
            _write(f, self.weights_dict, (), self.object_metadata)
        saving_lib.atomic_write_bytes(filepath, buf.getvalue())

    def resave_weights(self, filepath: Any) -> None:
        """Same as `save`: write the weights to a ``.weights.h5`` file.

        Args:
            filepath: the destination, ending in ``.weights.h5``.
        """
        self.save(filepath)


# ---------------------------------------------------------------------------- helpers


def _tree(node: dict, prefix: str, top: bool, lines: list) -> None:
    items = list(node.items())
    for i, (key, value) in enumerate(items):
        last = i == len(items) - 1
        connector = "> " if top and i == 0 else ("└─ " if last else "├─ ")
        if isinstance(value, dict):
            lines.append(f"{prefix}{connector}{key}")
            _tree(value, prefix + ("    " if last else "│   "), False, lines)
        else:
            array = np.asarray(value)
            lines.append(f"{prefix}{connector}{key}: shape={array.shape}, dtype={array.dtype}")


def _write(h5file: Any, node: dict, parts: tuple, metadata: dict) -> None:
    arrays = [(k, v) for k, v in node.items() if not isinstance(v, dict)]
    if arrays:
        path = parts if parts and parts[-1] == "vars" else (*parts, "vars")
        group = h5file.require_group("/".join(path))
        for name, value in metadata.get("/" + "/".join(parts), {}).items():
            if isinstance(value, (str, int, float)):
                group.attrs[name] = value
        for key, value in arrays:
            group.create_dataset(key, data=np.asarray(value))
    for key, value in node.items():
        if isinstance(value, dict):
            _write(h5file, value, (*parts, key), metadata)


def _reference_tree(model: Any) -> dict:
    """The model's weights as the editor would read them from a file it saved (shapes only)."""
    tree: dict = {}
    for entry in weights_io.collect(model):
        if entry.custom_io:
            store = weights_io._DictStore()
            entry.obj.save_own_variables(store)
            values = {k: tuple(np.shape(v)) for k, v in store.items()}
        else:
            values = {str(i): tuple(v.shape) for i, v in enumerate(entry.variables)}
        if not values:
            continue
        parts = tuple(entry.path.split("/")) if entry.path else ("vars",)
        node = tree
        for part in parts:
            node = node.setdefault(part, {})
        node.update(values)
    return tree


def _describe(value: Any) -> str:
    return "an object" if isinstance(value, dict) else "a weight"


def _compare(reference: dict, saved: dict, path: str, report: list) -> int:
    matches = 0
    for key, ref in reference.items():
        where = f"{path}/{key}"
        if key not in saved:
            if isinstance(ref, dict):
                report.append(
                    f"...Object {where} present in reference model, missing from saved file"
                )
                report.append(
                    f"    In reference model, {where} contains the following keys: {list(ref)}"
                )
            else:
                report.append(
                    f"...Weight {where} present in reference model, missing from saved file"
                )
            continue
        value = saved[key]
        if isinstance(ref, dict) and isinstance(value, dict):
            matches += _compare(ref, value, where, report)
        elif not isinstance(ref, dict) and not isinstance(value, dict):
            shape = tuple(np.shape(value))
            if shape == tuple(ref):
                matches += 1
            else:
                report.append(f"...Weight shape mismatch for {where}")
                report.append(f"    In reference model: shape={tuple(ref)}")
                report.append(f"    In saved file: shape={shape}")
        else:
            report.append(f"...Kind mismatch for {where}")
            report.append(f"    In reference model: {_describe(ref)}")
            report.append(f"    In saved file: {_describe(value)}")
    for key, value in saved.items():
        if key in reference:
            continue
        where = f"{path}/{key}"
        if isinstance(value, dict):
            report.append(f"...Object {where} present in saved file, missing from reference model")
            report.append(f"    In saved file, {where} contains the following keys: {list(value)}")
        else:
            report.append(f"...Weight {where} present in saved file, missing from reference model")
    return matches
