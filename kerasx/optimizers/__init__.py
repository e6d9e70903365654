"""Optimizers: update rules, their base class, loss scaling and learning-rate schedules."""

from kerasx.optimizers import legacy as legacy
from kerasx.optimizers import schedules as schedules
from kerasx.optimizers.adadelta import Adadelta as Adadelta
from kerasx.optimizers.adafactor import Adafactor as Adafactor
from kerasx.optimizers.adagrad import Adagrad as Adagrad
from kerasx.optimizers.adam import Adam as Adam
from kerasx.optimizers.adamax import Adamax as Adamax
from kerasx.optimizers.adamw import AdamW as AdamW
from kerasx.optimizers.base_optimizer import Optimizer as Optimizer
from kerasx.optimizers.ftrl import Ftrl as Ftrl
from kerasx.optimizers.lamb import Lamb as Lamb
from kerasx.optimizers.lion import Lion as Lion
from kerasx.optimizers.loss_scale_optimizer import LossScaleOptimizer as LossScaleOptimizer
from kerasx.optimizers.multi_optimizer import MultiOptimizer as MultiOptimizer
from kerasx.optimizers.multi_optimizer import OptimizerMap as OptimizerMap
from kerasx.optimizers.muon import Muon as Muon
from kerasx.optimizers.nadam import Nadam as Nadam
from kerasx.optimizers.registry import deserialize as deserialize
from kerasx.optimizers.registry import get as get
from kerasx.optimizers.registry import serialize as serialize
from kerasx.optimizers.rmsprop import RMSprop as RMSprop
from kerasx.optimizers.schedule_free_adamw import ScheduleFreeAdamW as ScheduleFreeAdamW
from kerasx.optimizers.sgd import SGD as SGD
