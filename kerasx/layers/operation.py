"""`Operation` (``keras.Operation``): the base class of user-defined computations that work on
concrete arrays and on symbolic tensors alike.

A subclass implements ``call(*args, **kwargs)`` with `kerasx.ops`, and may implement
``compute_output_spec`` (by default `call` is traced symbolically through the op registry's
shape rules). Called on `KerasTensor`s it returns `KerasTensor`s and records a node, so it can
sit in a functional model or a `Function` like a layer. `Layer` counts as an `Operation`
(``isinstance(layer, Operation)``), as in Keras.
"""

from __future__ import annotations

import abc
from typing import Any

from kerasx import backend as _backend
from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor, SymbolicScope
from kerasx.layers import _context
from kerasx.layers.node import Node, no_recording, recording


class Operation(metaclass=abc.ABCMeta):  # noqa: B024 - ABC only so `Layer` can register
    """A named computation on tensors.

    Args:
        name: the operation's name (default: its class name in snake case, numbered from the
            second instance on: ``double``, ``double_1``, ...).
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> Operation:
        # the graph bookkeeping exists even when a subclass skips `super().__init__()`
        instance = super().__new__(cls)
        instance._inbound_nodes = []
        return instance

    def __init__(self, name: str | None = None) -> None:
        if name is None:
            prefix = _context.snake_case(type(self).__name__)
            uid = _backend.get_uid(prefix)
            name = prefix if uid == 1 else f"{prefix}_{uid - 1}"
        elif not isinstance(name, str) or "/" in name:
            raise ValueError(
                f"Argument `name` must be a string without '/'. Received: name={name!r}"
            )
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if any(isinstance(t, KerasTensor) for t in tree.flatten((args, kwargs))):
            return self.symbolic_call(*args, **kwargs)
        return self.call(*args, **kwargs)

    def call(self, *args: Any, **kwargs: Any) -> Any:
        """The computation on concrete tensors (override in subclasses)."""
        raise NotImplementedError(
            f"{type(self).__name__} does not implement `call()`: a subclass of Operation "
            "defines `call(self, *args, **kwargs)` with kerasx.ops."
        )

    def symbolic_call(self, *args: Any, **kwargs: Any) -> Any:
        """Output `KerasTensor`s for symbolic inputs; records the call in the graph."""
        with SymbolicScope():
            outputs = self.compute_output_spec(*args, **kwargs)
        if recording():
            Node(self, args, kwargs, outputs)
        return outputs

    def compute_output_spec(self, *args: Any, **kwargs: Any) -> Any:
        """Output `KerasTensor`s for symbolic inputs (by default, `call` traced symbolically)."""
        with no_recording():
            return self.call(*args, **kwargs)

    def _node_tensors(self, attribute: str) -> Any:
        if not self._inbound_nodes:
            raise AttributeError(
                f"Operation '{self.name}' has never been called on symbolic tensors, so it has "
                f"no `{attribute}`. Call it on `kerasx.Input(...)` tensors first."
            )
        node = self._inbound_nodes[0]
        tensors = node.input_tensors if attribute == "input" else node.output_tensors
        return tensors[0] if len(tensors) == 1 else tensors

    @property
    def input(self) -> Any:
        """The symbolic input(s) of the operation's first symbolic call."""
        return self._node_tensors("input")

    @property
    def output(self) -> Any:
        """The symbolic output(s) of the operation's first symbolic call."""
        return self._node_tensors("output")

    def get_config(self) -> dict:
        """The constructor arguments as a dict (the base class: the name)."""
        return {"name": self.name}

    @classmethod
    def from_config(cls, config: dict) -> Operation:
        """Build an instance from `get_config`'s output."""
        return cls(**config)

    def __repr__(self) -> str:
        return f"<Operation name={getattr(self, 'name', type(self).__name__)}>"


def _register_layer() -> None:
    from kerasx.layers.layer import Layer

    Operation.register(Layer)


_register_layer()
