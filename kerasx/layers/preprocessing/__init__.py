"""Preprocessing layers: image augmentation and feature (lookup, text, numeric) layers."""

from kerasx.layers.preprocessing.features import *  # noqa: F403
from kerasx.layers.preprocessing.features import __all__ as _features_all
from kerasx.layers.preprocessing.image import *  # noqa: F403
from kerasx.layers.preprocessing.image import __all__ as _image_all

__all__ = [*_features_all, *_image_all]
