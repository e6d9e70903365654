"""Wrapper layers: Wrapper, TimeDistributed, Bidirectional, and StackedRNNCells, on every engine
(run_layer_test, Keras parity of weights, outputs and configs)."""

import re

import numpy as np
import pytest

from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

RNG = np.random.default_rng(5)
X = RNG.normal(size=(2, 4, 3)).astype("float32")
MASK = np.array([[True, True, False, True], [False, True, True, False]])


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(ops.convert_to_numpy(x))


def flat(x):
    if isinstance(x, (list, tuple)):
        return [leaf for v in x for leaf in flat(v)]
    return [x]


def _path(w):
    """The weight's path below the outer layer, without the unique-name suffixes (_1, _2)."""
    parts = w.path.split("/")[1:]
    return "/".join(re.sub(r"_\d+$", "", p) for p in parts)


def compare_with_keras(ours, theirs, inputs, **call_kwargs):
    """Same weight names/shapes/order, then same outputs with kerasx's weights in Keras."""
    ours(inputs, **call_kwargs)
    theirs(inputs, **call_kwargs)
    got_w = [(_path(w), tuple(w.shape)) for w in ours.weights]
    exp_w = [(_path(w), tuple(w.shape)) for w in theirs.weights]
    assert got_w == exp_w
    theirs.set_weights(ours.get_weights())
    got, exp = flat(ours(inputs, **call_kwargs)), flat(theirs(inputs, **call_kwargs))
    assert len(got) == len(exp)
    for a, b in zip(got, exp):
        np.testing.assert_allclose(np_(a), np.asarray(b), rtol=1e-5, atol=1e-5)


def strip_names(config_dict):
    if isinstance(config_dict, dict):
        return {k: strip_names(v) for k, v in config_dict.items() if k != "name"}
    if isinstance(config_dict, list):
        return [strip_names(v) for v in config_dict]
    return config_dict


# ------------------------------------------------------------------ run_layer_test


def test_run_layer_test_time_distributed(engine):
    run_layer_test(
        layers.TimeDistributed,
        {"layer": layers.Dense(5)},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 4, 5),
        expected_num_trainable_weights=2,
        expected_mask_shape=(2, 4),
    )


@pytest.mark.parametrize(
    "kwargs,out",
    [
        ({"layer": layers.LSTM(3, return_sequences=True)}, (2, 4, 6)),
        ({"layer": layers.GRU(3), "merge_mode": "sum"}, (2, 3)),
        ({"layer": layers.SimpleRNN(2, return_state=True), "merge_mode": None},
         [(2, 2), (2, 2), (2, 2), (2, 2)]),
    ],
)  # fmt: skip
def test_run_layer_test_bidirectional(engine, kwargs, out):
    run_layer_test(
        layers.Bidirectional,
        kwargs,
        input_shape=(2, 4, 3),
        expected_output_shape=out,
        expected_num_seed_generators=2,
        supports_masking=True,
    )


def test_run_layer_test_wrapper_subclass(engine):
    class Twice(layers.Wrapper):
        def call(self, x):
            return self.layer(x) * 2.0

    layer = run_layer_test(
        Twice,
        {"layer": layers.Dense(2)},
        input_shape=(3, 4),
        expected_output_shape=(3, 2),
        expected_num_trainable_weights=2,
        custom_objects={"Twice": Twice},
    )
    assert layer.get_config()["layer"]["class_name"] == "Dense"


def test_run_layer_test_stacked_cells(engine):
    run_layer_test(
        layers.RNN,
        {"cell": layers.StackedRNNCells([layers.SimpleRNNCell(3), layers.LSTMCell(2)])},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 2),
        expected_num_trainable_weights=6,
    )


# ------------------------------------------------------------------ Keras parity


@pytest.mark.parametrize(
    "merge_mode,seqs,state",
    [
        ("concat", True, False),
        ("sum", False, True),
        ("mul", True, True),
        ("ave", False, False),
        (None, True, True),
    ],
)
def test_bidirectional_merge_modes_match_keras(engine, merge_mode, seqs, state):
    keras = pytest.importorskip("keras")
    compare_with_keras(
        layers.Bidirectional(
            layers.LSTM(3, return_sequences=seqs, return_state=state), merge_mode=merge_mode
        ),
        keras.layers.Bidirectional(
            keras.layers.LSTM(3, return_sequences=seqs, return_state=state),
            merge_mode=merge_mode,
        ),
        X,
        mask=MASK,
    )


