"""`Lambda`: wrap a Python function as a layer, and its (unsafe) serialization."""

from __future__ import annotations

import base64
import builtins
import inspect
import marshal
import types
from typing import Any

import numpy as np

from kerasx import config as _config
from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer

_LAMBDA = "__lambda__"


def _unsafe_allowed(safe_mode: bool | None) -> bool:
    """Whether Python bytecode may be loaded.

    Allowed when the caller passes ``safe_mode=False``, when the enclosing loading call runs
    with ``safe_mode=False`` (`kerasx.saving.serialization.SafeModeScope`), or when the user
    called `kerasx.config.enable_unsafe_deserialization()` (as in Keras, the global switch
    applies even inside a ``safe_mode=True`` load). Nothing in a config can set any of these.
    """
    if safe_mode is False:
        return True
    if _config._flags.get("unsafe_deserialization", False):
        return True
    if safe_mode is None:
        from kerasx.saving.serialization import in_safe_mode

        return in_safe_mode() is False
    return False


def serialize_function(fn: Any) -> Any:
    """Serialize a callable in Keras 3's format.

    A Python ``lambda`` becomes ``{"class_name": "__lambda__", "config": {"code": <base64 of
    the marshalled bytecode>, "defaults": ..., "closure": ...}}``; a named function becomes a
    reference by name (resolved on load through ``custom_objects``); an object with
    ``get_config`` becomes a Keras object dict.

    Args:
        fn: the callable.

    Returns:
        A JSON-friendly dict.
    """
    if isinstance(fn, types.FunctionType) and fn.__name__ == "<lambda>":
        code = base64.encodebytes(marshal.dumps(fn.__code__)).decode("ascii")
        closure = None
        if fn.__closure__ is not None:
            closure = tuple(cell.cell_contents for cell in fn.__closure__)
        return {
            "class_name": _LAMBDA,
            "config": {"code": code, "defaults": fn.__defaults__, "closure": closure},
        }
    if isinstance(fn, (types.FunctionType, types.BuiltinFunctionType)):
        return {
            "module": "builtins",
            "class_name": "function",
            "config": fn.__name__,
            "registered_name": "function",
        }
    from kerasx.saving import serialize_keras_object

    return serialize_keras_object(fn)


def _serialize_mask_or_shape(value: Any) -> Any:
    if callable(value):
        return serialize_function(value)
    if hasattr(value, "shape") and hasattr(value, "dtype") and not isinstance(value, tuple):
        arr = np.asarray(value)
        return {
            "class_name": "__tensor__",
            "config": {"value": arr.tolist(), "dtype": str(arr.dtype)},
        }
    return value


def deserialize_function(
    config: Any, custom_objects: dict | None = None, safe_mode: bool | None = None
) -> Any:
    """Rebuild a callable written by `serialize_function`.

    Python bytecode (``"__lambda__"``) is only loaded when unsafe deserialization is allowed:
    ``safe_mode=False`` here (or in the loading function), or
    ``kerasx.config.enable_unsafe_deserialization()``. Loading bytecode runs code from the
    file, so do it only for files you trust.

    Args:
        config: the serialized form.
        custom_objects: names for functions serialized by name.
        safe_mode: False to allow bytecode; None to use the global setting.

    Returns:
        The callable (or the value itself when `config` is not a serialized function).
    """
    custom_objects = dict(custom_objects or {})
    if not isinstance(config, dict):
        return config
    class_name = config.get("class_name")
    if class_name == _LAMBDA:
        if not _unsafe_allowed(safe_mode):
            raise ValueError(
                "Requested the deserialization of a `Lambda` layer whose `function` is a Python "
                "lambda. Loading it runs Python bytecode stored in the config, which can execute "
                "arbitrary code, so it is refused by default (safe mode). If you trust the source "
                "of the artifact, pass `safe_mode=False` to the loading function, or call "
                "`kerasx.config.enable_unsafe_deserialization()`."
            )
        inner = config["config"]
        code = marshal.loads(base64.decodebytes(inner["code"].encode("ascii")))
        defaults = inner.get("defaults")
        closure = inner.get("closure")
        if closure is not None:
            closure = tuple(types.CellType(v) for v in closure)
        return types.FunctionType(
            code,
            _lambda_globals(custom_objects),
            None,
            tuple(defaults) if defaults is not None else None,
            closure,
        )
    if class_name == "function":
        name = config.get("config")
        if name in custom_objects:
            return custom_objects[name]
        from kerasx import activations

        if name in activations.ALL_OBJECTS_DICT:
            return activations.ALL_OBJECTS_DICT[name]
        raise TypeError(
            f"Could not locate function '{name}'. Pass it in `custom_objects` "
            f"(e.g. custom_objects={{'{name}': {name}}}) when loading. Full object config: "
            f"{config}"
        )
    if class_name == "__tensor__":
        inner = config["config"]
        return np.asarray(inner["value"], dtype=inner.get("dtype"))
    from kerasx.saving import deserialize_keras_object

    return deserialize_keras_object(config, custom_objects=custom_objects)


def _lambda_globals(custom_objects: dict) -> dict:
    import kerasx
    from kerasx import ops

    namespace = {"__builtins__": builtins, "kerasx": kerasx, "keras": kerasx, "ops": ops}
    namespace.update(custom_objects)
    return namespace


