"""Regularization losses come from trainable weights only (frozen weights and layers add
none), as in Keras 3; checked against Keras when it is installed."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _model(lib):
    model = lib.Sequential(
        [
            lib.Input((3,)),
            lib.layers.Dense(4, kernel_regularizer="l2", bias_regularizer="l1"),
            lib.layers.Dense(2, kernel_regularizer="l1"),
        ]
    )
    return model


def _values(model):
    return [float(np.asarray(v)) for v in model.losses]


def test_frozen_layers_add_no_regularization_loss(engine):
    model = _model(kerasx)
    weights = [np.full(w.shape, 0.5, "float32") for w in model.get_weights()]
    model.set_weights(weights)
    assert len(model.losses) == 3
    np.testing.assert_allclose(
        _values(model), [0.01 * 12 * 0.25, 0.01 * 4 * 0.5, 0.01 * 8 * 0.5], rtol=1e-6
    )
    model.layers[0].trainable = False
    np.testing.assert_allclose(_values(model), [0.01 * 8 * 0.5], rtol=1e-6)
    model.trainable = False
    assert model.losses == []
    dense = layers.Dense(2, kernel_regularizer="l2")
    dense.build((None, 3))
    assert len(dense.losses) == 1
    dense.trainable = False
    assert dense.losses == []


def test_regularization_losses_match_keras(engine):
    keras = pytest.importorskip("keras")
    ours, theirs = _model(kerasx), _model(keras)
    theirs.set_weights(ours.get_weights())
    for freeze in (None, 0, 1):
        if freeze is not None:
            ours.layers[freeze].trainable = False
            theirs.layers[freeze].trainable = False
        np.testing.assert_allclose(_values(ours), _values(theirs), rtol=1e-6)
