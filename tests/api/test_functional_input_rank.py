"""Functional models add or drop a size-1 last axis of their inputs, as Keras 3 does."""

from __future__ import annotations

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _story(keras):
    out = []
    i = keras.Input((1,))
    m = keras.Model(i, keras.layers.Dense(2, kernel_initializer="ones")(i))
    for shape in [(3,), (3, 1), (3, 1, 1)]:
        out.append(tuple(m(np.full(shape, 2.0, "float32")).shape))
    out.append(np.asarray(m(np.arange(3, dtype="float32"))).tolist())
    j = keras.Input(())
    n = keras.Model(j, keras.ops.expand_dims(j, -1) * 2)
    for shape in [(3,), (3, 1)]:
        out.append(tuple(n(np.ones(shape, "float32")).shape))
    k = keras.Input((4, 1))
    p = keras.Model(k, keras.layers.Flatten()(k))
    for shape in [(3, 4), (3, 4, 1)]:
        out.append(tuple(p(np.ones(shape, "float32")).shape))
    for shape in [(3, 2), (3, 1, 2)]:  # not a size-1 last axis: an error
        try:
            m(np.ones(shape, "float32"))
            out.append("ok")
        except ValueError:
            out.append("ValueError")
    return out


EXPECTED = [
    (3, 2),
    (3, 2),
    (3, 2),
    [[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]],
    (3, 1),
    (3, 1),
    (3, 4),
    (3, 4),
    "ValueError",
    "ValueError",
]


def test_rank_matching(engine):
    assert _story(kerasx) == EXPECTED


def test_rank_matching_matches_keras():
    keras = pytest.importorskip("keras")
    assert _story(keras) == EXPECTED


def test_fit_with_rank_one_data(engine):
    i = kerasx.Input((1,))
    m = kerasx.Model(i, kerasx.layers.Dense(1)(i))
    m.compile("sgd", "mse")
    x = np.linspace(-1, 1, 16).astype("float32")
    history = m.fit(x, 3 * x[:, None], epochs=3, batch_size=4, verbose=0)
    assert history.history["loss"][-1] < history.history["loss"][0]
