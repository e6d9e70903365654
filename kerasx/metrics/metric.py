"""The `Metric` base class: state held in non-trainable variables, updated batch by batch.

A metric keeps running statistics in `Variable`s created with `add_variable`. `update_state`
folds one batch into them with ``assign``/``assign_add`` and `result` turns them into the
metric's value. Because updates go through ``Variable.assign``, running them inside a
`StatelessScope` records the new values in the scope instead of mutating the variables: this
is how the `stateless_*` methods make a metric a pure function of its state, ready for
`kerasx.jit`.
"""

from __future__ import annotations

import re
from typing import Any

from kerasx import config, initializers, ops
from kerasx.engine import dtypes as _dt
from kerasx.engine.variables import StatelessScope, Variable

_NAME_COUNTS: dict[str, int] = {}


def snake_case(name: str) -> str:
    """Turn a CamelCase class name into snake_case (``"BinaryIoU"`` -> ``"binary_io_u"``).

    Args:
        name: a class name.

    Returns:
        The lower-case name with underscores at word boundaries.
    """
    # A capitalised word (upper case letter followed by lower case ones) starts a new word,
    # as does an upper case letter right after a lower case letter or a digit.
    out = re.sub(r"(?<=.)([A-Z][a-z]+)", r"_\1", name)
    out = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", out)
    return out.lower()


def unique_name(base: str) -> str:
    """Return `base` the first time, then ``base_1``, ``base_2``, ... (process-wide).

    Args:
        base: the preferred name.

    Returns:
        A name not returned before for this base.
    """
    n = _NAME_COUNTS.get(base, 0)
    _NAME_COUNTS[base] = n + 1
    return base if n == 0 else f"{base}_{n}"


def _standardize_metric_dtype(dtype: Any) -> str:
    if dtype is None:
        return config.floatx()
    if not isinstance(dtype, str):
        # A dtype policy (or anything carrying one): use its compute dtype.
        for attr in ("compute_dtype", "name"):
            value = getattr(dtype, attr, None)
            if isinstance(value, str) and not value.startswith("mixed_"):
                return _dt.standardize_dtype(value)
    if isinstance(dtype, str) and dtype.startswith("mixed_"):
        return _dt.standardize_dtype(dtype.split("_", 1)[1])
    try:
        return _dt.standardize_dtype(dtype)
    except (TypeError, ValueError) as e:
        raise ValueError(
            "Received an invalid value for `dtype`, expected a dtype name such as 'float32'. "
            f"Received: dtype={dtype!r}"
        ) from e


