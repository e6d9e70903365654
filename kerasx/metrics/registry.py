"""Look-up of metrics by name: `get`, `serialize`, `deserialize`.

Names are resolved when they are asked for, from the `Metric` subclasses that
`kerasx.metrics` exports: a class is found by its class name and by its snake-cased name
(``"MeanSquaredError"``, ``"mean_squared_error"``), plus a few short aliases (``"mse"``).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from kerasx.metrics.metric import Metric, snake_case

_ALIASES = {
    "mse": "MeanSquaredError",
    "MSE": "MeanSquaredError",
    "mae": "MeanAbsoluteError",
    "MAE": "MeanAbsoluteError",
    "mape": "MeanAbsolutePercentageError",
    "MAPE": "MeanAbsolutePercentageError",
    "msle": "MeanSquaredLogarithmicError",
    "MSLE": "MeanSquaredLogarithmicError",
    "bce": "BinaryCrossentropy",
    "BCE": "BinaryCrossentropy",
}


def _exported() -> dict[str, Any]:
    import kerasx.metrics as package

    return vars(package)


def metric_classes() -> dict[str, type]:
    """The exported `Metric` subclasses by class name and by snake-cased name.

    Returns:
        A dict name -> class (class names take precedence over snake-cased names).
    """
    classes = {
        name: obj
        for name, obj in _exported().items()
        if inspect.isclass(obj) and issubclass(obj, Metric)
    }
    table: dict[str, type] = {}
    for cls in classes.values():
        table.setdefault(snake_case(cls.__name__), cls)
    table.update(classes)
    return table


def function_by_name(name: str) -> Callable[..., Any]:
    """Find a metric function (or a loss function exported as a metric) by its name.

    Args:
        name: a function name such as ``"binary_accuracy"`` or ``"mean_squared_error"``.

    Returns:
        The function.
    """
    obj = _exported().get(name)
    if inspect.isfunction(obj) and name not in ("get", "serialize", "deserialize"):
        return obj
    from kerasx import losses

    obj = getattr(losses, name, None)
    if inspect.isfunction(obj) and name not in ("get", "serialize", "deserialize"):
        return obj
    raise ValueError(f"Unknown metric function: {name!r}.")


def serialize(metric: Any) -> Any:
    """Describe a metric in Keras's format.

    Args:
        metric: a `Metric` instance or a metric function.

    Returns:
        ``{"module", "class_name", "config", "registered_name"}`` for an instance; Keras's
        function record (``"class_name": "function"``) for a function.
    """
    if isinstance(metric, Metric):
        return {
            "module": "keras.metrics",
            "class_name": type(metric).__name__,
            "config": metric.get_config(),
            "registered_name": None,
        }
    if callable(metric):
        from kerasx.metrics.reduction_metrics import serialize_fn

        return serialize_fn(metric)
    raise TypeError(
        "Received an invalid value for `metric`, expected a Metric instance or a function. "
        f"Received: metric={metric!r}"
    )


def _by_name(name: str, custom_objects: dict | None) -> Any:
    custom = custom_objects or {}
    if name in custom:
        return custom[name]
    table = metric_classes()
    key = _ALIASES.get(name, name)
    if key in table:
        return table[key]
    raise ValueError(f"Could not interpret metric identifier: {name}")


def deserialize(config: Any, custom_objects: dict | None = None) -> Any:
    """Rebuild a metric from `serialize`'s output or from a name.

    Args:
        config: a name (``"mse"``, ``"accuracy"``, ``"MeanSquaredError"``) or a dict with
            ``class_name`` and ``config``.
        custom_objects: extra name -> class or function mapping.

    Returns:
        A `Metric` instance (names of built-in metrics give a new instance) or a function.
    """
    if isinstance(config, str):
        obj = _by_name(config, custom_objects)
        return obj() if inspect.isclass(obj) else obj
    if not isinstance(config, dict) or "class_name" not in config:
        raise ValueError(
            "Could not interpret metric identifier: expected a name or a dict with a "
            f"'class_name' key. Received: {config!r}"
        )
    class_name = config["class_name"]
    inner = config.get("config", {})
    if class_name == "function":
        if custom_objects and inner in custom_objects:
            return custom_objects[inner]
        return function_by_name(inner)
    cls = (custom_objects or {}).get(config.get("registered_name") or class_name)
    if cls is None:
        cls = metric_classes().get(class_name)
    if cls is None:
        raise ValueError(
            f"Unknown metric class: {class_name!r}. Make sure it is a built-in metric or pass "
            "it in `custom_objects`."
        )
    return cls.from_config(inner)


def get(identifier: Any) -> Any:
    """Resolve a metric from a name, a config dict, a class, an instance or a callable.

    Args:
        identifier: e.g. ``"accuracy"``, ``"mse"``, ``"MeanSquaredError"``, a config dict,
            a `Metric` class or instance, or any callable ``fn(y_true, y_pred)``.

    Returns:
        A `Metric` instance or a callable (None for None).
    """
    if identifier is None:
        return None
    if isinstance(identifier, (str, dict)):
        obj = deserialize(identifier)
    else:
        obj = identifier
    if inspect.isclass(obj) and issubclass(obj, Metric):
        obj = obj()
    if isinstance(obj, Metric) or callable(obj):
        return obj
    raise ValueError(f"Could not interpret metric identifier: {identifier}")
