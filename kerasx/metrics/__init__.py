"""Metrics: stateful `Metric` classes, metric functions, and `get`/`serialize`/`deserialize`."""

from kerasx.metrics.metric import Metric as Metric
from kerasx.metrics.reduction_metrics import Mean as Mean
from kerasx.metrics.reduction_metrics import MeanMetricWrapper as MeanMetricWrapper
from kerasx.metrics.reduction_metrics import Sum as Sum
from kerasx.metrics.registry import deserialize as deserialize
from kerasx.metrics.registry import get as get
from kerasx.metrics.registry import serialize as serialize
