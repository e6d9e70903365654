"""Regularization layers: spatial dropout, Gaussian noise/dropout, alpha dropout, activity
regularization. (Dropout lives in `kerasx.layers.core`.)"""

from kerasx.layers.regularization.activity_regularization import (
    ActivityRegularization as ActivityRegularization,
)
from kerasx.layers.regularization.noise import AlphaDropout as AlphaDropout
from kerasx.layers.regularization.noise import GaussianDropout as GaussianDropout
from kerasx.layers.regularization.noise import GaussianNoise as GaussianNoise
from kerasx.layers.regularization.spatial_dropout import SpatialDropout1D as SpatialDropout1D
from kerasx.layers.regularization.spatial_dropout import SpatialDropout2D as SpatialDropout2D
from kerasx.layers.regularization.spatial_dropout import SpatialDropout3D as SpatialDropout3D

__all__ = [
    "ActivityRegularization",
    "AlphaDropout",
    "GaussianDropout",
    "GaussianNoise",
    "SpatialDropout1D",
    "SpatialDropout2D",
    "SpatialDropout3D",
]
