"""Mixed precision (``keras.mixed_precision``): dtype policies and loss scaling."""

from kerasx.config import dtype_policy as dtype_policy
from kerasx.config import set_dtype_policy as set_dtype_policy
from kerasx.dtype_policies import DTypePolicy as DTypePolicy
from kerasx.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer

global_policy = dtype_policy
set_global_policy = set_dtype_policy
Policy = DTypePolicy
