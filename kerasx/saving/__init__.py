"""kerasx.saving: turning simple objects into Keras-format config dicts and back."""

from kerasx.saving.serialization import deserialize_keras_object as deserialize_keras_object
from kerasx.saving.serialization import serialize_keras_object as serialize_keras_object
