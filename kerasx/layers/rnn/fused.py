"""Layer-side selection of the fused whole-sequence ops (filled in later)."""

from __future__ import annotations

from typing import Any


def run_lstm(layer: Any, sequences: Any, init: list, mask: Any, training: Any) -> Any:
    """The fused LSTM path's ``(outputs, last_output, final_states)``, or None."""
    return None


def run_gru(layer: Any, sequences: Any, init: list, mask: Any, training: Any) -> Any:
    """The fused GRU path, or None."""
    return None


def run_simple_rnn(layer: Any, sequences: Any, init: list, mask: Any, training: Any) -> Any:
    """The fused SimpleRNN path, or None."""
    return None
