"""kerasx's JAX engine: XLA kernels, `jax.jit`, JAX's own autodiff, GPUs when present.

Activating this engine turns on JAX's 64-bit mode (``jax_enable_x64``) so that float64 and
int64 tensors keep their dtype, as on the NumPy engine. Every kernel passes explicit dtypes,
so float32 stays float32.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx_jax import kernels as _kernels_pkg
from kerasx_jax.host import copy_to_device
from kerasx_jax.random import RANDOM_KERNELS

jax.config.update("jax_enable_x64", True)


def _collect_kernels() -> dict[str, Callable[..., Any]]:
    table: dict[str, Callable[..., Any]] = {}
    for info in pkgutil.iter_modules(_kernels_pkg.__path__):
        module = importlib.import_module(f"{_kernels_pkg.__name__}.{info.name}")
        for name, fn in getattr(module, "KERNELS", {}).items():
            if name in table:
                raise RuntimeError(f"kernel {name!r} is defined twice (second in {info.name})")
            table[name] = fn
    table.update(RANDOM_KERNELS)
    return table


def to_dtype(name: str) -> Any:
    """JAX dtype for a kerasx dtype name."""
    if name == "string":
        raise TypeError("The JAX engine has no string tensors; use the NumPy engine for strings.")
    return jnp.dtype(name)


def _python_default(x: Any) -> str | None:
    t = type(x)
    if t is bool:
        return "bool"
    if t is int:
        return "int32"
    if t is float:
        return _dt.standardize_dtype(None)
    if t is complex:
        return "complex64"
    return None


class JaxEngine:
    """The JAX engine."""

    name = "jax"
    #: Whether `jit` really compiles (the trainer then runs pure, compiled steps).
    compiles = True

    def __init__(self) -> None:
        self.kernels = _collect_kernels()
        self.unsupported: dict[str, str] = {}
        self.native_types = (type(jnp.zeros(())),)

    def is_native(self, x: Any) -> bool:
        return isinstance(x, (jax.Array, jax.core.Tracer))

    def convert_to_tensor(self, x: Any, dtype: Any = None) -> Any:
        """Convert `x` to a JAX array, with Keras's dtype defaults for Python data."""
        if dtype is not None:
            target = to_dtype(_dt.standardize_dtype(dtype))
            if self.is_native(x):
                return x if x.dtype == target else x.astype(target)
            if isinstance(x, np.ndarray) and x.dtype == target:
                return copy_to_device(x)
            return jnp.asarray(np.asarray(x) if isinstance(x, (list, tuple)) else x, dtype=target)
        if self.is_native(x):
            return x
        d = _python_default(x)
        if d is not None:
            return jnp.asarray(x, dtype=to_dtype(d))
        arr = np.asarray(x)
        if not hasattr(x, "dtype"):
            if arr.dtype == np.float64:
                arr = arr.astype(_dt.standardize_dtype(None))
            elif arr.dtype == np.int64:
                arr = arr.astype(np.int32)
            elif arr.dtype == np.complex128:
                arr = arr.astype(np.complex64)
        if arr.dtype.kind in "USO":
            raise TypeError(
                f"The JAX engine cannot hold {arr.dtype} data (strings/objects). Use the NumPy "
                "engine for string tensors."
            )
        return copy_to_device(arr)

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def to_dtype(self, name: str) -> Any:
        return to_dtype(name)

    def value_and_grad(self, fn: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
        from kerasx.engine import tree

        vg = jax.value_and_grad(fn, argnums=argnums, has_aux=has_aux)

        def wrapped(*args: Any, **kwargs: Any) -> Any:
            nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
            new = list(args)
            for n in nums:
                new[n] = tree.map_structure(self._as_diff_input, args[n])
            return vg(*new, **kwargs)

        return wrapped

    def _as_diff_input(self, x: Any) -> Any:
        from kerasx.engine import dispatch

        if isinstance(x, dispatch._Variable):
            x = x.value
        return self.convert_to_tensor(x)

    def jit(self, fn: Callable, **kwargs: Any) -> Callable:
        return jax.jit(fn, **kwargs)

    @property
    def host_batch_alignment(self) -> int | None:
        """Bytes of alignment at which XLA reads a NumPy argument in place (on the CPU), or
        None when arguments are copied to a device anyway (see kerasx/trainers/batch_staging)."""
        return 64 if jax.default_backend() == "cpu" else None

    # Steps the trainer may run per compiled call when nothing observes the steps in between
    # (kerasx/trainers/step_blocks.py): a call's dispatch (~75 us with an MLP's state donated)
    # costs about a quarter of a small model's step on the CPU.
    fused_steps = 8

    def wait(self, tree: Any) -> None:
        """Block until the arrays in `tree` are computed."""
        jax.block_until_ready(tree)

    def device_scope(self, device_name: Any) -> Any:
        """A context manager making `device_name` JAX's default device: ``"cpu"``,
        ``"gpu:1"`` (type and index, case-insensitive) or a ``jax.Device``. An unknown device
        type raises JAX's RuntimeError; a bad index or argument, ValueError."""
        if isinstance(device_name, jax.Device):
            return jax.default_device(device_name)
        if not isinstance(device_name, str):
            raise ValueError(
                "Invalid value for argument `device_name`: expected a string such as 'cpu' or "
                f"'gpu:0', or a jax.Device. Received: device_name={device_name!r}"
            )
        kind, _, index = device_name.lower().partition(":")
        if index and not index.isdigit():
            raise ValueError(
                f"Invalid device index in `device_name`: expected 'type:N' with N a number, "
                f"such as 'gpu:0'. Received: device_name={device_name!r}"
            )
        found = jax.devices(kind)
        i = int(index or 0)
        if i >= len(found):
            raise ValueError(
                f"`device_name`={device_name!r} asks for {kind} device {i}, but this machine "
                f"has {len(found)} {kind} device(s) (indices 0 to {len(found) - 1})."
            )
        return jax.default_device(found[i])

    # -- kerasx.distribution --------------------------------------------------------

    def list_devices(self, device_type: Any = None) -> list[str]:
        """The devices as ``"platform:id"`` strings (`jax.devices`)."""
        kind = device_type.lower() if isinstance(device_type, str) else device_type
        return [f"{d.platform}:{d.id}" for d in jax.devices(kind)]

    def _device(self, spec: Any) -> Any:
        if isinstance(spec, jax.Device):
            return spec
        kind, _, index = str(spec).lower().partition(":")
        for d in jax.devices(kind):
            if str(d.id) == (index or "0"):
                return d
        raise ValueError(f"Unknown device {spec!r}: the devices are {self.list_devices()}.")

    def device_mesh(self, mesh: Any) -> Any:
        """A `jax.sharding.Mesh` for a `kerasx.distribution.DeviceMesh`."""
        devices = np.vectorize(self._device, otypes=[object])(mesh.devices)
        return jax.sharding.Mesh(devices, tuple(mesh.axis_names))

    def tensor_layout(self, layout: Any) -> Any:
        """A `NamedSharding` for a `kerasx.distribution.TensorLayout`."""
        spec = jax.sharding.PartitionSpec(*layout.axes)
        return jax.sharding.NamedSharding(layout.device_mesh.backend_mesh, spec)

    def distribute_tensor(self, value: Any, layout: Any) -> Any:
        """`value` placed as `layout` says; under a trace, a sharding constraint."""
        sharding = layout.backend_layout
        if isinstance(value, jax.core.Tracer):
            return jax.lax.with_sharding_constraint(value, sharding)
        if getattr(value, "sharding", None) == sharding:
            return value
        return jax.device_put(value, sharding)

    def initialize_processes(self, coordinator: Any, num_processes: int, process_id: Any) -> None:
        """Join a multi-process JAX run (`jax.distributed.initialize`)."""
        jax.distributed.initialize(
            coordinator_address=coordinator, num_processes=num_processes, process_id=process_id
        )

    def remat(self, fn: Callable) -> Callable:
        """`fn` rematerialized: its intermediate results are recomputed for the gradient."""
        return jax.checkpoint(fn)

    def custom_gradient(self, fn: Callable) -> Callable:
        return jax.custom_gradient(fn)

    def stop_gradient(self, x: Any) -> Any:
        return jax.lax.stop_gradient(x)

    def devices(self, device_type: str | None = None) -> list[str]:
        try:
            devs = jax.devices(device_type.lower()) if device_type else jax.devices()
        except RuntimeError:
            return []
        return [f"{d.platform}:{d.id}" for d in devs]
