"""`Layer`: the unit of computation with state (weights) that models are made of."""

from __future__ import annotations

import contextlib
import functools
import inspect
import threading
import warnings
from collections.abc import Iterator
from typing import Any

from kerasx import backend as _backend
from kerasx import dtype_policies
from kerasx import regularizers as _regularizers
from kerasx.engine import tree
from kerasx.engine.remat import get_current_remat_mode
from kerasx.engine.variables import Variable
from kerasx.layers import _context, _masks
from kerasx.layers._layer_call import LayerCallMixin, _CallInfo
from kerasx.layers._layer_weights import LayerWeightsMixin
from kerasx.random import SeedGenerator

_BASE_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size", "input_dtype"}


# The weights/losses part of the class is `LayerWeightsMixin` (`_layer_weights.py`) and the
# call machinery is `LayerCallMixin` (`_layer_call.py`); neither defines a name `Layer` does.
class Layer(LayerWeightsMixin, LayerCallMixin):
    """Base class of all layers: weights, a `call`, automatic building, configs.

    Subclasses create weights in `build(input_shape)` with `add_weight` (or in `__init__`
    when the shapes are known) and compute in `call(inputs, ...)`. Calling a layer builds it
    on first use, passes `training` down from outer layers, and, on symbolic inputs
    (`kerasx.Input`), records the call for the functional API.

    Args:
        activity_regularizer: a regularizer applied to the layer's output.
        trainable: whether the layer's weights are updated in training.
        dtype: a dtype name or `DTypePolicy` (compute and variable dtype).
        autocast: whether floating inputs are cast to the compute dtype.
        name: the layer's name (unique default from the class name: ``dense``, ``dense_1``).
        **kwargs: ``input_shape`` / ``input_dim`` / ``batch_size`` on a model's first layer.
    """

    # Whether `get_config` adds the plain constructor arguments by itself. Built-in layers
    # that write their own full config set this to False.
    _auto_config = True

    def __new__(cls, *args: Any, **kwargs: Any) -> Layer:
        obj = super().__new__(cls)
        # Remember the constructor arguments for the automatic `get_config`.
        try:
            bound = inspect.signature(cls.__init__).bind(obj, *args, **kwargs)
            obj.__dict__["_kx_init_args"] = {
                k: v for k, v in list(bound.arguments.items())[1:] if k not in ("args", "kwargs")
            }
            extra = bound.arguments.get("kwargs", {})
            obj.__dict__["_kx_init_args"].update(extra)
        except TypeError:
            obj.__dict__["_kx_init_args"] = None
        obj.__dict__["_kx_names"] = {}
        return obj

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        build = cls.__dict__.get("build")
        if build is not None and not getattr(build, "_kx_wrapped", False):
            cls.build = _wrap_build(build)

    def __setattr__(self, name: str, value: Any) -> None:
        # Remember which attributes may hold layers, variables or seed generators, so
        # tracking walks only those (it runs on every training step).
        names = self.__dict__.get("_kx_names")
        if names is not None and not name.startswith("_kx_") and name != "_inbound_nodes":
            if isinstance(value, (Layer, Variable, SeedGenerator, list, tuple, dict)):
                names[name] = None
            else:
                names.pop(name, None)
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self.__dict__.get("_kx_names", {}).pop(name, None)
        object.__delattr__(self, name)

    def __init__(
        self,
        *,
        activity_regularizer: Any = None,
        trainable: bool = True,
        dtype: Any = None,
        autocast: bool = True,
        name: str | None = None,
        **kwargs: Any,
    ) -> None:
        unknown = set(kwargs) - _BASE_KWARGS
        if unknown:
            raise ValueError(
                f"Unrecognized keyword arguments passed to {type(self).__name__}: "
                f"{ {k: kwargs[k] for k in sorted(unknown)} }"
            )
        if name is not None and (not isinstance(name, str) or "/" in name):
            raise ValueError(
                "Received an invalid value for `name`, expected a string without '/'. "
                f"Received: name={name!r}"
            )
        d = self.__dict__
        d["_kx_tv"] = []
        d["_kx_ntv"] = []
        d["_kx_losses"] = []
        d["_inbound_nodes"] = []
        d["_kx_built"] = False
        d["_kx_trainable"] = bool(trainable)
        # the RematScope in effect now decides how this layer's calls rematerialize
        remat_mode = get_current_remat_mode()
        d["_remat_mode"] = remat_mode if remat_mode is not None and remat_mode.mode else None
        if name is None:
            prefix = _context.snake_case(type(self).__name__)
            uid = _backend.get_uid(prefix)
            name = prefix if uid == 1 else f"{prefix}_{uid - 1}"
        self.name = name
        self._dtype_policy = dtype_policies.get(dtype)
        self.autocast = autocast
        self.activity_regularizer = _regularizers.get(activity_regularizer)
        self.supports_masking = getattr(self, "supports_masking", False)
        self.input_spec = None
        self._kx_call = _call_info(type(self))
        shape = kwargs.get("batch_input_shape")
        if shape is None and kwargs.get("input_shape") is not None:
            shape = (kwargs.get("batch_size"), *tuple(kwargs["input_shape"]))
        elif shape is None and kwargs.get("input_dim") is not None:
            shape = (kwargs.get("batch_size"), kwargs["input_dim"])
        self._kx_batch_input_shape = tuple(shape) if shape is not None else None
        if shape is not None:
            warnings.warn(
                "Do not pass an `input_shape`/`input_dim` argument to a layer. When using "
                "Sequential models, prefer using an `Input(shape)` object as the first layer in "
                "the model instead.",
                UserWarning,
                stacklevel=2,
            )

    # ------------------------------------------------------------------ building

    @property
    def built(self) -> bool:
        """Whether the layer's weights exist."""
        return self.__dict__.get("_kx_built", False)

    @built.setter
    def built(self, value: bool) -> None:
        self.__dict__["_kx_built"] = bool(value)

    def build(self, input_shape: Any = None) -> None:
        """Create the layer's weights for inputs of `input_shape` (override in subclasses).

        Args:
            input_shape: the input's shape (or a structure of shapes), batch axis included.
        """
        self.built = True

    def _maybe_build(self, args: tuple, kwargs: dict) -> None:
        if self.built:
            return
        first = args[0] if args else kwargs.get(self._kx_call.first)
        shapes = tree.map_structure(
            lambda t: tuple(t.shape) if hasattr(t, "shape") else None, first
        )
        self.__dict__["_kx_build_shape"] = shapes
        build = getattr(type(self).build, "__wrapped__", type(self).build)
        params = list(inspect.signature(build).parameters)[1:]
        if len(params) > 1 and all(p.endswith("_shape") for p in params):
            given = dict(zip(self._kx_call.names, args))
            given.update(kwargs)
            self.build(
                **{
                    p: tree.map_structure(
                        lambda t: tuple(t.shape) if hasattr(t, "shape") else None,
                        given.get(p[: -len("_shape")]),
                    )
                    for p in params
                }
            )
        else:
            with _context.name_scope(self.name):
                try:
                    self.build(shapes)
                except Exception:
                    # A subclassed model's default build calls it on symbolic inputs; a call
                    # that needs values (Python control flow on them) cannot run so, and its
                    # first call on values builds the sub-layers instead, as in Keras.
                    if not (
                        getattr(type(self).build, "_kx_symbolic_default", False)
                        and _has_values(first)
                    ):
                        raise
        self.built = True

    # ------------------------------------------------------------------ attribute tracking
    # (here, next to `__setattr__` that records the names it walks, because it tests for
    # `Layer`; the listings built on it are in `LayerWeightsMixin`)

    def _tracked(self) -> tuple[list, list, list]:
        """Sub-layers, attribute variables and seed generators, in assignment order."""
        cache = getattr(_TRACKING, "cache", None)
        if cache is not None:
            hit = cache.get(id(self))
            if hit is None:
                hit = cache[id(self)] = self._walk_tracked()
            return hit
        return self._walk_tracked()

    def _walk_tracked(self) -> tuple[list, list, list]:
        layers: list = []
        variables: list = []
        seeds: list = []
        seen: set = set()

        own = {id(v) for v in self._kx_tv} | {id(v) for v in self._kx_ntv}
        seen |= own
        seen.add(id(self))
        d = self.__dict__
        found = (layers, variables, seeds)
        for key in d["_kx_names"]:
            _visit_tracked(d.get(key), 0, seen, found)
        return layers, variables, seeds

    # ------------------------------------------------------------------ masks

    def _set_masks(self, args: tuple, kwargs: dict, outputs: Any) -> None:
        if not args:
            return
        prev = kwargs.get("mask")
        if prev is None:
            # `call` may not take a mask; the inputs' masks still flow to compute_mask.
            prev = tree.map_structure(_masks.get_mask, args[0])
            if all(m is None for m in tree.flatten(prev)):
                prev = None
        if prev is None and not self.supports_masking:
            if type(self).compute_mask is Layer.compute_mask:
                return
        try:
            mask = self.compute_mask(args[0], prev)
        except (TypeError, ValueError):
            return
        if mask is None:
            return
        flat_out = tree.flatten(outputs)
        flat_mask = tree.flatten(mask) if isinstance(mask, (list, tuple)) else [mask]
        if len(flat_mask) == 1:
            flat_mask = flat_mask * len(flat_out)
        for t, m in zip(flat_out, flat_mask):
            if m is not None:
                _masks.set_mask(t, m)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """The output mask (by default the input mask when `supports_masking`, else None)."""
        if not self.supports_masking:
            return None
        return previous_mask

    # ------------------------------------------------------------------ graph facts

    def _node_tensor(self, attr: str, what: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Layer '{self.name}' has never been called on symbolic inputs and thus has no "
                f"defined {what}."
            )
        return getattr(self._inbound_nodes[0], attr)

    @property
    def input(self) -> Any:
        """The symbolic input of the layer's first functional call."""
        args = self._node_tensor("call_args", "input")
        return args[0] if args else None

    @property
    def output(self) -> Any:
        """The symbolic output of the layer's first functional call."""
        return self._node_tensor("outputs", "output")

    @property
    def dtype_policy(self) -> dtype_policies.DTypePolicy:
        """The layer's `DTypePolicy`."""
        return self._dtype_policy

    @dtype_policy.setter
    def dtype_policy(self, value: Any) -> None:
        self._dtype_policy = dtype_policies.get(value)

    @property
    def dtype(self) -> str:
        """The variable dtype."""
        return self._dtype_policy.variable_dtype

    @property
    def compute_dtype(self) -> str:
        """The dtype the layer computes in."""
        return self._dtype_policy.compute_dtype

    @property
    def variable_dtype(self) -> str:
        """The dtype of the layer's variables."""
        return self._dtype_policy.variable_dtype

    @property
    def path(self) -> str:
        """The layer's name (Keras's path for top-level layers)."""
        return self.name

    # ------------------------------------------------------------------ config

    def get_config(self) -> dict:
        """The constructor arguments (name, trainable, dtype, plus simple subclass arguments)."""
        config: dict = {
            "name": self.name,
            "trainable": self.trainable,
            "dtype": dtype_policies.serialize(self._dtype_policy),
        }
        if self.activity_regularizer is not None:
            config["activity_regularizer"] = _regularizers.serialize(self.activity_regularizer)
        init_args = self.__dict__.get("_kx_init_args") or {}
        if type(self).__init__ is not Layer.__init__ and self._auto_config:
            extra = {
                k: v for k, v in init_args.items() if k not in config and k not in _BASE_KWARGS
            }
            for k, v in extra.items():
                if not _plain(v):
                    raise NotImplementedError(
                        f"Layer {type(self).__name__} was created with a non-serializable "
                        f"argument `{k}` ({type(v).__name__}), so its config cannot be built "
                        "automatically. Override `get_config()` (and `from_config()`) in "
                        f"{type(self).__name__}."
                    )
            config.update(extra)
        if self._kx_batch_input_shape is not None:
            config["batch_input_shape"] = self._kx_batch_input_shape
        return config

    @classmethod
    def from_config(cls, config: dict) -> Layer:
        """Create a layer from `get_config`'s output."""
        config = dict(config)
        if isinstance(config.get("dtype"), dict):
            config["dtype"] = dtype_policies.get(config["dtype"])
        try:
            return cls(**config)
        except TypeError as e:
            raise TypeError(
                f"Error when deserializing class '{cls.__name__}' using config={config}.\n\n"
                f"Exception encountered: {e}"
            ) from e

    def get_build_config(self) -> dict | None:
        """The input shape the layer was built with (for saving)."""
        shape = getattr(self, "_kx_build_shape", None)
        return {"input_shape": shape} if shape is not None else None

    def build_from_config(self, config: dict | None) -> None:
        """Build from `get_build_config`'s output."""
        if config and "input_shape" in config and not self.built:
            self.build(config["input_shape"])
            self.built = True

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}, built={self.built}>"


