"""Global settings: floatx, epsilon, image data format and the active engine.

Settings come, in order of priority, from the environment (``KERASX_BACKEND``,
``KERASX_HOME``), then from ``$KERASX_HOME/kerasx.json`` (default ``~/.kerasx/kerasx.json``) if
that file exists (it is never written on import), then from the defaults below.
"""

from __future__ import annotations

import json
import os
from typing import Any

_DEFAULTS: dict[str, Any] = {
    "floatx": "float32",
    "epsilon": 1e-7,
    "image_data_format": "channels_last",
    "backend": "numpy",
}

_FLOATX_CHOICES = ("bfloat16", "float16", "float32", "float64")
_settings: dict[str, Any] = dict(_DEFAULTS)
_flags: dict[str, Any] = {
    "interactive_logging": True,
    "traceback_filtering": True,
    "flash_attention": None,
    "unsafe_deserialization": False,
    "max_epochs": None,
    "max_steps_per_epoch": None,
    "dtype_policy": None,
}


def kerasx_home() -> str:
    """Directory holding ``kerasx.json`` (``$KERASX_HOME`` or ``~/.kerasx``)."""
    home = os.environ.get("KERASX_HOME")
    if home:
        return home
    return os.path.join(os.path.expanduser("~"), ".kerasx")


def _read_config_file() -> dict[str, Any]:
    path = os.path.join(kerasx_home(), "kerasx.json")
    if not os.path.exists(path):
        return {}
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except (OSError, ValueError) as e:
        raise ValueError(
            f"Could not read the kerasx config file {path!r}: {e}. Fix or delete the file."
        ) from e
    if not isinstance(data, dict):
        raise ValueError(
            f"The kerasx config file {path!r} must hold a JSON object, received "
            f"{type(data).__name__}. Fix or delete the file."
        )
    return data


def _load_initial_settings() -> None:
    data = _read_config_file()
    for key in ("floatx", "epsilon", "image_data_format", "backend"):
        if key in data:
            _settings[key] = data[key]
    env_backend = os.environ.get("KERASX_BACKEND")
    if env_backend:
        _settings["backend"] = env_backend


_load_initial_settings()


def floatx() -> str:
    """Return the default float dtype name, e.g. ``"float32"``."""
    return _settings["floatx"]


def set_floatx(value: str) -> None:
    """Set the default float dtype.

    Args:
        value: one of ``"bfloat16"``, ``"float16"``, ``"float32"``, ``"float64"``.
    """
    from kerasx.engine.dtypes import standardize_dtype

    try:
        name = standardize_dtype(value)
    except (ValueError, TypeError):
        name = None
    if name not in _FLOATX_CHOICES:
        raise ValueError(
            f"Received an invalid value for `floatx`, expected one of {_FLOATX_CHOICES}. "
            f"Received: value={value!r}"
        )
    _settings["floatx"] = name


def epsilon() -> float:
    """Return the fuzz factor used in numeric expressions (default ``1e-7``)."""
    return _settings["epsilon"]


def set_epsilon(value: float) -> None:
    """Set the fuzz factor used in numeric expressions.

    Args:
        value: a positive float.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ValueError(
            "Received an invalid value for `epsilon`, expected a positive float. "
            f"Received: value={value!r}"
        )
    _settings["epsilon"] = float(value)


def image_data_format() -> str:
    """Return ``"channels_last"`` or ``"channels_first"``."""
    return _settings["image_data_format"]


def set_image_data_format(data_format: str) -> None:
    """Set the default image data format.

    Args:
        data_format: ``"channels_last"`` or ``"channels_first"``.
    """
    fmt = str(data_format).lower() if isinstance(data_format, str) else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    _settings["image_data_format"] = fmt


def standardize_data_format(data_format: str | None) -> str:
    """Return `data_format`, or the global default when it is None, validated."""
    if data_format is None:
        return image_data_format()
    fmt = data_format.lower() if isinstance(data_format, str) else data_format
    if fmt not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    return fmt


def backend() -> str:
    """Return the name of the active engine (``"numpy"`` or ``"jax"``, or a plug-in's)."""
    from kerasx.engine import discovery

    return discovery.active_name()


def set_backend(name: str) -> None:
    """Switch the active engine at run time, without reloading any module.

    The name is validated (and the engine loaded) before anything changes, so a bad name
    leaves the current engine active.

    Args:
        name: an installed engine, e.g. ``"numpy"`` or ``"jax"``.
    """
    from kerasx.engine import discovery

    discovery.activate(name)
    _settings["backend"] = discovery.active_name()


def requested_backend() -> str:
    """The engine name asked for by the environment / config file (used at import)."""
    return _settings["backend"]


def enable_interactive_logging() -> None:
    """Print progress bars and summaries to stdout (the default)."""
    _flags["interactive_logging"] = True


def disable_interactive_logging() -> None:
    """Send progress output to Python logging instead of stdout."""
    _flags["interactive_logging"] = False


def is_interactive_logging_enabled() -> bool:
    """Whether progress output goes to stdout."""
    return _flags["interactive_logging"]


def enable_traceback_filtering() -> None:
    """Hide kerasx-internal frames from tracebacks (kept for API compatibility)."""
    _flags["traceback_filtering"] = True


def disable_traceback_filtering() -> None:
    """Show full tracebacks."""
    _flags["traceback_filtering"] = False


def is_traceback_filtering_enabled() -> bool:
    """Whether traceback filtering is on."""
    return _flags["traceback_filtering"]


def enable_flash_attention() -> None:
    """Allow fused attention kernels where the engine has them."""
    _flags["flash_attention"] = True


def disable_flash_attention() -> None:
    """Forbid fused attention kernels."""
    _flags["flash_attention"] = False


def is_flash_attention_enabled() -> bool | None:
    """``None`` (automatic), ``True`` or ``False``."""
    return _flags["flash_attention"]


def enable_unsafe_deserialization() -> None:
    """Allow loading models that carry Python code (Lambda layers). Use with trusted files."""
    _flags["unsafe_deserialization"] = True


def is_nnx_enabled() -> bool:
    """Flax NNX integration is not part of kerasx; always False."""
    return False


def max_epochs() -> int | None:
    """Global cap on the epochs `fit` runs (None: no cap)."""
    return _flags["max_epochs"]


def set_max_epochs(max_epochs: int | None) -> None:
    """Cap the number of epochs every `fit` call runs (None removes the cap)."""
    _flags["max_epochs"] = max_epochs


def max_steps_per_epoch() -> int | None:
    """Global cap on steps per epoch (None: no cap)."""
    return _flags["max_steps_per_epoch"]


def set_max_steps_per_epoch(max_steps_per_epoch: int | None) -> None:
    """Cap the steps per epoch of every `fit` call (None removes the cap)."""
    _flags["max_steps_per_epoch"] = max_steps_per_epoch


def dtype_policy() -> Any:
    """The global `DTypePolicy` (by default the one named after ``floatx()``)."""
    from kerasx import dtype_policies

    return dtype_policies.DTypePolicy(_flags["dtype_policy"] or floatx())


def set_dtype_policy(policy: Any) -> None:
    """Set the global dtype policy of new layers.

    Args:
        policy: a `DTypePolicy` or a name such as ``"mixed_float16"`` or ``"float32"``.
    """
    from kerasx import dtype_policies

    _flags["dtype_policy"] = dtype_policies.get(policy).name


def version() -> str:
    """The installed kerasx version string."""
    import kerasx

    return kerasx.__version__
