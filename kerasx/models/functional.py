"""`Functional`: a model defined by a graph of layer calls from `Input`s to outputs."""

from __future__ import annotations

from typing import Any

from kerasx.engine import tree
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.layer import Layer
from kerasx.models.model import Model


def _history_node(t: KerasTensor) -> Any:
    h = getattr(t, "_keras_history", None)
    if h is None:
        return None
    return h.operation._inbound_nodes[h.node_index]


def collect_nodes(inputs: list, outputs: list) -> list:
    """The nodes between `inputs` and `outputs`, in call order (a topological order).

    Raises:
        ValueError: when an output depends on an input that is not in `inputs`.
    """
    input_ids = {id(t) for t in inputs}
    seen: dict[int, Any] = {}
    stack = [t for t in outputs]
    while stack:
        t = stack.pop()
        if id(t) in input_ids:
            continue
        node = _history_node(t)
        if node is None:
            raise ValueError(
                f"Output tensor {t} was not created by calling layers on the model's inputs "
                "(it has no history). Build functional models from `kerasx.Input(...)` tensors."
            )
        if node.is_input:
            raise ValueError(
                "Graph disconnected: the model's outputs depend on the input "
                f"'{node.operation.name}', which is not in the model's `inputs`. Pass every "
                "Input the outputs depend on in `inputs`."
            )
        if id(node) in seen:
            continue
        seen[id(node)] = node
        stack.extend(node.input_tensors)
    return sorted(seen.values(), key=lambda n: n.order)


def keras_layer_order(inputs: list, outputs: list) -> list:
    """The operations between `inputs` and `outputs` in the order Keras lists a functional
    model's layers: by decreasing depth (the longest path to an output), ties broken by the
    order in which a depth-first walk from the outputs first reaches them. `model.layers`,
    `model.weights` and `get_weights` follow it, and so do Keras's position-based weight
    files; for a chain it is the call order, for branching graphs it is not."""
    input_ids = {id(t) for t in inputs}
    index: dict[int, int] = {}  # id(operation) -> first reached
    ops: dict[int, Any] = {}
    post: list = []  # nodes, each after the nodes it reads from
    finished: set = set()

    def reach(t: Any) -> Any:
        node = _history_node(t)
        op = node.operation
        if id(op) not in index:
            index[id(op)] = len(index)
            ops[id(op)] = op
        return node

    stack: list = []
    for t in outputs:  # an iterative depth-first walk (graphs can be thousands deep)
        node = _history_node(t)
        if id(node) in finished:
            continue
        reach(t)
        parents = [] if node.is_input or id(t) in input_ids else list(node.input_tensors)
        stack.append((node, iter(parents)))
        while stack:
            node, parents = stack[-1]
            for x in parents:
                child = _history_node(x)
                if id(child) in finished:
                    continue
                reach(x)
                grand = [] if child.is_input or id(x) in input_ids else list(child.input_tensors)
                stack.append((child, iter(grand)))
                break
            else:
                stack.pop()
                if id(node) not in finished:
                    finished.add(id(node))
                    post.append(node)
    node_depth: dict[int, int] = {}
    op_depth: dict[int, int] = {}
    for node in reversed(post):
        op = node.operation
        depth = max(node_depth.get(id(node), 0), op_depth.get(id(op), 0))
        node_depth[id(node)] = op_depth[id(op)] = depth
        if node.is_input:
            continue
        for x in node.input_tensors:
            parent = _history_node(x)
            node_depth[id(parent)] = max(depth + 1, node_depth.get(id(parent), 0))
    return sorted(ops.values(), key=lambda op: (-op_depth[id(op)], index[id(op)]))


