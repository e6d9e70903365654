"""Keras-format serialization: objects to JSON-friendly config dicts, and back, safely.

The dict format is Keras 3's::

    {"module": "keras.initializers", "class_name": "GlorotUniform",
     "config": {...}, "registered_name": None}

plus ``"build_config"`` for built layers and ``"compile_config"`` for models. The ``module``
we write uses Keras's public names (``keras.layers``), so configs move between kerasx and
Keras both ways.

Loading is safe by construction. A config can only name:

- a kerasx class that is one of the serializable kinds (layers, models, optimizers, losses,
  metrics, initializers, regularizers, constraints, schedules, dtype policies, seed
  generators), looked up by name in kerasx's own public modules;
- a class or function the user made available (`register_keras_serializable`,
  `custom_objects`, `CustomObjectScope`);
- a function from kerasx's tables of activations, losses and metrics.

The ``module`` written in a file is never imported and no attribute chain is followed from
it. Python bytecode (a ``lambda`` in a Lambda layer) loads only with ``safe_mode=False``.
"""

from __future__ import annotations

import importlib
import inspect
import re
import threading
import types
from typing import Any

from kerasx.saving import object_registration as _reg
from kerasx.saving.object_registration import CustomObjectScope as CustomObjectScope
from kerasx.saving.object_registration import custom_object_scope as custom_object_scope

_PLAIN = (str, int, float, bool)

# ---------------------------------------------------------------------------- safe mode

_safe = threading.local()


def in_safe_mode() -> bool | None:
    """The safe mode of the innermost open `SafeModeScope` (None outside any scope)."""
    stack = getattr(_safe, "stack", None)
    return stack[-1] if stack else None


class SafeModeScope:
    """Context manager setting safe mode for the deserialization calls inside it.

    Args:
        safe_mode: True to refuse Python bytecode (lambdas) in configs; False to allow it.
    """

    def __init__(self, safe_mode: bool = True) -> None:
        self.safe_mode = bool(safe_mode)

    def __enter__(self) -> SafeModeScope:
        stack = getattr(_safe, "stack", None)
        if stack is None:
            stack = _safe.stack = []
        stack.append(self.safe_mode)
        return self

    def __exit__(self, *exc: Any) -> None:
        _safe.stack.pop()


# ---------------------------------------------------------------------------- public names

# kerasx classes written under a Keras module other than ``keras.<subpackage>``.
_MODULE_OVERRIDES = {
    "Sequential": "keras",
    "Model": "keras",
    "Functional": "keras.src.models.functional",
    "DTypePolicy": "keras",
    "InputSpec": "keras",
    "Variable": "keras",
}


def _public_module(cls: type) -> str | None:
    mod = cls.__module__ or ""
    parts = mod.split(".")
    if parts[0] != "kerasx":
        return mod or None
    if cls.__name__ in _MODULE_OVERRIDES:
        return _MODULE_OVERRIDES[cls.__name__]
    if len(parts) > 2 and parts[1] == "optimizers" and parts[2] == "schedules":
        return "keras.optimizers.schedules"
    if len(parts) == 1:
        return "keras"
    return "keras." + parts[1]


def _is_kerasx_class(cls: type) -> bool:
    return (cls.__module__ or "").split(".")[0] == "kerasx"


# ---------------------------------------------------------------------------- serialize


