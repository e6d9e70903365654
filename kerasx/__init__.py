"""kerasx: a Keras-3-compatible deep-learning API over pluggable engines."""

from kerasx import activations as activations
from kerasx import backend as backend
from kerasx import callbacks as callbacks
from kerasx import config as config
from kerasx import constraints as constraints
from kerasx import datasets as datasets
from kerasx import dtype_policies as dtype_policies
from kerasx import engine as _engine  # noqa: F401
from kerasx import initializers as initializers
from kerasx import layers as layers
from kerasx import losses as losses
from kerasx import metrics as metrics
from kerasx import models as models
from kerasx import ops as ops
from kerasx import optimizers as optimizers
from kerasx import random as random
from kerasx import regularizers as regularizers
from kerasx import saving as saving
from kerasx import utils as utils
from kerasx.dtype_policies import DTypePolicy as DTypePolicy
from kerasx.engine import discovery as _discovery
from kerasx.engine.autodiff import grad as grad
from kerasx.engine.autodiff import jit as jit
from kerasx.engine.autodiff import value_and_grad as value_and_grad
from kerasx.engine.symbolic import KerasTensor as KerasTensor
from kerasx.engine.variables import StatelessScope as StatelessScope
from kerasx.engine.variables import Variable as Variable
from kerasx.initializers import Initializer as Initializer
from kerasx.layers import Input as Input
from kerasx.layers import InputSpec as InputSpec
from kerasx.layers import Layer as Layer
from kerasx.losses import Loss as Loss
from kerasx.metrics import Metric as Metric
from kerasx.models import Model as Model
from kerasx.models import Sequential as Sequential
from kerasx.optimizers import Optimizer as Optimizer
from kerasx.regularizers import Regularizer as Regularizer

__version__ = "0.1.0.dev0"

_discovery.ensure_active()
