"""The fused whole-sequence path of the built-in LSTM, GRU and SimpleRNN layers.

When a layer's cell is the standard one (tanh / sigmoid activations, no recurrent dropout
while training) and the loop is not unrolled, the whole sequence runs as one private op of
``kerasx.ops.rnn_fused`` instead of the generic per-step scan: on the NumPy engine that is one
kernel (and one backpropagation-through-time kernel) instead of a tape entry per step and op;
on JAX it is one `lax.scan` with the input product hoisted out of the loop. The results are
those of the generic loop (same masks, same dropout mask on the inputs).
"""

from __future__ import annotations

from typing import Any

from kerasx import activations, ops
from kerasx.ops import rnn_fused


def _prepare(layer: Any, sequences: Any, mask: Any, training: Any) -> Any:
    """The (flipped, input-dropped) sequence, the mask for the op and the user's mask."""
    cell = layer.cell
    timesteps = sequences.shape[1]
    if not timesteps or (training and cell.recurrent_dropout > 0):
        return None
    x = sequences
    if layer.go_backwards:
        x = ops.flip(x, axis=1)
        if mask is not None:
            mask = ops.flip(mask, axis=1)
    if training and cell.dropout > 0:
        cell.reset_dropout_mask()
        dp = cell.get_dropout_mask(x[:, 0])
        cell.reset_dropout_mask()
        x = ops.multiply(x, ops.expand_dims(dp, 1))
    op_mask = mask if mask is not None else ops.ones(tuple(x.shape[:2]), dtype="bool")
    return x, op_mask, mask


def _finish(layer: Any, hs: Any, mask: Any, states: list) -> tuple:
    outputs = hs
    if mask is not None and layer.zero_output_for_mask:
        outputs = ops.where(ops.expand_dims(mask, -1), hs, ops.zeros_like(hs))
    return outputs, outputs[:, -1], states


def _bias_or_zeros(cell: Any, size: int) -> Any:
    if cell.bias is not None:
        return cell.bias.value
    return ops.zeros((size,), dtype=cell.kernel.value.dtype)


def run_lstm(layer: Any, sequences: Any, init: list, mask: Any, training: Any) -> Any:
    """The fused LSTM path's ``(outputs, last_output, final_states)``, or None."""
    from kerasx.layers.rnn.lstm import LSTMCell

    cell = layer.cell
    if (
        type(cell) is not LSTMCell
        or cell.activation is not activations.tanh
        or cell.recurrent_activation is not activations.sigmoid
    ):
        return None
    prepared = _prepare(layer, sequences, mask, training)
    if prepared is None:
        return None
    x, op_mask, mask = prepared
    bias = _bias_or_zeros(cell, 4 * cell.units)
    hs, cs = rnn_fused._lstm_sequence(
        x, init[0], init[1], cell.kernel.value, cell.recurrent_kernel.value, bias, op_mask
    )
    return _finish(layer, hs, mask, [hs[:, -1], cs[:, -1]])


def run_gru(layer: Any, sequences: Any, init: list, mask: Any, training: Any) -> Any:
    """The fused GRU path, or None."""
    from kerasx.layers.rnn.gru import GRUCell

    cell = layer.cell
    if (
        type(cell) is not GRUCell
        or cell.activation is not activations.tanh
        or cell.recurrent_activation is not activations.sigmoid
    ):
        return None
    prepared = _prepare(layer, sequences, mask, training)
    if prepared is None:
        return None
    x, op_mask, mask = prepared
    size = 3 * cell.units
    if cell.bias is not None and cell.reset_after:
        b = cell.bias.value
        b_in, b_rec = b[0], b[1]
    else:
        b_in = _bias_or_zeros(cell, size)
        b_rec = ops.zeros((size,), dtype=cell.kernel.value.dtype)
    hs = rnn_fused._gru_sequence(
        x,
        init[0],
        cell.kernel.value,
        cell.recurrent_kernel.value,
        b_in,
        b_rec,
        op_mask,
        cell.reset_after,
    )
    return _finish(layer, hs, mask, [hs[:, -1]])


def run_simple_rnn(layer: Any, sequences: Any, init: list, mask: Any, training: Any) -> Any:
    """The fused SimpleRNN path, or None."""
    from kerasx.layers.rnn.simple_rnn import SimpleRNNCell

    cell = layer.cell
    if type(cell) is not SimpleRNNCell or cell.activation is not activations.tanh:
        return None
    prepared = _prepare(layer, sequences, mask, training)
    if prepared is None:
        return None
    x, op_mask, mask = prepared
    bias = _bias_or_zeros(cell, cell.units)
    hs = rnn_fused._simple_rnn_sequence(
        x, init[0], cell.kernel.value, cell.recurrent_kernel.value, bias, op_mask
    )
    return _finish(layer, hs, mask, [hs[:, -1]])
