"""Weights in Keras 3's HDF5 layout: ``layers/<key>/vars/0``, ``optimizer/vars/3``, ...

Each object that owns variables (a layer, a model, an optimizer, a metric held by a model)
gets a group ``<path>/vars`` whose datasets ``0``, ``1``, ... hold its own variables in
creation order, and whose ``name`` attribute is the object's name. Paths follow Keras:

- a functional or Sequential model's layers sit under ``layers/<key>``, where ``<key>`` is
  the snake-cased class name, made unique with ``_1``, ``_2`` (``dense``, ``dense_1``);
- a layer or subclassed model's sub-layers sit under their attribute name; layers inside a
  list or dict attribute get class-based keys below it (``heads/dense_1``);
- the compiled optimizer sits under ``optimizer``.

Loading validates everything (group present, variable count, shapes, numeric dtypes, no
links to other files) before reading any data, and reads everything before assigning, so a
bad file leaves the model untouched.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np

_SKIP_ATTRS = {"optimizer", "history", "_inbound_nodes", "loss"}


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z])([A-Z])", r"\1_\2", name).lower()


class Entry:
    """One object that owns variables, with its path in the file."""

    def __init__(self, path: str, obj: Any, variables: list, kind: str) -> None:
        self.path = path
        self.obj = obj
        self.variables = variables
        self.kind = kind  # "layer", "optimizer" or "metric"

    @property
    def group(self) -> str:
        return f"{self.path}/vars" if self.path else "vars"

    @property
    def custom_io(self) -> bool:
        """Whether the object reads and writes its own state (`save_own_variables`)."""
        from kerasx.layers.layer import Layer

        return (
            self.kind == "layer"
            and isinstance(self.obj, Layer)
            and callable(getattr(self.obj, "save_own_variables", None))
            and callable(getattr(self.obj, "load_own_variables", None))
        )


def collect(model: Any, include_optimizer: bool = True) -> list[Entry]:
    """Every variable-owning object of `model` with its Keras path, in a fixed order.

    Args:
        model: a kerasx `Model` (or `Layer`).
        include_optimizer: also list the compiled optimizer (path ``optimizer``).

    Returns:
        The entries (the model itself first, at path ``""``).
    """
    entries: list[Entry] = []
    visited: set = set()
    _walk(model, "", entries, visited)
    optimizer = getattr(model, "optimizer", None) if include_optimizer else None
    if optimizer is not None and id(optimizer) not in visited:
        visited.add(id(optimizer))
        entries.append(Entry("optimizer", optimizer, list(optimizer.variables), "optimizer"))
        # A MultiOptimizer's sub-optimizers are also written on their own, under
        # ``optimizer/optimizers/<snake-cased class>[_n]``, as Keras writes (and expects) them.
        counts: dict[str, int] = {}
        for sub in getattr(optimizer, "optimizers", None) or []:
            base = _snake(type(sub).__name__)
            n = counts.get(base, -1) + 1
            counts[base] = n
            key = base if n == 0 else f"{base}_{n}"
            entries.append(
                Entry(f"optimizer/optimizers/{key}", sub, list(sub.variables), "optimizer")
            )
    return entries


def _own_variables(layer: Any) -> list:
    tv, ntv = layer._own_variables()
    return list(tv) + list(ntv)


def _walk(obj: Any, path: str, entries: list, visited: set) -> None:
    from kerasx.layers.layer import Layer
    from kerasx.metrics import Metric

    if id(obj) in visited:
        return
    visited.add(id(obj))
    if isinstance(obj, Metric):
        entries.append(Entry(path, obj, list(obj.variables), "metric"))
        return
    if not isinstance(obj, Layer):
        return
    entries.append(Entry(path, obj, _own_variables(obj), "layer"))
    for key, child in _children(obj):
        sub = f"{path}/{key}" if path else key
        if isinstance(child, list):
            counts: dict[str, int] = {}
            for item in child:
                if id(item) in visited:
                    continue
                # A class exported under another name than Keras's own class (e.g.
                # GroupQueryAttention, whose Keras class is GroupedQueryAttention) says so.
                base = getattr(type(item), "_kx_weights_name", None) or _snake(type(item).__name__)
                n = counts.get(base, 0)
                counts[base] = n + 1
                _walk(item, f"{sub}/{base}" if n == 0 else f"{sub}/{base}_{n}", entries, visited)
        else:
            _walk(child, sub, entries, visited)


def _children(obj: Any) -> list:
    """(key, layer-or-list) pairs for the sub-objects of `obj` that own state."""
    from kerasx.layers.layer import Layer
    from kerasx.metrics import Metric
    from kerasx.models.functional import Functional
    from kerasx.models.sequential import Sequential

    if type(obj) in (Functional, Sequential):
        return [("layers", list(obj.layers))]
    out = []
    for key, value in vars(obj).items():
        if key.startswith("_kx_") or key in _SKIP_ATTRS:
            continue
        if isinstance(value, (Layer, Metric)):
            out.append((key, value))
        elif isinstance(value, (list, tuple)):
            items = [v for v in value if isinstance(v, (Layer, Metric))]
            if items:
                out.append((key, items))
        elif isinstance(value, dict):
            items = [v for v in value.values() if isinstance(v, (Layer, Metric))]
            if items:
                out.append((key, items))
    return out


# ---------------------------------------------------------------------------- writing


def write(model: Any, h5file: Any) -> None:
    """Write the model's weights (and optimizer state) into an open `h5py.File`.

    Args:
        model: the model.
        h5file: an `h5py.File` open for writing.
    """
    for entry in collect(model):
        group = h5file.require_group(entry.group)
        group.attrs["name"] = getattr(entry.obj, "name", "")
        if entry.custom_io:
            store = _DictStore()
            entry.obj.save_own_variables(store)
            for key, value in store.items():
                group.create_dataset(key, data=np.asarray(value))
            continue
        for i, var in enumerate(entry.variables):
            group.create_dataset(str(i), data=np.asarray(var.numpy()))


class _DictStore(dict):
    """A plain dict passed to a layer's own `save_own_variables` / `load_own_variables`."""