def serialize_keras_object(obj: Any, module: str | None = None) -> Any:
    """Turn `obj` into a JSON-friendly value in Keras 3's format.

    Args:
        obj: None, a plain value, a list / tuple / dict of values, an array, a function, or
            an object with a ``get_config`` method (layer, model, optimizer, ...).
        module: the public module to record for an object (e.g. ``"keras.initializers"``);
            by default it is derived from the object's class.

    Returns:
        The value itself for plain values, a list / dict for containers, or a dict with
        the keys ``module``, ``class_name``, ``config`` and ``registered_name`` (plus
        ``build_config`` for built layers and ``compile_config`` for models).
    """
    if obj is None or isinstance(obj, _PLAIN):
        return obj
    if isinstance(obj, (list, tuple)):
        out = [serialize_keras_object(o) for o in obj]
        return tuple(out) if isinstance(obj, tuple) else out
    if isinstance(obj, dict):
        return {k: serialize_keras_object(v) for k, v in obj.items()}
    if isinstance(obj, bytes):
        return {"class_name": "__bytes__", "config": {"value": obj.decode("utf-8")}}
    if isinstance(obj, slice):
        return {
            "class_name": "__slice__",
            "config": {"start": obj.start, "stop": obj.stop, "step": obj.step},
        }
    from kerasx.engine.symbolic import KerasTensor

    if isinstance(obj, KerasTensor):
        return {
            "class_name": "__keras_tensor__",
            "config": {"shape": list(obj.shape), "dtype": obj.dtype},
        }
    if _is_array(obj):
        import numpy as np

        from kerasx import ops

        if isinstance(obj, (np.ndarray, np.generic)):
            arr = np.asarray(obj)
        else:
            arr = np.asarray(ops.convert_to_numpy(obj.value if hasattr(obj, "assign") else obj))
        return {
            "class_name": "__tensor__",
            "config": {"value": arr.tolist(), "dtype": str(arr.dtype)},
        }
    if isinstance(obj, types.FunctionType) and obj.__name__ == "<lambda>":
        from kerasx.layers.core.lambda_layer import serialize_function

        return serialize_function(obj)
    if isinstance(obj, (types.FunctionType, types.BuiltinFunctionType)):
        return {
            "module": "builtins",
            "class_name": "function",
            "config": _reg.get_registered_name(obj),
            "registered_name": "function",
        }
    if hasattr(obj, "get_config"):
        return _serialize_object(obj, module)
    raise TypeError(
        f"Cannot serialize object {obj!r} of type {type(obj).__name__}. To be serializable, "
        "a class must implement the `get_config()` method."
    )


def _is_array(obj: Any) -> bool:
    import numpy as np

    if isinstance(obj, (np.ndarray, np.generic)):
        return True
    from kerasx.engine import dispatch
    from kerasx.engine.variables import Variable

    if isinstance(obj, Variable):
        return True
    try:
        return bool(dispatch.engine().is_native(obj))
    except Exception:  # noqa: BLE001 - an engine that cannot tell: not an array
        return False


def _serialize_object(obj: Any, module: str | None) -> dict:
    cls = type(obj)
    from kerasx.dtype_policies import DTypePolicy

    if isinstance(obj, DTypePolicy):
        from kerasx import dtype_policies

        return dtype_policies.serialize(obj)
    config = obj.get_config()
    if not isinstance(config, dict):
        raise TypeError(
            f"{cls.__name__}.get_config() must return a dict. Received: {type(config).__name__}"
        )
    if _is_kerasx_class(cls):
        mod = module if module is not None else _public_module(cls)
        registered = "Functional" if cls.__name__ == "Functional" else None
    else:
        mod = _public_module(cls)
        registered = _reg.get_registered_name(cls)
    out: dict[str, Any] = {
        "module": mod,
        "class_name": cls.__name__,
        "config": {k: serialize_keras_object(v) for k, v in config.items()},
        "registered_name": registered,
    }
    get_build = getattr(obj, "get_build_config", None)
    if callable(get_build):
        build = get_build()
        if build is not None:
            out["build_config"] = serialize_keras_object(build)
    from kerasx.trainers.trainer import Trainer

    if isinstance(obj, Trainer):
        out["compile_config"] = serialize_compile_config(obj)
    return out


def serialize_compile_config(model: Any) -> dict:
    """The model's `compile` arguments in Keras's saved form (``{}`` when not compiled).

    Args:
        model: a kerasx `Model`.

    Returns:
        A dict with serialized optimizer, loss, metrics and the other compile arguments.
    """
    raw = model.get_compile_config() if hasattr(model, "get_compile_config") else None
    if not raw or not getattr(model, "compiled", False):
        return {}
    cfg = dict(raw)
    optimizer = getattr(model, "optimizer", None)
    from kerasx import optimizers

    if optimizer is not None:
        cfg["optimizer"] = optimizers.serialize(optimizer)
    for key in ("loss", "metrics", "weighted_metrics", "loss_weights"):
        cfg[key] = _serialize_compile_value(cfg.get(key))
    if cfg.get("jit_compile") == "auto":
        cfg["jit_compile"] = True
    return cfg


def _serialize_compile_value(value: Any) -> Any:
    from kerasx import losses, metrics

    if value is None or isinstance(value, _PLAIN):
        return value
    if isinstance(value, (list, tuple)):
        return [_serialize_compile_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _serialize_compile_value(v) for k, v in value.items()}
    if isinstance(value, losses.Loss) or isinstance(value, metrics.Metric):
        return serialize_keras_object(value)
    if callable(value) and getattr(value, "__name__", None):
        name = value.__name__
        if _builtin_function(name, None) is value:
            return name
    return serialize_keras_object(value)


