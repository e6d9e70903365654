"""Spreading a model over several devices (the keras.distribution API).

A `DeviceMesh` arranges devices in a named grid; a `TensorLayout` says which mesh axis each
dimension of a tensor is split along (None: replicated). A distribution (`DataParallel`,
`ModelParallel`) decides the layout of the data, of each variable and of chosen layer outputs.
Once set (`set_distribution`, or inside `distribution.scope()`), new variables are placed by
their layout, `fit` / `evaluate` / `predict` split each batch along the batch axis, and a
compiled step then runs on every device at once.

The placing is the engine's (its ``distribute_tensor(value, layout)`` and
``list_devices(device_type)`` members): on JAX a layout becomes a `NamedSharding` over a
`jax.sharding.Mesh`; an engine without them has one device, where every layout is trivial.
"""

from __future__ import annotations

import contextlib
import os
import re
import threading
from collections.abc import Iterator, MutableMapping
from typing import Any

import numpy as np

from kerasx.engine import dispatch

_state = threading.local()
_GLOBAL: dict = {"distribution": None}


# --------------------------------------------------------------------------- devices


def list_devices(device_type: str | None = None) -> list[str]:
    """The devices the engine can use, as ``"type:index"`` strings (``"cpu:0"``, ...).

    Args:
        device_type: ``"cpu"``, ``"gpu"`` or ``"tpu"``; None: the engine's default kind.
    """
    lister = getattr(dispatch.engine(), "list_devices", None)
    if lister is None:
        if device_type not in (None, "cpu", "CPU"):
            raise ValueError(
                f"The {dispatch.engine().name!r} engine runs on the CPU only. "
                f"Received: device_type={device_type!r}"
            )
        return ["cpu:0"]
    return list(lister(device_type))


def get_device_count(device_type: str | None = None) -> int:
    """How many devices `list_devices(device_type)` returns."""
    return len(list_devices(device_type))


def initialize(
    job_addresses: str | None = None,
    num_processes: int | None = None,
    process_id: int | None = None,
) -> None:
    """Set up a multi-process (multi-host) run; a single process needs nothing.

    The arguments default to the environment variables ``KERAS_DISTRIBUTION_JOB_ADDRESSES``
    (comma-separated; the first is the coordinator), ``KERAS_DISTRIBUTION_NUM_PROCESSES`` and
    ``KERAS_DISTRIBUTION_PROCESS_ID``, as in Keras.
    """
    if job_addresses is None:
        job_addresses = os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES")
    if num_processes is None and "KERAS_DISTRIBUTION_NUM_PROCESSES" in os.environ:
        num_processes = int(os.environ["KERAS_DISTRIBUTION_NUM_PROCESSES"])
    if process_id is None and "KERAS_DISTRIBUTION_PROCESS_ID" in os.environ:
        process_id = int(os.environ["KERAS_DISTRIBUTION_PROCESS_ID"])
    if num_processes is None or num_processes <= 1:
        return
    init = getattr(dispatch.engine(), "initialize_processes", None)
    if init is None:
        raise ValueError(
            f"The {dispatch.engine().name!r} engine runs in one process; "
            f"num_processes={num_processes} needs the JAX engine (KERASX_BACKEND=jax)."
        )
    coordinator = job_addresses.split(",")[0] if job_addresses else None
    init(coordinator, num_processes, process_id)


# --------------------------------------------------------------------------- mesh and layout


class DeviceMesh:
    """Devices arranged in a named grid.

    Args:
        shape: the grid's shape, e.g. ``(2, 4)``.
        axis_names: one name per axis, e.g. ``["batch", "model"]``.
        devices: the devices (``"cpu:0"`` strings or the engine's device objects), as many
            as the grid holds; default: `list_devices()`.
    """

    def __init__(self, shape: Any, axis_names: Any, devices: Any = None) -> None:
        if not shape or not axis_names:
            raise ValueError("Shape and axis_names cannot be empty.")
        shape, axis_names = tuple(int(s) for s in shape), [str(a) for a in axis_names]
        if len(shape) != len(axis_names):
            raise ValueError(
                "Shape and axis_names should have same size. "
                f"Received: shape={shape}, axis_names={axis_names}"
            )
        if devices is None:
            devices = list_devices()
        devices = np.array(devices)
        if int(np.prod(shape)) != devices.size:
            raise ValueError(
                "Shape does not match the number of devices. "
                f"Received: shape={shape}; devices.shape={devices.shape}"
            )
        self._shape = shape
        self._axis_names = axis_names
        self._devices = np.reshape(devices, shape)
        self._backend_mesh: Any = None

    @property
    def shape(self) -> tuple:
        return self._shape

    @property
    def axis_names(self) -> list:
        return self._axis_names

    @property
    def devices(self) -> np.ndarray:
        return self._devices

    @property
    def backend_mesh(self) -> Any:
        """The engine's mesh object (JAX: `jax.sharding.Mesh`), made on first use."""
        if self._backend_mesh is None:
            make = getattr(dispatch.engine(), "device_mesh", None)
            self._backend_mesh = make(self) if make is not None else self
        return self._backend_mesh

    def __repr__(self) -> str:
        return f"<DeviceMesh shape={self.shape}, axis_names={self.axis_names}>"


