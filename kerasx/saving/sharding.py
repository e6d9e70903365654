"""Sharded weights: a ``.weights.json`` index and numbered ``.weights.h5`` shards (Keras 3).

``model.save_weights("m.weights.json", max_shard_size=2)`` writes the weights in Keras's HDF5
layout (see `weights_io`), split over files ``m_00000.weights.h5``, ``m_00001.weights.h5``,
... of at most `max_shard_size` GB (1 GB = 2**30 bytes) of array data each, plus the index
``m.weights.json``::

    {"metadata": {"total_size": 2095328.0},
     "weight_map": {"/layers/dense/vars": ["m_00000.weights.h5"],
                    "/optimizer/vars": ["m_00000.weights.h5", "m_00001.weights.h5"]}}

Datasets are placed in the model's variable order; a dataset goes to the current shard unless
it would push that shard past the limit, in which case a new shard starts. ``weight_map``
lists, for each ``vars`` group that holds data, the shards it is spread over (the root
model's own ``/vars`` entry is a plain string when it sits in one shard, as Keras writes it).

Writing is crash-safe: every shard and the index are first written to temporary files and
only then renamed into place, shards first and the index last. kerasx also stamps the index
and every shard with the same save id, so that a set mixing shards of two saves (a crash
during the renames) is refused at load time instead of silently loading mixed weights.

Loading reads the index (JSON only, with size and nesting limits), opens only shards named as
plain file names beside the index, checks every dataset (no links, no external or virtual
data, numeric dtypes, declared sizes within the bytes stored on disk) and then loads through
the same all-or-nothing path as a single ``.weights.h5`` file.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import numbers
import os
import re
import uuid
import warnings
from typing import Any

import numpy as np

from kerasx.saving import saving_lib, weights_io

INDEX_SUFFIX = ".weights.json"
SHARD_SUFFIX = ".weights.h5"
GB = 1024**3
SAVE_ID_KEY = "kerasx_save_id"
MAX_INDEX_BYTES = 64 * 2**20


def format_size(nbytes: float) -> str:
    """A byte count in 1024-based units, as Keras prints it (``"11.72 KB"``)."""
    value = float(nbytes)
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if value < 1024 or unit == "TB":
            return f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} TB"  # pragma: no cover - the loop always returns


def max_shard_bytes(max_shard_size: Any) -> float:
    """Validate `max_shard_size` (in GB) and return it in bytes.

    Args:
        max_shard_size: a positive int or float, the largest shard size in GB (2**30 bytes).

    Returns:
        The limit in bytes.
    """
    if isinstance(max_shard_size, bool) or not isinstance(max_shard_size, numbers.Real):
        raise TypeError(
            "Received an invalid value for `max_shard_size`, expected a positive int or float "
            f"(the largest shard size in GB). Received: max_shard_size={max_shard_size!r}"
        )
    if not math.isfinite(float(max_shard_size)) or max_shard_size <= 0:
        raise ValueError(
            "Received an invalid value for `max_shard_size`, expected a positive number (the "
            f"largest shard size in GB). Received: max_shard_size={max_shard_size!r}"
        )
    return float(max_shard_size) * GB


def index_path_for(filepath: str) -> str:
    """The index path for a sharded save of `filepath` (Keras's suffix rules).

    A ``.weights.h5`` name is changed to ``.weights.json`` with a warning; any other name
    that does not end in ``.weights.json`` raises a ValueError.
    """
    if filepath.endswith(INDEX_SUFFIX):
        return filepath
    if filepath.endswith(SHARD_SUFFIX):
        new = filepath[: -len(SHARD_SUFFIX)] + INDEX_SUFFIX
        warnings.warn(
            "Saving sharded weights requires `*.json` as the extension. The original path: "
            f"{filepath} will be renamed to {new}.",
            stacklevel=4,
        )
        return new
    raise ValueError(
        "The filename must end in `.weights.json` when `max_shard_size` is specified. "
        f"Received: filepath={filepath}"
    )


def shard_name(index_path: str, i: int) -> str:
    """The file name (no directory) of shard `i` for `index_path`."""
    base = os.path.basename(index_path)[: -len(INDEX_SUFFIX)]
    return f"{base}_{i:05d}{SHARD_SUFFIX}"


# ---------------------------------------------------------------------------- writing


class _Recorder:
    """Stands in for an `h5py.File` given to `weights_io.write`: records groups and data."""

    def __init__(self) -> None:
        self.events: list = []  # ("group", path, attrs) and ("data", path, key, array)

    def require_group(self, path: str) -> _RecordedGroup:
        attrs: dict = {}
        self.events.append(("group", path, attrs))
        return _RecordedGroup(self, path, attrs)


class _RecordedGroup:
    def __init__(self, recorder: _Recorder, path: str, attrs: dict) -> None:
        self._recorder = recorder
        self.path = path
        self.attrs = attrs

    def create_dataset(self, key: str, data: Any) -> None:
        self._recorder.events.append(("data", self.path, str(key), np.asarray(data)))


def _split(events: list, limit: float) -> tuple[list, dict, float]:
    """Assign recorded groups and datasets to shards (Keras's greedy rule).

    Returns:
        ``(shards, weight_map, total)``: each shard a list of ``("group", path, attrs)`` /
        ``("data", path, key, array)`` items; ``weight_map`` maps a group path to the shard
        numbers holding its data; ``total`` the bytes of data.
    """
    shards: list = [[]]
    size = 0
    total = 0
    weight_map: dict = {}
    placed: set = set()  # (shard, group path) already created in that shard
    for event in events:
        if event[0] == "group":
            shards[-1].append(event)
            placed.add((len(shards) - 1, event[1]))
            continue
        _, path, key, array = event
        nbytes = int(array.nbytes)
        if nbytes > limit:
            raise ValueError(
                f"The size of {key} is {format_size(nbytes)} which exceeds the maximum shard "
                f"size {format_size(limit)}. You can increase the `max_shard_size` parameter "
                "to accommodate the size."
            )
        if size + nbytes > limit:
            shards.append([])
            size = 0
        n = len(shards) - 1
        if (n, path) not in placed:
            shards[-1].append(("group", path, {}))
            placed.add((n, path))
        shards[-1].append(event)
        size += nbytes
        total += nbytes
        where = weight_map.setdefault(path, [])
        if n not in where:
            where.append(n)
    return shards, weight_map, total


def _shard_bytes(items: list, save_id: str) -> bytes:
    import h5py

    buf = io.BytesIO()
    with h5py.File(buf, "w") as f:
        f.attrs[SAVE_ID_KEY] = save_id
        for item in items:
            if item[0] == "group":
                group = f.require_group(item[1])
                for name, value in item[2].items():
                    group.attrs[name] = value
            else:
                _, path, key, array = item
                f.require_group(path).create_dataset(key, data=array)
    return buf.getvalue()


def _previous_shards(index_path: str) -> set:
    """Shard names listed by an existing index (to remove the ones a new save leaves out)."""
    try:
        with open(index_path, "rb") as f:
            data = f.read(MAX_INDEX_BYTES + 1)
        names = _shard_names(saving_lib.parse_json(data, index_path), index_path)
    except (OSError, ValueError):
        return set()
    return set(names)


def save_sharded(model: Any, filepath: str, max_shard_size: Any) -> str:
    """Write `model`'s weights (and optimizer state) as an index plus shards, crash-safely.

    Everything is built in memory first; then every file goes to a temporary file beside its
    target, and the temporary files are renamed into place (shards first, index last), so an
    error (a weight larger than a shard, a full disk) leaves any previous save untouched.
    Shards of a previous save under the same name that the new index no longer lists are
    removed afterwards.

    Args:
        model: the model.
        filepath: the index path (``.weights.json``; a ``.weights.h5`` name is changed, with
            a warning).
        max_shard_size: the largest shard size in GB.

    Returns:
        The index path written.
    """
    limit = max_shard_bytes(max_shard_size)
    index_path = index_path_for(filepath)
    recorder = _Recorder()
    weights_io.write(model, recorder)
    shards, groups, total = _split(recorder.events, limit)
    save_id = uuid.uuid4().hex
    names = [shard_name(index_path, i) for i in range(len(shards))]
    weight_map: dict = {}
    for path, where in groups.items():
        files = [names[i] for i in where]
        key = "/" + path
        weight_map[key] = files[0] if key == "/vars" and len(files) == 1 else files
    index = {
        "metadata": {"total_size": float(total), SAVE_ID_KEY: save_id},
        "weight_map": weight_map,
    }
    payloads = [_shard_bytes(items, save_id) for items in shards]
    index_bytes = json.dumps(index, indent=4).encode("utf-8")
    directory = os.path.dirname(index_path)
    old = _previous_shards(index_path) if os.path.exists(index_path) else set()
    with contextlib.ExitStack() as stack:
        # Exit callbacks run last-in first-out: the index (entered first) is renamed last.
        tmp = stack.enter_context(saving_lib.atomic_write_path(index_path))
        with open(tmp, "wb") as f:
            f.write(index_bytes)
        for name, payload in zip(names, payloads):
            tmp = stack.enter_context(saving_lib.atomic_write_path(os.path.join(directory, name)))
            with open(tmp, "wb") as f:
                f.write(payload)
    pattern = re.compile(
        re.escape(os.path.basename(index_path)[: -len(INDEX_SUFFIX)]) + r"_\d{5}\.weights\.h5"
    )
    for stale in old - set(names):
        if pattern.fullmatch(stale):
            with contextlib.suppress(OSError):
                os.remove(os.path.join(directory, stale))
    return index_path


# ---------------------------------------------------------------------------- reading


def _shard_names(index: Any, index_path: str) -> list:
    if not isinstance(index, dict) or not isinstance(index.get("weight_map"), dict):
        raise saving_lib.FileFormatError(
            f"{index_path} is not a sharded-weights index: expected a JSON object with a "
            "'weight_map' object mapping group paths to shard file names."
        )
    names: list = []
    for key, files in index["weight_map"].items():
        listed = [files] if isinstance(files, str) else files
        if not isinstance(listed, list) or not all(isinstance(n, str) for n in listed):
            raise saving_lib.FileFormatError(
                f"Invalid entry for '{key}' in the weight_map of {index_path}: expected a shard "
                f"file name or a list of them. Received: {files!r}"
            )
        for name in listed:
            if (
                name in ("", ".", "..")
                or "/" in name
                or "\\" in name
                or os.path.basename(name) != name
                or "\x00" in name
            ):
                raise saving_lib.FileFormatError(
                    f"Refusing shard file name {name!r} in {index_path}: shards must be plain "
                    "file names in the index's own directory."
                )
            if name not in names:
                names.append(name)
    return names


def read_index(index_path: str) -> dict:
    """Parse and check a ``.weights.json`` index (JSON only, size and nesting limited)."""
    try:
        size = os.path.getsize(index_path)
    except OSError:
        raise FileNotFoundError(f"No such weights index file: filepath={index_path}") from None
    if size > MAX_INDEX_BYTES:
        raise saving_lib.FileFormatError(
            f"The weights index {index_path} is {size} bytes, more than the limit of "
            f"{MAX_INDEX_BYTES} bytes."
        )
    with open(index_path, "rb") as f:
        index = saving_lib.parse_json(
            f.read(MAX_INDEX_BYTES + 1), f"The weights index {index_path}"
        )
    _shard_names(index, index_path)
    return index


class _MergeState:
    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.seen: set = set()


def _copy_tree(h5py: Any, src: Any, dst: Any, where: str, shard: str, state: _MergeState) -> list:
    """Check `src` recursively and list the datasets to copy; copy group attributes."""
    todo = []
    for key in src.keys():
        link = src.get(key, getlink=True)
        path = f"{where}/{key}" if where else key
        if not isinstance(link, h5py.HardLink):
            raise saving_lib.FileFormatError(
                f"Refusing to follow '{path}' in the shard {shard}: it is a "
                f"{type(link).__name__}, which a weights file must not contain."
            )
        obj = src[key]
        if isinstance(obj, h5py.Group):
            group = dst.require_group(key)
            for name, value in obj.attrs.items():
                if name not in group.attrs and isinstance(value, (str, bytes)):
                    group.attrs[name] = value
            todo.extend(_copy_tree(h5py, obj, group, path, shard, state))
            continue
        ds = weights_io._dataset(h5py, src, key, where or "/")
        if path in state.seen:
            raise saving_lib.FileFormatError(
                f"The dataset '{path}' appears in more than one shard (again in {shard})."
            )
        state.seen.add(path)
        state.budget -= int(np.prod(ds.shape, dtype=object)) * ds.dtype.itemsize
        if state.budget < 0:
            raise saving_lib.FileFormatError(
                f"The shards of this index declare more array data than they store on disk "
                f"(at '{path}' in {shard}); they are corrupt or malicious."
            )
        todo.append((dst, key, ds))
    return todo


def merge_shards(index_path: str) -> Any:
    """Read an index and its shards into one in-memory `h5py.File` in Keras's layout.

    Every shard is checked before any array data is read. The caller closes the result.

    Args:
        index_path: the ``.weights.json`` file.

    Returns:
        An `h5py.File` (in memory) holding all groups and datasets of the shards.
    """
    import h5py

    index = read_index(index_path)
    names = _shard_names(index, index_path)
    directory = os.path.dirname(os.path.abspath(index_path))
    metadata = index.get("metadata")
    save_id = metadata.get(SAVE_ID_KEY) if isinstance(metadata, dict) else None
    paths = [os.path.join(directory, name) for name in names]
    for name, path in zip(names, paths):
        if not os.path.isfile(path):
            raise FileNotFoundError(
                f"The shard '{name}' listed in {index_path} was not found (expected at {path})."
            )
    state = _MergeState(sum(os.path.getsize(p) for p in paths))
    merged = h5py.File(io.BytesIO(), "w")
    opened = []
    try:
        todo = []
        for path in paths:
            try:
                shard = h5py.File(path, "r")
            except OSError as e:
                raise saving_lib.FileFormatError(
                    f"The shard {path} is not a valid HDF5 file (corrupt or truncated): {e}"
                ) from None
            opened.append(shard)
            if save_id is not None:
                found = shard.attrs.get(SAVE_ID_KEY)
                if isinstance(found, bytes):
                    found = found.decode("utf-8", "replace")
                if found != save_id:
                    raise saving_lib.FileFormatError(
                        f"The shard {path} does not belong to the save recorded in "
                        f"{index_path} (its save id is {found!r}, the index's is {save_id!r}): "
                        "the shards come from different saves, e.g. a save interrupted while "
                        "its files were being renamed. Save the weights again."
                    )
            todo.extend(_copy_tree(h5py, shard, merged, "", path, state))
        for group, key, ds in todo:
            group.create_dataset(key, data=np.asarray(ds[()]))
    except BaseException:
        merged.close()
        raise
    finally:
        for shard in opened:
            shard.close()
    return merged


def load_sharded(model: Any, index_path: str, skip_mismatch: bool = False) -> None:
    """Load sharded weights into `model` (all or nothing, like a single weights file).

    Args:
        model: the model.
        index_path: the ``.weights.json`` index.
        skip_mismatch: warn and skip mismatched layers instead of raising.
    """
    merged = merge_shards(index_path)
    try:
        saving_lib.load_into(model, merged, source=index_path, skip_mismatch=skip_mismatch)
    finally:
        merged.close()
