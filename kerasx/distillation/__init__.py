"""Knowledge distillation: train a small student model to imitate a larger, frozen teacher."""

from kerasx.distillation.distillation_loss import DistillationLoss as DistillationLoss
from kerasx.distillation.distillation_loss import FeatureDistillation as FeatureDistillation
from kerasx.distillation.distillation_loss import LogitsDistillation as LogitsDistillation
from kerasx.distillation.distiller import Distiller as Distiller
