"""Image preprocessing and augmentation layers."""

from kerasx.layers.preprocessing.image.color_basic import RandomBrightness, RandomContrast
from kerasx.layers.preprocessing.image.geometric import (
    RandomRotation,
    RandomShear,
    RandomTranslation,
    RandomZoom,
)
from kerasx.layers.preprocessing.image.random_crop import RandomCrop
from kerasx.layers.preprocessing.image.random_flip import RandomFlip
from kerasx.layers.preprocessing.image.rescaling import Rescaling
from kerasx.layers.preprocessing.image.resizing import CenterCrop, Resizing

__all__ = [
    "CenterCrop",
    "RandomBrightness",
    "RandomContrast",
    "RandomCrop",
    "RandomFlip",
    "RandomRotation",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
]
