"""Layers: the `Layer` base class, `Input`, and the built-in layers."""

from kerasx.layers.input_layer import Input as Input
from kerasx.layers.input_layer import InputLayer as InputLayer
from kerasx.layers.input_spec import InputSpec as InputSpec
from kerasx.layers.layer import Layer as Layer
