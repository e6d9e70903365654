"""Keras 2's object format (keras.utils.legacy); see `kerasx.saving.legacy_serialization`."""

from kerasx.saving.legacy_serialization import (
    deserialize_keras_object as deserialize_keras_object,
)
from kerasx.saving.legacy_serialization import serialize_keras_object as serialize_keras_object

__all__ = ["deserialize_keras_object", "serialize_keras_object"]
