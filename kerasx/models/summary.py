"""`model.summary()`: the layer table and parameter counts, laid out as Keras 3 prints them.

The table is drawn with `rich` (imported only here, so `import kerasx` does not pay for it),
which gives the same borders, column widths and wrapping as Keras's own summary.
"""

from __future__ import annotations

import io
import shutil
import sys
from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor

_DTYPE_BYTES = {"bool": 1, "int8": 1, "uint8": 1, "float16": 2, "bfloat16": 2, "int16": 2}


def _bytes(dtype: str) -> int:
    d = _dt.standardize_dtype(dtype)
    if d in _DTYPE_BYTES:
        return _DTYPE_BYTES[d]
    if d.endswith("64"):
        return 8
    if d.endswith("32"):
        return 4
    return 4


def readable_size(n_bytes: float) -> str:
    """``814172`` -> ``"795.09 KB"`` (1024-based units, two decimals)."""
    units = ["B", "KB", "MB", "GB", "TB", "PB"]
    value = float(n_bytes)
    for unit in units:
        if value < 1024 or unit == units[-1]:
            return f"{value:.2f} {unit}"
        value /= 1024
    return f"{value:.2f} PB"


def _count(variables: list) -> tuple[int, int]:
    n = sum(int(np.prod(v.shape)) for v in variables)
    size = sum(int(np.prod(v.shape)) * _bytes(v.dtype) for v in variables)
    return n, size


def _format_shape(shape: Any) -> str:
    if isinstance(shape, list):
        return "[" + ", ".join(_format_shape(s) for s in shape) + "]"
    if isinstance(shape, dict):
        return "{" + ", ".join(f"{k}: {_format_shape(v)}" for k, v in shape.items()) + "}"
    return (
        "("
        + ", ".join("None" if d is None else str(d) for d in shape)
        + (",)" if len(shape) == 1 else ")")
    )


def _layer_output_shape(layer: Any, nodes: list | None) -> str:
    if nodes:
        outs = nodes[0].output_tensors
        shapes = [tuple(t.shape) for t in outs]
        return _format_shape(shapes[0] if len(shapes) == 1 else shapes)
    try:
        out = layer.output
    except (AttributeError, ValueError):
        return "?"
    flat = [t for t in (out if isinstance(out, (list, tuple)) else [out])]
    if not flat or not all(isinstance(t, KerasTensor) for t in flat):
        return "?"
    shapes = [tuple(t.shape) for t in flat]
    return _format_shape(shapes[0] if len(shapes) == 1 else shapes)


def _is_sequential_like(model: Any) -> bool:
    from kerasx.models.functional import Functional
    from kerasx.models.sequential import Sequential

    if isinstance(model, Sequential) or not isinstance(model, Functional):
        return True
    nodes = model._kx_nodes
    if len(model._kx_in) != 1 or len(model._kx_out) != 1:
        return False
    previous = model._kx_in[0]
    used: set = set()
    for node in nodes:
        if len(node.input_tensors) != 1 or node.input_tensors[0] is not previous:
            return False
        if id(node.operation) in used:
            return False
        used.add(id(node.operation))
        if len(node.output_tensors) != 1:
            return False
        previous = node.output_tensors[0]
    return True


def _rows(model: Any, sequential_like: bool, show_trainable: bool) -> list[list[str]]:
    from kerasx.layers.input_layer import InputLayer
    from kerasx.models.functional import Functional
    from kerasx.models.sequential import Sequential

    rows = []
    if isinstance(model, Sequential):
        layers = model.layers
        graph = model._kx_functional
    else:
        layers = model.layers
        graph = model if isinstance(model, Functional) else None
    graph_nodes = set(id(n) for n in graph._kx_nodes) if graph is not None else set()
    input_nodes = {}
    if graph is not None:
        for t in graph._kx_in:
            input_nodes[id(t._keras_history.operation)] = [
                t._keras_history.operation._inbound_nodes[t._keras_history.node_index]
            ]
    for layer in layers:
        nodes = [n for n in layer._inbound_nodes if id(n) in graph_nodes]
        if not nodes and id(layer) in input_nodes:
            nodes = input_nodes[id(layer)]
        name = f"{layer.name} ({type(layer).__name__})"
        shape = _layer_output_shape(layer, nodes)
        if isinstance(layer, InputLayer):
            params = "0"
        elif layer.built:
            params = f"{layer.count_params():,}"
        else:
            params = "0 (unbuilt)"
        row = [name, shape, params]
        if not sequential_like:
            links = []
            for node in nodes:
                for t in node.input_tensors:
                    h = t._keras_history
                    links.append(f"{h.operation.name}[{h.node_index}][{h.tensor_index}]")
            row.append(", ".join(links) if links else "-")
        if show_trainable:
            row.append("-" if not layer.weights else ("Y" if layer.trainable else "N"))
        rows.append(row)
    return rows


