"""kerasx.utils: array, data, download, progress-bar and seeding helpers (``keras.utils``)."""

from kerasx.backend import clear_session as clear_session
from kerasx.backend import is_keras_tensor as is_keras_tensor
from kerasx.backend import standardize_dtype as standardize_dtype
from kerasx.config import disable_interactive_logging as disable_interactive_logging
from kerasx.config import enable_interactive_logging as enable_interactive_logging
from kerasx.config import is_interactive_logging_enabled as is_interactive_logging_enabled
from kerasx.saving.object_registration import CustomObjectScope as CustomObjectScope
from kerasx.saving.object_registration import custom_object_scope as custom_object_scope
from kerasx.saving.object_registration import get_custom_objects as get_custom_objects
from kerasx.saving.object_registration import get_registered_name as get_registered_name
from kerasx.saving.object_registration import get_registered_object as get_registered_object
from kerasx.saving.object_registration import (
    register_keras_serializable as register_keras_serializable,
)
from kerasx.saving.serialization import deserialize_keras_object as deserialize_keras_object
from kerasx.saving.serialization import serialize_keras_object as serialize_keras_object
from kerasx.trainers.data_adapters import pack_x_y_sample_weight as pack_x_y_sample_weight
from kerasx.trainers.data_adapters import unpack_x_y_sample_weight as unpack_x_y_sample_weight
from kerasx.trainers.data_adapters.py_dataset import PyDataset as PyDataset
from kerasx.trainers.data_adapters.py_dataset import PyDataset as Sequence  # noqa: F401  (alias)
from kerasx.utils.config import Config as Config
from kerasx.utils.dataset_utils import split_dataset as split_dataset
from kerasx.utils.dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
from kerasx.utils.file_utils import get_file as get_file
from kerasx.utils.numerical_utils import normalize as normalize
from kerasx.utils.numerical_utils import to_categorical as to_categorical
from kerasx.utils.progbar import Progbar as Progbar
from kerasx.utils.rng_utils import set_random_seed as set_random_seed
from kerasx.utils.sequence_utils import pad_sequences as pad_sequences

# Names imported on first use: `fit` imports kerasx.utils, and these pull in modules (the layer
# graph, file and image helpers) that training never needs.
_LAZY = {
    "get_source_inputs": ("kerasx.layers.node", "get_source_inputs"),
    "legacy": ("kerasx.utils.legacy", None),
    "bounding_boxes": ("kerasx.utils.bounding_boxes", None),
    "audio_dataset_from_directory": ("kerasx.utils.directory_datasets", None),
    "text_dataset_from_directory": ("kerasx.utils.directory_datasets", None),
    "array_to_img": ("kerasx.preprocessing.image_utils", None),
    "img_to_array": ("kerasx.preprocessing.image_utils", None),
    "load_img": ("kerasx.preprocessing.image_utils", None),
    "save_img": ("kerasx.preprocessing.image_utils", None),
}

# the public names (not the submodules that imports leave here), lazy ones included
__all__ = sorted(
    {n for n, v in globals().items() if not n.startswith("_") and type(v).__name__ != "module"}
    | set(_LAZY)
)


def __getattr__(name: str) -> object:
    if name in _LAZY:
        import importlib

        module_name, attribute = _LAZY[name]
        module = importlib.import_module(module_name)
        value = (
            module if name in ("bounding_boxes", "legacy") else getattr(module, attribute or name)
        )
        globals()[name] = value
        return value
    raise AttributeError(f"module 'kerasx.utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})