class Functional(Model):
    """A model built from symbolic inputs and outputs: ``Model(inputs, outputs)``.

    Args:
        inputs: a KerasTensor from `kerasx.Input`, or a list / dict of them.
        outputs: the KerasTensor(s) computed from `inputs` (a tensor, list or dict).
        name: the model's name (default ``functional``, ``functional_1``, ...).
        trainable: whether the model's weights are trained.
    """

    def __init__(
        self, inputs: Any, outputs: Any, name: str | None = None, trainable: bool = True, **kw: Any
    ) -> None:
        for what, struct in (("inputs", inputs), ("outputs", outputs)):
            flat = tree.flatten(struct)
            if not flat or not all(isinstance(t, KerasTensor) for t in flat):
                bad = [type(t).__name__ for t in flat if not isinstance(t, KerasTensor)]
                raise ValueError(
                    f"All `{what}` of a functional model must be KerasTensors (from "
                    f"`kerasx.Input` and layer calls). Received types: {bad or 'nothing'}"
                )
        super().__init__(name=name, trainable=trainable, **kw)
        self._kx_inputs_struct = inputs
        self._kx_outputs_struct = outputs
        self._kx_in = tree.flatten(inputs)
        self._kx_out = tree.flatten(outputs)
        for t in self._kx_in:
            node = _history_node(t)
            if node is None or not node.is_input:
                raise ValueError(
                    f"Model inputs must come from `kerasx.Input` (an InputLayer). Received: {t}"
                )
        self._kx_nodes = collect_nodes(self._kx_in, self._kx_out)
        ordered = [op for op in keras_layer_order(self._kx_in, self._kx_out)]
        # inputs the outputs do not use come first (Keras refuses them; kerasx keeps them)
        unused = [t._keras_history.operation for t in self._kx_in]
        unused = [op for op in unused if all(op is not o for o in ordered)]
        self._kx_layers = [op for op in unused + ordered if isinstance(op, Layer)]
        self._kx_uses_masks = any(
            getattr(t, "_keras_mask", None) is not None
            for n in self._kx_nodes
            for t in n.input_tensors
        )
        self.built = True

    # ------------------------------------------------------------------ structure

    @property
    def _layers(self) -> list:
        return list(self._kx_layers)

    @property
    def layers(self) -> list:
        """Every layer in the graph (InputLayers included), in Keras's order (by decreasing
        depth; see `keras_layer_order`)."""
        return list(self._kx_layers)

    @property
    def inputs(self) -> list:
        """The model's symbolic inputs (flat list)."""
        return list(self._kx_in)

    @property
    def outputs(self) -> list:
        """The model's symbolic outputs (flat list)."""
        return list(self._kx_out)

    @property
    def input(self) -> Any:
        return self._kx_inputs_struct

    @property
    def output(self) -> Any:
        return self._kx_outputs_struct

    @property
    def input_names(self) -> list:
        """The names of the InputLayers."""
        return [t._keras_history.operation.name for t in self._kx_in]

    @property
    def output_names(self) -> list:
        """Names of the outputs: dict keys, or the names of the layers producing them."""
        if isinstance(self._kx_outputs_struct, dict):
            return sorted(self._kx_outputs_struct)
        return [t._keras_history.operation.name for t in self._kx_out]

    @property
    def input_shape(self) -> Any:
        shapes = [tuple(t.shape) for t in self._kx_in]
        return shapes[0] if len(shapes) == 1 else shapes

    @property
    def output_shape(self) -> Any:
        shapes = [tuple(t.shape) for t in self._kx_out]
        return shapes[0] if len(shapes) == 1 else shapes

    # ------------------------------------------------------------------ running

    def _flatten_inputs(self, inputs: Any) -> list:
        struct = self._kx_inputs_struct
        if isinstance(inputs, dict) and not isinstance(struct, dict):
            names = self.input_names
            missing = [n for n in names if n not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs named {names}; the dict passed is "
                    f"missing {missing} (received keys: {sorted(inputs)})."
                )
            return [inputs[n] for n in names]
        if isinstance(struct, dict):
            if not isinstance(inputs, dict):
                flat = tree.flatten(inputs)
                if len(flat) == len(self._kx_in):
                    return flat
                raise ValueError(
                    f"Model '{self.name}' expects a dict of inputs with keys {sorted(struct)}. "
                    f"Received: {type(inputs).__name__}"
                )
            missing = [k for k in struct if k not in inputs]
            if missing:
                raise ValueError(
                    f"Model '{self.name}' expects inputs with keys {sorted(struct)}; missing "
                    f"{missing}."
                )
            return tree.flatten({k: inputs[k] for k in struct})
        flat = tree.flatten(inputs)
        if len(flat) != len(self._kx_in):
            raise ValueError(
                f'Layer "{self.name}" expects {len(self._kx_in)} input(s), but it received '
                f"{len(flat)} input tensors."
            )
        return flat

    def _check_shapes(self, flat: list) -> None:
        for i, (spec, x) in enumerate(zip(self._kx_in, flat)):
            if x is None or not hasattr(x, "shape"):
                continue
            want, got = tuple(spec.shape), tuple(x.shape)
            ok = len(want) == len(got) and all(
                w is None or g is None or w == g for w, g in zip(want, got)
            )
            if not ok:
                raise ValueError(
                    f'Input {i} of layer "{self.name}" is incompatible with the layer: '
                    f"expected shape={want}, found shape={got}"
                )

    def call(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        flat = self._flatten_inputs(inputs)
        flat = [self._convert_input(x, spec) for x, spec in zip(flat, self._kx_in)]
        self._check_shapes(flat)
        values: dict[int, Any] = {id(t): v for t, v in zip(self._kx_in, flat)}
        masks: dict[int, Any] = {}
        if mask is not None:
            for t, m in zip(self._kx_in, tree.flatten(mask)):
                masks[id(t)] = m
        uses_masks = self._kx_uses_masks or bool(masks)

        def lookup(t: Any) -> Any:
            return values[id(t)] if isinstance(t, KerasTensor) else t

        for node in self._kx_nodes:
            op = node.operation
            args = tree.map_structure(lookup, node.call_args)
            kwargs = tree.map_structure(lookup, node.call_kwargs)
            if isinstance(op, Layer):
                in_masks = None
                if uses_masks:
                    in_masks = _masks_of(node.call_args[0] if node.call_args else None, masks)
                    if (
                        op._kx_call.accepts_mask
                        and kwargs.get("mask") is None
                        and in_masks is not None
                    ):
                        kwargs["mask"] = in_masks
                    _fill_arg_masks(op, node, kwargs, masks)
                out = op(*args, **kwargs)
                if uses_masks and any(
                    getattr(t, "_keras_mask", None) is not None for t in node.output_tensors
                ):
                    prev = kwargs.get("mask")
                    if prev is None:
                        # A layer whose call takes no mask still passes its input's on.
                        prev = in_masks
                    new_mask = op.compute_mask(args[0], prev)
                    flat_m = (
                        tree.flatten(new_mask)
                        if isinstance(new_mask, (list, tuple))
                        else [new_mask] * len(node.output_tensors)
                    )
                    for t, m in zip(node.output_tensors, flat_m):
                        masks[id(t)] = m
            else:
                out = op(*args, **kwargs)
            for t, v in zip(node.output_tensors, tree.flatten(out)):
                values[id(t)] = v
        return tree.pack_sequence_as(self._kx_outputs_struct, [values[id(t)] for t in self._kx_out])

    def _convert_input(self, x: Any, spec: KerasTensor) -> Any:
        if x is None:
            return x
        x = _match_rank(x, spec)
        if isinstance(x, KerasTensor):
            return x
        layer = spec._keras_history.operation
        target = layer.dtype
        import numpy as np

        from kerasx import ops

        if isinstance(x, (np.ndarray, np.generic, list, float, int)):
            arr = np.asarray(x)
            if arr.dtype.kind in "fiub" and str(arr.dtype) != target:
                arr = arr.astype(target)
            return ops.convert_to_tensor(arr)
        if hasattr(x, "dtype") and str(x.dtype) != target:
            from kerasx.engine import dtypes as _dt

            if _dt.standardize_dtype(x.dtype) != target:
                return ops.cast(x, target)
        return x

    def compute_output_spec(self, inputs: Any, training: Any = None, mask: Any = None) -> Any:
        return self.call(inputs, training=training, mask=mask)

    def compute_mask(self, inputs: Any, mask: Any = None) -> Any:
        masks = [getattr(t, "_keras_mask", None) for t in self._kx_out]
        if all(m is None for m in masks):
            return None
        return tree.pack_sequence_as(self._kx_outputs_struct, masks)

    # ------------------------------------------------------------------ config

    def get_config(self) -> dict:
        """Keras's functional config: layers with their ``inbound_nodes``, input/output refs."""
        from kerasx.saving.graph_config import functional_get_config

        return functional_get_config(self)

    @classmethod
    def from_config(cls, config: dict, custom_objects: dict | None = None) -> Functional:
        """Rebuild the model's graph from `get_config`'s output (or a Keras 3 config)."""
        from kerasx.saving.graph_config import functional_from_config

        return functional_from_config(cls, config, custom_objects)


def _match_rank(x: Any, spec: KerasTensor) -> Any:
    """`x` with a size-1 last axis added or dropped when that is all that keeps it from the
    input's rank, as Keras does: ``(batch,)`` data feeds an ``Input((1,))`` and ``(batch, 1)``
    data an ``Input(())``."""
    shape = getattr(x, "shape", None)
    if shape is None:
        return x
    want = len(spec.shape)
    if len(shape) == want - 1 and want >= 1 and spec.shape[-1] == 1:
        from kerasx import ops

        return ops.expand_dims(x, -1)
    if len(shape) == want + 1 and shape[-1] == 1:
        from kerasx import ops

        return ops.squeeze(x, -1)
    return x


def _masks_of(struct: Any, masks: dict) -> Any:
    """The runtime masks of the KerasTensors in `struct` (same structure), or None if none."""
    m = tree.map_structure(
        lambda t: masks.get(id(t)) if isinstance(t, KerasTensor) else None, struct
    )
    return m if any(x is not None for x in tree.flatten(m)) else None


def _fill_arg_masks(op: Any, node: Any, kwargs: dict, masks: dict) -> None:
    """As Keras does, fill a ``<arg>_mask`` call argument (e.g. MultiHeadAttention's
    ``query_mask``/``value_mask``/``key_mask``) from the masks of argument ``<arg>``."""
    names = op._kx_call.names
    if not any(n.endswith("_mask") for n in names):
        return
    bound = dict(zip(names, node.call_args))
    bound.update(node.call_kwargs)
    for name, value in bound.items():
        key = f"{name}_mask"
        if key in names and kwargs.get(key) is None:
            m = _masks_of(value, masks)
            if m is not None:
                kwargs[key] = m
