"""The steps the family builders share, under the names they call them by: checking the
`weights` / `classes` arguments, making the image input, finding the model's source inputs,
and loading the requested weights. The implementations live in `imagenet_utils`.

Private to `kerasx.applications`; the public entry points are the family modules.
"""

from __future__ import annotations

from typing import Any

from kerasx.applications.imagenet_utils import (
    check_weights_and_classes as check_weights_and_classes,
)
from kerasx.applications.imagenet_utils import image_input as image_input
from kerasx.applications.imagenet_utils import is_weights_file as is_weights_file
from kerasx.applications.imagenet_utils import load_imagenet_weights
from kerasx.applications.imagenet_utils import model_inputs as model_inputs


def load_weights(model: Any, weights: Any, imagenet_file: tuple[str, str, str | None]) -> None:
    """Load `weights` into `model`: the ImageNet file (downloaded into the cache) or a path.

    Args:
        model: the freshly built model.
        weights: None (nothing to load), "imagenet" or a file path.
        imagenet_file: `(fname, origin, file_hash)` of the ImageNet weights: the file's name
            in the cache, its URL, and its expected hash (None when none is published).
    """
    load_imagenet_weights(model, weights, *imagenet_file)