# ---------------------------------------------------------------------------- look-up tables

# Keras module name -> the kerasx modules whose public names it may resolve to.
_NAMESPACES: dict[str, tuple[str, ...]] = {
    "keras.layers": ("kerasx.layers",),
    "keras": ("kerasx.models", "kerasx.dtype_policies", "kerasx.layers"),
    "keras.models": ("kerasx.models",),
    "keras.initializers": ("kerasx.initializers",),
    "keras.regularizers": ("kerasx.regularizers",),
    "keras.constraints": ("kerasx.constraints",),
    "keras.optimizers": ("kerasx.optimizers",),
    "keras.optimizers.schedules": ("kerasx.optimizers.schedules",),
    "keras.losses": ("kerasx.losses",),
    "keras.metrics": ("kerasx.metrics",),
    "keras.dtype_policies": ("kerasx.dtype_policies",),
    "keras.mixed_precision": ("kerasx.dtype_policies",),
    "keras.random": ("kerasx.random",),
    "keras.distillation": ("kerasx.distillation",),
}
_ALL_NAMESPACES = (
    "kerasx.layers",
    "kerasx.models",
    "kerasx.optimizers",
    "kerasx.optimizers.schedules",
    "kerasx.losses",
    "kerasx.metrics",
    "kerasx.initializers",
    "kerasx.regularizers",
    "kerasx.constraints",
    "kerasx.dtype_policies",
    "kerasx.random",
    "kerasx.distillation",
)
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _serializable_bases() -> tuple[type, ...]:
    from kerasx.constraints import Constraint
    from kerasx.dtype_policies import DTypePolicy
    from kerasx.initializers import Initializer
    from kerasx.layers.input_spec import InputSpec
    from kerasx.layers.layer import Layer
    from kerasx.losses import Loss
    from kerasx.metrics import Metric
    from kerasx.optimizers import Optimizer
    from kerasx.optimizers.schedules import LearningRateSchedule
    from kerasx.random import SeedGenerator
    from kerasx.regularizers import Regularizer

    return (
        Layer,
        Optimizer,
        Loss,
        Metric,
        Initializer,
        Regularizer,
        Constraint,
        LearningRateSchedule,
        DTypePolicy,
        SeedGenerator,
        InputSpec,
    )


def _namespaces_for(module: Any) -> tuple[str, ...]:
    if isinstance(module, str):
        if module in _NAMESPACES:
            return _NAMESPACES[module]
        if module.startswith(("keras.src.layers", "keras.layers")):
            return ("kerasx.layers",)
        if module.startswith(("keras.src.models", "keras.models")):
            return ("kerasx.models",)
        if module.startswith("keras.src.optimizers.schedules"):
            return ("kerasx.optimizers.schedules",)
        if module.startswith("keras.src.optimizers"):
            return ("kerasx.optimizers",)
    return _ALL_NAMESPACES


def builtin_class(class_name: Any, module: Any = None) -> type | None:
    """The kerasx serializable class a config names, or None.

    Only kerasx's own public modules are searched (chosen from a fixed table by the Keras
    module name); the result must be a class of one of the serializable kinds.

    Args:
        class_name: the ``class_name`` of a config.
        module: the ``module`` of the config (a hint; never imported).

    Returns:
        The class, or None when kerasx has no such serializable class.
    """
    if not isinstance(class_name, str) or not _NAME_RE.match(class_name):
        return None
    bases = _serializable_bases()
    for ns in (*_namespaces_for(module), *_ALL_NAMESPACES):
        mod = importlib.import_module(ns)  # a fixed kerasx module name, never from the file
        obj = vars(mod).get(class_name)
        if inspect.isclass(obj) and issubclass(obj, bases) and _is_kerasx_class(obj):
            return obj
    return None


def _builtin_function(name: Any, module: Any) -> Any:
    """A kerasx activation, loss or metric function by name (None when there is none)."""
    if not isinstance(name, str) or not _NAME_RE.match(name):
        return None
    from kerasx import activations
    from kerasx.losses import registry as loss_registry
    from kerasx.metrics import registry as metric_registry

    def activation() -> Any:
        return activations.ALL_OBJECTS_DICT.get(name)

    def loss() -> Any:
        key = loss_registry._ALIASES.get(name, name)
        return loss_registry._FUNCTIONS.get(key)

    def metric() -> Any:
        try:
            return metric_registry.function_by_name(name)
        except ValueError:
            return None

    order = {
        "keras.activations": (activation,),
        "keras.losses": (loss,),
        "keras.metrics": (metric, loss),
    }.get(module, (activation, loss, metric))
    for find in order:
        fn = find()
        if inspect.isfunction(fn) or isinstance(fn, types.BuiltinFunctionType):
            return fn
    return None


