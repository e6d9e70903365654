"""`JaxLayer` and `FlaxLayer`: JAX functions and Flax modules as kerasx layers (JAX engine).

These layers exist to run foreign JAX code, so unlike the other layers they call JAX directly
(imported lazily: the NumPy engine never imports it). The wrapped function's parameters become
the layer's trainable variables and its state the non-trainable ones, so a model containing
the layer trains, saves weights and runs `stateless_call` like any other.
"""

from __future__ import annotations

import inspect
from typing import Any

from kerasx import config as _config
from kerasx import random as _random
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer

_CALL_FN_ARGS = ("params", "state", "rng", "inputs", "training")
_INIT_FN_ARGS = ("rng", "inputs", "training")
# Two different stand-ins for unknown dimensions; output dimensions that change with them are
# unknown too.
_PROBE_SIZES = (7, 13)


def _require_jax_engine(layer_name: str) -> None:
    engine = _config.backend()
    if engine != "jax":
        raise ValueError(
            f"{layer_name} is only supported on the JAX engine: it calls JAX functions "
            f"directly. The active engine is '{engine}'. Select the JAX engine with the "
            "environment variable KERASX_BACKEND=jax (or kerasx.config.set_backend('jax')) "
            "before creating the layer."
        )


def _argument_names(fn: Any, what: str, allowed: tuple, required: tuple) -> tuple:
    """The argument names of `fn`, checked against the names a wrapper knows how to pass."""
    if not callable(fn):
        raise ValueError(f"`{what}` must be a callable. Received: {what}={fn!r}")
    try:
        params = inspect.signature(fn).parameters
    except (TypeError, ValueError) as e:
        raise ValueError(f"Could not read the signature of `{what}`={fn!r}: {e}") from e
    names = [p.name for p in params.values() if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
    for name in required:
        if name not in names:
            raise ValueError(
                f"Missing required argument in `{what}`: `{name}`. Received a function with "
                f"arguments {names}."
            )
    for name in names:
        if name not in allowed:
            raise ValueError(
                f"Unsupported argument in `{what}`: `{name}`. The supported argument names "
                f"are {', '.join(f'`{a}`' for a in allowed)}."
            )
    return tuple(names)


def _is_shape(value: Any) -> bool:
    return isinstance(value, (tuple, list)) and all(
        d is None or (isinstance(d, int) and not isinstance(d, bool)) for d in value
    )


def _map_shapes(fn: Any, shapes: Any) -> Any:
    """Apply `fn` to every shape in a structure of shapes (a shape is a tuple of ints/None)."""
    if _is_shape(shapes):
        return fn(tuple(shapes))
    if isinstance(shapes, dict):
        return {k: _map_shapes(fn, v) for k, v in shapes.items()}
    if isinstance(shapes, (list, tuple)):
        return type(shapes)(_map_shapes(fn, s) for s in shapes)
    return shapes


class JaxLayer(Layer):
    """Wrap a JAX model function (and its parameters) as a layer.

    `call_fn` computes the model. Its arguments are recognised by name and passed by keyword:

    - ``params``: the trainable parameters (a pytree);
    - ``state`` (optional): the non-trainable state (a pytree); when `call_fn` takes it, it
      returns ``(outputs, new_state)`` and the layer stores ``new_state`` after every call;
    - ``rng`` (optional): a JAX PRNG key, drawn fresh for every call from the layer's seed;
    - ``inputs`` (required): the inputs, one array or one pytree of arrays;
    - ``training`` (optional): True in training mode.

    The parameters and state come either from `params` / `state`, or, when both are None,
    from `init_fn` at build time. `init_fn` takes (by name) ``rng``, ``inputs`` (arrays of
    ones with the input's shape, unknown dimensions set to 1) and optionally ``training``
    (always True), and returns ``params``, or ``(params, state)`` when `call_fn` takes a
    ``state``. Every array leaf of the pytrees becomes a kerasx `Variable` (named
    ``variable``, ``variable_1``, ... in leaf order, params first), trainable for `params`
    and non-trainable for `state`; the `params` and `state` attributes show the pytrees with
    those variables as leaves.

    The layer runs only on the JAX engine; creating it on another engine raises a
    ValueError.

    Args:
        call_fn: the model function (see above).
        init_fn: a function that creates ``params`` (and ``state``) for given inputs.
        params: a pytree of trainable parameters (arrays or numbers).
        state: a pytree of non-trainable state.
        seed: an int seed for the keys passed as ``rng`` (None: random).
        native_serialization_platforms: accepted for Keras compatibility (kerasx does not
            export JAX functions for other backends); must be None or a list of platform
            names.
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    _auto_config = False

    def __init__(
        self,
        call_fn: Any,
        init_fn: Any = None,
        params: Any = None,
        state: Any = None,
        seed: int | None = None,
        native_serialization_platforms: Any = None,
        **kwargs: Any,
    ) -> None:
        _require_jax_engine(type(self).__name__)
        super().__init__(**kwargs)
        self.call_fn = call_fn
        self.init_fn = init_fn
        self.native_serialization_platforms = native_serialization_platforms
        self.call_fn_arguments = _argument_names(call_fn, "call_fn", _CALL_FN_ARGS, ("inputs",))
        self.has_state = "state" in self.call_fn_arguments
        if init_fn is not None:
            self.init_fn_arguments = _argument_names(init_fn, "init_fn", _INIT_FN_ARGS, ("inputs",))
        elif (
            params is None
            and state is None
            and ("params" in self.call_fn_arguments or self.has_state)
        ):
            raise ValueError(
                "`init_fn`, `params` and `state` cannot all be `None` when `call_fn` takes a "
                "`params` or a `state` argument: pass the initial values, or an `init_fn` "
                "that creates them."
            )
        self.seed = seed
        self.seed_generator = _random.SeedGenerator(seed)
        self._params_vars: list = []
        self._state_vars: list = []
        self._params_tree: Any = None
        self._state_tree: Any = None
        if init_fn is None or params is not None or state is not None:
            self._track(params, state)
            self.built = True

    # ------------------------------------------------------------------ variables

    def _make_variables(self, tree: Any, trainable: bool, start: int) -> tuple:
        """Replace the array and number leaves of `tree` by new variables."""
        import jax
        import numpy as np

        leaves, treedef = jax.tree_util.tree_flatten(tree)
        variables = []
        new_leaves = []
        for leaf in leaves:
            if isinstance(leaf, bool) or not (
                hasattr(leaf, "shape") and hasattr(leaf, "dtype") or isinstance(leaf, (int, float))
            ):
                new_leaves.append(leaf)
                continue
            if isinstance(leaf, float):
                dtype = _config.floatx()
            elif isinstance(leaf, int):
                dtype = "int32"
            else:
                dtype = _dt.standardize_dtype(leaf.dtype)
            if not self._wide and dtype in ("float64", "int64"):
                # What JAX makes by default in 32-bit mode (as under Keras).
                dtype = self.variable_dtype if dtype == "float64" else "int32"
            value = np.asarray(leaf)
            index = start + len(variables)
            var = self.add_weight(
                shape=value.shape,
                initializer=lambda shape, dtype, v=value: v.astype(dtype),
                dtype=dtype,
                trainable=trainable,
                name="variable" if index == 0 else f"variable_{index}",
            )
            variables.append(var)
            new_leaves.append(var)
        return variables, jax.tree_util.tree_unflatten(treedef, new_leaves)

    @property
    def _wide(self) -> bool:
        return self.compute_dtype == "float64"

    def _jax_mode(self) -> Any:
        """JAX's 64-bit mode as Keras runs JAX code: off, unless the layer computes in float64.

        The kerasx JAX engine enables 64-bit types globally; code written for JAX's default
        32-bit mode (``jnp.zeros(3)``, ``jax.random.normal(key, shape)``) would otherwise
        produce float64 parameters and outputs.
        """
        import jax

        return jax.enable_x64(self._wide)

    def _track(self, params: Any, state: Any) -> None:
        self._params_vars, self._params_tree = self._make_variables(params, True, 0)
        self._state_vars, self._state_tree = self._make_variables(
            state, False, len(self._params_vars)
        )

    @property
    def params(self) -> Any:
        """The parameters pytree, with the layer's trainable variables as leaves."""
        return self._params_tree

    @property
    def state(self) -> Any:
        """The state pytree, with the layer's non-trainable variables as leaves."""
        return self._state_tree

    def _values(self, tree: Any) -> Any:
        import jax

        from kerasx.engine.variables import Variable

        return jax.tree_util.tree_map(
            lambda v: v.value if isinstance(v, Variable) else v,
            tree,
            is_leaf=lambda v: isinstance(v, Variable),
        )

    # ------------------------------------------------------------------ building

    def build(self, input_shape: Any) -> None:
        """Run `init_fn` on placeholder inputs of `input_shape` and create the variables."""
        if self._params_vars or self._state_vars or self.init_fn is None:
            return
        import jax.numpy as jnp

        dtype = self.compute_dtype
        if not _dt.is_float_dtype(dtype):
            dtype = _config.floatx()
        inputs = _map_shapes(
            lambda s: jnp.ones(tuple(1 if d is None else d for d in s), dtype=dtype),
            input_shape,
        )
        kwargs: dict = {"inputs": inputs}
        if "rng" in self.init_fn_arguments:
            kwargs["rng"] = self._rng_key()
        if "training" in self.init_fn_arguments:
            kwargs["training"] = True
        with self._jax_mode():
            result = self.init_fn(**kwargs)
        if self.has_state:
            if not isinstance(result, (tuple, list)) or len(result) != 2:
                raise ValueError(
                    "`init_fn` must return a tuple `(params, state)` when `call_fn` takes a "
                    f"`state` argument. Received: {type(result).__name__}"
                )
            params, state = result
        else:
            params, state = result, None
        self._track(params, state)

    def _rng_key(self) -> Any:
        # The seed generator's uint32[2] state is a raw threefry key, the kind
        # `jax.random.PRNGKey` returns.
        return _random.draw_seed(self.seed_generator)

    # ------------------------------------------------------------------ calling

    def _call_kwargs(self, inputs: Any, training: Any, rng: Any) -> dict:
        kwargs: dict = {"inputs": inputs}
        names = self.call_fn_arguments
        if "params" in names:
            kwargs["params"] = self._values(self._params_tree)
        if "state" in names:
            kwargs["state"] = self._values(self._state_tree)
        if "rng" in names:
            kwargs["rng"] = rng
        if "training" in names:
            kwargs["training"] = bool(training)
        return kwargs

    def _split_outputs(self, result: Any) -> tuple:
        if not self.has_state:
            return result, None
        if not isinstance(result, (tuple, list)) or len(result) != 2:
            raise ValueError(
                "`call_fn` must return a tuple `(outputs, new_state)` when it takes a `state` "
                f"argument. Received: {type(result).__name__}"
            )
        return result[0], result[1]

    def call(self, inputs: Any, training: Any = False) -> Any:
        """Run `call_fn` with the current variable values and store the new state.

        Args:
            inputs: an array or a pytree of arrays.
            training: whether the layer runs in training mode.

        Returns:
            The outputs of `call_fn`.
        """
        import jax

        rng = self._rng_key() if "rng" in self.call_fn_arguments else None
        with self._jax_mode():
            outputs, new_state = self._split_outputs(
                self.call_fn(**self._call_kwargs(inputs, training, rng))
            )
        if new_state is not None:
            new_leaves = jax.tree_util.tree_leaves(new_state)
            if len(new_leaves) != len(jax.tree_util.tree_leaves(self._state_tree)):
                raise ValueError(
                    "The state returned by `call_fn` does not have the structure of the layer's "
                    f"state: expected {jax.tree_util.tree_structure(self._state_tree)}, "
                    f"received {jax.tree_util.tree_structure(new_state)}."
                )
            old_leaves = jax.tree_util.tree_leaves(self._values(self._state_tree))
            from kerasx.engine.variables import Variable

            state_leaves = jax.tree_util.tree_leaves(
                self._state_tree, is_leaf=lambda v: isinstance(v, Variable)
            )
            for var, new, old in zip(state_leaves, new_leaves, old_leaves):
                if isinstance(var, Variable) and new is not old:
                    var.assign(new)
        return outputs

    def compute_output_spec(self, inputs: Any, training: Any = False) -> Any:
        """Output shapes and dtypes from `jax.eval_shape` (unknown dimensions probed twice)."""
        import jax

        from kerasx.engine import tree

        def fn(values: Any, ins: Any, key: Any) -> Any:
            kwargs = self._call_kwargs(ins, training, key)
            if "params" in kwargs:
                kwargs["params"] = values[0]
            if "state" in kwargs:
                kwargs["state"] = values[1]
            return self._split_outputs(self.call_fn(**kwargs))[0]

        values = (self._values(self._params_tree), self._values(self._state_tree))
        key = jax.ShapeDtypeStruct((2,), "uint32")
        probes = []
        for size in _PROBE_SIZES:
            ins = tree.map_structure(
                lambda t, size=size: jax.ShapeDtypeStruct(
                    tuple(size if d is None else d for d in t.shape), t.dtype
                ),
                inputs,
            )
            with self._jax_mode():
                probes.append(jax.eval_shape(fn, values, ins, key))
        return jax.tree_util.tree_map(
            lambda a, b: KerasTensor(
                tuple(x if x == y else None for x, y in zip(a.shape, b.shape)),
                _dt.standardize_dtype(a.dtype),
            ),
            probes[0],
            probes[1],
        )

    # ------------------------------------------------------------------ config

    def get_config(self) -> dict:
        """The base config plus the serialized `call_fn` and `init_fn` (weights excluded)."""
        from kerasx.saving import serialize_keras_object

        config = super().get_config()
        config.update(
            {
                "call_fn": serialize_keras_object(self.call_fn),
                "init_fn": serialize_keras_object(self.init_fn),
                "native_serialization_platforms": self.native_serialization_platforms,
            }
        )
        return config

    @classmethod
    def from_config(cls, config: dict) -> JaxLayer:
        """Rebuild the layer; its functions must be registered or in `custom_objects`."""
        from kerasx.saving import deserialize_keras_object

        config = dict(config)
        for key in ("call_fn", "init_fn"):
            if isinstance(config.get(key), dict):
                config[key] = deserialize_keras_object(config[key])
        return super().from_config(config)


class FlaxLayer(JaxLayer):
    """Wrap a `flax.linen.Module` as a layer (JAX engine, needs the `flax` package).

    The module's ``"params"`` collection becomes the layer's trainable variables and every
    other collection (batch statistics, ...) its non-trainable state, updated after each call.
    The forward method (default ``__call__``) takes ``inputs`` and optionally ``training``;
    a method that is not bound to the module takes the module as its first argument.
    Random streams ``"params"`` and ``"dropout"`` are fed from the layer's seed.

    Args:
        module: the Flax linen module.
        method: the method to call instead of ``__call__`` (a name or a function).
        variables: the module's variables (``{"params": ..., ...}``); None to initialize them
            with ``module.init`` on the first inputs.
        **kwargs: base `Layer` arguments, and `seed`.
    """

    def __init__(
        self, module: Any, method: Any = None, variables: Any = None, **kwargs: Any
    ) -> None:
        try:
            import flax  # noqa: F401
        except ImportError as e:
            raise ImportError(
                "FlaxLayer needs the `flax` package, which is not installed. Install it with "
                "`pip install flax`, or wrap a plain JAX function with `kerasx.layers.JaxLayer`."
            ) from e
        _require_jax_engine(type(self).__name__)
        self.module = module
        self.method = method
        fn = module.__call__ if method is None else method
        if isinstance(fn, str):
            fn = getattr(module, fn)
        names = [
            p.name
            for p in inspect.signature(fn).parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
        ]
        self._module_takes_training = "training" in names
        params, state = self._split_variables(variables)
        super().__init__(
            call_fn=self._flax_call,
            init_fn=self._flax_init,
            params=params,
            state=state,
            **kwargs,
        )

    @staticmethod
    def _split_variables(variables: Any) -> tuple:
        if variables is None:
            return None, None
        variables = dict(variables)
        params = variables.pop("params", {})
        return params, variables

    def _rngs(self, rng: Any) -> dict:
        import jax

        params_key, dropout_key = jax.random.split(rng)
        return {"params": params_key, "dropout": dropout_key}

    def _flax_kwargs(self, training: Any) -> dict:
        kwargs: dict = {}
        if self.method is not None:
            kwargs["method"] = self.method
        if self._module_takes_training:
            kwargs["training"] = training
        return kwargs

    def _flax_init(self, rng: Any, inputs: Any) -> tuple:
        variables = self.module.init(self._rngs(rng), inputs, **self._flax_kwargs(False))
        return self._split_variables(variables)

    def _flax_call(self, params: Any, state: Any, rng: Any, inputs: Any, training: Any) -> tuple:
        import flax

        variables = {"params": params, **dict(state or {})}
        outputs, updates = self.module.apply(
            variables,
            inputs,
            rngs=self._rngs(rng),
            mutable=flax.core.DenyList(["params"]),
            **self._flax_kwargs(training),
        )
        new_state = dict(state or {})
        new_state.update(dict(updates))
        return outputs, new_state

    def get_config(self) -> dict:
        """The base config plus the serialized module and method (weights excluded)."""
        from kerasx.saving import serialize_keras_object

        config = Layer.get_config(self)
        method = self.method
        if callable(method):
            method = method.__name__
        config.update({"module": serialize_keras_object(self.module), "method": method})
        return config

    @classmethod
    def from_config(cls, config: dict) -> FlaxLayer:
        """Rebuild the layer; the module's class must be registered or in `custom_objects`."""
        from kerasx.saving import deserialize_keras_object

        config = dict(config)
        if isinstance(config.get("module"), dict):
            config["module"] = deserialize_keras_object(config["module"])
        return Layer.from_config.__func__(cls, config)