def print_summary(
    model: Any,
    line_length: int | None = None,
    positions: list | None = None,
    print_fn: Any = None,
    expand_nested: bool = False,
    show_trainable: bool = False,
) -> None:
    """Print `model`'s summary table (see `Model.summary`)."""
    import rich.box
    import rich.console
    import rich.table

    sequential_like = _is_sequential_like(model)
    headers = ["Layer (type)", "Output Shape", "Param #"]
    justify = ["left", "left", "right"]
    if sequential_like:
        default_width = 88
        default_positions = [0.45, 0.80, 1.0]
    else:
        default_width = 108
        default_positions = [0.3, 0.56, 0.74, 1.0]
        headers.append("Connected to")
        justify.append("left")
    if show_trainable:
        headers.append("Trainable")
        justify.append("center")
        default_positions = [p * 0.88 for p in default_positions] + [1.0]
    if line_length is None:
        columns = shutil.get_terminal_size((80, 24)).columns
        if not sys.stdout.isatty():
            columns = 80
        line_length = min(default_width, columns - 4)
    positions = positions or default_positions
    if positions[-1] <= 1:
        positions = [int(line_length * p) for p in positions]
    widths = [positions[0]] + [b - a for a, b in zip(positions, positions[1:])]

    tty = print_fn is None and sys.stdout.isatty()
    buf = io.StringIO()
    console = rich.console.Console(
        file=buf,
        width=line_length,
        highlight=False,
        force_terminal=tty,
        color_system="standard" if tty else None,
        no_color=not tty,
    )
    table = rich.table.Table(box=rich.box.HEAVY_HEAD, show_lines=True, width=line_length)
    for header, width, just in zip(headers, widths, justify):
        table.add_column(header, justify=just, width=width, no_wrap=False)
    for row in _rows(model, sequential_like, show_trainable):
        if tty:
            row = _styled(row)
        table.add_row(*row)
    title = f'Model: "{model.name}"'
    console.print(f"[bold]{title}[/bold]" if tty else title, markup=tty)
    console.print(table)
    trainable, t_size = _count(model.trainable_weights)
    non_trainable, n_size = _count(model.non_trainable_weights)
    total, size = trainable + non_trainable, t_size + n_size
    opt = getattr(model, "optimizer", None)
    opt_vars = list(opt.variables) if opt is not None and getattr(opt, "built", False) else []
    o_count, o_size = _count(opt_vars)
    lines = [
        f" Total params: {total + o_count:,} ({readable_size(size + o_size)})",
        f" Trainable params: {trainable:,} ({readable_size(t_size)})",
        f" Non-trainable params: {non_trainable:,} ({readable_size(n_size)})",
    ]
    if opt_vars:
        lines.append(f" Optimizer params: {o_count:,} ({readable_size(o_size)})")
    for line in lines:
        console.print(line, markup=False)
    text = buf.getvalue()
    if print_fn is not None:
        for line in text.rstrip("\n").split("\n"):
            print_fn(line)
    else:
        sys.stdout.write(text)


def _styled(row: list[str]) -> list:
    import rich.text

    out = []
    for i, cell in enumerate(row):
        t = rich.text.Text(cell)
        if i == 0 and "(" in cell:
            start = cell.rfind("(") + 1
            t.stylize("bright_blue", start, len(cell) - 1)
        elif i == 1:
            t.highlight_regex(r"None", "bright_cyan")
        elif i == 2:
            t.highlight_regex(r"[0-9,]+", "green")
        out.append(t)
    return out
