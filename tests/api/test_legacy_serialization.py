"""keras.utils.legacy / keras.legacy.saving: the Keras 2 ``{"class_name", "config"}`` format,
against Keras 3 where it is installed."""

import numpy as np
import pytest

import kerasx
from kerasx.utils import legacy

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # inside Keras


def _objects(lib):
    return [
        lib.layers.Dense(3, activation="relu", name="d"),
        lib.optimizers.Adam(0.01, name="adam"),  # names are uniquified per process
        lib.losses.MeanSquaredError(),
        lib.activations.relu,
        None,
    ]


def test_same_output_as_keras():
    keras = pytest.importorskip("keras")
    from keras.utils import legacy as k_legacy

    for ours, theirs in zip(_objects(kerasx), _objects(keras)):
        assert legacy.serialize_keras_object(ours) == k_legacy.serialize_keras_object(theirs)


def test_round_trip_with_module_and_custom_objects():
    dense = kerasx.layers.Dense(3, activation="relu", name="d")
    back = legacy.deserialize_keras_object(
        legacy.serialize_keras_object(dense), module_objects=vars(kerasx.layers)
    )
    assert isinstance(back, kerasx.layers.Dense) and back.get_config() == dense.get_config()

    class Scale(kerasx.layers.Layer):
        def __init__(self, k=1.0, **kwargs):
            super().__init__(**kwargs)
            self.k = k

        def get_config(self):
            return {**super().get_config(), "k": self.k}

    config = legacy.serialize_keras_object(Scale(2.5, name="s"))
    assert config["class_name"] == "Scale" and config["config"]["k"] == 2.5
    back = legacy.deserialize_keras_object(config, custom_objects={"Scale": Scale})
    assert isinstance(back, Scale) and back.k == 2.5 and back.name == "s"
    relu = legacy.deserialize_keras_object("relu", module_objects=vars(kerasx.activations))
    assert relu is kerasx.activations.relu
    loss = legacy.deserialize_keras_object(
        "MeanSquaredError", module_objects={"MeanSquaredError": kerasx.losses.MeanSquaredError}
    )
    assert isinstance(loss, kerasx.losses.MeanSquaredError)
    np.testing.assert_allclose(float(loss(np.ones(2), np.zeros(2))), 1.0)
    assert legacy.deserialize_keras_object(None) is None
    assert legacy.deserialize_keras_object(kerasx.activations.tanh) is kerasx.activations.tanh
    assert kerasx.legacy.saving.serialize_keras_object is legacy.serialize_keras_object


def test_errors_name_the_problem():
    with pytest.raises(ValueError, match="Unknown layer: 'Nope'"):
        legacy.deserialize_keras_object(
            {"class_name": "Nope", "config": {}}, module_objects={}, printable_module_name="layer"
        )
    with pytest.raises(ValueError, match="Unknown object: 'nope'"):
        legacy.deserialize_keras_object("nope")
    with pytest.raises(ValueError, match="Could not interpret serialized object"):
        legacy.deserialize_keras_object(3)
    with pytest.raises(ValueError, match="Improper config format"):
        legacy.deserialize_keras_object({"config": {}})
    with pytest.raises(ValueError, match="doesn't implement `get_config"):
        legacy.serialize_keras_object(object())
