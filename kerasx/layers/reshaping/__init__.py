"""Reshaping layers: Permute, RepeatVector, Cropping, ZeroPadding and UpSampling (1D-3D).

(Flatten and Reshape live in `kerasx.layers.core`.)
"""

from kerasx.layers.reshaping.cropping import Cropping1D as Cropping1D
from kerasx.layers.reshaping.cropping import Cropping2D as Cropping2D
from kerasx.layers.reshaping.cropping import Cropping3D as Cropping3D
from kerasx.layers.reshaping.permute import Permute as Permute
from kerasx.layers.reshaping.repeat_vector import RepeatVector as RepeatVector
from kerasx.layers.reshaping.up_sampling import UpSampling1D as UpSampling1D
from kerasx.layers.reshaping.up_sampling import UpSampling2D as UpSampling2D
from kerasx.layers.reshaping.up_sampling import UpSampling3D as UpSampling3D
from kerasx.layers.reshaping.zero_padding import ZeroPadding1D as ZeroPadding1D
from kerasx.layers.reshaping.zero_padding import ZeroPadding2D as ZeroPadding2D
from kerasx.layers.reshaping.zero_padding import ZeroPadding3D as ZeroPadding3D

__all__ = [
    "Cropping1D",
    "Cropping2D",
    "Cropping3D",
    "Permute",
    "RepeatVector",
    "UpSampling1D",
    "UpSampling2D",
    "UpSampling3D",
    "ZeroPadding1D",
    "ZeroPadding2D",
    "ZeroPadding3D",
]
