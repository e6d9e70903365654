"""`Layer`: the unit of computation with state (weights) that models are made of."""

from __future__ import annotations

import functools
import inspect
import warnings
import weakref
from typing import Any

import numpy as np

from kerasx import backend as _backend
from kerasx import constraints as _constraints
from kerasx import dtype_policies
from kerasx import initializers as _initializers
from kerasx import regularizers as _regularizers
from kerasx.engine import dispatch, tree
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import AutocastScope, StatelessScope, Variable
from kerasx.layers import _context, _masks
from kerasx.layers.input_spec import InputSpec, assert_input_compatibility
from kerasx.layers.node import Node, no_recording, recording
from kerasx.random import SeedGenerator

_BASE_KWARGS = {"input_shape", "input_dim", "batch_input_shape", "batch_size", "input_dtype"}


class _CallInfo:
    """Facts about a layer class's `call` signature, computed once per class."""

    def __init__(self, call: Any) -> None:
        self.call = call
        sig = inspect.signature(call)
        params = list(sig.parameters.values())[1:]  # drop `self`
        self.names = [p.name for p in params]
        self.accepts_training = "training" in sig.parameters
        self.accepts_mask = "mask" in sig.parameters
        self.makes_masks = False  # set by _call_info: the class overrides compute_mask
        self.var_kwargs = any(p.kind is p.VAR_KEYWORD for p in params)
        self.first = params[0].name if params else None
        self.training_default = (
            sig.parameters["training"].default if self.accepts_training else None
        )
        if self.training_default is inspect.Parameter.empty:
            self.training_default = None


def _is_tensor_like(x: Any) -> bool:
    return (
        isinstance(x, np.ndarray)
        or dispatch.engine().is_native(x)
        or (hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, KerasTensor))
    )


