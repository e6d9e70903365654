"""Finding, loading and activating engines.

Engines are found through the ``kerasx.backends`` entry-point group; each entry point names
an engine class. The built-in engines are also known by module path, so a source checkout
works before it is installed, and a built-in name resolves without scanning the installed
distributions' entry points (that scan is only needed for plug-in engines; it keeps
``import kerasx`` cheap).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

from kerasx.engine import dispatch

_BUILTIN = {"numpy": "kerasx_numpy:NumpyEngine", "jax": "kerasx_jax:JaxEngine"}
_INSTALL_HINT = {"jax": 'pip install "kerasx[jax]"  (or: pip install jax jaxlib)'}
_loaded: dict[str, Any] = {}
_active_name: str | None = None


def _entry_points() -> dict[str, str]:
    from importlib import metadata

    found = dict(_BUILTIN)
    try:
        eps = metadata.entry_points(group="kerasx.backends")
    except TypeError:  # Python < 3.10 style API
        eps = metadata.entry_points().get("kerasx.backends", [])  # type: ignore[attr-defined]
    for ep in eps:
        found[ep.name] = ep.value
    return found


def installed_engines() -> list[str]:
    """Names of the engines that are registered and whose modules can be imported."""
    names = []
    for name, target in _entry_points().items():
        mod = target.split(":")[0]
        if name in _loaded or importlib.util.find_spec(mod) is not None:
            if name == "jax" and importlib.util.find_spec("jax") is None:
                continue
            names.append(name)
    return sorted(names)


def load(name: str) -> Any:
    """Load (once) and return the engine called `name`."""
    if name in _loaded:
        return _loaded[name]
    if not isinstance(name, str):
        raise ValueError(
            f"Received an invalid value for `backend`, expected an engine name (str). "
            f"Received: backend={name!r}"
        )
    key = name.lower()
    target = _BUILTIN.get(key) or _entry_points().get(key)
    if target is None:
        raise ValueError(
            f"Received an unknown engine name: {name!r}. Installed engines: "
            f"{', '.join(installed_engines())}. Set KERASX_BACKEND to one of them."
        )
    module_name, _, attr = target.partition(":")
    try:
        module = importlib.import_module(module_name)
        cls = getattr(module, attr)
        eng = cls()
    except ImportError as e:
        hint = _INSTALL_HINT.get(key, f"pip install the package that provides {module_name!r}")
        raise ImportError(
            f"The {key!r} engine could not be imported ({e}). Install it with: {hint}"
        ) from e
    _loaded[key] = eng
    return eng


def activate(name: str) -> None:
    """Make `name` the active engine. Validates and loads first: a failure changes nothing."""
    global _active_name
    eng = load(name)
    dispatch.set_engine(eng)
    _active_name = eng.name


def ensure_active(at_import: bool = False) -> None:
    """Activate the engine named by KERASX_BACKEND / the config file, if none is active.

    With `at_import` (kerasx's own import): when that engine's package is itself being
    imported (``import kerasx_numpy`` imports kerasx first), activation waits for the first
    use instead of failing on the half-initialized package."""
    if _active_name is None:
        from kerasx import config

        name = config.requested_backend()
        try:
            activate(name)
        except (ImportError, AttributeError):
            if at_import and _engine_module_initializing(name):
                return
            raise


def _engine_module_initializing(name: Any) -> bool:
    key = str(name).lower()
    target = _BUILTIN.get(key) or _entry_points().get(key)
    if target is None:
        return False
    module = sys.modules.get(target.partition(":")[0])
    spec = getattr(module, "__spec__", None)
    return module is not None and bool(getattr(spec, "_initializing", False))


def active_name() -> str:
    """Name of the active engine."""
    ensure_active()
    return _active_name  # type: ignore[return-value]


def reference_kernel(op_name: str) -> Any:
    """The NumPy engine's kernel for `op_name` (used to infer shapes)."""
    eng = load("numpy")
    k = eng.kernels.get(op_name)
    if k is None:
        raise ValueError(
            f"ops.{op_name} has neither a shape rule nor a NumPy kernel to infer shapes from."
        )
    return k
