"""Look-up of losses by name: `get`, `serialize`, `deserialize`."""

from __future__ import annotations

import inspect
from typing import Any

from kerasx.losses import classes as C
from kerasx.losses import losses as F
from kerasx.losses.loss import Loss

_FUNCTIONS = {
    n: getattr(F, n)
    for n in (
        "mean_squared_error mean_absolute_error mean_absolute_percentage_error "
        "mean_squared_logarithmic_error hinge squared_hinge categorical_hinge huber log_cosh "
        "kl_divergence poisson cosine_similarity binary_crossentropy binary_focal_crossentropy "
        "categorical_crossentropy categorical_focal_crossentropy sparse_categorical_crossentropy "
        "categorical_generalized_cross_entropy ctc dice tversky circle"
    ).split()
}
_ALIASES = {
    "mse": "mean_squared_error",
    "mae": "mean_absolute_error",
    "mape": "mean_absolute_percentage_error",
    "msle": "mean_squared_logarithmic_error",
    "kld": "kl_divergence",
    "bce": "binary_crossentropy",
}
_CLASSES = {
    c.__name__: c
    for c in vars(C).values()
    if inspect.isclass(c) and issubclass(c, Loss) and c is not C.LossFunctionWrapper
}
_CLASSES["Loss"] = Loss


def serialize(loss: Any) -> Any:
    """Describe a loss as a name (functions) or a config dict (instances).

    Args:
        loss: a loss function or `Loss` instance.

    Returns:
        A string or ``{"class_name": ..., "config": ...}``.
    """
    if isinstance(loss, Loss):
        return {"class_name": type(loss).__name__, "config": loss.get_config()}
    return getattr(loss, "__name__", loss)


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuild a loss from `serialize`'s output.

    Args:
        config: a name or a ``{"class_name", "config"}`` dict.
        custom_objects: extra name -> object mapping.

    Returns:
        A loss function or `Loss` instance.
    """
    table = {**_FUNCTIONS, **_CLASSES, **(custom_objects or {})}
    if isinstance(config, dict):
        name = config.get("class_name")
        if name not in table:
            raise ValueError(f"Unknown loss class: {name!r}. Known: {sorted(_CLASSES)}")
        return table[name].from_config(config.get("config", {}))
    key = _ALIASES.get(config.lower(), config) if isinstance(config, str) else config
    if key not in table:
        raise ValueError(
            f"Could not interpret loss identifier: {config!r}. Expected one of "
            f"{sorted(_FUNCTIONS) + sorted(_ALIASES)} or a `Loss` class name."
        )
    return table[key]


def get(identifier: Any) -> Any:
    """Resolve a loss from a name, a config dict, a class, an instance or a callable.

    Args:
        identifier: e.g. "mse", "sparse_categorical_crossentropy", "MeanSquaredError",
            `MeanSquaredError`, a `Loss` instance, or any callable.

    Returns:
        A callable loss (None for None).
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj):
        obj = obj()
    if callable(obj):
        return obj
    raise ValueError(f"Could not interpret loss identifier: {identifier!r}")
