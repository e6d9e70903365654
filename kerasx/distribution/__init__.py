"""Multi-device training (the keras.distribution API); see `distribution_lib`."""

from kerasx.distribution.distribution_lib import DataParallel as DataParallel
from kerasx.distribution.distribution_lib import DeviceMesh as DeviceMesh
from kerasx.distribution.distribution_lib import LayoutMap as LayoutMap
from kerasx.distribution.distribution_lib import ModelParallel as ModelParallel
from kerasx.distribution.distribution_lib import TensorLayout as TensorLayout
from kerasx.distribution.distribution_lib import distribute_tensor as distribute_tensor
from kerasx.distribution.distribution_lib import distribution as distribution
from kerasx.distribution.distribution_lib import get_device_count as get_device_count
from kerasx.distribution.distribution_lib import initialize as initialize
from kerasx.distribution.distribution_lib import list_devices as list_devices
from kerasx.distribution.distribution_lib import set_distribution as set_distribution

__all__ = [
    "DataParallel",
    "DeviceMesh",
    "LayoutMap",
    "ModelParallel",
    "TensorLayout",
    "distribute_tensor",
    "distribution",
    "get_device_count",
    "initialize",
    "list_devices",
    "set_distribution",
]
