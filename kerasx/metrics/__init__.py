"""Metrics: stateful `Metric` classes, metric functions, and `get`/`serialize`/`deserialize`."""

from kerasx.losses import binary_crossentropy as binary_crossentropy
from kerasx.losses import binary_focal_crossentropy as binary_focal_crossentropy
from kerasx.losses import categorical_crossentropy as categorical_crossentropy
from kerasx.losses import categorical_focal_crossentropy as categorical_focal_crossentropy
from kerasx.losses import categorical_hinge as categorical_hinge
from kerasx.losses import hinge as hinge
from kerasx.losses import huber as huber
from kerasx.losses import kl_divergence as kl_divergence
from kerasx.losses import log_cosh as log_cosh
from kerasx.losses import mean_absolute_error as mean_absolute_error
from kerasx.losses import mean_absolute_percentage_error as mean_absolute_percentage_error
from kerasx.losses import mean_squared_error as mean_squared_error
from kerasx.losses import mean_squared_logarithmic_error as mean_squared_logarithmic_error
from kerasx.losses import poisson as poisson
from kerasx.losses import sparse_categorical_crossentropy as sparse_categorical_crossentropy
from kerasx.losses import squared_hinge as squared_hinge
from kerasx.metrics.accuracy_metrics import Accuracy as Accuracy
from kerasx.metrics.accuracy_metrics import BinaryAccuracy as BinaryAccuracy
from kerasx.metrics.accuracy_metrics import CategoricalAccuracy as CategoricalAccuracy
from kerasx.metrics.accuracy_metrics import SparseCategoricalAccuracy as SparseCategoricalAccuracy
from kerasx.metrics.accuracy_metrics import (
    SparseTopKCategoricalAccuracy as SparseTopKCategoricalAccuracy,
)
from kerasx.metrics.accuracy_metrics import TopKCategoricalAccuracy as TopKCategoricalAccuracy
from kerasx.metrics.accuracy_metrics import binary_accuracy as binary_accuracy
from kerasx.metrics.accuracy_metrics import categorical_accuracy as categorical_accuracy
from kerasx.metrics.accuracy_metrics import (
    sparse_categorical_accuracy as sparse_categorical_accuracy,
)
from kerasx.metrics.accuracy_metrics import (
    sparse_top_k_categorical_accuracy as sparse_top_k_categorical_accuracy,
)
from kerasx.metrics.accuracy_metrics import top_k_categorical_accuracy as top_k_categorical_accuracy
from kerasx.metrics.auc import AUC as AUC
from kerasx.metrics.confusion_metrics import FalseNegatives as FalseNegatives
from kerasx.metrics.confusion_metrics import FalsePositives as FalsePositives
from kerasx.metrics.confusion_metrics import Precision as Precision
from kerasx.metrics.confusion_metrics import PrecisionAtRecall as PrecisionAtRecall
from kerasx.metrics.confusion_metrics import Recall as Recall
from kerasx.metrics.confusion_metrics import RecallAtPrecision as RecallAtPrecision
from kerasx.metrics.confusion_metrics import SensitivityAtSpecificity as SensitivityAtSpecificity
from kerasx.metrics.confusion_metrics import SpecificityAtSensitivity as SpecificityAtSensitivity
from kerasx.metrics.confusion_metrics import TrueNegatives as TrueNegatives
from kerasx.metrics.confusion_metrics import TruePositives as TruePositives
from kerasx.metrics.correlation_metrics import ConcordanceCorrelation as ConcordanceCorrelation
from kerasx.metrics.correlation_metrics import PearsonCorrelation as PearsonCorrelation
from kerasx.metrics.correlation_metrics import concordance_correlation as concordance_correlation
from kerasx.metrics.correlation_metrics import pearson_correlation as pearson_correlation
from kerasx.metrics.f_score_metrics import F1Score as F1Score
from kerasx.metrics.f_score_metrics import FBetaScore as FBetaScore
from kerasx.metrics.hinge_metrics import CategoricalHinge as CategoricalHinge
from kerasx.metrics.hinge_metrics import Hinge as Hinge
from kerasx.metrics.hinge_metrics import SquaredHinge as SquaredHinge
from kerasx.metrics.iou_metrics import BinaryIoU as BinaryIoU
from kerasx.metrics.iou_metrics import IoU as IoU
from kerasx.metrics.iou_metrics import MeanIoU as MeanIoU
from kerasx.metrics.iou_metrics import OneHotIoU as OneHotIoU
from kerasx.metrics.iou_metrics import OneHotMeanIoU as OneHotMeanIoU
from kerasx.metrics.metric import Metric as Metric
from kerasx.metrics.probabilistic_metrics import BinaryCrossentropy as BinaryCrossentropy
from kerasx.metrics.probabilistic_metrics import CategoricalCrossentropy as CategoricalCrossentropy
from kerasx.metrics.probabilistic_metrics import KLDivergence as KLDivergence
from kerasx.metrics.probabilistic_metrics import Poisson as Poisson
from kerasx.metrics.probabilistic_metrics import (
    SparseCategoricalCrossentropy as SparseCategoricalCrossentropy,
)
from kerasx.metrics.reduction_metrics import Mean as Mean
from kerasx.metrics.reduction_metrics import MeanMetricWrapper as MeanMetricWrapper
from kerasx.metrics.reduction_metrics import Sum as Sum
from kerasx.metrics.registry import deserialize as deserialize
from kerasx.metrics.registry import get as get
from kerasx.metrics.registry import serialize as serialize
from kerasx.metrics.regression_metrics import CosineSimilarity as CosineSimilarity
from kerasx.metrics.regression_metrics import LogCoshError as LogCoshError
from kerasx.metrics.regression_metrics import MeanAbsoluteError as MeanAbsoluteError
from kerasx.metrics.regression_metrics import (
    MeanAbsolutePercentageError as MeanAbsolutePercentageError,
)
from kerasx.metrics.regression_metrics import MeanSquaredError as MeanSquaredError
from kerasx.metrics.regression_metrics import (
    MeanSquaredLogarithmicError as MeanSquaredLogarithmicError,
)
from kerasx.metrics.regression_metrics import R2Score as R2Score
from kerasx.metrics.regression_metrics import RootMeanSquaredError as RootMeanSquaredError
