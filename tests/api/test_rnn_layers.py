"""Recurrent layers (RNN, SimpleRNN, LSTM, GRU, their cells, ConvLSTM): run_layer_test on every
engine, Keras parity, masking, stateful, custom cells, the fused sequence ops, gradients."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

RNG = np.random.default_rng(7)
X = RNG.normal(size=(2, 5, 3)).astype("float32")
MASK = np.array([[False, True, True, False, True], [True, True, False, False, True]])


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


class MinimalRNNCell(layers.Layer):
    """The custom-cell example of the Keras docs: ``h = x @ W + h_prev @ U``."""

    def __init__(self, units, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.state_size = units

    def build(self, input_shape):
        self.kernel = self.add_weight(shape=(input_shape[-1], self.units), name="kernel")
        self.recurrent_kernel = self.add_weight(
            shape=(self.units, self.units), name="recurrent_kernel"
        )

    def call(self, inputs, states):
        output = ops.matmul(inputs, self.kernel) + ops.matmul(states[0], self.recurrent_kernel)
        return output, [output]


def np_(x):
    return np.asarray(ops.convert_to_numpy(x))


# ------------------------------------------------------------------ run_layer_test


@pytest.mark.parametrize(
    "cls,kwargs,out_shape",
    [
        (layers.SimpleRNN, {"units": 3, "go_backwards": True}, (2, 3)),
        (
            layers.LSTM,
            {"units": 2, "return_sequences": True, "dropout": 0.3, "recurrent_dropout": 0.2},
            (2, 4, 2),
        ),
        (layers.GRU, {"units": 3, "reset_after": False, "unroll": True}, (2, 3)),
    ],
)
def test_run_layer_test_rnns(engine, cls, kwargs, out_shape):
    run_layer_test(
        cls,
        kwargs,
        input_shape=(2, 4, 3),
        expected_output_shape=out_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=3,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=1,
        supports_masking=True,
        expected_mask_shape=(2, 4) if kwargs.get("return_sequences") else None,
    )


def test_run_layer_test_custom_and_stacked_cells(engine):
    run_layer_test(
        layers.RNN,
        {"cell": MinimalRNNCell(4)},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 4),
        expected_num_trainable_weights=2,
        custom_objects={"MinimalRNNCell": MinimalRNNCell},
    )
    # the three built-in cells, stacked, with their states returned
    run_layer_test(
        layers.RNN,
        {
            "cell": [layers.SimpleRNNCell(2), layers.LSTMCell(3), layers.GRUCell(2)],
            "return_state": True,
        },
        input_shape=(2, 4, 3),
        expected_output_shape=[(2, 2), (2, 2), [(2, 3), (2, 3)], (2, 2)],
        expected_num_trainable_weights=9,
        expected_num_seed_generators=3,
        # the JAX training step is checked by the other recurrent tests (compile time)
        run_training_check=engine != "jax",
    )


@pytest.mark.parametrize(
    "cls,shape,out",
    [
        (layers.ConvLSTM1D, (2, 2, 5, 2), (2, 3, 2)),
        (layers.ConvLSTM2D, (2, 2, 4, 4, 1), (2, 2, 2, 2)),
        (layers.ConvLSTM3D, (1, 2, 3, 3, 3, 1), (1, 1, 1, 1, 2)),
    ],
)
def test_run_layer_test_conv_lstm(engine, cls, shape, out):
    run_layer_test(
        cls,
        {"filters": 2, "kernel_size": 3},
        input_shape=shape,
        expected_output_shape=out,
        expected_num_trainable_weights=3,
        # on JAX the training step is checked for ConvLSTM2D only (XLA CPU compile time)
        run_training_check=engine != "jax" or cls is layers.ConvLSTM2D,
    )


# ------------------------------------------------------------------ Keras parity

PARITY = [
    ("SimpleRNN", {"units": 4, "return_sequences": True, "go_backwards": True}),
    ("SimpleRNN", {"units": 4, "activation": "relu", "use_bias": False}),
    ("LSTM", {"units": 4, "return_sequences": True, "return_state": True, "go_backwards": True}),
    ("LSTM", {"units": 3, "recurrent_activation": "hard_sigmoid", "unit_forget_bias": False}),
    ("GRU", {"units": 4, "return_state": True}),
    ("GRU", {"units": 4, "reset_after": False, "return_sequences": True, "unroll": True}),
    ("GRU", {"units": 4, "reset_after": False, "zero_output_for_mask": True}),
]


@pytest.mark.parametrize("name,kwargs", PARITY)
def test_keras_parity(engine, name, kwargs):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    # the mask leaves some steps of each row unmasked, so this covers the plain path too
    assert_matches_keras(name, kwargs, X, call_kwargs={"mask": MASK}, atol=1e-5)


@pytest.mark.parametrize(
    "name,kwargs,shape",
    [
        (
            "ConvLSTM2D",
            {
                "filters": 2,
                "kernel_size": (3, 2),
                "padding": "same",
                "strides": (2, 1),
                "return_sequences": True,
            },
            (2, 2, 6, 5, 2),
        ),
        (
            "ConvLSTM2D",
            {"filters": 2, "kernel_size": 2, "dilation_rate": 2, "return_state": True},
            (2, 2, 5, 5, 2),
        ),
        (
            "ConvLSTM2D",
            {"filters": 2, "kernel_size": 3, "data_format": "channels_first"},
            (2, 2, 2, 5, 4),
        ),
        ("ConvLSTM1D", {"filters": 2, "kernel_size": 3, "go_backwards": True}, (2, 3, 6, 2)),
        ("ConvLSTM3D", {"filters": 2, "kernel_size": 2}, (1, 2, 3, 3, 3, 1)),
    ],
)
def test_keras_parity_conv_lstm(engine, name, kwargs, shape):
    pytest.importorskip("keras")
    if engine == "jax" and (kwargs.get("dilation_rate") or kwargs.get("go_backwards")):
        pytest.skip("covered on the NumPy engine; kept short on JAX (compile time)")
    from layer_parity import assert_matches_keras

    x = RNG.normal(size=shape).astype("float32")
    assert_matches_keras(name, kwargs, x, atol=1e-5)


def test_keras_parity_cells(engine):
    keras = pytest.importorskip("keras")
    h = RNG.normal(size=(2, 4)).astype("float32")
    for name, states in [("SimpleRNNCell", [h]), ("LSTMCell", [h, h * 0.5]), ("GRUCell", [h])]:
        ours, theirs = getattr(layers, name)(4), getattr(keras.layers, name)(4)
        ours(X[:, 0], states)
        theirs(X[:, 0], states)
        theirs.set_weights(ours.get_weights())
        got, exp = ours(X[:, 0], states), theirs(X[:, 0], states)
        np.testing.assert_allclose(np_(got[0]), np.asarray(exp[0]), atol=1e-5)
        for a, b in zip(got[1], exp[1]):
            np.testing.assert_allclose(np_(a), np.asarray(b), atol=1e-5)
        cfg = {k: v for k, v in ours.get_config().items() if k != "name"}
        assert cfg == {k: v for k, v in theirs.get_config().items() if k != "name"}


def test_masked_initial_state_matches_keras(engine):
    keras = pytest.importorskip("keras")
    h0 = np.full((2, 4), 0.5, "float32")
    c0 = np.full((2, 4), -0.25, "float32")
    for unroll in (False, True):
        ours = layers.LSTM(4, return_sequences=True, return_state=True, unroll=unroll)
        theirs = keras.layers.LSTM(4, return_sequences=True, return_state=True, unroll=unroll)
        ours(X, mask=MASK, initial_state=[h0, c0])
        theirs(X, mask=MASK, initial_state=[h0, c0])
        theirs.set_weights(ours.get_weights())
        got = ours(X, mask=MASK, initial_state=[h0, c0])
        exp = theirs(X, mask=MASK, initial_state=[h0, c0])
        for a, b in zip(got, exp):
            np.testing.assert_allclose(np_(a), np.asarray(b), atol=1e-5)


# ------------------------------------------------------------------ behaviour


def test_mask_from_masking_layer_and_embedding(engine):
    x = X.copy()
    x[0, 3:] = 0.0
    inp = kerasx.Input((5, 3))
    out = layers.LSTM(3, return_sequences=True)(layers.Masking()(inp))
    model = kerasx.Model(inp, out)
    rnn = model.layers[-1]
    explicit = rnn(x, mask=np.any(x != 0, axis=-1))
    np.testing.assert_allclose(np_(model(x)), np_(explicit), atol=1e-6)
    # masked steps repeat the previous output
    np.testing.assert_allclose(np_(model(x))[0, 4], np_(model(x))[0, 2], atol=1e-6)
    if not hasattr(layers, "Embedding"):
        return
    tokens = np.array([[3, 1, 0, 0], [2, 2, 5, 0]])
    emb = layers.Embedding(6, 3, mask_zero=True)
    gru = layers.GRU(2)
    y = gru(emb(tokens))
    ref = gru(emb(tokens), mask=tokens != 0)
    np.testing.assert_allclose(np_(y), np_(ref), atol=1e-6)


def test_stateful_across_calls(engine):
    layer = layers.LSTM(3, stateful=True, return_state=True)
    first = layer(X)
    second = layer(X)
    assert not np.allclose(np_(first[0]), np_(second[0]))
    np.testing.assert_allclose(np_(layer.states[0].value), np_(second[1]), atol=1e-6)
    # the two calls equal one call on the concatenated sequence
    whole = layers.LSTM(3, return_state=True)
    whole(X)
    whole.set_weights(layer.get_weights())
    ref = whole(np.concatenate([X, X], axis=1))
    np.testing.assert_allclose(np_(second[0]), np_(ref[0]), atol=1e-5)
    assert len(layer.weights) == 3  # the kept states are not weights (as Keras)
    layer.reset_states()
    np.testing.assert_allclose(np_(layer(X)[0]), np_(first[0]), atol=1e-6)
    with pytest.raises(ValueError, match="batch size must be static"):
        layers.GRU(2, stateful=True)(kerasx.Input((5, 3)))


def test_stateful_states_carried_through_fit(engine):
    model = kerasx.Sequential(
        [kerasx.Input(batch_shape=(2, 5, 3)), layers.SimpleRNN(2, stateful=True), layers.Dense(1)]
    )
    model.compile(optimizer="sgd", loss="mse")
    model.fit(X, np.zeros((2, 1), "float32"), batch_size=2, epochs=1, verbose=0)
    state = np_(model.layers[0].states[0].value)
    assert np.abs(state).sum() > 0


def test_custom_cell_values(engine):
    cell = MinimalRNNCell(2)
    rnn = layers.RNN(cell, return_sequences=True)
    out = np_(rnn(X))
    w, u = (np_(v.value) for v in cell.weights)
    h = np.zeros((2, 2), "float32")
    for t in range(X.shape[1]):
        h = X[:, t] @ w + h @ u
        np.testing.assert_allclose(out[:, t], h, rtol=1e-5, atol=1e-5)


def test_unroll_equals_scan(engine):
    for cls in (layers.SimpleRNN, layers.LSTM, layers.GRU):
        a = cls(3, return_sequences=True)
        b = cls(3, return_sequences=True, unroll=True)
        a(X)
        b(X)
        b.set_weights(a.get_weights())
        np.testing.assert_allclose(np_(a(X, mask=MASK)), np_(b(X, mask=MASK)), atol=1e-6)


@pytest.mark.parametrize(
    "cls,variant",
    [
        (layers.SimpleRNN, {"go_backwards": True}),
        (layers.LSTM, {}),
        (layers.LSTM, {"go_backwards": True}),
        (layers.GRU, {}),
        (layers.GRU, {"reset_after": False}),
    ],
)
def test_fused_path_equals_generic_loop(engine, cls, variant):
    fused_layer = cls(3, return_sequences=True, return_state=True, **variant)
    fused_layer(X)
    generic = layers.RNN(
        fused_layer.cell, return_sequences=True, return_state=True, **{
            k: v for k, v in variant.items() if k == "go_backwards"
        }
    )  # fmt: skip
    for mask in (None, MASK):
        got = fused_layer(X, mask=mask)
        exp = generic(X, mask=mask)
        for a, b in zip(got, exp):
            np.testing.assert_allclose(np_(a), np_(b), rtol=1e-6, atol=1e-6)
    # input dropout: the fused path draws the same per-sequence mask as the loop
    drop = cls(3, dropout=0.5, seed=4, **variant)
    drop(X)
    state = np_(drop.cell.seed_generator.state.value)
    got = drop(X, training=True)
    drop.cell.seed_generator.state.assign(state)
    exp = layers.RNN(drop.cell, go_backwards=drop.go_backwards)(X, training=True)
    np.testing.assert_allclose(np_(got), np_(exp), rtol=1e-6, atol=1e-6)


def test_fused_gradients_equal_generic_and_engines():
    from kerasx.engine import tape

    results = {}
    for eng in installed_engines():
        config.set_backend(eng)
        fused_layer = layers.LSTM(3, return_sequences=True, seed=1)
        fused_layer(X)
        weights = [np.asarray(w) for w in _fixed_weights(fused_layer)]
        fused_layer.set_weights(weights)
        generic = layers.RNN(fused_layer.cell, return_sequences=True)
        generic(X)

        def loss(values, layer):
            out = layer.stateless_call(values, [v.value for v in layer.non_trainable_variables],
                                       X, mask=MASK)[0]  # fmt: skip
            return ops.sum(ops.square(out))

        g_fused = kerasx.value_and_grad(lambda v, layer=fused_layer: loss(v, layer))(
            [w.value for w in fused_layer.trainable_variables]
        )[1]
        g_generic = kerasx.value_and_grad(lambda v, layer=generic: loss(v, layer))(
            [w.value for w in generic.trainable_variables]
        )[1]
        for a, b in zip(g_fused, g_generic):
            np.testing.assert_allclose(np_(a), np_(b), rtol=1e-4, atol=1e-5)
        results[eng] = [np_(g) for g in g_fused]
    config.set_backend("numpy")
    del tape
    if len(results) == 2:
        for a, b in zip(*results.values()):
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)


def _fixed_weights(layer):
    rng = np.random.default_rng(11)
    return [rng.normal(size=w.shape).astype("float32") * 0.4 for w in layer.weights]


def test_lstm_gradient_vs_finite_differences():
    config.set_backend("numpy")
    x = RNG.normal(size=(2, 3, 2))
    layer = layers.LSTM(2, return_sequences=True, dtype="float64")
    layer(x)
    layer.set_weights([w.astype("float64") for w in _fixed_weights(layer)])
    mask = np.array([[True, False, True], [True, True, True]])
    values = [np.asarray(v.numpy()) for v in layer.trainable_variables]

    def f(vals):
        out = layer.stateless_call(vals, [v.value for v in layer.non_trainable_variables], x,
                                   mask=mask)[0]  # fmt: skip
        return ops.sum(ops.multiply(out, out))

    grads = kerasx.value_and_grad(f)(values)[1]
    eps = 1e-6
    for k, v in enumerate(values):
        num = np.zeros_like(v)
        for idx in np.ndindex(v.shape):
            plus = [w.copy() for w in values]
            minus = [w.copy() for w in values]
            plus[k][idx] += eps
            minus[k][idx] -= eps
            num[idx] = (float(f(plus)) - float(f(minus))) / (2 * eps)
        np.testing.assert_allclose(np_(grads[k]), num, rtol=1e-5, atol=1e-7)


def test_registry_op_bptt_equals_numpy_kernel():
    config.set_backend("numpy")
    from kerasx_numpy.kernels.rnn_fused import NP

    from kerasx.ops import rnn_fused
    from kerasx.ops._helpers import K

    rng = np.random.default_rng(3)
    x, h0, c0 = rng.normal(size=(2, 4, 3)), rng.normal(size=(2, 2)), rng.normal(size=(2, 2))
    w, u, b = rng.normal(size=(3, 8)), rng.normal(size=(2, 8)), rng.normal(size=(8,))
    ans = rnn_fused.lstm_forward(NP, x, h0, c0, w, u, b, MASK[:, :4])
    g = (rng.normal(size=(2, 4, 2)), rng.normal(size=(2, 4, 2)))
    fast = rnn_fused.lstm_backward(NP, g, ans, x, h0, c0, w, u, b, MASK[:, :4])
    slow = rnn_fused.lstm_backward(K, g, ans, x, h0, c0, w, u, b, MASK[:, :4])
    for a, s in zip(fast, slow):
        np.testing.assert_allclose(a, np_(s), rtol=1e-12, atol=1e-12)


def test_jit_compiles_once_per_shape():
    if "jax" not in installed_engines():
        pytest.skip("needs the JAX engine")
    config.set_backend("jax")
    try:
        traces = []

        class CountingCell(MinimalRNNCell):
            def call(self, inputs, states):
                traces.append(1)
                return super().call(inputs, states)

        rnn = layers.RNN(CountingCell(2))
        rnn(X)
        tv = [v.value for v in rnn.trainable_variables]
        fn = kerasx.jit(lambda tv, x: rnn.stateless_call(tv, [], x)[0])
        counts = []
        for steps in (4, 40):
            before = len(traces)
            x = np.ones((2, steps, 3), "float32")
            fn(tv, x)
            fn(tv, x)  # same shape: no new trace
            counts.append(len(traces) - before)
        assert counts[0] == counts[1] and counts[0] <= 2, counts
    finally:
        config.set_backend("numpy")


# ------------------------------------------------------------------ bad arguments


@pytest.mark.parametrize(
    "make,arg",
    [
        (lambda: layers.LSTM(0), "units"),
        (lambda: layers.GRU("a"), "units"),
        (lambda: layers.SimpleRNN(2, dropout="x"), "dropout"),
        (lambda: layers.LSTMCell(2, recurrent_dropout=None), "recurrent_dropout"),
        (lambda: layers.RNN(3), "cell"),
        (lambda: layers.RNN(layers.Dense(2)), "state_size"),
        (lambda: layers.LSTM(2, return_sequences="yes"), "return_sequences"),
        (lambda: layers.ConvLSTM2D(2, (3, 3, 3)), "kernel_size"),
        (lambda: layers.ConvLSTM2D(2, 3, padding="full"), "padding"),
        (lambda: layers.ConvLSTM1D(0, 3), "filters"),
        (lambda: layers.StackedRNNCells([]), "cells"),
    ],
)
def test_bad_arguments(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


def test_bad_call_arguments(engine):
    with pytest.raises(ValueError, match="initial state"):
        layers.LSTM(2)(X, initial_state=[np.zeros((2, 2), "float32")])
    with pytest.raises(ValueError, match="rank"):
        layers.LSTM(2)(X[:, 0])
    with pytest.raises(ValueError, match="rank 5"):
        layers.ConvLSTM2D(2, 3)(X)
