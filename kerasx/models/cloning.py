"""`clone_model`: a new model with the same structure and fresh layers (new weights)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor


def _default_clone(layer: Any) -> Any:
    return layer.__class__.from_config(layer.get_config())


def clone_model(
    model: Any,
    input_tensors: Any = None,
    clone_function: Callable | None = None,
    call_function: Callable | None = None,
    recursive: bool = False,
    **kwargs: Any,
) -> Any:
    """Clone a functional or Sequential model (or a subclassed one through its config).

    The clone's layers are new objects with freshly initialized weights (use
    ``clone.set_weights(model.get_weights())`` to copy the values).

    Args:
        model: the model to clone.
        input_tensors: KerasTensors (from `kerasx.Input`) to build the clone on, instead of
            new inputs like the original's.
        clone_function: ``f(layer) -> layer`` used to clone each layer (default: rebuild it
            from its config). Return the layer itself to share it with the original.
        call_function: ``f(layer, *args, **kwargs)`` that replaces each layer call while the
            clone's graph is rebuilt (e.g. to insert extra layers).
        recursive: also clone the layers inside nested functional / Sequential models with
            `clone_function` (otherwise a nested model is cloned as one layer).
        **kwargs: none are supported.

    Returns:
        The new model.
    """
    from kerasx.layers.input_layer import Input, InputLayer
    from kerasx.models.functional import Functional
    from kerasx.models.sequential import Sequential

    if kwargs:
        raise ValueError(f"Unexpected keyword arguments to clone_model: {sorted(kwargs)}")
    fn = clone_function or _default_clone

    def clone_layer(layer: Any) -> Any:
        if recursive and isinstance(layer, (Functional, Sequential)):
            return clone_model(layer, clone_function=clone_function, recursive=True)
        return fn(layer)

    if isinstance(model, Sequential):
        layers = [clone_layer(la) for la in model.layers]
        if input_tensors is not None:
            inputs = tree.flatten(input_tensors)
            if len(inputs) != 1:
                raise ValueError(
                    f"A Sequential model takes one input tensor; `input_tensors` has {len(inputs)}."
                )
            x = inputs[0]
            if call_function is None:
                return Sequential([x._keras_history.operation, *layers], name=model.name)
            for layer in layers:
                x = call_function(layer, x)
            return Functional(inputs[0], x, name=model.name)
        first = model._kx_layers[0] if model._kx_layers else None
        if call_function is None:
            if isinstance(first, InputLayer):
                entry = InputLayer(**{**first.get_config(), "name": first.name})
                return Sequential([entry, *layers], name=model.name)
            return Sequential(layers, name=model.name)
        if not isinstance(first, InputLayer):
            raise ValueError(
                "`call_function` needs a built Sequential model (start it with `kerasx.Input`)."
            )
        x = Input(batch_shape=first.batch_shape, dtype=first.dtype, name=first.name)
        inp = x
        for layer in layers:
            x = call_function(layer, x)
        return Functional(inp, x, name=model.name)

    if not isinstance(model, Functional):
        if clone_function is not None or input_tensors is not None or call_function is not None:
            raise ValueError(
                "Arguments `clone_function`, `call_function` and `input_tensors` are only "
                "supported for functional and Sequential models. Received a subclassed model: "
                f"{type(model).__name__}."
            )
        return model.__class__.from_config(model.get_config())

    values: dict[int, Any] = {}
    old_inputs = model._kx_in
    if input_tensors is not None:
        new_inputs = tree.flatten(input_tensors)
        if len(new_inputs) != len(old_inputs):
            raise ValueError(
                f"`input_tensors` has {len(new_inputs)} tensors, but the model has "
                f"{len(old_inputs)} inputs."
            )
    else:
        new_inputs = []
        for t in old_inputs:
            layer = t._keras_history.operation
            new_inputs.append(
                Input(batch_shape=layer.batch_shape, dtype=layer.dtype, name=layer.name)
            )
    for old, new in zip(old_inputs, new_inputs):
        values[id(old)] = new
    clones: dict[int, Any] = {}

    def lookup(v: Any) -> Any:
        return values[id(v)] if isinstance(v, KerasTensor) else v

    from kerasx.layers.layer import Layer

    for node in model._kx_nodes:
        op = node.operation
        args = tree.map_structure(lookup, node.call_args)
        kw = tree.map_structure(lookup, node.call_kwargs)
        if isinstance(op, Layer):
            if id(op) not in clones:
                clones[id(op)] = clone_layer(op)
            new_op = clones[id(op)]
            out = call_function(new_op, *args, **kw) if call_function else new_op(*args, **kw)
        else:
            out = op(*args, **kw)
        for t, v in zip(node.output_tensors, tree.flatten(out)):
            values[id(t)] = v
    inputs = tree.pack_sequence_as(model._kx_inputs_struct, new_inputs)
    outputs = tree.map_structure(lookup, model._kx_outputs_struct)
    return Functional(inputs, outputs, name=model.name)
