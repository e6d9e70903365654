"""Ready-made image models (the keras.applications namespace).

Each family lives in its own module (`resnet`, `vgg16`, `mobilenet_v2`, ...), with its model
functions and the `preprocess_input` / `decode_predictions` that go with its weights;
`imagenet_utils` holds the shared helpers. Everything here loads on first access (PEP 562), so
importing kerasx, or this package, builds nothing. A name whose module is not there yet is
simply absent (AttributeError), as for any missing attribute.
"""

from __future__ import annotations

import importlib
from typing import Any

# The family modules, as in Keras (`resnet50` re-exports ResNet50 from `resnet`).
_SUBMODULES = (
    "convnext",
    "densenet",
    "efficientnet",
    "efficientnet_v2",
    "imagenet_utils",
    "inception_resnet_v2",
    "inception_v3",
    "mobilenet",
    "mobilenet_v2",
    "mobilenet_v3",
    "nasnet",
    "resnet",
    "resnet50",
    "resnet_v2",
    "vgg16",
    "vgg19",
    "xception",
)

# Model function -> the module that defines it.
_MODELS = {
    **{f"ConvNeXt{s}": "convnext" for s in ("Tiny", "Small", "Base", "Large", "XLarge")},
    **{f"DenseNet{n}": "densenet" for n in (121, 169, 201)},
    **{f"EfficientNetB{i}": "efficientnet" for i in range(8)},
    **{f"EfficientNetV2{s}": "efficientnet_v2" for s in ("B0", "B1", "B2", "B3", "S", "M", "L")},
    "InceptionResNetV2": "inception_resnet_v2",
    "InceptionV3": "inception_v3",
    "MobileNet": "mobilenet",
    "MobileNetV2": "mobilenet_v2",
    "MobileNetV3Small": "mobilenet_v3",
    "MobileNetV3Large": "mobilenet_v3",
    "NASNetMobile": "nasnet",
    "NASNetLarge": "nasnet",
    **{f"ResNet{n}": "resnet" for n in (50, 101, 152)},
    **{f"ResNet{n}V2": "resnet_v2" for n in (50, 101, 152)},
    "VGG16": "vgg16",
    "VGG19": "vgg19",
    "Xception": "xception",
}


def _load(module: str) -> Any:
    try:
        return importlib.import_module(f"{__name__}.{module}")
    except ModuleNotFoundError as e:
        if e.name != f"{__name__}.{module}":
            raise  # a real import error inside the module
        return None


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        value = _load(name)
    elif name in _MODELS:
        module = _load(_MODELS[name])
        value = getattr(module, name, None) if module is not None else None
    else:
        value = None
    if value is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    import pkgutil

    present = {m.name for m in pkgutil.iter_modules(__path__)}
    names = [n for n in _SUBMODULES if n in present]
    names += [n for n, m in _MODELS.items() if m in present]
    loaded = {n for n in globals() if n in _MODELS or n in _SUBMODULES}
    return sorted(loaded | set(names))