def _custom_lookup(name: Any, custom_objects: dict | None) -> Any:
    if not isinstance(name, str):
        return None
    if custom_objects and name in custom_objects:
        return custom_objects[name]
    return _reg.get_registered_object(name)


# ---------------------------------------------------------------------------- deserialize


def deserialize_keras_object(
    config: Any,
    custom_objects: dict[str, Any] | None = None,
    safe_mode: bool = True,
    **kwargs: Any,
) -> Any:
    """Rebuild an object from `serialize_keras_object`'s output, safely.

    Args:
        config: None, a plain value, a name (looked up in the custom objects, then in
            `module_objects`), a list / dict of those, or a Keras-format object dict.
        custom_objects: names of user classes and functions (they take precedence).
        safe_mode: False allows Python bytecode (a Lambda's ``lambda``) to be loaded. An
            enclosing `SafeModeScope` (e.g. the one `load_model` opens) decides for nested
            calls. Nothing in the config can change it.
        **kwargs: ``module_objects`` (the names a string may resolve to, e.g. an activation
            table) and ``printable_module_name`` (what to call the object in errors).

    Returns:
        The rebuilt object.
    """
    module_objects = kwargs.pop("module_objects", None)
    printable = kwargs.pop("printable_module_name", "object")
    if kwargs:
        raise TypeError(f"Unexpected keyword arguments: {sorted(kwargs)}")
    scoped = in_safe_mode()
    effective = scoped if scoped is not None else bool(safe_mode)
    with SafeModeScope(effective), CustomObjectScope(custom_objects or {}):
        return _deserialize(config, custom_objects, module_objects, printable)


def _deserialize(config: Any, custom: dict | None, module_objects: Any, printable: str) -> Any:
    if config is None or isinstance(config, (int, float, bool)):
        return config
    if isinstance(config, str):
        if module_objects is None:
            return config
        obj = _custom_lookup(config, custom)
        if obj is None:
            obj = module_objects.get(config)
        if obj is None:
            raise ValueError(f"Unknown {printable}: '{config}'.")
        return obj
    if isinstance(config, (list, tuple)):
        return [_deserialize(c, custom, module_objects, printable) for c in config]
    if not isinstance(config, dict):
        raise TypeError(
            f"Could not deserialize {printable}: expected a name, a list or a dict. "
            f"Received: config={config!r}"
        )
    if "class_name" not in config:
        return {k: _deserialize(v, custom, None, printable) for k, v in config.items()}
    class_name = config["class_name"]
    inner = config.get("config", {})
    special = _deserialize_special(class_name, inner, config)
    if special is not _NOT_SPECIAL:
        return special
    if class_name == "function":
        return _resolve_function(inner, config, custom, module_objects, printable)
    cls = _resolve_class(config, custom, module_objects, printable)
    if not isinstance(inner, dict):
        raise ValueError(
            f"Could not deserialize {printable} '{class_name}': its 'config' must be a dict. "
            f"Received: {inner!r}"
        )
    inner = {k: _maybe_seed_generator(v) for k, v in inner.items()}
    from_config = getattr(cls, "from_config", None)
    if from_config is None:
        obj = cls(**inner)
    else:
        params = _parameters(from_config)
        extra: dict[str, Any] = {}
        if "custom_objects" in params:
            extra["custom_objects"] = custom
        if "safe_mode" in params:
            extra["safe_mode"] = in_safe_mode()
        obj = from_config(inner, **extra)
    from kerasx.saving.saving_lib import current_guard

    guard = current_guard()
    if guard is not None and hasattr(obj, "add_weight") and hasattr(obj, "_dtype_policy"):
        guard.watch(obj)
    build_config = config.get("build_config")
    if build_config and hasattr(obj, "build_from_config") and not getattr(obj, "built", False):
        obj.build_from_config(_shape_config(build_config))
    compile_config = config.get("compile_config")
    if compile_config and hasattr(obj, "compile_from_config"):
        obj.compile_from_config(compile_config)
    return obj


def _parameters(fn: Any) -> set:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


_NOT_SPECIAL = object()


