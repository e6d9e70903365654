"""Recurrent layers: RNN and its cells, LSTM, GRU, SimpleRNN, wrappers, ConvLSTM."""

from kerasx.layers.rnn.bidirectional import Bidirectional
from kerasx.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from kerasx.layers.rnn.gru import GRU, GRUCell
from kerasx.layers.rnn.lstm import LSTM, LSTMCell
from kerasx.layers.rnn.rnn import RNN
from kerasx.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from kerasx.layers.rnn.stacked_rnn_cells import StackedRNNCells
from kerasx.layers.rnn.time_distributed import TimeDistributed
from kerasx.layers.rnn.wrapper import Wrapper

__all__ = [
    "GRU",
    "LSTM",
    "RNN",
    "Bidirectional",
    "ConvLSTM1D",
    "ConvLSTM2D",
    "ConvLSTM3D",
    "GRUCell",
    "LSTMCell",
    "SimpleRNN",
    "SimpleRNNCell",
    "StackedRNNCells",
    "TimeDistributed",
    "Wrapper",
]
