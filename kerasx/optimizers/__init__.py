"""Optimizers: update rules, their base class, loss scaling and learning-rate schedules."""

from kerasx.optimizers import schedules as schedules
from kerasx.optimizers.adam import Adam as Adam
from kerasx.optimizers.base_optimizer import Optimizer as Optimizer
from kerasx.optimizers.sgd import SGD as SGD
