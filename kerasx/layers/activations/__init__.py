"""Activation layers: ReLU, LeakyReLU, PReLU, ELU, Softmax."""

from kerasx.layers.activations.elu import ELU as ELU
from kerasx.layers.activations.prelu import PReLU as PReLU
from kerasx.layers.activations.relu import LeakyReLU as LeakyReLU
from kerasx.layers.activations.relu import ReLU as ReLU
from kerasx.layers.activations.softmax import Softmax as Softmax

__all__ = ["ELU", "LeakyReLU", "PReLU", "ReLU", "Softmax"]