class Lambda(Layer):
    """Wrap an arbitrary function of tensors as a layer.

    The function runs as the layer's `call`; it should use `kerasx.ops`. Lambda layers hold
    no weights. Saving a model with a Python ``lambda`` stores its bytecode, which is only
    loaded back with ``safe_mode=False`` (see `deserialize_function`); prefer a `Layer`
    subclass for anything meant to be saved and shared.

    Args:
        function: the function, called as ``function(inputs, **arguments)``; it also gets
            ``mask=`` and ``training=`` when its signature names them.
        output_shape: the output shape without the batch axis, or a function mapping the
            input shape to the output shape (default: inferred by tracing `function`).
        mask: a function ``(inputs, previous_mask) -> mask``, or a fixed mask tensor.
        arguments: extra keyword arguments for `function`.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(
        self,
        function: Any,
        output_shape: Any = None,
        mask: Any = None,
        arguments: dict | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not callable(function):
            raise TypeError(
                "Received an invalid value for `function`, expected a callable. "
                f"Received: function={function!r}"
            )
        if output_shape is not None and not callable(output_shape):
            try:
                output_shape = tuple(output_shape)
            except TypeError:
                raise TypeError(
                    "Received an invalid value for `output_shape`, expected a tuple of "
                    "integers (without the batch axis) or a function of the input shape. "
                    f"Received: output_shape={output_shape!r}"
                ) from None
        self.function = function
        self.arguments = dict(arguments or {})
        self._output_shape = output_shape
        self.mask = mask
        self.supports_masking = mask is not None
        try:
            params = inspect.signature(function).parameters
        except (TypeError, ValueError):
            params = {}
        self._fn_expects_mask = "mask" in params
        self._fn_expects_training = "training" in params
        self.built = True

    def call(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        """Run ``function(inputs, **arguments)`` (plus mask/training when it takes them)."""
        kwargs = dict(self.arguments)
        if self._fn_expects_mask:
            kwargs["mask"] = mask
        if self._fn_expects_training:
            kwargs["training"] = training
        return self.function(inputs, **kwargs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """From `output_shape` when given, else by tracing `function` symbolically."""
        if self._output_shape is None:
            return super().compute_output_shape(input_shape)
        if callable(self._output_shape):
            return self._output_shape(input_shape)
        first = _first_shape(input_shape)
        batch = first[0] if first else None
        return (batch, *self._output_shape)

    def compute_output_spec(self, inputs: Any, mask: Any = None, training: Any = None) -> Any:
        """Symbolic outputs: traced through `function`, or shaped by `output_shape`."""
        if self._output_shape is None:
            return self.call(inputs, mask=mask, training=training)
        in_shape = tree.map_structure(lambda t: tuple(t.shape), inputs)
        shape = self.compute_output_shape(in_shape)
        first = tree.flatten(inputs)[0]
        dtype = getattr(first, "dtype", self.compute_dtype)
        if _is_shape(shape):
            return KerasTensor(shape, dtype)
        return _map_shape_structure(lambda s: KerasTensor(s, dtype), shape)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        """The `mask` argument: called as ``mask(inputs, mask)`` when it is a function."""
        if callable(self.mask):
            return self.mask(inputs, mask)
        return self.mask

    def get_config(self) -> dict:
        """The base config plus the serialized function (bytecode for a ``lambda``)."""
        config = super().get_config()
        config["function"] = serialize_function(self.function)
        if self._output_shape is not None:
            config["output_shape"] = _serialize_mask_or_shape(self._output_shape)
        if self.mask is not None:
            config["mask"] = _serialize_mask_or_shape(self.mask)
        config["arguments"] = dict(self.arguments)
        return config

    @classmethod
    def from_config(
        cls, config: dict, custom_objects: dict | None = None, safe_mode: bool | None = None
    ) -> Lambda:
        """Rebuild a Lambda layer; Python bytecode needs ``safe_mode=False``.

        Args:
            config: `get_config`'s output.
            custom_objects: names for functions serialized by name.
            safe_mode: False to allow loading lambda bytecode (None: the global setting,
                see `kerasx.config.enable_unsafe_deserialization`).

        Returns:
            The layer.
        """
        config = dict(config)
        for key in ("function", "output_shape", "mask"):
            if key in config:
                config[key] = deserialize_function(config[key], custom_objects, safe_mode)
        if isinstance(config.get("output_shape"), list):
            config["output_shape"] = tuple(config["output_shape"])
        return super().from_config(config)


def _is_shape(s: Any) -> bool:
    return isinstance(s, (tuple, list)) and all(
        d is None or isinstance(d, (int, np.integer)) for d in s
    )


def _first_shape(s: Any) -> tuple | None:
    if _is_shape(s):
        return tuple(s)
    if isinstance(s, dict):
        s = list(s.values())
    if isinstance(s, (list, tuple)) and s:
        return _first_shape(s[0])
    return None


def _map_shape_structure(fn: Any, shapes: Any) -> Any:
    if _is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shape_structure(fn, v) for k, v in shapes.items()}
    return type(shapes)(_map_shape_structure(fn, s) for s in shapes)
