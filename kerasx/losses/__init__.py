"""Losses: functions returning per-sample losses and `Loss` classes that reduce them."""

from kerasx.losses.classes import CTC as CTC
from kerasx.losses.classes import BinaryCrossentropy as BinaryCrossentropy
from kerasx.losses.classes import BinaryFocalCrossentropy as BinaryFocalCrossentropy
from kerasx.losses.classes import CategoricalCrossentropy as CategoricalCrossentropy
from kerasx.losses.classes import CategoricalFocalCrossentropy as CategoricalFocalCrossentropy
from kerasx.losses.classes import (
    CategoricalGeneralizedCrossEntropy as CategoricalGeneralizedCrossEntropy,
)
from kerasx.losses.classes import CategoricalHinge as CategoricalHinge
from kerasx.losses.classes import Circle as Circle
from kerasx.losses.classes import CosineSimilarity as CosineSimilarity
from kerasx.losses.classes import Dice as Dice
from kerasx.losses.classes import Hinge as Hinge
from kerasx.losses.classes import Huber as Huber
from kerasx.losses.classes import KLDivergence as KLDivergence
from kerasx.losses.classes import LogCosh as LogCosh
from kerasx.losses.classes import LossFunctionWrapper as LossFunctionWrapper
from kerasx.losses.classes import MeanAbsoluteError as MeanAbsoluteError
from kerasx.losses.classes import MeanAbsolutePercentageError as MeanAbsolutePercentageError
from kerasx.losses.classes import MeanSquaredError as MeanSquaredError
from kerasx.losses.classes import MeanSquaredLogarithmicError as MeanSquaredLogarithmicError
from kerasx.losses.classes import Poisson as Poisson
from kerasx.losses.classes import SparseCategoricalCrossentropy as SparseCategoricalCrossentropy
from kerasx.losses.classes import SquaredHinge as SquaredHinge
from kerasx.losses.classes import Tversky as Tversky
from kerasx.losses.loss import Loss as Loss
from kerasx.losses.losses import binary_crossentropy as binary_crossentropy
from kerasx.losses.losses import binary_focal_crossentropy as binary_focal_crossentropy
from kerasx.losses.losses import categorical_crossentropy as categorical_crossentropy
from kerasx.losses.losses import categorical_focal_crossentropy as categorical_focal_crossentropy
from kerasx.losses.losses import (
    categorical_generalized_cross_entropy as categorical_generalized_cross_entropy,
)
from kerasx.losses.losses import categorical_hinge as categorical_hinge
from kerasx.losses.losses import circle as circle
from kerasx.losses.losses import cosine_similarity as cosine_similarity
from kerasx.losses.losses import ctc as ctc
from kerasx.losses.losses import dice as dice
from kerasx.losses.losses import hinge as hinge
from kerasx.losses.losses import huber as huber
from kerasx.losses.losses import kl_divergence as kl_divergence
from kerasx.losses.losses import log_cosh as log_cosh
from kerasx.losses.losses import mean_absolute_error as mean_absolute_error
from kerasx.losses.losses import mean_absolute_percentage_error as mean_absolute_percentage_error
from kerasx.losses.losses import mean_squared_error as mean_squared_error
from kerasx.losses.losses import mean_squared_logarithmic_error as mean_squared_logarithmic_error
from kerasx.losses.losses import poisson as poisson
from kerasx.losses.losses import sparse_categorical_crossentropy as sparse_categorical_crossentropy
from kerasx.losses.losses import squared_hinge as squared_hinge
from kerasx.losses.losses import tversky as tversky
from kerasx.losses.registry import deserialize as deserialize
from kerasx.losses.registry import get as get
from kerasx.losses.registry import serialize as serialize
