"""Optimizer state: variable creation, the step counter, `build`, and saving the state.

`OptimizerVariablesMixin` holds the part of `Optimizer` that creates and lists its state
variables (slots, EMA averages, gradient accumulators), exposes the step counter, maps a weight
to its slot index, and saves/loads/sets the state. `kerasx.optimizers.base_optimizer.Optimizer`
is the only class that inherits it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from kerasx import config as _config
from kerasx import initializers as _initializers
from kerasx import ops
from kerasx.engine.variables import Variable


class OptimizerVariablesMixin:
    """`Optimizer`'s state variables (see the module docstring); no state of its own."""

    # ----------------------------------------------------------------- variables

    def _make_variable(self, value: Any, dtype: str, name: str) -> Variable:
        var = Variable(value, dtype=dtype, trainable=False, name=name)
        var.path = f"{self.name}/{name}"
        self._variables.append(var)
        return var

    def add_variable(
        self,
        shape: Sequence[int],
        initializer: Any = "zeros",
        dtype: Any = None,
        aggregation: str = "none",
        layout: Any = None,
        name: str | None = None,
    ) -> Variable:
        """Create a non-trainable state variable owned by this optimizer.

        Args:
            shape: the variable's shape.
            initializer: an initializer (name, instance or callable ``f(shape, dtype)``).
            dtype: the dtype (default floatx).
            aggregation: accepted for Keras compatibility (one device: no effect).
            layout: accepted for Keras compatibility (no effect).
            name: the short name; the path becomes ``"<optimizer name>/<name>"``.

        Returns:
            The new `Variable`, also listed in `variables`.
        """
        init = _initializers.get(initializer)
        dtype = dtype or _config.floatx()
        name = name or f"variable_{len(self._variables)}"
        var = Variable(init, shape=tuple(shape), dtype=dtype, trainable=False, name=name)
        var.aggregation = aggregation
        var.path = f"{self.name}/{name}"
        self._variables.append(var)
        return var

    def add_variable_from_reference(
        self, reference_variable: Variable, name: str | None = None, initializer: Any = "zeros"
    ) -> Variable:
        """Create a slot variable shaped like `reference_variable`.

        Args:
            reference_variable: the model weight the slot belongs to.
            name: the slot's kind, e.g. ``"momentum"``; the variable is named
                ``"<weight path>_<name>"`` with "/" turned into "_", as in Keras
                (``dense/kernel`` -> ``dense_kernel_momentum``).
            initializer: the initial value's initializer (default zeros).

        Returns:
            The new `Variable` (same shape and dtype as the reference).
        """
        ref_name = getattr(reference_variable, "path", None) or getattr(
            reference_variable, "name", "variable"
        )
        base = re.sub(r"[/:]", "_", str(ref_name))
        full = f"{base}_{name}" if name else base
        slot = self.add_variable(
            shape=reference_variable.shape,
            initializer=initializer,
            dtype=reference_variable.dtype,
            name=full,
        )
        layout = getattr(reference_variable, "_layout", None)
        if layout is not None:  # kerasx.distribution: split like the weight it follows
            slot._place(layout)
        return slot

    def add_optimizer_variables(
        self,
        trainable_variables: Sequence[Variable],
        name: str | list[str],
        initializer: Any = "zeros",
    ) -> Any:
        """Create one slot per weight for each name in `name`, weight by weight.

        Weights marked ``overwrite_with_gradient`` get no slot (None in their place).

        Args:
            trainable_variables: the weights.
            name: a slot kind (``"momentum"``) or a list of kinds (``["momentum",
                "velocity"]``); with a list, a weight's slots are created together, in order.
            initializer: the initializer of the slots (or a list, one per kind).

        Returns:
            A list of slots (one name) or a tuple of such lists (a list of names).
        """
        names = [name] if isinstance(name, str) else list(name)
        inits = (
            initializer if isinstance(initializer, (list, tuple)) else [initializer] * len(names)
        )
        out: list[list[Any]] = [[] for _ in names]
        for var in trainable_variables:
            skip = getattr(var, "overwrite_with_gradient", False)
            for i, n in enumerate(names):
                out[i].append(None if skip else self.add_variable_from_reference(var, n, inits[i]))
        return out[0] if isinstance(name, str) else tuple(out)

    @property
    def variables(self) -> list[Variable]:
        """All state variables, in creation order (Keras's order)."""
        return list(self._variables)

    @property
    def iterations(self) -> Any:
        """The number of applied steps (with accumulation: of completed accumulations)."""
        if self.gradient_accumulation_steps:
            return ops.floor_divide(self._iterations.value, self.gradient_accumulation_steps)
        return self._iterations

    def _iteration_value(self) -> Any:
        it = self.iterations
        return it.value if isinstance(it, Variable) else it

    def build(self, var_list: Sequence[Variable]) -> None:
        """Create the state variables for `var_list` (EMA and accumulators in the base).

        Subclasses override this, return early when `built`, call ``super().build`` and then
        create their slots with `add_variable_from_reference` or `add_optimizer_variables`.

        Args:
            var_list: the trainable weights this optimizer will update.
        """
        var_list = list(var_list)
        if self.use_ema:
            self._model_variables_moving_average = self.add_optimizer_variables(var_list, "average")
        if self.gradient_accumulation_steps:
            self._accumulated_gradients = [
                self.add_variable_from_reference(v, "gradient_accumulator") for v in var_list
            ]
        self._trainable_variables = var_list
        self._trainable_variables_indices = {id(v): i for i, v in enumerate(var_list)}
        self.built = True

    def _get_variable_index(self, variable: Variable) -> int:
        """Position of `variable` in the list given to `build` (slot lists use it)."""
        return self._trainable_variables_indices[id(variable)]

    def _check_variables_are_known(self, variables: Sequence[Variable]) -> None:
        for v in variables:
            if id(v) not in self._trainable_variables_indices:
                raise ValueError(
                    f"Unknown variable: {getattr(v, 'path', v)!r}. This optimizer was built "
                    "for another set of variables and can only update those; create a new "
                    "optimizer instance for new variables."
                )

    # ----------------------------------------------------------------- saving

    def save_own_variables(self, store: Any) -> None:
        """Write each state variable to ``store["0"]``, ``store["1"]``, ... (Keras's layout)."""
        for i, var in enumerate(self.variables):
            store[str(i)] = var.numpy()

    def load_own_variables(self, store: Any) -> None:
        """Read the state variables back from a store written by `save_own_variables`."""
        own = self.variables
        if len(store.keys()) != len(own):
            raise ValueError(
                f"Cannot load the state of optimizer '{self.name}': it has {len(own)} "
                f"variables but the saved state has {len(store.keys())}. Build the optimizer "
                "for the same weights before loading."
            )
        for i, var in enumerate(own):
            var.assign(store[str(i)])

    def set_weights(self, weights: Sequence[Any]) -> None:
        """Set every state variable from a list of arrays in `variables` order."""
        own = self.variables
        if len(weights) != len(own):
            raise ValueError(
                f"Expected {len(own)} arrays (one per optimizer variable), received {len(weights)}."
            )
        for var, w in zip(own, weights):
            var.assign(w)
