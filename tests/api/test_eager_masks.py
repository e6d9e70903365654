"""Masks travel with eager tensors (Keras 3 keeps them next to concrete arrays too)."""

import gc

import numpy as np
import pytest

import kerasx
from kerasx import config, layers
from kerasx.engine.discovery import installed_engines
from kerasx.layers import _masks

TOKENS = np.array([[1, 2, 0, 0], [3, 0, 0, 0]])


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def test_embedding_mask_reaches_a_recurrent_layer(engine):
    emb = layers.Embedding(10, 4, mask_zero=True)
    y = emb(TOKENS)
    np.testing.assert_array_equal(np.asarray(_masks.get_mask(y)), TOKENS != 0)
    h = layers.Dense(3)(y)  # supports masking: passes the mask on
    np.testing.assert_array_equal(np.asarray(_masks.get_mask(h)), TOKENS != 0)
    gru = layers.GRU(2)
    full = np.asarray(kerasx.ops.convert_to_numpy(gru(h)))
    # Masked steps carry the state: the result equals running on the valid prefix only.
    first = np.asarray(kerasx.ops.convert_to_numpy(gru(h[:, :1])))
    np.testing.assert_allclose(full[1], first[1], rtol=1e-6, atol=1e-7)
    second = np.asarray(kerasx.ops.convert_to_numpy(gru(h[:, :2])))
    np.testing.assert_allclose(full[0], second[0], rtol=1e-6, atol=1e-7)


def test_matches_keras_eagerly(engine):
    keras = pytest.importorskip("keras")
    ours = [layers.Embedding(10, 4, mask_zero=True), layers.LSTM(3)]
    theirs = [keras.layers.Embedding(10, 4, mask_zero=True), keras.layers.LSTM(3)]
    ours[1](ours[0](TOKENS))
    theirs[1](theirs[0](TOKENS))
    for a, b in zip(ours, theirs):
        b.set_weights(a.get_weights())
    got = kerasx.ops.convert_to_numpy(ours[1](ours[0](TOKENS)))
    ref = np.asarray(theirs[1](theirs[0](TOKENS)))
    np.testing.assert_allclose(np.asarray(got), ref, rtol=1e-5, atol=1e-6)


def test_masks_are_forgotten_with_their_tensors(engine):
    y = layers.Embedding(10, 4, mask_zero=True)(TOKENS)
    key = id(y)
    assert _masks.get_mask(y) is not None
    del y
    gc.collect()
    assert key not in _masks.MASKS  # the side table does not keep dead tensors' masks


def test_unmasked_calls_leave_no_masks(engine):
    out = layers.Dense(2)(np.ones((2, 3), "float32"))
    assert _masks.get_mask(out) is None
    assert id(out) not in _masks.MASKS
