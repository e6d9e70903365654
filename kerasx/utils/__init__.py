"""kerasx.utils: array, data, download, progress-bar and seeding helpers (``keras.utils``).

Every name loads on first use (PEP 562): `fit` imports this package for the progress bar, and
should not pull in the download, dataset, image and layer-graph helpers with it.
"""

from __future__ import annotations

import importlib as _importlib

# public name -> (module, attribute; None: the module itself)
_EXPORTS = {
    "clear_session": ("kerasx.backend", None),
    "is_keras_tensor": ("kerasx.backend", None),
    "standardize_dtype": ("kerasx.backend", None),
    "disable_interactive_logging": ("kerasx.config", None),
    "enable_interactive_logging": ("kerasx.config", None),
    "is_interactive_logging_enabled": ("kerasx.config", None),
    "CustomObjectScope": ("kerasx.saving.object_registration", None),
    "custom_object_scope": ("kerasx.saving.object_registration", None),
    "get_custom_objects": ("kerasx.saving.object_registration", None),
    "get_registered_name": ("kerasx.saving.object_registration", None),
    "get_registered_object": ("kerasx.saving.object_registration", None),
    "register_keras_serializable": ("kerasx.saving.object_registration", None),
    "deserialize_keras_object": ("kerasx.saving.serialization", None),
    "serialize_keras_object": ("kerasx.saving.serialization", None),
    "pack_x_y_sample_weight": ("kerasx.trainers.data_adapters", None),
    "unpack_x_y_sample_weight": ("kerasx.trainers.data_adapters", None),
    "PyDataset": ("kerasx.trainers.data_adapters.py_dataset", None),
    "Sequence": ("kerasx.trainers.data_adapters.py_dataset", "PyDataset"),  # Keras's alias
    "Config": ("kerasx.utils.config", None),
    "split_dataset": ("kerasx.utils.dataset_utils", None),
    "timeseries_dataset_from_array": ("kerasx.utils.dataset_utils", None),
    "get_file": ("kerasx.utils.file_utils", None),
    "normalize": ("kerasx.utils.numerical_utils", None),
    "to_categorical": ("kerasx.utils.numerical_utils", None),
    "Progbar": ("kerasx.utils.progbar", None),
    "set_random_seed": ("kerasx.utils.rng_utils", None),
    "pad_sequences": ("kerasx.utils.sequence_utils", None),
    "get_source_inputs": ("kerasx.layers.node", None),
    "audio_dataset_from_directory": ("kerasx.utils.directory_datasets", None),
    "text_dataset_from_directory": ("kerasx.utils.directory_datasets", None),
    "image_dataset_from_directory": ("kerasx.utils.image_dataset", None),
    "array_to_img": ("kerasx.preprocessing.image_utils", None),
    "img_to_array": ("kerasx.preprocessing.image_utils", None),
    "load_img": ("kerasx.preprocessing.image_utils", None),
    "save_img": ("kerasx.preprocessing.image_utils", None),
}
# submodules that are public names of this namespace
_SUBMODULES = {"legacy": "kerasx.utils.legacy", "bounding_boxes": "kerasx.utils.bounding_boxes"}

__all__ = sorted({*_EXPORTS, *_SUBMODULES})


def __getattr__(name: str) -> object:
    if name in _SUBMODULES:
        value = _importlib.import_module(_SUBMODULES[name])
    elif name in _EXPORTS:
        module, attribute = _EXPORTS[name]
        value = getattr(_importlib.import_module(module), attribute or name)
    else:
        raise AttributeError(f"module 'kerasx.utils' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS, *_SUBMODULES})