def test_bidirectional_backward_layer_initial_state_and_config(engine):
    keras = pytest.importorskip("keras")
    compare_with_keras(
        layers.Bidirectional(
            layers.GRU(3, return_sequences=True),
            backward_layer=layers.SimpleRNN(3, go_backwards=True, return_sequences=True),
        ),
        keras.layers.Bidirectional(
            keras.layers.GRU(3, return_sequences=True),
            backward_layer=keras.layers.SimpleRNN(3, go_backwards=True, return_sequences=True),
        ),
        X,
    )
    states = [RNG.normal(size=(2, 3)).astype("float32") for _ in range(4)]
    compare_with_keras(
        layers.Bidirectional(layers.LSTM(3)),
        keras.layers.Bidirectional(keras.layers.LSTM(3)),
        X,
        initial_state=states,
    )
    ours = layers.Bidirectional(layers.LSTM(3, name="enc"))
    theirs = keras.layers.Bidirectional(keras.layers.LSTM(3, name="enc"))
    cfg = ours.get_config()
    assert cfg["layer"]["config"]["name"] == "forward_enc"
    assert cfg["backward_layer"]["config"]["name"] == "backward_enc"
    assert strip_names(cfg) == strip_names(theirs.get_config())
    again = layers.Bidirectional.from_config(cfg).get_config()
    assert again == cfg


def test_time_distributed_and_stacked_match_keras(engine):
    keras = pytest.importorskip("keras")
    compare_with_keras(
        layers.TimeDistributed(layers.Dense(4, activation="relu")),
        keras.layers.TimeDistributed(keras.layers.Dense(4, activation="relu")),
        X,
    )
    ours = layers.TimeDistributed(layers.Dense(4))
    theirs = keras.layers.TimeDistributed(keras.layers.Dense(4))
    assert strip_names(ours.get_config()) == strip_names(theirs.get_config())
    compare_with_keras(
        layers.RNN(layers.StackedRNNCells([layers.LSTMCell(3), layers.GRUCell(2)])),
        keras.layers.RNN(keras.layers.StackedRNNCells([keras.layers.LSTMCell(3),
                                                       keras.layers.GRUCell(2)])),
        X,
        mask=MASK,
    )  # fmt: skip
    ours = layers.StackedRNNCells([layers.LSTMCell(3), layers.SimpleRNNCell(2)])
    theirs = keras.layers.StackedRNNCells([keras.layers.LSTMCell(3), keras.layers.SimpleRNNCell(2)])
    assert strip_names(ours.get_config()) == strip_names(theirs.get_config())
    assert ours.state_size == theirs.state_size and ours.output_size == theirs.output_size


# ------------------------------------------------------------------ behaviour


def test_time_distributed_mask_passes_through(engine):
    td = layers.TimeDistributed(layers.Dense(2))
    np.testing.assert_array_equal(np_(td.compute_mask(X, MASK)), MASK)
    assert td.compute_output_shape((None, 4, 3)) == (None, 4, 2)


def test_bidirectional_stateful_reset(engine):
    layer = layers.Bidirectional(layers.SimpleRNN(2, stateful=True))
    first = np_(layer(X))
    assert not np.allclose(np_(layer(X)), first)
    assert len(layer.states) == 2
    layer.reset_states()
    np.testing.assert_allclose(np_(layer(X)), first, atol=1e-6)


# ------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    "make,match",
    [
        (lambda: layers.TimeDistributed(3), "Layer` instance"),
        (lambda: layers.Wrapper(layers.Dense), "Layer` instance"),
        (lambda: layers.Bidirectional(layers.Dense(2)), "recurrent layer"),
        (lambda: layers.Bidirectional(layers.LSTM(2), merge_mode="max"), "merge_mode"),
        (
            lambda: layers.Bidirectional(layers.LSTM(2), backward_layer=layers.LSTM(2)),
            "go_backwards",
        ),
        (
            lambda: layers.Bidirectional(
                layers.LSTM(2), backward_layer=layers.LSTM(2, go_backwards=True, return_state=True)
            ),
            "return_state",
        ),
    ],
)
def test_bad_arguments(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_time_distributed_needs_rank_3(engine):
    with pytest.raises(ValueError, match="at least 3"):
        layers.TimeDistributed(layers.Dense(2))(np.zeros((2, 3), "float32"))
