"""kerasx's reference engine: NumPy kernels plus tape-based reverse-mode autodiff."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine import tape as _tape
from kerasx_numpy import kernels as _kernels_pkg
from kerasx_numpy.dtypes import np_dtype as to_dtype
from kerasx_numpy.random import RANDOM_KERNELS


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


def _default_dtype_of_python(x: Any) -> str | None:
    """Keras's dtype for Python data: bool, int32, floatx, complex64."""
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


class NumpyEngine:
    """The NumPy reference engine. It trains: gradients come from the tape."""

    name = "numpy"
    #: Whether `jit` really compiles (the trainer then runs pure, compiled steps).
    compiles = True
    #: Whether a one-off compiled step is faster on copies of its state that it may update in
    #: place (donated) than without donation: the replay then writes optimizer updates into
    #: the donated buffers instead of allocating new ones (`train_on_batch` uses this).
    steps_prefer_donated_copies = True
    native_types = (
        np.ndarray,
        np.float32,
        np.float64,
        np.float16,
        np.int32,
        np.int64,
        np.bool_,
        np.int8,
        np.int16,
        np.uint8,
        np.uint16,
        np.uint32,
        np.uint64,
        np.complex64,
        np.complex128,
    )

    def __init__(self) -> None:
        self.kernels = _collect_kernels()
        self.unsupported: dict[str, str] = {}

    # -- arrays -------------------------------------------------------------------------
    def is_native(self, x: Any) -> bool:
        return isinstance(x, (np.ndarray, np.generic))

    def convert_to_tensor(self, x: Any, dtype: Any = None) -> Any:
        """Convert `x` to a NumPy array, with Keras's dtype defaults for Python data."""
        if dtype is not None:
            target = to_dtype(_dt.standardize_dtype(dtype))
            if isinstance(x, (np.ndarray, np.generic)):
                return x if x.dtype == target else x.astype(target)
            return np.asarray(x, dtype=target)
        if isinstance(x, (np.ndarray, np.generic)):
            return x
        d = _default_dtype_of_python(x)
        if d is not None:
            return np.asarray(x, dtype=to_dtype(d))
        if hasattr(x, "__array__") and not isinstance(x, (list, tuple)):
            arr = np.asarray(x)
            return arr
        arr = np.asarray(x)
        if arr.dtype == np.float64:
            arr = arr.astype(to_dtype(_dt.standardize_dtype(None)))
        elif arr.dtype == np.int64:
            arr = arr.astype(np.int32)
        elif arr.dtype == np.complex128:
            arr = arr.astype(np.complex64)
        elif arr.dtype.kind in "US":
            arr = arr.astype(object)
        return arr

    def to_numpy(self, x: Any) -> np.ndarray:
        return np.asarray(x)

    def to_dtype(self, name: str) -> Any:
        return to_dtype(name)

    # -- autodiff and compilation -------------------------------------------------------
    def value_and_grad(self, fn: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
        return _tape.value_and_grad(fn, argnums=argnums, has_aux=has_aux)

    def load_compiler(self) -> None:
        """Import the trace-and-replay compiler and make its kernel wrappers (`Model.compile`
        calls this, so that the first `fit` does not: both are made once per process)."""
        import kerasx_numpy.replay  # noqa: F401
        from kerasx_numpy.replay_traced import make_hooks

        make_hooks(self)

    def jit(self, fn: Callable, **kwargs: Any) -> Callable:
        # Trace and replay (see replay.py): the kernels of a traced call, replayed as one
        # straight-line function. `donate_argnums` and other XLA options have no meaning here.
        from kerasx_numpy.replay import ReplayFunction

        return ReplayFunction(
            fn,
            self,
            static_argnums=kwargs.get("static_argnums", ()),
            donate_argnums=kwargs.get("donate_argnums", ()),
        )

    def custom_gradient(self, fn: Callable) -> Callable:
        return _tape.custom_gradient(fn)

    def stop_gradient(self, x: Any) -> Any:
        return _tape.stop_gradient(x)

    # -- devices ------------------------------------------------------------------------
    def devices(self, device_type: str | None = None) -> list[str]:
        if device_type not in (None, "cpu", "CPU"):
            return []
        return ["cpu:0"]
