"""`MultiOptimizer` and `OptimizerMap`: several optimizers, each updating its own weights.

A `MultiOptimizer` hands each trainable weight to one of its sub-optimizers, chosen either by
an `OptimizerMap` (regular expressions over the weight's ``path``, with a default optimizer for
the rest) or by a callable ``selector(variable) -> Optimizer``. The choice is made once, in
`build`; every `apply` then splits the gradients by sub-optimizer and lets each apply its own
rule (its own learning rate, slots, clipping, EMA, ...). The wrapper counts its own steps in
`iterations` and has no learning rate of its own: read or set it on `optimizers`.

All state is held in plain variables listed by `variables` (the wrapper's, then each
sub-optimizer's), so the trainer's pure step (JAX jit, NumPy trace/replay) and saving work as
for any optimizer.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, MutableMapping, Sequence
from typing import Any

from kerasx.engine.variables import Variable
from kerasx.optimizers.base_optimizer import Optimizer
from kerasx.optimizers.loss_scale_optimizer import LossScaleOptimizer


def _check_sub_optimizer(optimizer: Any, what: str) -> None:
    """Raise ValueError unless `optimizer` may be a sub-optimizer (`what` names its origin)."""
    if not isinstance(optimizer, Optimizer):
        raise ValueError(
            f"Received an invalid value for {what}, expected an `Optimizer` instance (e.g. "
            f"`keras.optimizers.Adam()`). Received: {optimizer!r}"
        )
    if isinstance(optimizer, LossScaleOptimizer):
        raise ValueError(
            f"Received a `LossScaleOptimizer` for {what}; it cannot be used inside a "
            "`MultiOptimizer`. Use plain optimizers and pass `loss_scale_factor` to the "
            f"`MultiOptimizer` instead. Received: {optimizer!r}"
        )
    if isinstance(optimizer, MultiOptimizer):
        raise ValueError(
            f"Received a `MultiOptimizer` for {what}; MultiOptimizers cannot be nested. Put "
            f"all the rules in one `OptimizerMap` instead. Received: {optimizer!r}"
        )


class OptimizerMap(MutableMapping):
    """A mapping from weight paths (regular expressions) to optimizers, with a default.

    Looking up a path (``optimizer_map[path]``) returns, in this order: the optimizer stored
    under exactly that key; else the optimizer of the one key that matches the whole path as a
    regular expression (`re.fullmatch`, so ``"encoder/.*"`` matches every weight under
    ``encoder/`` while ``"encoder"`` only matches the path ``"encoder"``); else
    `default_optimizer`. A path matched by two or more keys is an error. Calling the map on a
    variable looks up its ``path`` (e.g. ``"sequential/dense_1/kernel"``).

    Args:
        default_optimizer: the `Optimizer` for weights no key matches.
        optimizer_map: optional initial entries, a dict from key (a string) to `Optimizer`.
    """

    def __init__(
        self, default_optimizer: Optimizer, optimizer_map: dict[str, Optimizer] | None = None
    ) -> None:
        if not isinstance(default_optimizer, Optimizer):
            raise TypeError(
                "Received an invalid value for `default_optimizer`, expected an `Optimizer` "
                f"instance (e.g. `keras.optimizers.SGD()`). Received: "
                f"default_optimizer={default_optimizer!r}"
            )
        if optimizer_map is not None and not isinstance(optimizer_map, dict):
            raise TypeError(
                "Received an invalid value for `optimizer_map`, expected a dict from weight "
                "path patterns (strings) to `Optimizer` instances, or None. Received: "
                f"optimizer_map={optimizer_map!r}"
            )
        self._default_optimizer = default_optimizer
        self._optimizer_map: dict[str, Optimizer] = {}
        for key, optimizer in (optimizer_map or {}).items():
            self[key] = optimizer

    @property
    def default_optimizer(self) -> Optimizer:
        """The optimizer of the weights that no key matches."""
        return self._default_optimizer

    def __getitem__(self, key: str) -> Optimizer:
        """The optimizer for the weight path `key` (see the class docstring for the rules)."""
        if key in self._optimizer_map:
            return self._optimizer_map[key]
        matches = []
        for pattern in self._optimizer_map:
            try:
                if re.fullmatch(pattern, key):
                    matches.append(pattern)
            except re.error as e:
                raise ValueError(
                    f"The OptimizerMap key {pattern!r} is not a valid regular expression "
                    f"({e}). Fix or escape it (`re.escape`) to match the path {key!r}."
                ) from None
        if len(matches) > 1:
            raise ValueError(
                f"Multiple optimizers assigned to variable {key}: the keys {matches} all "
                "match it. Make the patterns disjoint, or add the exact path as a key (an "
                "exact key takes precedence over patterns)."
            )
        if matches:
            return self._optimizer_map[matches[0]]
        return self._default_optimizer

    def __setitem__(self, key: str, optimizer: Optimizer) -> None:
        """Map the weight path or pattern `key` to `optimizer` (a key can be set only once)."""
        if key in self._optimizer_map:
            raise ValueError(
                f"The key {key!r} is already in the OptimizerMap (mapped to "
                f"{self._optimizer_map[key]!r}); a key can be set only once. Delete it first "
                "(`del optimizer_map[key]`) to change its optimizer."
            )
        if not isinstance(key, str):
            raise ValueError(
                "Received an invalid OptimizerMap key, expected a string (a weight path or a "
                f"regular expression such as 'encoder/.*'). Received: key={key!r}"
            )
        _check_sub_optimizer(optimizer, f"the OptimizerMap entry {key!r}")
        self._optimizer_map[key] = optimizer

    def __delitem__(self, key: str) -> None:
        del self._optimizer_map[key]

    def __len__(self) -> int:
        return len(self._optimizer_map)

    def __iter__(self) -> Iterator[str]:
        return iter(self._optimizer_map)

    def __call__(self, variable: Variable) -> Optimizer:
        """The optimizer for `variable`, looked up by its ``path``."""
        return self[variable.path]

    def __repr__(self) -> str:
        entries = {k: getattr(v, "name", v) for k, v in self._optimizer_map.items()}
        return f"OptimizerMap(default_optimizer={self._default_optimizer.name}, {entries})"

    def get_config(self) -> dict[str, Any]:
        """Return ``default_optimizer`` and ``optimizer_map`` serialized (Keras's dict)."""
        from kerasx.optimizers.registry import serialize

        return {
            "default_optimizer": serialize(self._default_optimizer),
            "optimizer_map": {k: serialize(v) for k, v in self._optimizer_map.items()},
        }

    @classmethod
    def from_config(cls, config: dict[str, Any], custom_objects: dict | None = None) -> Any:
        """Rebuild a map from `get_config`'s dict (the optimizers are deserialized).

        Args:
            config: the dict of `get_config`.
            custom_objects: extra classes for user-defined optimizers.

        Returns:
            A new `OptimizerMap`.
        """
        from kerasx.optimizers.registry import deserialize

        def load(value: Any) -> Any:
            if isinstance(value, Optimizer):
                return value
            return deserialize(value, custom_objects=custom_objects)

        entries = config.get("optimizer_map") or {}
        return cls(load(config["default_optimizer"]), {k: load(v) for k, v in entries.items()})


class MultiOptimizer(Optimizer):
    """An optimizer that delegates each weight to one of several optimizers.

    Example::

        optimizer = keras.optimizers.MultiOptimizer(
            keras.optimizers.OptimizerMap(
                keras.optimizers.SGD(0.1), {"encoder/.*": keras.optimizers.Adam(1e-3)}
            )
        )
        # or with a selector function, called once per weight when the optimizer is built:
        optimizer = keras.optimizers.MultiOptimizer(
            lambda v: adam if "encoder" in v.path else sgd
        )

    The wrapper has no learning rate: reading or setting `learning_rate` raises
    AttributeError. Adjust the sub-optimizers listed by `optimizers` instead (the
    `LearningRateScheduler` and `ReduceLROnPlateau` callbacks do this for each of them).
    `iterations` counts the wrapper's own applied steps.

    Args:
        optimizer_map: an `OptimizerMap`, or a callable taking a variable and returning the
            `Optimizer` for it (neither a `LossScaleOptimizer` nor a `MultiOptimizer`).
        loss_scale_factor: `scale_loss` multiplies the loss by it, and it replaces the
            `loss_scale_factor` of every sub-optimizer (which divide their gradients by it).
        name: the optimizer's name (default ``"multi_optimizer"``, made unique).
    """

    def __init__(
        self,
        optimizer_map: OptimizerMap | Callable[[Variable], Optimizer],
        loss_scale_factor: float | None = None,
        name: str | None = None,
    ) -> None:
        if not callable(optimizer_map):
            raise TypeError(
                "Received an invalid value for `optimizer_map`, expected an `OptimizerMap` or "
                "a callable taking a variable and returning its `Optimizer`. Wrap a dict as "
                "`OptimizerMap(default_optimizer, {pattern: optimizer})`. Received: "
                f"optimizer_map={optimizer_map!r}"
            )
        self._inner_optimizers: list[Optimizer] = []
        super().__init__(learning_rate=0.0, loss_scale_factor=loss_scale_factor, name=name)
        self._optimizer_map = optimizer_map
        self._var_to_optimizer_idx: dict[int, int] = {}
        candidates = []
        values = getattr(optimizer_map, "values", None)
        if callable(values):
            candidates.extend(values())
        default = getattr(optimizer_map, "default_optimizer", None)
        if default is not None:
            candidates.append(default)
        for optimizer in candidates:
            self._add_inner(optimizer)

    def _add_inner(self, optimizer: Optimizer) -> int:
        """Register `optimizer` (once) as a sub-optimizer; returns its index."""
        for i, known in enumerate(self._inner_optimizers):
            if known is optimizer:
                return i
        optimizer.loss_scale_factor = self.loss_scale_factor
        self._inner_optimizers.append(optimizer)
        return len(self._inner_optimizers) - 1

    # ----------------------------------------------------------------- properties

    @property
    def optimizers(self) -> list[Optimizer]:
        """The sub-optimizers: the map's values, then its default, then any new ones a
        selector returned during `build`, each listed once."""
        return self._inner_optimizers

    @property
    def variables(self) -> list[Variable]:
        """The wrapper's own variables, then each sub-optimizer's, in `optimizers` order."""
        out = list(self._variables)
        for optimizer in self._inner_optimizers:
            out.extend(optimizer.variables)
        return out

    @property
    def iterations(self) -> Variable:
        """The number of steps this wrapper applied."""
        return self._iterations

    @property
    def learning_rate(self) -> Any:
        """Not available: each sub-optimizer has its own (see `optimizers`)."""
        raise AttributeError(
            "A MultiOptimizer has no learning rate of its own: each sub-optimizer has its own. "
            "Read it on the sub-optimizers instead, e.g. "
            "`[opt.learning_rate for opt in optimizer.optimizers]`."
        )

    @learning_rate.setter
    def learning_rate(self, value: Any) -> None:
        raise AttributeError(
            "A MultiOptimizer has no learning rate of its own: each sub-optimizer has its own. "
            "Set it on the sub-optimizers instead, e.g. "
            f"`for opt in optimizer.optimizers: opt.learning_rate = ...`. Received: {value!r}"
        )

    @property
    def loss_scale_factor(self) -> float | None:
        """The loss scale factor, shared with every sub-optimizer (setting it updates them)."""
        return self.__dict__.get("_loss_scale_factor")

    @loss_scale_factor.setter
    def loss_scale_factor(self, value: float | None) -> None:
        self._loss_scale_factor = value
        for optimizer in self.__dict__.get("_inner_optimizers", ()):
            optimizer.loss_scale_factor = value

    def __setitem__(self, key: Any, value: Any) -> None:
        raise TypeError(
            "'MultiOptimizer' object does not support item assignment. Assign on the "
            "`OptimizerMap` it was created with (`optimizer_map[key] = optimizer`) before the "
            "optimizer is built."
        )

    # ----------------------------------------------------------------- build and apply

    def build(self, var_list: Sequence[Variable]) -> None:
        """Choose each weight's sub-optimizer and build every sub-optimizer on its weights.

        Args:
            var_list: the trainable weights.
        """
        if self.built:
            return
        var_list = list(var_list)
        groups: dict[int, list[Variable]] = {}
        assignment: dict[int, int] = {}
        for var in var_list:
            optimizer = self._optimizer_map(var)
            _check_sub_optimizer(
                optimizer, f"the optimizer of variable {getattr(var, 'path', var)!r}"
            )
            idx = self._add_inner(optimizer)
            assignment[id(var)] = idx
            groups.setdefault(idx, []).append(var)
        for idx, optimizer in enumerate(self._inner_optimizers):
            if idx in groups:
                optimizer.build(groups[idx])
        self._var_to_optimizer_idx = assignment
        super().build(var_list)

    def _group(self, pairs: Sequence[tuple[Any, Variable]]) -> list[list[tuple[Any, Variable]]]:
        """Split ``(item, variable)`` pairs by the sub-optimizer of each variable."""
        out: list[list[tuple[Any, Variable]]] = [[] for _ in self._inner_optimizers]
        for item, var in pairs:
            idx = self._var_to_optimizer_idx.get(id(var))
            if idx is None:
                raise ValueError(
                    f"Unknown variable: {getattr(var, 'path', var)!r}. This MultiOptimizer "
                    "was built for another set of variables and can only update those; create "
                    "a new optimizer instance for new variables."
                )
            out[idx].append((item, var))
        return out

    def apply(
        self, grads: Sequence[Any], trainable_variables: Sequence[Variable] | None = None
    ) -> None:
        """Let each sub-optimizer apply the gradients of its own weights; count one step.

        The optimizer is built on first use. Empty `grads` do nothing.

        Args:
            grads: one gradient (or None) per weight.
            trainable_variables: the weights; default: the list given to `build`.
        """
        grads = list(grads)
        if not grads:
            return None
        trainable_variables = self._apply_variables(trainable_variables)
        if not self.built:
            self.build(trainable_variables)
        if len(grads) != len(trainable_variables):
            raise ValueError(
                "Gradients must match trainable variables one-to-one. Received: "
                f"{len(grads)} gradients and {len(trainable_variables)} variables."
            )
        for optimizer, pairs in zip(
            self._inner_optimizers, self._group(list(zip(grads, trainable_variables)))
        ):
            if pairs:
                optimizer.apply([g for g, _ in pairs], [v for _, v in pairs])
        self._iterations.assign(self._iterations.value + 1)
        return None

    def apply_gradients(self, grads_and_vars: Any) -> Variable:
        """Apply ``(gradient, variable)`` pairs (see `apply`).

        Args:
            grads_and_vars: an iterable of ``(gradient, variable)`` pairs.

        Returns:
            The wrapper's `iterations` counter.
        """
        pairs = list(grads_and_vars)
        self.apply([g for g, _ in pairs], [v for _, v in pairs])
        return self._iterations

    def finalize_variable_values(self, var_list: Sequence[Variable]) -> None:
        """Let each sub-optimizer finalize its own weights (copy its EMA, if it keeps one).

        Args:
            var_list: the model's trainable weights.
        """
        if not self.built:
            return
        known = [(None, v) for v in var_list if id(v) in self._var_to_optimizer_idx]
        for optimizer, pairs in zip(self._inner_optimizers, self._group(known)):
            if pairs:
                optimizer.finalize_variable_values([v for _, v in pairs])

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set every state variable from a list of arrays in `variables` order.

        Args:
            weights: one array per entry of `variables`.
        """
        if not self.built:
            raise ValueError(
                "`set_weights()` was called on a MultiOptimizer that is not built yet. Call "
                "`optimizer.build(trainable_variables)` first to create its variables."
            )
        super().set_weights(weights)

    # ----------------------------------------------------------------- config

    def get_config(self) -> dict[str, Any]:
        """Return ``optimizer_map`` (serialized), ``loss_scale_factor`` and ``name``."""
        from kerasx.saving.serialization import serialize_keras_object

        return {
            "optimizer_map": serialize_keras_object(self._optimizer_map),
            "loss_scale_factor": self.loss_scale_factor,
            "name": self.name,
        }

    @classmethod
    def from_config(
        cls, config: dict[str, Any], custom_objects: dict | None = None
    ) -> MultiOptimizer:
        """Rebuild from `get_config`'s dict.

        A serialized `OptimizerMap` is rebuilt with its optimizers; a selector function must be
        registered (`keras.saving.register_keras_serializable`) or given in `custom_objects`.

        Args:
            config: the dict of `get_config`.
            custom_objects: extra classes or functions.

        Returns:
            A new `MultiOptimizer`.
        """
        config = dict(config)
        spec = config.pop("optimizer_map")
        if isinstance(spec, dict) and spec.get("class_name") == "OptimizerMap":
            optimizer_map: Any = OptimizerMap.from_config(
                spec.get("config") or {}, custom_objects=custom_objects
            )
        elif callable(spec):
            optimizer_map = spec
        else:
            from kerasx.saving.serialization import deserialize_keras_object

            optimizer_map = deserialize_keras_object(spec, custom_objects=custom_objects)
        return cls(optimizer_map, **config)
