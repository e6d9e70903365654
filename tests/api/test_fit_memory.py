"""How `fit` holds the model's state: lent host arrays, user references left alone."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import kerasx as keras
from kerasx.engine import dispatch
from kerasx.trainers import step_runner
from kerasx.trainers.step_runner import _lend_or_copy

# Lending needs exact reference counts (a GIL build of Python) and host arrays (NumPy engine).
lends = pytest.mark.skipif(
    dispatch.engine().name != "numpy" or not step_runner._LENDING,
    reason="lending host arrays: the NumPy engine on a GIL build of Python",
)


def _model(seed: int = 0) -> keras.Model:
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse")
    return model


def _data() -> tuple:
    rng = np.random.default_rng(1)
    return rng.normal(size=(64, 6)).astype("float32"), rng.normal(size=(64, 2)).astype("float32")


@lends
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
    """The same fit with the weights' arrays held elsewhere (so they are copied, not lent)
    gives the same weights bit for bit."""
    x, y = _data()
    a, b = _model(3), _model(3)
    holds = [v.value for v in b.weights]  # noqa: F841 (held so that nothing is lent)
    a.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    b.fit(x, y, batch_size=16, epochs=3, verbose=0, shuffle=False)
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def _wide(eagerly: bool, seed: int) -> keras.Model:
    """A 200 -> 100 -> 2 model: its 200 x 100 kernel is too large for the replay's merged
    update of small weights."""
    keras.utils.set_random_seed(seed)
    model = keras.Sequential([keras.Input((200,)), keras.layers.Dense(100), keras.layers.Dense(2)])
    model.compile(optimizer="adam", loss="mse", run_eagerly=eagerly)
    return model


def _address(v) -> int:
    return v.value.__array_interface__["data"][0]


@lends
def test_the_first_steps_update_lent_weights_in_place() -> None:
    """The step's trace and its second trace write Adam's update into the lent arrays (no
    second copy of the weights and slots while the step runs), with eager's numbers."""
    rng = np.random.default_rng(2)
    x = rng.normal(size=(64, 200)).astype("float32")
    y = rng.normal(size=(64, 2)).astype("float32")

    model, eager = _wide(False, 5), _wide(True, 5)
    model.fit(x[:16], y[:16], batch_size=16, verbose=0, shuffle=False)  # a trace
    eager.fit(x[:16], y[:16], batch_size=16, verbose=0, shuffle=False)
    gc.collect()
    big = [model.layers[0].kernel, *model.optimizer.variables[2:4]]
    assert [v.shape for v in big] == [(200, 100)] * 3
    before = [_address(v) for v in big]
    for rows in (slice(16, 32), slice(32, 64)):  # the second trace, then two replays
        model.fit(x[rows], y[rows], batch_size=16, verbose=0, shuffle=False)
        eager.fit(x[rows], y[rows], batch_size=16, verbose=0, shuffle=False)
        assert [_address(v) for v in big] == before
    for a, b in zip(model.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(a, b)


@lends
def test_train_on_batch_lends_like_fit_and_leaves_held_arrays_alone() -> None:
    """`train_on_batch` on the NumPy engine updates arrays only the variables hold in place
    (no copy of the state per call), copies the ones a user holds (left unchanged), and
    trains exactly as eager steps do."""
    rng = np.random.default_rng(6)
    x = rng.normal(size=(16, 200)).astype("float32")
    y = rng.normal(size=(16, 2)).astype("float32")

    model, eager = _wide(False, 7), _wide(True, 7)
    for _ in range(2):  # the trace and the second trace
        model.train_on_batch(x, y)
        eager.train_on_batch(x, y)
    gc.collect()
    big = [model.layers[0].kernel, *model.optimizer.variables[2:4]]
    before = [_address(v) for v in big]
    for _ in range(2):
        model.train_on_batch(x, y)
        eager.train_on_batch(x, y)
        assert [_address(v) for v in big] == before
    held = model.layers[0].kernel.value
    snapshot = np.array(held, copy=True)
    model.train_on_batch(x, y)
    eager.train_on_batch(x, y)
    np.testing.assert_array_equal(held, snapshot)
    assert not np.array_equal(model.layers[0].kernel.numpy(), snapshot)
    for a, b in zip(model.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(a, b)


class _Exploding(keras.metrics.Mean):
    def update_state(self, y_true, y_pred, sample_weight=None):
        raise ValueError("the metric refuses this batch")


@pytest.mark.parametrize("run_eagerly", [False, True])
def test_an_error_in_a_metric_leaves_the_weights_as_they_were(run_eagerly) -> None:
    """Metrics are updated before the optimizer (the update is the step's last use of the
    old weights), so a metric that raises in the first step changes nothing."""
    x, y = _data()
    model = _model(2)
    model.fit(x[:16], y[:16], batch_size=16, verbose=0)  # build the optimizer
    model.compile(
        optimizer=model.optimizer, loss="mse", metrics=[_Exploding()], run_eagerly=run_eagerly
    )
    before = [np.array(w) for w in model.get_weights()]
    slots = [np.array(v.numpy()) for v in model.optimizer.variables]
    with pytest.raises(ValueError, match="refuses"):
        model.fit(x, y, batch_size=16, verbose=0)
    for a, b in zip(model.get_weights(), before):
        np.testing.assert_array_equal(a, b)
    for v, b in zip(model.optimizer.variables, slots):
        np.testing.assert_array_equal(v.numpy(), b)


def test_a_custom_step_reading_weights_held_before_the_update_sees_old_values() -> None:
    """A train_step of one's own may keep the old weights across `super().train_step`:
    only the built-in step lets the update happen in place."""

    class Tracking(keras.Sequential):
        def train_step(self, data):
            old = self.layers[0].kernel.value
            logs = super().train_step(data)
            moved = keras.ops.sum(keras.ops.abs(self.layers[0].kernel.value - old))
            self.moved.assign(moved)
            return logs

    x, y = _data()
    results = []
    for eager in (False, True):
        keras.utils.set_random_seed(4)
        model = Tracking([keras.Input((6,)), keras.layers.Dense(5), keras.layers.Dense(2)])
        model.moved = keras.Variable(0.0, trainable=False)
        model.compile(optimizer="adam", loss="mse", run_eagerly=eager)
        model.fit(x, y, batch_size=16, epochs=1, verbose=0, shuffle=False)
        results.append(float(model.moved.numpy()))
    assert results[0] > 0
    assert results[0] == results[1]


def test_variables_own_their_values() -> None:
    """As in Keras: changing an array after handing it to a variable (or to `set_weights`)
    does not change the variable."""
    a = np.ones(3, dtype="float32")
    v = keras.Variable(a)
    a[0] = 5.0
    b = np.full(3, 2.0, dtype="float32")
    w = keras.Variable(np.zeros(3, dtype="float32"))
    w.assign(b)
    b[1] = 7.0
    model = _model()
    weights = [np.ones_like(t) for t in model.get_weights()]
    model.set_weights(weights)
    weights[0][0, 0] = 9.0
    np.testing.assert_array_equal(v.numpy(), np.ones(3))
    np.testing.assert_array_equal(w.numpy(), np.full(3, 2.0))
    assert model.get_weights()[0][0, 0] == 1.0