def _deserialize_special(class_name: Any, inner: Any, config: dict) -> Any:
    import numpy as np

    if class_name == "__lambda__":
        from kerasx.layers.core.lambda_layer import deserialize_function

        return deserialize_function(config, _reg.scoped_custom_objects(), None)
    if class_name in ("__tensor__", "__numpy__"):
        value = np.asarray(inner["value"], dtype=_safe_dtype(inner.get("dtype")))
        if class_name == "__numpy__":
            return value
        from kerasx import ops

        return ops.convert_to_tensor(value)
    if class_name == "__bytes__":
        return str(inner["value"]).encode("utf-8")
    if class_name == "__slice__":
        return slice(inner.get("start"), inner.get("stop"), inner.get("step"))
    if class_name == "__keras_tensor__":
        from kerasx.engine.symbolic import KerasTensor

        return KerasTensor(_shape_tuple(inner.get("shape")), _safe_dtype(inner.get("dtype")))
    if class_name == "__typespec__":
        raise ValueError("TensorFlow type specs in configs are not supported by kerasx.")
    return _NOT_SPECIAL


def _safe_dtype(dtype: Any) -> str:
    from kerasx.engine import dtypes as _dt

    if dtype is None:
        from kerasx import config as _config

        return _config.floatx()
    try:
        out = _dt.standardize_dtype(dtype)
    except (TypeError, ValueError):
        out = None
    if out is None or out == "string" or not isinstance(dtype, str):
        raise ValueError(f"Invalid dtype in a saved config: {dtype!r}.")
    return out


def _shape_tuple(shape: Any) -> tuple:
    if not isinstance(shape, (list, tuple)) or not all(
        d is None or (isinstance(d, int) and not isinstance(d, bool) and d >= 0) for d in shape
    ):
        raise ValueError(
            "Invalid shape in a saved config: expected a list of non-negative integers or "
            f"null. Received: {shape!r}"
        )
    return tuple(shape)


def _shape_config(build_config: Any) -> Any:
    """Lists in a build config become tuples (JSON has no tuples)."""
    if isinstance(build_config, dict):
        return {k: _shape_config(v) for k, v in build_config.items()}
    if isinstance(build_config, list):
        if all(d is None or isinstance(d, int) for d in build_config):
            return _shape_tuple(build_config)
        return [_shape_config(v) for v in build_config]
    return build_config


def _resolve_function(
    name: Any, config: dict, custom: dict | None, module_objects: Any, printable: str
) -> Any:
    fn = _custom_lookup(name, custom)
    if fn is None and module_objects is not None and isinstance(name, str):
        fn = module_objects.get(name)
    if fn is None:
        fn = _builtin_function(name, config.get("module"))
    if fn is None:
        raise TypeError(
            f"Could not locate function '{name}'. Make sure custom functions are decorated "
            "with `@kerasx.saving.register_keras_serializable()` or passed in "
            "`custom_objects`; kerasx only resolves functions named in its activation, loss "
            f"and metric tables or registered by you. Full object config: {config}"
        )
    return fn


def _resolve_class(config: dict, custom: dict | None, module_objects: Any, printable: str) -> Any:
    class_name = config.get("class_name")
    registered = config.get("registered_name")
    module = config.get("module")
    names = [n for n in (registered, class_name) if isinstance(n, str)]
    cls = None
    for n in names:
        if cls is None and custom:
            cls = custom.get(n)
    if cls is None and module_objects is not None and isinstance(class_name, str):
        cls = module_objects.get(class_name)
    keras_module = module is None or (
        isinstance(module, str) and (module == "keras" or module.startswith("keras."))
    )
    if cls is None and keras_module and registered in (None, class_name, "Functional"):
        cls = builtin_class(class_name, module)
    for n in names:
        if cls is None:
            cls = _reg.get_registered_object(n)
    if cls is None:
        cls = builtin_class(class_name, module)
    if cls is None:
        raise TypeError(
            f"Could not locate class '{class_name}' (module {module!r}) while deserializing "
            f"a {printable}. kerasx only builds its own layers, models, optimizers, losses, "
            "metrics, initializers, regularizers, constraints and schedules, or classes you "
            "register with `@kerasx.saving.register_keras_serializable()` or pass in "
            f"`custom_objects`. Full object config: {config}"
        )
    if not inspect.isclass(cls) and not callable(cls):
        raise TypeError(f"'{class_name}' does not name a class. Full object config: {config}")
    return cls


def _maybe_seed_generator(value: Any) -> Any:
    """A nested serialized ``SeedGenerator`` (as Keras writes a seed) becomes one again."""
    if isinstance(value, dict) and value.get("class_name") == "SeedGenerator":
        from kerasx.random import SeedGenerator

        return SeedGenerator.from_config(value.get("config", {}))
    return value
