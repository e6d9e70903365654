"""kerasx.utils: array, data, download, progress-bar and seeding helpers (``keras.utils``)."""

from kerasx.backend import clear_session as clear_session
from kerasx.backend import is_keras_tensor as is_keras_tensor
from kerasx.backend import standardize_dtype as standardize_dtype
from kerasx.config import disable_interactive_logging as disable_interactive_logging
from kerasx.config import enable_interactive_logging as enable_interactive_logging
from kerasx.config import is_interactive_logging_enabled as is_interactive_logging_enabled
from kerasx.preprocessing.image_utils import array_to_img as array_to_img
from kerasx.preprocessing.image_utils import img_to_array as img_to_array
from kerasx.preprocessing.image_utils import load_img as load_img
from kerasx.preprocessing.image_utils import save_img as save_img
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
from kerasx.utils import bounding_boxes as bounding_boxes
from kerasx.utils.config import Config as Config
from kerasx.utils.dataset_utils import split_dataset as split_dataset
from kerasx.utils.dataset_utils import (
    timeseries_dataset_from_array as timeseries_dataset_from_array,
)
from kerasx.utils.directory_datasets import (
    audio_dataset_from_directory as audio_dataset_from_directory,
)
from kerasx.utils.directory_datasets import (
    text_dataset_from_directory as text_dataset_from_directory,
)
from kerasx.utils.file_utils import get_file as get_file
from kerasx.utils.numerical_utils import normalize as normalize
from kerasx.utils.numerical_utils import to_categorical as to_categorical
from kerasx.utils.progbar import Progbar as Progbar
from kerasx.utils.rng_utils import set_random_seed as set_random_seed
from kerasx.utils.sequence_utils import pad_sequences as pad_sequences


def __getattr__(name: str) -> object:
    # `get_source_inputs` lives with the layer graph; importing it on first use keeps
    # `import kerasx.utils` (which `fit` does) from importing every layer module.
    if name == "get_source_inputs":
        from kerasx.layers.node import get_source_inputs

        globals()[name] = get_source_inputs
        return get_source_inputs
    raise AttributeError(f"module 'kerasx.utils' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), "get_source_inputs"])
