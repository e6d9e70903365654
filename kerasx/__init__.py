"""kerasx: a Keras-3-compatible deep-learning API over pluggable engines.

Importing kerasx activates the engine (KERASX_BACKEND / the config file) and little else: the
public subpackages and names below load on first access (PEP 562), so ``kerasx.layers.Dense``,
``from kerasx import ops`` and ``keras.Sequential(...)`` work as usual, and ``dir(kerasx)``
lists them all. To add a public name, add it to `_SUBMODULES` or `_ATTRIBUTES` and to the
``TYPE_CHECKING`` block (which is what type checkers and IDEs read).
"""

import importlib as _importlib
import typing as _typing

from kerasx.engine import discovery as _discovery

if _typing.TYPE_CHECKING:
    from kerasx import activations as activations
    from kerasx import applications as applications
    from kerasx import backend as backend
    from kerasx import callbacks as callbacks
    from kerasx import config as config
    from kerasx import constraints as constraints
    from kerasx import datasets as datasets
    from kerasx import distillation as distillation
    from kerasx import distribution as distribution
    from kerasx import dtype_policies as dtype_policies
    from kerasx import initializers as initializers
    from kerasx import layers as layers
    from kerasx import legacy as legacy
    from kerasx import losses as losses
    from kerasx import metrics as metrics
    from kerasx import mixed_precision as mixed_precision
    from kerasx import models as models
    from kerasx import ops as ops
    from kerasx import optimizers as optimizers
    from kerasx import preprocessing as preprocessing
    from kerasx import random as random
    from kerasx import regularizers as regularizers
    from kerasx import saving as saving
    from kerasx import tree as tree
    from kerasx import utils as utils
    from kerasx.config import version as version
    from kerasx.dtype_policies import DTypePolicy as DTypePolicy
    from kerasx.dtype_policies import FloatDTypePolicy as FloatDTypePolicy
    from kerasx.engine.autodiff import grad as grad
    from kerasx.engine.autodiff import jit as jit
    from kerasx.engine.autodiff import value_and_grad as value_and_grad
    from kerasx.engine.name_scope import device as device
    from kerasx.engine.name_scope import name_scope as name_scope
    from kerasx.engine.remat import RematScope as RematScope
    from kerasx.engine.remat import remat as remat
    from kerasx.engine.symbolic import KerasTensor as KerasTensor
    from kerasx.engine.symbolic import SymbolicScope as SymbolicScope
    from kerasx.engine.variables import StatelessScope as StatelessScope
    from kerasx.engine.variables import Variable as Variable
    from kerasx.initializers import Initializer as Initializer
    from kerasx.layers import Input as Input
    from kerasx.layers import InputSpec as InputSpec
    from kerasx.layers import Layer as Layer
    from kerasx.layers.operation import Operation as Operation
    from kerasx.losses import Loss as Loss
    from kerasx.metrics import Metric as Metric
    from kerasx.models import Model as Model
    from kerasx.models import Sequential as Sequential
    from kerasx.models.function import Function as Function
    from kerasx.optimizers import Optimizer as Optimizer
    from kerasx.regularizers import Regularizer as Regularizer

# Public subpackages, imported on first access.
_SUBMODULES = (
    "activations",
    "applications",
    "backend",
    "callbacks",
    "config",
    "constraints",
    "datasets",
    "distillation",
    "distribution",
    "dtype_policies",
    "initializers",
    "layers",
    "legacy",
    "losses",
    "metrics",
    "mixed_precision",
    "models",
    "ops",
    "optimizers",
    "preprocessing",
    "random",
    "regularizers",
    "saving",
    "tree",
    "utils",
)

# Public name -> the module that defines it, imported on first access.
_ATTRIBUTES = {
    "DTypePolicy": "kerasx.dtype_policies",
    "FloatDTypePolicy": "kerasx.dtype_policies",
    "version": "kerasx.config",
    "grad": "kerasx.engine.autodiff",
    "jit": "kerasx.engine.autodiff",
    "value_and_grad": "kerasx.engine.autodiff",
    "device": "kerasx.engine.name_scope",
    "name_scope": "kerasx.engine.name_scope",
    "RematScope": "kerasx.engine.remat",
    "Operation": "kerasx.layers.operation",
    "Function": "kerasx.models.function",
    "remat": "kerasx.engine.remat",
    "KerasTensor": "kerasx.engine.symbolic",
    "SymbolicScope": "kerasx.engine.symbolic",
    "StatelessScope": "kerasx.engine.variables",
    "Variable": "kerasx.engine.variables",
    "Initializer": "kerasx.initializers",
    "Input": "kerasx.layers",
    "InputSpec": "kerasx.layers",
    "Layer": "kerasx.layers",
    "Loss": "kerasx.losses",
    "Metric": "kerasx.metrics",
    "Model": "kerasx.models",
    "Sequential": "kerasx.models",
    "Optimizer": "kerasx.optimizers",
    "Regularizer": "kerasx.regularizers",
}

__all__ = sorted([*_SUBMODULES, *_ATTRIBUTES, "__version__"])

__version__ = "0.1.0.dev0"


def __getattr__(name: str) -> _typing.Any:
    if name in _SUBMODULES:
        value = _importlib.import_module(f"kerasx.{name}")
    elif name in _ATTRIBUTES:
        value = getattr(_importlib.import_module(_ATTRIBUTES[name]), name)
    else:
        raise AttributeError(f"module 'kerasx' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


_discovery.ensure_active(at_import=True)
