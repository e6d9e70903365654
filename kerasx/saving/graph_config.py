"""Functional models to Keras 3's config (layers with ``inbound_nodes``) and back.

The config lists each operation once with the calls it made inside the model::

    {"name": "fm", "trainable": true,
     "layers": [{...serialized layer..., "name": "d", "inbound_nodes": [
         {"args": [{"class_name": "__keras_tensor__", "config": {
             "shape": [null, 4], "dtype": "float32", "keras_history": ["a", 0, 0]}}],
          "kwargs": {}}]}, ...],
     "input_layers": [["a", 0, 0], ...], "output_layers": [["out", 0, 0], ...]}

``keras_history`` is (operation name, index of the call among that operation's calls
*inside this model*, index of the output of that call).
"""

from __future__ import annotations

import re
from typing import Any

from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.saving import serialization as _ser


def _camel(name: str) -> str:
    return "".join(p[:1].upper() + p[1:] for p in name.split("_"))


def _snake(name: str) -> str:
    name = re.sub(r"(.)([A-Z][a-z]+)", r"\1_\2", name)
    return re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name).lower()


def functional_get_config(model: Any) -> dict:
    """Keras's config dict of a kerasx `Functional` model.

    Args:
        model: the model.

    Returns:
        ``{"name", "trainable", "layers", "input_layers", "output_layers"}``.
    """
    from kerasx.layers.layer import Layer

    input_nodes = [_node_of(t) for t in model._kx_in]
    nodes = input_nodes + list(model._kx_nodes)
    in_model = {id(n) for n in nodes}
    operations: list = []
    seen: set = set()
    for n in nodes:
        if id(n.operation) not in seen:
            seen.add(id(n.operation))
            operations.append(n.operation)
    names: dict[int, str] = {}
    used: set = {op.name for op in operations if isinstance(op, Layer)}
    for op in operations:
        if isinstance(op, Layer):
            names[id(op)] = op.name
            continue
        base, k = op.name, 0
        candidate = base
        while candidate in used:
            k += 1
            candidate = f"{base}_{k}"
        used.add(candidate)
        names[id(op)] = candidate
    node_index: dict[int, int] = {}
    for op in operations:
        k = 0
        for n in op._inbound_nodes:
            if id(n) in in_model:
                node_index[id(n)] = k
                k += 1

    def history(t: KerasTensor) -> list:
        h = t._keras_history
        node = h.operation._inbound_nodes[h.node_index]
        return [names[id(h.operation)], node_index[id(node)], h.tensor_index]

    def walk(value: Any) -> Any:
        if isinstance(value, KerasTensor):
            return {
                "class_name": "__keras_tensor__",
                "config": {
                    "shape": list(value.shape),
                    "dtype": value.dtype,
                    "keras_history": history(value),
                },
            }
        if isinstance(value, (list, tuple)):
            return [walk(v) for v in value]
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        return _ser.serialize_keras_object(value)

    layer_configs = []
    for op in operations:
        op_nodes = [n for n in op._inbound_nodes if id(n) in in_model and not n.is_input]
        if isinstance(op, Layer):
            entry = _ser.serialize_keras_object(op)
        else:
            entry = {
                "module": "keras.src.ops",
                "class_name": _camel(op.name),
                "config": {"name": names[id(op)]},
                "registered_name": _camel(op.name),
            }
        entry["name"] = names[id(op)]
        entry["inbound_nodes"] = [
            {"args": walk(list(n.call_args)), "kwargs": walk(dict(n.call_kwargs))} for n in op_nodes
        ]
        layer_configs.append(entry)

    def refs(struct: Any) -> Any:
        if isinstance(struct, KerasTensor):
            return history(struct)
        if isinstance(struct, dict):
            return {k: refs(v) for k, v in struct.items()}
        return [refs(v) for v in struct]

    return {
        "name": model.name,
        "trainable": model.trainable,
        "layers": layer_configs,
        "input_layers": refs(model._kx_inputs_struct),
        "output_layers": refs(model._kx_outputs_struct),
    }


def _node_of(t: KerasTensor) -> Any:
    h = t._keras_history
    return h.operation._inbound_nodes[h.node_index]


class _OpCaller:
    """A registry op named by a config (``keras.src.ops`` entries): calls ``kerasx.ops``."""

    def __init__(self, fn: Any, static: dict) -> None:
        self.fn = fn
        self.static = static

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.fn(*args, **{**self.static, **kwargs})


def _op_from_config(layer_data: dict) -> Any:
    from kerasx import ops
    from kerasx.engine.registry import REGISTRY

    name = _snake(str(layer_data.get("class_name", "")))
    if name not in REGISTRY or not hasattr(ops, name):
        raise ValueError(
            f"The config names the operation '{layer_data.get('class_name')}', which kerasx "
            "does not provide (no such op in kerasx.ops)."
        )
    static = dict(layer_data.get("config") or {})
    static.pop("name", None)
    return _OpCaller(getattr(ops, name), static)


