"""Calling a layer: the `__call__` machinery of `Layer`, as a mixin.

`LayerCallMixin` holds the part of `Layer` that runs a call: the fast path for a built layer
on one concrete tensor, the general path (input conversion and autocasting, `training`
propagation, masks, building on first call, symbolic calls recorded for the functional API,
activity regularization), output shape/spec inference and `stateless_call`.
`kerasx.layers.layer.Layer` is the only class that inherits it.
"""

from __future__ import annotations

import inspect
import sys
from typing import Any

import numpy as np

from kerasx.engine import dispatch, tree
from kerasx.engine import dtypes as _dt
from kerasx.engine.remat import remat as _remat
from kerasx.engine.symbolic import KerasTensor, SymbolicScope
from kerasx.engine.variables import AutocastScope, StatelessScope, Variable
from kerasx.layers import _context, _masks
from kerasx.layers._layer_weights import _LOSS_HOLDERS
from kerasx.layers.input_spec import InputSpec, assert_input_compatibility
from kerasx.layers.node import Node, no_recording, recording

_MODULES = sys.modules
_DIST = "kerasx.distribution.distribution_lib"


def _place_output(outputs: Any) -> Any:
    """A layer's outputs placed as the current `kerasx.distribution` distribution says for
    ``"<layer path>/output"`` (unchanged when it says nothing)."""
    lib = _MODULES[_DIST]
    dist = lib.distribution()
    if dist is None:
        return outputs
    layout = dist.get_tensor_layout(_context.current_path("output"))
    if layout is None:
        return outputs
    return tree.map_structure(lambda t: lib.distribute_tensor(t, layout), outputs)


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


class LayerCallMixin:
    """`Layer`'s call machinery (see the module docstring); no state of its own."""

    _remat_mode: Any = None  # set by Layer.__init__ inside a RematScope

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
            if self._remat_mode is not None:
                out = self._remat_call((x,), kwargs)
            else:
                out = self.call(x, **kwargs)
            if _MODULES.get(_DIST) is not None:
                out = _place_output(out)
            return out
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
                with no_recording(), SymbolicScope():
                    outputs = self.compute_output_spec(*args, **kwargs)
                # An output that is one of the inputs (Identity, a linear Activation) gets a
                # fresh tensor, so the node's history does not overwrite the input's.
                ins = {id(t) for t in tree.flatten((args, kwargs)) if isinstance(t, KerasTensor)}
                outputs = tree.map_structure(
                    lambda t: KerasTensor(t.shape, t.dtype) if id(t) in ins else t, outputs
                )
            elif self._remat_mode is not None:
                outputs = self._remat_call(args, kwargs)
            else:
                outputs = self.call(*args, **kwargs)
            if not symbolic and _MODULES.get(_DIST) is not None:
                outputs = _place_output(outputs)
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

    def _remat_call(self, args: tuple, kwargs: dict) -> Any:
        """`call` rematerialized as the `RematScope` in effect at the layer's creation says
        (kerasx/engine/remat.py)."""
        mode = self._remat_mode
        kind = mode.mode
        call = self.call
        if kind == "full" or (kind == "list_of_layers" and self.name in mode.layer_names):
            return _remat(call)(*args, **kwargs)
        if kind == "activations":
            activation = getattr(self, "activation", None)
            if activation is None:
                return call(*args, **kwargs)
            # swapped for this call only, as an instance attribute (the config is untouched)
            self.__dict__["activation"] = _remat(activation)
            try:
                return call(*args, **kwargs)
            finally:
                self.__dict__["activation"] = activation
        if kind == "larger_than" and self._output_size(args, kwargs) > mode.output_size_threshold:
            return _remat(call)(*args, **kwargs)
        return call(*args, **kwargs)

    def _output_size(self, args: tuple, kwargs: dict) -> int:
        """How many values `call` returns for these inputs, batch included (traced
        symbolically once per input signature)."""

        def is_array(x: Any) -> bool:
            return hasattr(x, "shape") and hasattr(x, "dtype") and not isinstance(x, type)

        leaves = tree.flatten((args, kwargs))
        key = tuple((tuple(x.shape), str(x.dtype)) if is_array(x) else repr(x) for x in leaves)
        cache = self.__dict__.setdefault("_kx_remat_sizes", {})
        size = cache.get(key)
        if size is None:
            a2, k2 = tree.map_structure(
                lambda x: KerasTensor(tuple(x.shape), str(x.dtype)) if is_array(x) else x,
                (list(args), kwargs),
            )
            with no_recording():
                out = self.compute_output_spec(*a2, **k2)
            size = 0
            for t in tree.flatten(out):
                n = 1
                for d in t.shape:
                    n *= int(d) if d is not None else 1
                size += n
            cache[key] = size
        return size

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


class _no_autocast_change:
    """A do-nothing context (the layer is not mixed precision)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: Any) -> None:
        return None


_DTYPE_STR: dict = {}


def _dtype_str(dtype: Any) -> str:
    """``str(dtype)``, remembered per dtype object (NumPy's ``str`` of a dtype is slow)."""
    s = _DTYPE_STR.get(dtype)
    if s is None:
        s = _DTYPE_STR[dtype] = str(dtype)
    return s


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