_CALL_INFO: dict = {}


def _has_values(x: Any) -> bool:
    """Whether `x` holds a concrete array (not only symbolic tensors)."""
    from kerasx.engine.symbolic import KerasTensor

    return any(hasattr(t, "shape") and not isinstance(t, KerasTensor) for t in tree.flatten(x))


def _wrap_build(build: Any) -> Any:
    """Make a subclass's `build` open the layer's name scope and mark the layer built."""

    @functools.wraps(build)
    def wrapped(self: Layer, *args: Any, **kwargs: Any) -> None:
        if args and "_kx_build_shape" not in self.__dict__:
            self.__dict__["_kx_build_shape"] = args[0]
        with _context.name_scope(self.name):
            build(self, *args, **kwargs)
        self.__dict__["_kx_built"] = True

    wrapped._kx_wrapped = True  # type: ignore[attr-defined]
    return wrapped


def _call_info(cls: type) -> _CallInfo:
    info = _CALL_INFO.get(cls)
    if info is None or info.call is not cls.call:
        info = _CallInfo(cls.call)
        info.makes_masks = cls.compute_mask is not Layer.compute_mask
        _CALL_INFO[cls] = info
    return info


def _plain(v: Any) -> bool:
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_plain(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _plain(x) for k, x in v.items())
    return False


