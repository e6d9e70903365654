"""Interop layers: JAX functions, Flax modules and PyTorch modules as kerasx layers."""

from kerasx.layers.interop.jax_layer import FlaxLayer as FlaxLayer
from kerasx.layers.interop.jax_layer import JaxLayer as JaxLayer
from kerasx.layers.interop.tfsm_layer import TFSMLayer as TFSMLayer
from kerasx.layers.interop.torch_module_wrapper import TorchModuleWrapper as TorchModuleWrapper

__all__ = ["FlaxLayer", "JaxLayer", "TFSMLayer", "TorchModuleWrapper"]