# ---------------------------------------------------------------------------- reading


class WeightsError(ValueError):
    """A weights file does not match the model it is loaded into."""


def _dataset(h5py: Any, group: Any, key: str, where: str) -> Any:
    link = group.get(key, getlink=True)
    if link is None:
        return None
    if not isinstance(link, h5py.HardLink):
        raise WeightsError(
            f"Refusing to read '{where}/{key}': it is a {type(link).__name__} (a link to "
            "other data or another file), which a weights file must not contain."
        )
    ds = group[key]
    if not isinstance(ds, h5py.Dataset):
        raise WeightsError(f"'{where}/{key}' in the weights file is a group, not a dataset.")
    if ds.is_virtual or ds.external:
        raise WeightsError(
            f"Refusing to read '{where}/{key}': its data lives outside the file (virtual or "
            "external dataset)."
        )
    if ds.dtype.kind not in "biuf" or ds.dtype.names is not None:
        raise WeightsError(
            f"'{where}/{key}' in the weights file has dtype {ds.dtype}, expected a numeric dtype."
        )
    return ds


def _numbered_keys(group: Any) -> list:
    return sorted(group.keys(), key=lambda k: (not k.isdigit(), int(k) if k.isdigit() else 0, k))


def plan_load(
    model: Any, h5file: Any, skip_mismatch: bool = False, source: str = "the file"
) -> list:
    """Check every variable of `model` against `h5file` and read the data (no assignment).

    Args:
        model: the model being loaded into.
        h5file: an open `h5py.File`.
        skip_mismatch: warn and skip mismatched layers instead of raising.
        source: how to name the file in messages.

    Returns:
        A list of ``(variable, array)`` pairs and ``(entry, store)`` pairs for objects with
        their own loading, ready to assign.

    Raises:
        WeightsError: when the file does not fit the model (nothing was changed).
    """
    import h5py

    entries = collect(model)
    checks = []
    custom = []
    for entry in entries:
        group = None
        link = h5file.get(entry.group, getlink=True)
        if link is not None:
            if not isinstance(link, h5py.HardLink):
                raise WeightsError(f"Refusing to follow the link '{entry.group}' in {source}.")
            group = h5file[entry.group]
            if not isinstance(group, h5py.Group):
                raise WeightsError(f"'{entry.group}' in {source} is not a group.")
        label = _label(entry)
        if entry.custom_io:
            store = _DictStore()
            if group is not None:
                for key in _numbered_keys(group):
                    ds = _dataset(h5py, group, key, entry.group)
                    store[key] = ds
            custom.append((entry, store))
            continue
        n = len(entry.variables)
        keys = _numbered_keys(group) if group is not None else []
        problem = None
        if n == 0:
            if keys and entry.kind == "layer":
                warnings.warn(
                    f"{label} has no variables, but {source} holds {len(keys)} for it "
                    f"('{entry.group}'); they are ignored.",
                    stacklevel=3,
                )
            continue
        if group is None:
            problem = f"{label} has {n} variables, but {source} has no '{entry.group}' group."
        elif keys != [str(i) for i in range(len(keys))] or len(keys) != n:
            problem = (
                f"{label} expected {n} variables, but {source} holds {len(keys)} in "
                f"'{entry.group}' ({keys}). Expected: "
                f"{[getattr(v, 'path', v.name) for v in entry.variables]}"
            )
        if problem is None:
            pairs = []
            for i, var in enumerate(entry.variables):
                ds = _dataset(h5py, group, str(i), entry.group)
                if tuple(ds.shape) != tuple(var.shape):
                    problem = (
                        f"Shape mismatch in {label}: variable '{getattr(var, 'path', var.name)}' "
                        f"has shape {tuple(var.shape)}, but {source} holds shape "
                        f"{tuple(ds.shape)} at '{entry.group}/{i}'."
                    )
                    break
                pairs.append((var, ds))
        if problem is not None:
            if entry.kind == "optimizer" or skip_mismatch:
                warnings.warn(f"Skipping variable loading: {problem}", stacklevel=3)
                continue
            raise WeightsError(problem)
        checks.extend(pairs)
    # Everything fits: read the data (shapes are known to match the variables).
    plan: list = []
    for var, ds in checks:
        plan.append((var, np.asarray(ds[()])))
    for entry, store in custom:
        plan.append((entry, _DictStore({k: np.asarray(ds[()]) for k, ds in store.items()})))
    return plan


def _label(entry: Entry) -> str:
    name = getattr(entry.obj, "name", "?")
    if entry.kind == "optimizer":
        return f"Optimizer '{name}'"
    what = "Model" if entry.path == "" else "Layer"
    return f"{what} '{name}' (path '{entry.path or '/'}')"


def apply_plan(plan: list) -> None:
    """Assign the arrays read by `plan_load`.

    Args:
        plan: `plan_load`'s output.
    """
    from kerasx.engine import dtypes as _dt

    for target, value in plan:
        if isinstance(target, Entry):
            target.obj.load_own_variables(value)
            continue
        dtype = _dt.standardize_dtype(target.dtype)
        target.assign(value.astype(dtype, copy=False) if str(value.dtype) != dtype else value)


def total_dataset_bytes(h5file: Any) -> int:
    """The bytes of data actually stored in `h5file` (what a loaded model may allocate)."""
    import h5py

    total = 0

    def visit(_name: str, obj: Any) -> None:
        nonlocal total
        if isinstance(obj, h5py.Dataset):
            try:
                total += int(obj.id.get_storage_size())
            except Exception:  # noqa: BLE001 - no storage info: count nothing
                pass

    h5file.visititems(visit)
    return total