def functional_from_config(cls: type, config: dict, custom_objects: dict | None = None) -> Any:
    """Rebuild a functional model from `functional_get_config`'s dict (or Keras's).

    Args:
        cls: the model class to create (`Functional` or `Model`).
        config: the config dict.
        custom_objects: names of user classes and functions.

    Returns:
        The new model.
    """
    from kerasx.layers.input_layer import InputLayer

    if not isinstance(config, dict) or not isinstance(config.get("layers"), list):
        raise ValueError(
            "Invalid functional model config: expected a dict with a 'layers' list. "
            f"Received keys: {sorted(config) if isinstance(config, dict) else type(config)}"
        )
    created: dict[str, Any] = {}
    outputs: dict[tuple, list] = {}
    pending: list = []
    for layer_data in config["layers"]:
        if not isinstance(layer_data, dict) or not isinstance(layer_data.get("name"), str):
            raise ValueError(f"Invalid layer entry in a functional config: {layer_data!r}")
        name = layer_data["name"]
        if name in created:
            raise ValueError(f"The functional config lists the layer name '{name}' twice.")
        module = layer_data.get("module")
        if isinstance(module, str) and module.startswith("keras.src.ops"):
            op = _op_from_config(layer_data)
        else:
            data = {k: v for k, v in layer_data.items() if k not in ("name", "inbound_nodes")}
            if not _is_model_config(data):
                data.pop("build_config", None)  # calling the layer builds it
            op = _ser.deserialize_keras_object(
                data, custom_objects=custom_objects, printable_module_name="layer"
            )
        created[name] = op
        if isinstance(op, InputLayer):
            outputs[(name, 0)] = [op.output]
        nodes = layer_data.get("inbound_nodes") or []
        if not isinstance(nodes, list):
            raise ValueError(f"Invalid 'inbound_nodes' for layer '{name}': {nodes!r}")
        for i, node_data in enumerate(nodes):
            pending.append((name, i, node_data))

    def resolve(value: Any) -> Any:
        if isinstance(value, dict) and value.get("class_name") == "__keras_tensor__":
            hist = (value.get("config") or {}).get("keras_history")
            if (
                not isinstance(hist, list)
                or len(hist) != 3
                or not isinstance(hist[0], str)
                or not all(isinstance(i, int) and not isinstance(i, bool) for i in hist[1:])
            ):
                raise ValueError(f"Invalid keras_history in a functional config: {hist!r}")
            key = (hist[0], hist[1])
            if key not in outputs:
                raise _NotReady(key)
            outs = outputs[key]
            if not 0 <= hist[2] < len(outs):
                raise ValueError(
                    f"The functional config refers to output {hist[2]} of layer '{hist[0]}' "
                    f"call {hist[1]}, which has only {len(outs)} output(s)."
                )
            return outs[hist[2]]
        if isinstance(value, list):
            return [resolve(v) for v in value]
        if isinstance(value, dict) and "class_name" not in value:
            return {k: resolve(v) for k, v in value.items()}
        return _ser.deserialize_keras_object(value, custom_objects=custom_objects)

    while pending:
        progress = False
        remaining = []
        for name, i, node_data in pending:
            try:
                if isinstance(node_data, dict):
                    args = resolve(node_data.get("args", []))
                    kwargs = resolve(node_data.get("kwargs", {}))
                elif isinstance(node_data, list):  # Keras 2 style: [[name, node, tensor, kw]]
                    raise ValueError(
                        "This functional config uses the Keras 2 node format, which kerasx does "
                        "not read. Re-save the model with Keras 3."
                    )
                else:
                    raise ValueError(f"Invalid node of layer '{name}': {node_data!r}")
            except _NotReady:
                remaining.append((name, i, node_data))
                continue
            if not isinstance(args, list) or not isinstance(kwargs, dict):
                raise ValueError(f"Invalid node of layer '{name}': {node_data!r}")
            result = created[name](*args, **kwargs)
            outputs[(name, i)] = tree.flatten(result)
            progress = True
        if not progress:
            missing = sorted({f"{n} (call {i})" for n, i, _ in remaining})
            raise ValueError(
                "Invalid functional config: these layer calls refer to layers or calls that do "
                f"not exist in the config: {missing}."
            )
        pending = remaining

    def tensors(struct: Any) -> Any:
        if isinstance(struct, list) and len(struct) == 3 and isinstance(struct[0], str):
            key = (struct[0], struct[1])
            if key not in outputs or not isinstance(struct[2], int):
                raise ValueError(f"The functional config names an unknown tensor: {struct!r}")
            return outputs[key][struct[2]]
        if isinstance(struct, dict):
            return {k: tensors(v) for k, v in struct.items()}
        if isinstance(struct, list):
            return [tensors(v) for v in struct]
        raise ValueError(f"Invalid input_layers/output_layers entry: {struct!r}")

    inputs = tensors(config.get("input_layers", []))
    outs = tensors(config.get("output_layers", []))
    from kerasx.models.functional import Functional

    target = cls if isinstance(cls, type) and issubclass(cls, Functional) else Functional
    return target(inputs, outs, name=config.get("name"), trainable=config.get("trainable", True))


def _is_model_config(data: dict) -> bool:
    inner = data.get("config")
    return isinstance(inner, dict) and "layers" in inner


class _NotReady(Exception):
    """A node refers to a call not rebuilt yet (another pass will retry it)."""
