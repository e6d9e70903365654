"""The graph that symbolic calls leave behind: `Node` and `KerasHistory`.

Calling a layer (or an op) on `KerasTensor`s records a `Node`: the operation, the call's
arguments (with the symbolic inputs in place) and its outputs. Every output tensor gets a
``_keras_history = KerasHistory(operation, node_index, tensor_index)`` pointing back at the
node, so a functional model can walk from its outputs to its inputs and replay the calls.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any, NamedTuple

from kerasx.engine import symbolic, tree
from kerasx.engine.symbolic import KerasTensor


class KerasHistory(NamedTuple):
    """Where a symbolic tensor came from: ``operation._inbound_nodes[node_index]``."""

    operation: Any
    node_index: int
    tensor_index: int


class Node:
    """One symbolic call of an operation.

    Args:
        operation: the `Layer` or `OpOperation` that was called.
        call_args: positional arguments of the call (KerasTensors in place).
        call_kwargs: keyword arguments of the call.
        outputs: the call's output structure of KerasTensors.
    """

    def __init__(self, operation: Any, call_args: tuple, call_kwargs: dict, outputs: Any) -> None:
        self.order = next(_order)
        self.operation = operation
        self.call_args = call_args
        self.call_kwargs = call_kwargs
        self.outputs = outputs
        self.output_tensors = [t for t in tree.flatten(outputs) if isinstance(t, KerasTensor)]
        self.input_tensors = [
            t for t in tree.flatten((call_args, call_kwargs)) if isinstance(t, KerasTensor)
        ]
        nodes = operation._inbound_nodes
        index = len(nodes)
        nodes.append(self)
        for i, t in enumerate(self.output_tensors):
            t._keras_history = KerasHistory(operation, index, i)

    @property
    def parent_nodes(self) -> list:
        """The nodes that produced this node's symbolic inputs."""
        out = []
        for t in self.input_tensors:
            h = t._keras_history
            if h is not None:
                out.append(h.operation._inbound_nodes[h.node_index])
        return out

    @property
    def is_input(self) -> bool:
        """True for the node of an `InputLayer`."""
        return not self.input_tensors


class OpOperation:
    """A registry op used directly on symbolic tensors inside a functional model."""

    def __init__(self, op: Any) -> None:
        self.op = op
        self.name = op.name
        self._inbound_nodes: list = []

    def __call__(self, *slots: Any) -> Any:
        return self.op.run(slots)

    def __repr__(self) -> str:
        return f"<Operation name={self.name}>"


def get_source_inputs(tensor: Any) -> Any:
    """The input tensors (`Input`s) that the symbolic `tensor` is computed from.

    Walks the recorded graph back from `tensor`, through layers, models used as layers and
    ops, to the `Input` tensors; each appears once, in the order the walk first meets it.

    Args:
        tensor: a `KerasTensor`.

    Returns:
        A list of `KerasTensor`s (``[tensor]`` for an `Input` itself). Anything that is not a
        symbolic tensor with a recorded history is returned unchanged, as Keras 3 does.
    """
    if not isinstance(tensor, KerasTensor) or tensor._keras_history is None:
        return tensor
    found: list = []
    seen: set = set()
    stack = [tensor]
    while stack:
        t = stack.pop()
        h = t._keras_history
        node = h.operation._inbound_nodes[h.node_index] if h is not None else None
        if node is None or node.is_input:
            if id(t) not in seen:
                seen.add(id(t))
                found.append(t)
            continue
        stack.extend(reversed(node.input_tensors))
    return found


_state = threading.local()
_order = itertools.count()


def recording() -> bool:
    """Whether symbolic op calls currently record nodes."""
    return getattr(_state, "off", 0) == 0


class no_recording:
    """Context manager: symbolic op calls inside do not record nodes (a layer's own trace)."""

    def __enter__(self) -> None:
        _state.off = getattr(_state, "off", 0) + 1

    def __exit__(self, *exc: Any) -> None:
        _state.off -= 1


def _record_op(op: Any, slots: tuple, result: Any) -> None:
    if getattr(_state, "off", 0):
        return
    for t in tree.flatten(slots):
        if isinstance(t, KerasTensor) and t._keras_history is not None:
            break
    else:
        return
    Node(OpOperation(op), tuple(slots), {}, result)


symbolic._node_hook = _record_op