class Layer:
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
                self.build(shapes)
        self.built = True

    # ------------------------------------------------------------------ weights

    def add_weight(
        self,
        shape: Any = None,
        initializer: Any = None,
        dtype: Any = None,
        trainable: bool = True,
        autocast: bool = True,
        regularizer: Any = None,
        constraint: Any = None,
        aggregation: str = "none",
        overwrite_with_gradient: bool = False,
        name: str | None = None,
    ) -> Variable:
        """Create a weight variable owned by this layer.

        Args:
            shape: the weight's shape (default scalar).
            initializer: an initializer, its name, or None (glorot_uniform for floats,
                zeros otherwise).
            dtype: the variable dtype (default: the policy's variable dtype).
            trainable: whether optimizers update it.
            autocast: kept for Keras compatibility.
            regularizer: a regularizer whose value is added to `losses`.
            constraint: a projection applied after each optimizer update.
            aggregation: kept for Keras compatibility.
            overwrite_with_gradient: kept for Keras compatibility.
            name: the weight's name (its path is prefixed by the layer's).

        Returns:
            The new `Variable`.
        """
        shape = () if shape is None else tuple(int(s) for s in shape)
        dtype = _dt.standardize_dtype(dtype or self._dtype_policy.variable_dtype)
        if initializer is None:
            initializer = "glorot_uniform" if _dt.is_float_dtype(dtype) else "zeros"
        init = _initializers.get(initializer)
        name = name or f"variable_{len(self._kx_tv) + len(self._kx_ntv)}"
        if _context.innermost_name() == self.name:
            path = _context.current_path(name)
        else:
            with _context.name_scope(self.name):
                path = _context.current_path(name)
        var = Variable(init, shape=shape, dtype=dtype, trainable=trainable, name=name)
        var.path = path
        var.regularizer = _regularizers.get(regularizer)
        var.constraint = _constraints.get(constraint)
        var.overwrite_with_gradient = overwrite_with_gradient
        (self._kx_tv if trainable else self._kx_ntv).append(var)
        return var

    add_variable = add_weight

    def _tracked(self) -> tuple[list, list, list]:
        """Sub-layers, attribute variables and seed generators, in assignment order."""
        layers: list = []
        variables: list = []
        seeds: list = []
        seen: set = set()

        def visit(v: Any, depth: int) -> None:
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
                    visit(item, depth + 1)
            elif depth < 4 and isinstance(v, dict):
                for item in v.values():
                    visit(item, depth + 1)

        own = {id(v) for v in self._kx_tv} | {id(v) for v in self._kx_ntv}
        seen |= own
        seen.add(id(self))
        d = self.__dict__
        for key in d["_kx_names"]:
            visit(d.get(key), 0)
        return layers, variables, seeds

    @property
    def _layers(self) -> list:
        return self._tracked()[0]

    def _flatten_layers(self, include_self: bool = True, recursive: bool = True) -> list:
        out = [self] if include_self else []
        for layer in self._layers:
            out.append(layer)
            if recursive:
                out.extend(layer._flatten_layers(include_self=False))
        return out

    @property
    def trainable(self) -> bool:
        """Whether the layer's weights are trained; setting it applies to sub-layers too."""
        return self.__dict__.get("_kx_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        self.__dict__["_kx_trainable"] = bool(value)
        for layer in self._layers:
            layer.trainable = value

    def _own_variables(self) -> tuple[list, list]:
        _, attr_vars, _ = self._tracked()
        tv = list(self._kx_tv) + [v for v in attr_vars if v.trainable]
        ntv = list(self._kx_ntv) + [v for v in attr_vars if not v.trainable]
        return tv, ntv

    @property
    def trainable_weights(self) -> list:
        """Weights updated by training (empty when the layer is frozen)."""
        if not self.trainable:
            return []
        tv, _ = self._own_variables()
        out = [v for v in tv if v.trainable]
        for layer in self._layers:
            out.extend(layer.trainable_weights)
        return _unique(out)

    @property
    def non_trainable_weights(self) -> list:
        """Weights not updated by training."""
        if not self.trainable:
            return self.weights
        tv, ntv = self._own_variables()
        out = [v for v in tv if not v.trainable] + ntv
        for layer in self._layers:
            out.extend(layer.non_trainable_weights)
        return _unique(out)

    @property
    def weights(self) -> list:
        """All weights: own trainable, own non-trainable, then sub-layers' weights."""
        tv, ntv = self._own_variables()
        out = tv + ntv
        for layer in self._layers:
            out.extend(layer.weights)
        return _unique(out)

    @property
    def _seed_generators(self) -> list:
        out = list(self._tracked()[2])
        for layer in self._layers:
            out.extend(layer._seed_generators)
        return _unique(out)

    @property
    def variables(self) -> list:
        """Weights plus other state (random seed generators)."""
        return _unique(self.weights + [s.state for s in self._seed_generators])

    @property
    def trainable_variables(self) -> list:
        """Same as `trainable_weights`."""
        return self.trainable_weights

    @property
    def non_trainable_variables(self) -> list:
        """Non-trainable weights plus seed generator states."""
        return _unique(self.non_trainable_weights + [s.state for s in self._seed_generators])

    def get_weights(self) -> list:
        """The weights' values as NumPy arrays, in `weights` order."""
        return [np.array(v.numpy()) for v in self.weights]

    def set_weights(self, weights: list) -> None:
        """Set every weight from a list of arrays (same order and shapes as `get_weights`).

        Nothing changes unless every shape matches.
        """
        mine = self.weights
        if len(weights) != len(mine):
            raise ValueError(
                f"You called `set_weights(weights)` on layer '{self.name}' with a weight list "
                f"of length {len(weights)}, but the layer was expecting {len(mine)} weights."
            )
        arrays = []
        for var, w in zip(mine, weights):
            arr = np.asarray(w)
            if tuple(arr.shape) != tuple(var.shape):
                raise ValueError(
                    f"Layer {self.name} weight shape {tuple(var.shape)} is not compatible with "
                    f"provided weight shape {tuple(arr.shape)}."
                )
            arrays.append(arr)
        for var, arr in zip(mine, arrays):
            var.assign(arr)

    def count_params(self) -> int:
        """Number of scalars in the layer's weights."""
        if not self.built:
            raise ValueError(
                f"You tried to call `count_params` on layer '{self.name}', but the layer isn't "
                "built. You can build it manually via: `layer.build(input_shape)`."
            )
        return int(sum(int(np.prod(v.shape)) for v in self.weights))

    # ------------------------------------------------------------------ losses

    def add_loss(self, loss: Any) -> None:
        """Add a scalar loss term (collected in `losses` and added to the training loss)."""
        self._kx_losses.append(loss)
        _LOSS_HOLDERS[id(self)] = self

    @property
    def losses(self) -> list:
        """Losses added during the last call, plus weight regularization terms."""
        added: list = []
        regular: list = []
        for layer in self._flatten_layers():
            added.extend(layer._kx_losses)
            for v in layer._kx_tv + layer._kx_ntv:
                reg = getattr(v, "regularizer", None)
                if reg is not None:
                    regular.append(reg(v.value))
        return added + regular

    def _clear_losses(self) -> None:
        # Only `add_loss` fills `_kx_losses`, and it registers the layer in _LOSS_HOLDERS:
        # when no layer holds losses there is nothing to clear (and no tree to walk).
        if not _LOSS_HOLDERS:
            return
        for layer in self._flatten_layers():
            layer._kx_losses.clear()
            _LOSS_HOLDERS.pop(id(layer), None)

    # ------------------------------------------------------------------ calling

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """The layer's computation (override in subclasses)."""
        raise TypeError(
            f"Layer {type(self).__name__} does not define `call()`. A layer subclass must "
            "implement `call(self, inputs, ...)`."
        )

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        # Fast path (the training hot path): a built layer called on one concrete tensor that
        # needs no conversion, with at most `training=`. It does what the general path does
        # for such a call, minus the structure walks.
        policy = self._dtype_policy
        if (
            len(args) == 1
            and (not kwargs or (len(kwargs) == 1 and "training" in kwargs))
            and self.built
            and self.activity_regularizer is None
            and policy._compute == policy._variable
        ):
            x = args[0]
            if self._fast_input_ok(x):
                return self._fast_call(x, kwargs)
        return self._call_general(args, kwargs)

    def _fast_input_ok(self, x: Any) -> bool:
        """True when `x` is a concrete tensor that `_convert_inputs` would return unchanged
        (up to the engine's own identity conversion of NumPy arrays) and carries no mask."""
        if self._kx_call.makes_masks or (_masks.MASKS and _masks.get_mask(x) is not None):
            return False  # masks are made or carried: the general path propagates them
        cls = x.__class__
        if cls is np.ndarray:
            if cls not in dispatch.FAST_TYPES:  # an engine whose arrays are not NumPy's
                return False
            kind = x.dtype.kind
            if kind == "O":
                return False
            if kind == "f" and _dtype_str(x.dtype) != self._dtype_policy.compute_dtype:
                return False
            # `_convert_inputs` hands NumPy arrays to the engine's `convert_to_tensor`.
            return dispatch.engine().convert_to_tensor(x, None) is x
        if cls is not dispatch._Tracer and (
            cls not in dispatch.FAST_TYPES or isinstance(x, (np.generic, np.ndarray))
        ):
            return False
        if self.autocast:
            compute = self._dtype_policy.compute_dtype
            d = _dt.standardize_dtype(x.dtype)
            if d != compute and _dt.is_float_dtype(d) and _dt.is_float_dtype(compute):
                return False
        return not (self._kx_call.accepts_mask and getattr(x, "_keras_mask", None) is not None)

    def _fast_call(self, x: Any, kwargs: dict) -> Any:
        info = self._kx_call
        spec = self.input_spec
        if spec is not None:
            shape = tuple(x.shape)
            seen = self.__dict__.get("_kx_spec_seen")
            if seen is None or seen[0] is not spec or seen[1] != shape or seen[2] != vars(spec):
                assert_input_compatibility(spec, x, self.name)
                if isinstance(spec, InputSpec):
                    snapshot = {
                        k: dict(v) if isinstance(v, dict) else v for k, v in vars(spec).items()
                    }
                    self.__dict__["_kx_spec_seen"] = (spec, shape, snapshot)
        if info.accepts_training:
            training = kwargs.get("training")
            if training is None:
                training = _context.current_training()
                if training is None:
                    training = info.training_default
                kwargs["training"] = training
        else:
            training = kwargs.pop("training", None)
            if training is None:
                training = _context.current_training()
        if _LOSS_HOLDERS and not _context.in_call():
            self._clear_losses()
        pushed = _context.enter_call(training, self.name)
        try:
            return self.call(x, **kwargs)
        finally:
            _context.exit_call(pushed)

    def _call_general(self, args: tuple, kwargs: dict) -> Any:
        info = self._kx_call
        given_kwargs = dict(kwargs)
        # Convert array inputs and cast floating inputs to the compute dtype.
        if args:
            args = (self._convert_inputs(args[0]), *args[1:])
        elif info.first in kwargs:
            kwargs[info.first] = self._convert_inputs(kwargs[info.first])
        symbolic = any(isinstance(t, KerasTensor) for t in tree.flatten((args, kwargs)))
        if info.accepts_training:
            training = kwargs.get("training")
            if training is None:
                training = _context.current_training()
                if training is None:
                    training = info.training_default
                kwargs["training"] = training
        else:
            training = kwargs.pop("training", None)
            if training is None:
                training = _context.current_training()
        if info.accepts_mask and kwargs.get("mask") is None and args:
            masks = tree.map_structure(_masks.get_mask, args[0])
            if any(m is not None for m in tree.flatten(masks)):
                kwargs["mask"] = masks
        if self.input_spec is not None:
            assert_input_compatibility(
                self.input_spec, args[0] if args else kwargs.get(info.first), self.name
            )
        outer = not _context.in_call()
        if outer:
            self._clear_losses()
        if not self.built:
            spec = self.input_spec
            self._maybe_build(args, kwargs)
            if self.input_spec is not None and self.input_spec is not spec:
                assert_input_compatibility(
                    self.input_spec, args[0] if args else kwargs.get(info.first), self.name
                )
        policy = self._dtype_policy
        mixed = policy.compute_dtype != policy.variable_dtype and self.autocast
        with (
            _context.training_scope(training),
            _context.name_scope(self.name),
            AutocastScope(policy.compute_dtype) if mixed else _no_autocast_change(),
        ):
            if symbolic:
                with no_recording():
                    outputs = self.compute_output_spec(*args, **kwargs)
                # An output that is one of the inputs (Identity, a linear Activation) gets a
                # fresh tensor, so the node's history does not overwrite the input's.
                ins = {id(t) for t in tree.flatten((args, kwargs)) if isinstance(t, KerasTensor)}
                outputs = tree.map_structure(
                    lambda t: KerasTensor(t.shape, t.dtype) if id(t) in ins else t, outputs
                )
            else:
                outputs = self.call(*args, **kwargs)
        if self.activity_regularizer is not None and not symbolic:
            for out in tree.flatten(outputs):
                size = out.shape[0] if out.shape and out.shape[0] else 1
                self.add_loss(self.activity_regularizer(out) / size)
        if symbolic:
            self._set_masks(args, kwargs, outputs)
            if recording():
                Node(self, args, given_kwargs, outputs)
        elif info.makes_masks or kwargs.get("mask") is not None or _masks.MASKS:
            self._set_masks(args, kwargs, outputs)
        return outputs

    def _convert_inputs(self, x: Any) -> Any:
        compute = self._dtype_policy.compute_dtype
        autocast = self.autocast and _dt.is_float_dtype(compute)

        def conv(t: Any) -> Any:
            if isinstance(t, KerasTensor):
                return t
            if isinstance(t, Variable):
                t = t.value
            if isinstance(t, (np.ndarray, np.generic)) or isinstance(t, (list, float)):
                arr = t if isinstance(t, (np.ndarray, np.generic)) else np.asarray(t)
                if arr.dtype == object:
                    return t
                if autocast and arr.dtype.kind == "f" and str(arr.dtype) != compute:
                    arr = arr.astype(compute)
                elif arr.dtype.kind == "f" and arr.dtype == np.float64 and compute == "float32":
                    arr = arr.astype("float32")
                return dispatch.engine().convert_to_tensor(arr, None)
            if autocast and hasattr(t, "dtype"):
                d = _dt.standardize_dtype(t.dtype)
                if _dt.is_float_dtype(d) and d != compute:
                    from kerasx import ops

                    return ops.cast(t, compute)
            return t

        if isinstance(x, (list, tuple, dict)):
            return tree.map_structure(conv, x)
        return conv(x)

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

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Output KerasTensor(s) for symbolic inputs (by default, `call` traced symbolically)."""
        return self.call(*args, **kwargs)

    def compute_output_shape(self, *args: Any, **kwargs: Any) -> Any:
        """The output shape for inputs of the given shape(s) (traced through the rules)."""

        def spec(s: Any) -> Any:
            return KerasTensor(s, self._dtype_policy.compute_dtype)

        shapes = args[0] if args else next(iter(kwargs.values()))
        is_shape = isinstance(shapes, tuple) and all(
            d is None or isinstance(d, (int, np.integer)) for d in shapes
        )
        inputs = spec(shapes) if is_shape else _map_shapes(spec, shapes)
        if not self.built:
            self._maybe_build((inputs,), {})
        with no_recording(), _context.training_scope(False):
            out = self.compute_output_spec(inputs)
        return tree.map_structure(lambda t: tuple(t.shape), out)

    def compute_mask(self, inputs: Any, previous_mask: Any = None) -> Any:
        """The output mask (by default the input mask when `supports_masking`, else None)."""
        if not self.supports_masking:
            return None
        return previous_mask

    def stateless_call(
        self,
        trainable_variables: list,
        non_trainable_variables: list,
        *args: Any,
        return_losses: bool = False,
        **kwargs: Any,
    ) -> Any:
        """Call the layer with the given variable values instead of its own.

        Args:
            trainable_variables: values aligned with `self.trainable_variables`.
            non_trainable_variables: values aligned with `self.non_trainable_variables`.
            *args: the call's inputs.
            return_losses: also return the losses added during the call.
            **kwargs: further call arguments (e.g. ``training=True``).

        Returns:
            ``(outputs, new_non_trainable_values)`` (plus ``losses`` with `return_losses`).
        """
        if not self.built:
            raise ValueError(
                f"To call stateless_call, {type(self).__name__} must be built (i.e. its "
                "variables must have been already created). You can build it by calling it on "
                "some data."
            )
        tv, ntv = self.trainable_variables, self.non_trainable_variables
        if len(trainable_variables) != len(tv) or len(non_trainable_variables) != len(ntv):
            raise ValueError(
                "stateless_call expects one value per variable: "
                f"{len(tv)} trainable and {len(ntv)} non-trainable; received "
                f"{len(trainable_variables)} and {len(non_trainable_variables)}."
            )
        mapping = list(zip(tv, trainable_variables)) + list(zip(ntv, non_trainable_variables))
        with StatelessScope(mapping) as scope:
            outputs = self(*args, **kwargs)
            losses = self.losses if return_losses else None
        new_ntv = []
        for v, old in zip(ntv, non_trainable_variables):
            new = scope.assigned.get(id(v))
            new_ntv.append(old if new is None else new)
        if return_losses:
            return outputs, new_ntv, losses
        return outputs, new_ntv

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


class _no_autocast_change:
    """A do-nothing context (the layer is not mixed precision)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


# Layers whose `_kx_losses` may be non-empty (filled by `add_loss`, emptied by `_clear_losses`).
_LOSS_HOLDERS: weakref.WeakValueDictionary = weakref.WeakValueDictionary()

_DTYPE_STR: dict = {}


def _dtype_str(dtype: Any) -> str:
    """``str(dtype)``, remembered per dtype object (NumPy's ``str`` of a dtype is slow)."""
    s = _DTYPE_STR.get(dtype)
    if s is None:
        s = _DTYPE_STR[dtype] = str(dtype)
    return s


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


def _unique(seq: list) -> list:
    seen: set = set()
    out = []
    for v in seq:
        if id(v) not in seen:
            seen.add(id(v))
            out.append(v)
    return out


def _plain(v: Any) -> bool:
    if v is None or isinstance(v, (bool, int, float, str)):
        return True
    if isinstance(v, (list, tuple)):
        return all(_plain(x) for x in v)
    if isinstance(v, dict):
        return all(isinstance(k, str) and _plain(x) for k, x in v.items())
    return False


def _map_shapes(fn: Any, shapes: Any) -> Any:
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    if (
        isinstance(shapes, (list, tuple))
        and shapes
        and all(d is None or isinstance(d, (int, np.integer)) for d in shapes)
    ):
        return fn(tuple(shapes))
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_map_shapes(fn, s) for s in shapes)
    return fn(shapes)