class Metric:
    """Base class of metrics: running statistics over batches.

    Subclasses create their state in `__init__` with `add_variable`, and implement
    `update_state(...)` (fold a batch in, using ``variable.assign``-style updates and only
    `kerasx.ops`, so that the update traces under `jit`) and `result()`.

    Args:
        dtype: dtype of the metric's state and computation (default: `kerasx.config.floatx()`).
        name: name of the metric (default: the snake-cased class name, made unique).
    """

    def __init__(self, dtype: Any = None, name: str | None = None) -> None:
        if name is not None and not isinstance(name, str):
            raise TypeError(
                "Received an invalid value for `name`, expected a string or None. "
                f"Received: name={name!r}"
            )
        self.name = name or unique_name(snake_case(type(self).__name__))
        self._dtype = _standardize_metric_dtype(dtype)
        self._variables: list[Variable] = []
        self._metrics: list[Metric] = []

    def __setattr__(self, key: str, value: Any) -> None:
        # Nested metrics contribute their variables to ours (after our own).
        if isinstance(value, Metric) and key != "_metrics":
            metrics = self.__dict__.get("_metrics")
            if metrics is not None and all(m is not value for m in metrics):
                metrics.append(value)
        super().__setattr__(key, value)

    @property
    def dtype(self) -> str:
        """The dtype of the metric's state and computation."""
        return self._dtype

    @property
    def variables(self) -> list[Variable]:
        """The state variables: this metric's, in creation order, then nested metrics'."""
        out = list(self.__dict__.get("_variables", []))
        for m in self.__dict__.get("_metrics", []):
            out.extend(m.variables)
        return out

    def add_variable(
        self,
        shape: Any,
        initializer: Any,
        dtype: Any = None,
        aggregation: str = "sum",
        name: str | None = None,
    ) -> Variable:
        """Create a non-trainable state variable tracked by this metric.

        Args:
            shape: shape of the variable.
            initializer: an initializer name (``"zeros"``), instance or callable.
            dtype: dtype of the variable (default: the metric's dtype).
            aggregation: how replicas combine it (recorded on the variable).
            name: short name of the variable; its path becomes ``"<metric name>/<name>"``.

        Returns:
            The new `Variable`.
        """
        self._check_init_called()
        init = initializers.get(initializer)
        shape = tuple(int(d) for d in (shape if isinstance(shape, (tuple, list)) else ()))
        variable = Variable(
            initializer=init,
            shape=shape,
            dtype=_dt.standardize_dtype(dtype) if dtype is not None else self.dtype,
            trainable=False,
            autocast=False,
            aggregation=aggregation,
            name=name,
        )
        variable.path = f"{self.name.replace('/', '>')}/{variable.name}"
        self._variables.append(variable)
        return variable

    def add_weight(
        self, shape: Any = (), initializer: Any = None, dtype: Any = None, name: str | None = None
    ) -> Variable:
        """Like `add_variable` with defaults (zeros, scalar), for older-style subclasses.

        Args:
            shape: shape of the variable (default scalar).
            initializer: initializer (default ``"zeros"``).
            dtype: dtype of the variable (default: the metric's dtype).
            name: short name of the variable.

        Returns:
            The new `Variable`.
        """
        return self.add_variable(
            shape, initializer if initializer is not None else "zeros", dtype=dtype, name=name
        )

    def _check_init_called(self) -> None:
        if "_variables" not in self.__dict__:
            raise RuntimeError(
                f"{type(self).__name__}.__init__ must call `super().__init__()` before creating "
                "variables."
            )

    def update_state(self, *args: Any, **kwargs: Any) -> None:
        """Fold one batch into the state; subclasses must implement this."""
        raise NotImplementedError(
            f"{type(self).__name__} must implement `update_state(...)`: it updates the "
            "metric's variables with `assign`/`assign_add`."
        )

    def result(self) -> Any:
        """Compute the metric's value from its state; subclasses must implement this.

        Returns:
            A tensor (or a structure of tensors).
        """
        raise NotImplementedError(
            f"{type(self).__name__} must implement `result()`: it computes the metric's value "
            "from its variables."
        )

    def reset_state(self) -> None:
        """Set every state variable back to zeros."""
        for v in self.variables:
            v.assign(ops.zeros(v.shape, dtype=v.dtype))

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """Update the state with one batch, then return the current result.

        Returns:
            The result after the update.
        """
        self._check_init_called()
        self.update_state(*args, **kwargs)
        return self.result()

    # Stateless API ----------------------------------------------------------------------

    def _check_values(self, metric_variables: Any) -> list:
        variables = self.variables
        values = list(metric_variables) if isinstance(metric_variables, (list, tuple)) else None
        if values is None or len(values) != len(variables):
            got = (
                f"list with length {len(values)}"
                if values is not None
                else f"a value of type {type(metric_variables).__name__}"
            )
            raise ValueError(
                "Argument `metric_variables` must be a list of tensors corresponding 1:1 to "
                f"{type(self).__name__}().variables. Received {got}, but expected "
                f"{len(variables)} variables."
            )
        return values

    def _collect(self, scope: StatelessScope, values: list) -> list:
        out = []
        for v, old in zip(self.variables, values):
            new = scope.get_current_value(v)
            out.append(old if new is None else new)
        return out

    def stateless_update_state(self, metric_variables: Any, *args: Any, **kwargs: Any) -> list:
        """Run `update_state` on given state values without touching the variables.

        Args:
            metric_variables: current values, aligned with `variables`.
            *args: the arguments of `update_state`.
            **kwargs: the keyword arguments of `update_state`.

        Returns:
            The list of new values, aligned with `variables`.
        """
        values = self._check_values(metric_variables)
        with StatelessScope(list(zip(self.variables, values))) as scope:
            self.update_state(*args, **kwargs)
        return self._collect(scope, values)

    def stateless_result(self, metric_variables: Any) -> Any:
        """Compute `result()` from given state values.

        Args:
            metric_variables: values aligned with `variables`.

        Returns:
            The result.
        """
        values = self._check_values(metric_variables)
        with StatelessScope(list(zip(self.variables, values))):
            return self.result()

    def stateless_reset_state(self) -> list:
        """The state values `reset_state` would set, without touching the variables.

        Returns:
            A list of values aligned with `variables`.
        """
        values = [v.value for v in self.variables]
        with StatelessScope(list(zip(self.variables, values))) as scope:
            self.reset_state()
        return self._collect(scope, values)

    # Config -----------------------------------------------------------------------------

    def get_config(self) -> dict:
        """Return the constructor arguments as a dict (``name`` and ``dtype`` here)."""
        return {"name": self.name, "dtype": self.dtype}

    @classmethod
    def from_config(cls, config: dict) -> Metric:
        """Rebuild a metric from the dict returned by `get_config`."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} name={self.name}>"

    __str__ = __repr__
