"""`Function` (``keras.Function``): the graph of operations between symbolic inputs and outputs,
callable on concrete data, without a model's weights tracking, training or saving."""

from __future__ import annotations

from typing import Any

from kerasx import ops
from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.node import no_recording
from kerasx.layers.operation import Operation
from kerasx.models.functional import _history_node, collect_nodes


class Function(Operation):
    """A callable graph: ``Function(inputs, outputs)(data)`` replays the calls that led from
    `inputs` to `outputs`.

    Args:
        inputs: a `KerasTensor` from `kerasx.Input`, or a list / dict of them.
        outputs: the `KerasTensor`(s) computed from `inputs` (a tensor, list or dict).
        name: the function's name (default ``function``, ``function_1``, ...).

    Raises:
        ValueError: an output does not depend only on `inputs`.
    """

    def __init__(self, inputs: Any, outputs: Any, name: str | None = None) -> None:
        super().__init__(name=name)
        self._inputs_struct = inputs
        self._outputs_struct = outputs
        self._in = tree.flatten(inputs)
        self._out = tree.flatten(outputs)
        for role, tensors in (("inputs", self._in), ("outputs", self._out)):
            bad = [t for t in tensors if not isinstance(t, KerasTensor)]
            if bad or not tensors:
                raise ValueError(
                    f"Function `{role}` must be KerasTensors (from `kerasx.Input` and the calls "
                    f"made on them), alone or in a list or dict. Received: {role}={bad or tensors}"
                )
        try:
            self._nodes = collect_nodes(self._in, self._out)
        except ValueError as e:
            raise ValueError(f"Cannot build Function '{self.name}': {e}") from None

    @property
    def inputs(self) -> list:
        """The input tensors, flattened."""
        return list(self._in)

    @property
    def outputs(self) -> list:
        """The output tensors, flattened."""
        return list(self._out)

    @property
    def operations(self) -> list:
        """The operations of the graph in call order, each input's `InputLayer` before the
        first operation that reads it."""
        ops: list = []
        seen: set = set()
        inputs = {id(t) for t in self._in}

        def add(op: Any) -> None:
            if id(op) not in seen:
                seen.add(id(op))
                ops.append(op)

        for node in self._nodes:
            for t in node.input_tensors:
                source = _history_node(t) if id(t) in inputs else None
                if source is not None:
                    add(source.operation)
            add(node.operation)
        for t in self._out:  # an output that is an input itself
            source = _history_node(t) if id(t) in inputs else None
            if source is not None:
                add(source.operation)
        return ops

    def call(self, inputs: Any) -> Any:
        """Replay the graph on `inputs` (the structure the function was built with)."""
        if not _same_nesting(self._inputs_struct, inputs):
            raise ValueError(
                f"Function '{self.name}' was called with an invalid input structure. Expected "
                f"the structure it was built with: {self._inputs_struct}. Received: {inputs!r}"
            )
        values = {
            id(t): v if isinstance(v, KerasTensor) else ops.convert_to_tensor(v, dtype=t.dtype)
            for t, v in zip(self._in, tree.flatten(inputs))
        }

        def lookup(t: Any) -> Any:
            return values[id(t)] if isinstance(t, KerasTensor) else t

        for node in self._nodes:
            args = tree.map_structure(lookup, node.call_args)
            kwargs = tree.map_structure(lookup, node.call_kwargs)
            out = node.operation(*args, **kwargs)
            for t, v in zip(node.output_tensors, tree.flatten(out)):
                values[id(t)] = v
        return tree.pack_sequence_as(self._outputs_struct, [values[id(t)] for t in self._out])

    def compute_output_spec(self, inputs: Any) -> Any:
        """The output `KerasTensor`s for symbolic `inputs` (the graph replayed on them)."""
        with no_recording():
            return self.call(inputs)

    def compute_output_shape(self, input_shape: Any) -> Any:
        """The output shape(s) for inputs of the given shape(s)."""
        specs = _shapes_to_specs(input_shape, self._in)
        out = self.compute_output_spec(tree.pack_sequence_as(self._inputs_struct, specs))
        return tree.map_structure(lambda t: tuple(t.shape), out)

    def get_config(self) -> dict:
        """Not available: a Function holds a graph, not constructor arguments (Keras raises
        NotImplementedError here too)."""
        raise NotImplementedError(
            f"Function '{self.name}' cannot be serialized: it is built from symbolic tensors, "
            "not from configuration values. Save a `kerasx.Model(inputs, outputs)` built from "
            "the same tensors instead."
        )


def _same_nesting(expected: Any, given: Any) -> bool:
    """Whether `given` is nested like `expected` (lists and tuples interchangeable)."""
    if isinstance(expected, KerasTensor):
        return not tree.is_nested(given)
    if isinstance(expected, dict):
        return (
            isinstance(given, dict)
            and set(given) == set(expected)
            and all(_same_nesting(expected[k], given[k]) for k in expected)
        )
    if isinstance(expected, (list, tuple)):
        return (
            isinstance(given, (list, tuple))
            and len(given) == len(expected)
            and all(_same_nesting(e, g) for e, g in zip(expected, given))
        )
    return True


def _shapes_to_specs(input_shape: Any, inputs: list) -> list:
    """One `KerasTensor` per input, shaped as `input_shape` says (a shape, or one per input)."""
    if len(inputs) == 1:
        shapes = [input_shape]
    elif isinstance(input_shape, dict):
        shapes = [input_shape[k] for k in sorted(input_shape)]
    else:
        shapes = list(input_shape)
    return [KerasTensor(tuple(s), t.dtype) for s, t in zip(shapes, inputs)]
