"""kerasx.saving: saving and loading models and weights, and Keras-format serialization."""

from kerasx.saving.file_editor import KerasFileEditor as KerasFileEditor
from kerasx.saving.object_registration import CustomObjectScope as CustomObjectScope
from kerasx.saving.object_registration import custom_object_scope as custom_object_scope
from kerasx.saving.object_registration import get_custom_objects as get_custom_objects
from kerasx.saving.object_registration import get_registered_name as get_registered_name
from kerasx.saving.object_registration import get_registered_object as get_registered_object
from kerasx.saving.object_registration import (
    register_keras_serializable as register_keras_serializable,
)
from kerasx.saving.saving_api import load_model as load_model
from kerasx.saving.saving_api import load_weights as load_weights
from kerasx.saving.saving_api import save_model as save_model
from kerasx.saving.saving_api import save_weights as save_weights
from kerasx.saving.serialization import deserialize_keras_object as deserialize_keras_object
from kerasx.saving.serialization import serialize_keras_object as serialize_keras_object