class TensorLayout:
    """How a tensor is split over a `DeviceMesh`: one mesh axis name (or None) per dimension.

    Args:
        axes: e.g. ``("batch", None)``: the first dimension split along the mesh's "batch"
            axis, the second replicated.
        device_mesh: the mesh; a `LayoutMap` sets it when the layout goes in one.
    """

    def __init__(self, axes: Any, device_mesh: DeviceMesh | None = None) -> None:
        self._axes = tuple(axes)
        self._device_mesh: DeviceMesh | None = None
        self._backend_layout: Any = None
        if device_mesh is not None:
            self.device_mesh = device_mesh

    @property
    def axes(self) -> tuple:
        return self._axes

    @property
    def device_mesh(self) -> DeviceMesh | None:
        return self._device_mesh

    @device_mesh.setter
    def device_mesh(self, device_mesh: DeviceMesh) -> None:
        if self._device_mesh is not None:
            raise ValueError(
                "Cannot override device mesh value. Existing value is " + str(self._device_mesh)
            )
        valid = set(device_mesh.axis_names)
        used = {a for a in self._axes if a is not None}
        if not used <= valid:
            raise ValueError(
                f"Invalid axis names for Layout. Valid axis names: {valid}, Got {used}"
            )
        self._device_mesh = device_mesh
        self._backend_layout = None

    @property
    def backend_layout(self) -> Any:
        """The engine's layout object (JAX: a `NamedSharding`), made on first use."""
        if self._device_mesh is None:
            raise ValueError("A TensorLayout needs a device mesh before it can place tensors.")
        if self._backend_layout is None:
            make = getattr(dispatch.engine(), "tensor_layout", None)
            self._backend_layout = make(self) if make is not None else self
        return self._backend_layout

    def __repr__(self) -> str:
        return f"<TensorLayout axes={self.axes}, device_mesh={self.device_mesh}>"


def distribute_tensor(tensor: Any, layout: TensorLayout) -> Any:
    """`tensor` placed on the devices as `layout` says (inside a compiled function: a
    constraint on how the compiler lays it out)."""
    if not isinstance(layout, TensorLayout):
        raise ValueError(
            f"`layout` must be a TensorLayout. Received: layout={layout!r} of type "
            f"{type(layout).__name__}"
        )
    place = getattr(dispatch.engine(), "distribute_tensor", None)
    return tensor if place is None else place(tensor, layout)


# --------------------------------------------------------------------------- distributions


class Distribution:
    """Where data, variables and chosen layer outputs go (base class).

    Args:
        device_mesh: the mesh.
        batch_dim_name: the mesh axis that splits the batch.
        auto_shard_dataset: kept for Keras's signature (multi-process input splitting).
    """

    def __init__(
        self,
        device_mesh: DeviceMesh,
        batch_dim_name: str | None = None,
        auto_shard_dataset: bool = True,
    ) -> None:
        self._device_mesh = device_mesh
        self._batch_dim_name = batch_dim_name
        self._auto_shard_dataset = auto_shard_dataset

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    @property
    def batch_dim_name(self) -> str | None:
        return self._batch_dim_name

    @property
    def auto_shard_dataset(self) -> bool:
        return self._auto_shard_dataset

    def get_data_layout(self, data_shape: Any) -> TensorLayout:
        """The layout of a batch of shape `data_shape`: split along the batch axis."""
        axes = [None] * len(data_shape)
        if axes:
            axes[0] = self._batch_dim_name
        return TensorLayout(axes, self._device_mesh)

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        """The layout of `variable`: the one it was placed with, else replicated."""
        if variable._layout is not None:
            return variable._layout
        return TensorLayout([None] * len(variable.shape), self._device_mesh)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        """The layout for the tensor at `path` (a layer output: ``"<layer path>/output"``);
        None leaves it to the compiler."""
        return None

    @contextlib.contextmanager
    def scope(self) -> Iterator[Distribution]:
        """Make this the current distribution inside a ``with`` block."""
        previous = getattr(_state, "stack", None)
        _state.stack = [*(previous or []), self]
        try:
            yield self
        finally:
            _state.stack = previous

    def distribute_dataset(self, dataset: Any) -> Any:
        """`dataset` as this process should read it (one process: unchanged)."""
        return dataset

    def __repr__(self) -> str:
        return f"<{type(self).__name__} device_mesh={self._device_mesh}>"


