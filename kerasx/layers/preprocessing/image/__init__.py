"""Image preprocessing and augmentation layers."""

from kerasx.layers.preprocessing.image.boxes import MaxNumBoundingBoxes
from kerasx.layers.preprocessing.image.clahe import ContrastLimitedAdaptiveHistogramEqualization
from kerasx.layers.preprocessing.image.color import (
    RandomColorDegeneration,
    RandomColorJitter,
    RandomGrayscale,
    RandomHue,
    RandomInvert,
    RandomPosterization,
    RandomSaturation,
    RandomSharpness,
)
from kerasx.layers.preprocessing.image.color_basic import RandomBrightness, RandomContrast
from kerasx.layers.preprocessing.image.composite import AugMix, RandAugment
from kerasx.layers.preprocessing.image.geometric import (
    RandomRotation,
    RandomShear,
    RandomTranslation,
    RandomZoom,
)
from kerasx.layers.preprocessing.image.histogram import AutoContrast, Equalization, Solarization
from kerasx.layers.preprocessing.image.misc import (
    RandomElasticTransform,
    RandomErasing,
    RandomGaussianBlur,
    RandomPerspective,
)
from kerasx.layers.preprocessing.image.mixing import CutMix, MixUp
from kerasx.layers.preprocessing.image.random_crop import RandomCrop
from kerasx.layers.preprocessing.image.random_flip import RandomFlip
from kerasx.layers.preprocessing.image.rescaling import Rescaling
from kerasx.layers.preprocessing.image.resizing import CenterCrop, Resizing

__all__ = [
    "AugMix",
    "AutoContrast",
    "CenterCrop",
    "ContrastLimitedAdaptiveHistogramEqualization",
    "CutMix",
    "Equalization",
    "MaxNumBoundingBoxes",
    "MixUp",
    "RandAugment",
    "RandomBrightness",
    "RandomColorDegeneration",
    "RandomColorJitter",
    "RandomContrast",
    "RandomCrop",
    "RandomElasticTransform",
    "RandomErasing",
    "RandomFlip",
    "RandomGaussianBlur",
    "RandomGrayscale",
    "RandomHue",
    "RandomInvert",
    "RandomPerspective",
    "RandomPosterization",
    "RandomRotation",
    "RandomSaturation",
    "RandomSharpness",
    "RandomShear",
    "RandomTranslation",
    "RandomZoom",
    "Rescaling",
    "Resizing",
    "Solarization",
]