_TRACKING = threading.local()


@contextlib.contextmanager
def tracking_snapshot() -> Iterator[None]:
    """Within the block, each layer walks its attributes once (`Layer._tracked` results are
    memoised): for reading several weight listings of a model that does not change meanwhile
    (the trainer's state groups, read on every `train_on_batch`)."""
    if getattr(_TRACKING, "cache", None) is not None:
        yield
        return
    _TRACKING.cache = {}
    try:
        yield
    finally:
        _TRACKING.cache = None


def _visit_tracked(v: Any, depth: int, seen: set, found: tuple) -> None:
    """`Layer._tracked`'s walk (a module function: a self-calling closure is a reference
    cycle that lives until the garbage collector's next pass)."""
    layers, variables, seeds = found
    if isinstance(v, Layer):
        if id(v) not in seen:
            seen.add(id(v))
            layers.append(v)
    elif isinstance(v, Variable):
        if id(v) not in seen:
            seen.add(id(v))
            variables.append(v)
    elif isinstance(v, SeedGenerator):
        if id(v) not in seen:
            seen.add(id(v))
            seeds.append(v)
    elif depth < 4 and isinstance(v, (list, tuple)):
        for item in v:
            _visit_tracked(item, depth + 1, seen, found)
    elif depth < 4 and isinstance(v, dict):
        for item in v.values():
            _visit_tracked(item, depth + 1, seen, found)