class DataParallel(Distribution):
    """Every device holds all the weights and works on a slice of each batch.

    Args:
        device_mesh: a 1-D mesh (its axis splits the batch); default: one built from
            `devices`.
        devices: the devices, when no mesh is given; default: `list_devices()`.
        auto_shard_dataset: kept for Keras's signature.
    """

    def __init__(
        self,
        device_mesh: DeviceMesh | None = None,
        devices: Any = None,
        auto_shard_dataset: bool = True,
    ) -> None:
        if device_mesh is None:
            devices = list_devices() if devices is None else list(devices)
            device_mesh = DeviceMesh((len(devices),), ["batch"], devices)
        elif not isinstance(device_mesh, DeviceMesh):
            raise ValueError(
                f"`device_mesh` must be a DeviceMesh. Received: device_mesh={device_mesh!r}"
            )
        super().__init__(device_mesh, device_mesh.axis_names[0], auto_shard_dataset)


class ModelParallel(Distribution):
    """Weights split over devices as a `LayoutMap` says, batches along `batch_dim_name`.

    Args:
        layout_map: the variable (and layer output) layouts, by path pattern; its mesh is
            the distribution's.
        batch_dim_name: the mesh axis that splits the batch (default: the mesh's first).
        auto_shard_dataset: kept for Keras's signature.
    """

    def __init__(
        self,
        *,
        layout_map: LayoutMap | None = None,
        batch_dim_name: str | None = None,
        auto_shard_dataset: bool = True,
        **kwargs: Any,
    ) -> None:
        if kwargs.pop("device_mesh", None) is not None:
            raise ValueError(
                "`device_mesh` is no longer an argument of ModelParallel: give a "
                "`layout_map` built on the mesh (LayoutMap(device_mesh))."
            )
        if kwargs:
            raise ValueError(f"Unrecognized keyword arguments: {sorted(kwargs)}")
        if not isinstance(layout_map, LayoutMap):
            raise ValueError(
                f"`layout_map` must be a LayoutMap. Received: layout_map={layout_map!r}"
            )
        mesh = layout_map.device_mesh
        name = batch_dim_name or mesh.axis_names[0]
        if name not in mesh.axis_names:
            raise ValueError(
                f"`batch_dim_name` {name!r} is not an axis of the mesh {mesh.axis_names}."
            )
        super().__init__(mesh, name, auto_shard_dataset)
        self._layout_map = layout_map

    def get_variable_layout(self, variable: Any) -> TensorLayout:
        """The layout of `variable`: the one it was placed with, else the layout map's entry
        for its path, else replicated."""
        if variable._layout is not None:
            return variable._layout
        layout = self._layout_map[variable.path]
        return layout if layout is not None else super().get_variable_layout(variable)

    def get_tensor_layout(self, path: str) -> TensorLayout | None:
        return self._layout_map[path]


class LayoutMap(MutableMapping):
    """Tensor layouts by path: exact paths or regular expressions (``".*dense.*kernel"``).

    A lookup takes the exact key when there is one, else the single key whose regular
    expression matches the whole path (several matches: ValueError); none: None.

    Args:
        device_mesh: the mesh of every layout put in.
    """

    def __init__(self, device_mesh: DeviceMesh) -> None:
        self._layouts: dict[str, TensorLayout] = {}
        self._device_mesh = device_mesh

    @property
    def device_mesh(self) -> DeviceMesh:
        return self._device_mesh

    def __getitem__(self, key: str) -> TensorLayout | None:
        if key in self._layouts:
            return self._layouts[key]
        matches = [k for k in self._layouts if re.fullmatch(k, key)]
        if len(matches) > 1:
            raise ValueError(
                f"Path '{key}' matches multiple layout specification keys: {matches}. "
                "Please make sure each tensor/variable path only matches at most one "
                "layout specification key in the LayoutMap."
            )
        return self._layouts[matches[0]] if matches else None

    def __setitem__(self, key: str, layout: Any) -> None:
        if key in self._layouts:
            raise ValueError(
                f"{key} already exist in the LayoutMap with value {self._layouts[key]}. "
                "Please make sure to not use duplicated keys."
            )
        if isinstance(layout, (tuple, list)):
            layout = TensorLayout(layout)
        if not isinstance(layout, TensorLayout):
            raise ValueError(
                f"{layout} should be a TensorLayout type or a tuple/list of axis names, got "
                f"{type(layout)}"
            )
        if layout.device_mesh is None:
            layout.device_mesh = self._device_mesh
        self._layouts[key] = layout

    def __delitem__(self, key: str) -> None:
        del self._layouts[key]

    def __len__(self) -> int:
        return len(self._layouts)

    def __iter__(self) -> Iterator[str]:
        return iter(self._layouts)


# --------------------------------------------------------------------------- current


def distribution() -> Distribution | None:
    """The current distribution (the innermost ``scope()``, else the one set), or None."""
    stack = getattr(_state, "stack", None)
    return stack[-1] if stack else _GLOBAL["distribution"]


def set_distribution(value: Distribution | None) -> None:
    """Make `value` the current distribution for the whole program (None: none)."""
    if value is not None and not isinstance(value, Distribution):
        raise ValueError(
            f"`value` must be a Distribution (DataParallel, ModelParallel) or None. "
            f"Received: {value!r}"
        )
    _GLOBAL["distribution"] = value
