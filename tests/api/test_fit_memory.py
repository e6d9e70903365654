"""How `fit` holds the model's state: lent host arrays, user references left alone."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import kerasx as keras
from kerasx.engine import dispatch
from kerasx.trainers.step_runner import _lend_or_copy


def _model(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _data() -> tuple:
    rng = np.random.default_rng(1)
    return rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 2)).astype("float32")


@pytest.mark.skipif(dispatch.engine().name != "numpy", reason="host arrays: NumPy engine")
def test_an_exclusively_held_array_is_lent_and_a_shared_one_copied() -> None:
    v = keras.Variable(np.arange(4.0, dtype="float32"))
    gc.collect()
    assert _lend_or_copy(v) is v._value
    held = v.value
    lent = _lend_or_copy(v)
    assert lent is not held and np.array_equal(lent, held)
    view = v._value[1:]
    del held
    assert _lend_or_copy(v) is not v._value  # a view keeps its base: still shared
    del view
    assert _lend_or_copy(v) is v._value


def test_fit_leaves_arrays_the_user_holds_unchanged() -> None:
    x, y = _data()
    model = _model()
    kernel = model.layers[0].kernel
    held = kernel.value  # the variable's own array object, on the NumPy engine
    snapshot = np.array(held, copy=True)
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    np.testing.assert_array_equal(np.asarray(held), snapshot)
    assert not np.array_equal(kernel.numpy(), snapshot)


def test_lending_does_not_change_training() -> None:
    """The same fit with every array held elsewhere (so all are copied) gives the same
    weights bit for bit."""
    x, y = _data()
    a, b = _model(3), _model(3)
    holds = [v.value for v in b.weights]  # noqa: F841 (held so that nothing is lent)
    a.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    b.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)
