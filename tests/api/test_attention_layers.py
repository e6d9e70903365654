"""Attention layers (Attention, AdditiveAttention, MultiHeadAttention, GroupQueryAttention):
run_layer_test on every engine, parity with Keras 3 (masks, causal, scores, attention axes,
score modes), Keras masks flowing from Embedding in functional models, training, errors."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

R = np.random.default_rng(0)
Q = R.normal(size=(2, 3, 4)).astype("float32")
V = R.normal(size=(2, 5, 4)).astype("float32")
K = R.normal(size=(2, 5, 4)).astype("float32")
Q_MASK = np.array([[1, 1, 0], [1, 0, 0]], bool)
V_MASK = np.array([[1, 1, 1, 0, 0], [1, 0, 1, 1, 0]], bool)
ATT_MASK = R.random((2, 3, 5)) > 0.3
X4 = R.normal(size=(2, 3, 2, 4)).astype("float32")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(ops.convert_to_numpy(x))


def random_weights(layer, *args, **kwargs):
    """Build `layer` on the inputs and return random values for its weights (so that
    scales, biases and gates all matter in the comparisons)."""
    layer(*args, **kwargs)
    return [R.normal(size=w.shape).astype("float32") for w in layer.weights]


# ---------------------------------------------------------------------- run_layer_test


@pytest.mark.parametrize(
    "cls,kwargs,n_weights",
    [
        (layers.Attention, {}, 0),
        (layers.Attention, {"use_scale": True, "score_mode": "concat"}, 2),
        (layers.AdditiveAttention, {}, 1),
    ],
)
def test_attention_layer_test(engine, cls, kwargs, n_weights):
    run_layer_test(
        cls,
        kwargs,
        input_shape=[(2, 3, 4), (2, 5, 4)],
        expected_output_shape=(2, 3, 4),
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        run_training_check=n_weights > 0,
    )


def test_attention_layer_test_dropout(engine):
    run_layer_test(
        layers.Attention,
        {"dropout": 0.5, "seed": 1},
        input_shape=[(2, 3, 4), (2, 5, 4), (2, 5, 4)],
        call_kwargs={"use_causal_mask": True, "training": True},
        expected_output_shape=(2, 3, 4),
        expected_num_seed_generators=1,
        run_training_check=False,
    )
    out, scores = layers.Attention(dropout=0.5, seed=1)([Q, V], return_attention_scores=True)
    assert tuple(out.shape) == (2, 3, 4) and tuple(scores.shape) == (2, 3, 5)


def test_multi_head_attention_layer_test(engine):
    run_layer_test(
        layers.MultiHeadAttention,
        {"num_heads": 2, "key_dim": 2, "value_dim": 3, "output_shape": 5, "use_gate": True},
        input_data=Q,
        call_kwargs={"value": V, "use_causal_mask": True},
        expected_output_shape=(2, 3, 5),
        expected_output_dtype="float32",
        expected_num_trainable_weights=10,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
    )
    # Dropout acts on the attention weights in training only.
    layer = layers.MultiHeadAttention(2, 2, dropout=0.5, seed=3)
    assert len(layer._seed_generators) == 1
    infer = np_(layer(Q, V))
    np.testing.assert_allclose(np_(layer(Q, V, training=False)), infer)
    assert not np.allclose(np_(layer(Q, V, training=True)), infer)


def test_group_query_attention_layer_test(engine):
    run_layer_test(
        layers.GroupQueryAttention,
        {"head_dim": 2, "num_query_heads": 4, "num_key_value_heads": 2},
        input_data=Q,
        call_kwargs={"value": V},
        expected_output_shape=(2, 3, 4),
        expected_output_dtype="float32",
        expected_num_trainable_weights=8,
        expected_num_seed_generators=0,
    )


# ---------------------------------------------------------------------- Keras parity

ATTENTION_CASES = [
    ("Attention", {}, {}, False),
    ("Attention", {"use_scale": True}, {"mask": [Q_MASK, V_MASK]}, True),
    ("Attention", {"score_mode": "concat"}, {"use_causal_mask": True}, False),
    (
        "Attention",
        {"score_mode": "concat", "use_scale": True, "dropout": 0.1, "seed": 2},
        {"return_attention_scores": True, "mask": [None, V_MASK], "use_causal_mask": True},
        True,
    ),
    ("Attention", {}, {"return_attention_scores": True, "mask": [Q_MASK, V_MASK]}, False),
    ("AdditiveAttention", {}, {"mask": [Q_MASK, V_MASK]}, False),
    ("AdditiveAttention", {"use_scale": False}, {"use_causal_mask": True}, True),
    (
        "AdditiveAttention",
        {},
        {"return_attention_scores": True, "mask": [Q_MASK, None], "use_causal_mask": True},
        True,
    ),
]


@pytest.mark.parametrize("name,kwargs,call_kwargs,with_key", ATTENTION_CASES)
def test_attention_matches_keras(engine, name, kwargs, call_kwargs, with_key):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    inputs = [Q, V, K] if with_key else [Q, V]
    weights = random_weights(getattr(layers, name)(**kwargs), inputs)
    assert_matches_keras(
        name, kwargs, inputs, call_kwargs=call_kwargs, weights=weights or None, rtol=1e-5
    )


MHA_BASE = {"num_heads": 2, "key_dim": 3}
MHA_CASES = [
    (MHA_BASE, {"value": Q}),
    ({**MHA_BASE, "value_dim": 5, "output_shape": (2, 3)}, {"value": V, "key": K}),
    ({"num_heads": 1, "key_dim": 2, "use_bias": False}, {"value": V, "value_mask": V_MASK}),
    (
        {**MHA_BASE, "output_shape": 6},
        {"value": V, "key": K, "key_mask": V_MASK, "return_attention_scores": True},
    ),
    (
        {"num_heads": 2, "key_dim": 2, "use_gate": True},
        {"value": Q, "use_causal_mask": True, "return_attention_scores": True},
    ),
    (
        {"num_heads": 2, "key_dim": 2, "sliding_window": 2},
        {"value": V, "attention_mask": ATT_MASK, "return_attention_scores": True},
    ),
    # Fully masked rows: equal weights without returned scores (Keras's fused path) ...
    (MHA_BASE, {"value": V, "attention_mask": np.zeros((2, 3, 5), bool)}),
    # ... and zero weights with them.
    (
        MHA_BASE,
        {
            "value": V,
            "attention_mask": np.zeros((2, 3, 5), bool),
            "use_causal_mask": True,
            "return_attention_scores": True,
        },
    ),
]


@pytest.mark.parametrize("kwargs,call_kwargs", MHA_CASES)
def test_multi_head_attention_matches_keras(engine, kwargs, call_kwargs):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    weights = random_weights(layers.MultiHeadAttention(**kwargs), Q, **call_kwargs)
    assert_matches_keras(
        "MultiHeadAttention",
        kwargs,
        Q,
        call_kwargs=call_kwargs,
        weights=weights,
        rtol=1e-4,
        atol=1e-5,
    )


@pytest.mark.parametrize(
    "axes,scores_shape",
    [((2,), (2, 3, 2, 2, 2)), ([1, 2], (2, 2, 3, 2, 3, 2)), (1, (2, 2, 2, 3, 3)), (None, None)],
)
def test_multi_head_attention_axes_match_keras(engine, axes, scores_shape):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    kwargs = {"num_heads": 2, "key_dim": 3, "attention_axes": axes}
    call_kwargs = {"value": X4, "return_attention_scores": True}
    weights = random_weights(layers.MultiHeadAttention(**kwargs), X4, **call_kwargs)
    out, scores = assert_matches_keras(
        "MultiHeadAttention", kwargs, X4, call_kwargs=call_kwargs, weights=weights, rtol=1e-4
    )
    assert tuple(out.shape) == X4.shape
    if scores_shape is not None:
        assert tuple(scores.shape) == scores_shape


GQA_CASES = [
    ({"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2}, {"value": V}),
    (
        {"head_dim": 3, "num_query_heads": 4, "num_key_value_heads": 2},
        {"value": V, "value_mask": V_MASK, "query_mask": Q_MASK, "return_attention_scores": True},
    ),
    (
        {
            "head_dim": 2,
            "num_query_heads": 2,
            "num_key_value_heads": 1,
            "use_gate": True,
            "use_bias": False,
        },
        {"value": Q, "use_causal_mask": True, "return_attention_scores": True},
    ),
    (
        {"head_dim": 2, "num_query_heads": 3, "num_key_value_heads": 3, "sliding_window": 1},
        {"value": V, "key": K, "attention_mask": ATT_MASK},
    ),
]


@pytest.mark.parametrize("kwargs,call_kwargs", GQA_CASES)
def test_group_query_attention_matches_keras(engine, kwargs, call_kwargs):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    weights = random_weights(layers.GroupQueryAttention(**kwargs), Q, **call_kwargs)
    assert_matches_keras(
        "GroupQueryAttention",
        kwargs,
        Q,
        call_kwargs=call_kwargs,
        weights=weights,
        rtol=1e-4,
        atol=1e-5,
    )


def test_configs_match_keras():
    keras = pytest.importorskip("keras")
    cases = [
        ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "attention_axes": [1]}),
        ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "attention_axes": 1}),
        ("MultiHeadAttention", {"num_heads": 2, "key_dim": 3, "output_shape": [5, 2]}),
        ("GroupQueryAttention", {"head_dim": 2, "num_query_heads": 2, "num_key_value_heads": 1}),
        ("AdditiveAttention", {"seed": 4, "dropout": 0.2}),
    ]
    for name, kwargs in cases:
        ours = getattr(layers, name)(**kwargs, name="x").get_config()
        theirs = getattr(keras.layers, name)(**kwargs, name="x").get_config()
        assert ours == theirs, (name, ours, theirs)


# ---------------------------------------------------------------------- Keras masks


def _masked_model(lib, kind):
    inp = lib.Input((5,), dtype="int32")
    x = lib.layers.Embedding(7, 4, mask_zero=True)(inp)
    if kind == "attention":
        y = lib.layers.Attention()([x, x])
    elif kind == "additive":
        y = lib.layers.AdditiveAttention()([x, x], use_causal_mask=True)
    elif kind == "mha":
        y = lib.layers.MultiHeadAttention(2, 3)(x, x)
    elif kind == "mha_after_dense":
        x = lib.layers.Dense(4)(x)
        y = lib.layers.MultiHeadAttention(2, 3)(x, x, use_causal_mask=True)
    elif kind == "mha_scores":
        y = lib.layers.MultiHeadAttention(2, 3)(x, x, return_attention_scores=True)
    else:
        y = lib.layers.GroupQueryAttention(2, 2, 1)(x, x)
    return lib.Model(inp, y)


# Keras warns that its inner projections drop the mask (it has been used already).
@pytest.mark.filterwarnings("ignore:.*does not support masking:UserWarning")
@pytest.mark.parametrize(
    "kind", ["attention", "additive", "mha", "mha_after_dense", "mha_scores", "gqa"]
)
def test_embedding_padding_masks_flow_like_keras(engine, kind):
    keras = pytest.importorskip("keras")
    ids = np.array([[1, 2, 3, 0, 0], [4, 0, 0, 0, 0], [1, 2, 3, 4, 5]], dtype="int32")
    ours, theirs = _masked_model(kerasx, kind), _masked_model(keras, kind)
    weights = [R.normal(size=w.shape).astype("float32") for w in ours.weights]
    ours.set_weights(weights)
    theirs.set_weights(weights)
    got, ref = ours(ids), theirs(ids)
    got = got if isinstance(got, (list, tuple)) else [got]
    ref = ref if isinstance(ref, (list, tuple)) else [ref]
    for g, r in zip(got, ref):
        np.testing.assert_allclose(np_(g), np.asarray(r), rtol=1e-4, atol=1e-4)
    # The output keeps the query's padding mask.
    out = ours.outputs[0]
    assert out._keras_mask is not None


# ---------------------------------------------------------------------- training


def test_tiny_transformer_trains(engine):
    inp = kerasx.Input((6,), dtype="int32")
    x = layers.Embedding(10, 8, mask_zero=True)(inp)
    x = layers.MultiHeadAttention(2, 4, dropout=0.1, seed=0)(x, x)
    x = layers.Lambda(lambda t: ops.mean(t, axis=1))(x)
    out = layers.Dense(1)(x)
    model = kerasx.Model(inp, out)
    model.compile(optimizer=kerasx.optimizers.Adam(0.01), loss="mse")
    rng = np.random.default_rng(1)
    ids = rng.integers(1, 10, size=(32, 6)).astype("int32")
    ids[:, 4:] = 0
    y = (ids[:, :1] > 5).astype("float32")
    history = model.fit(ids, y, batch_size=16, epochs=8, verbose=0, shuffle=False)
    losses = history.history["loss"]
    assert np.all(np.isfinite(losses))
    assert losses[-1] < 0.7 * losses[0], losses


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "make,arg",
    [
        (lambda: layers.Attention(score_mode="bad"), "score_mode"),
        (lambda: layers.Attention(dropout=1.5), "dropout"),
        (lambda: layers.AdditiveAttention(dropout=-0.1), "dropout"),
        (lambda: layers.MultiHeadAttention(0, 2), "num_heads"),
        (lambda: layers.MultiHeadAttention(2, 0), "key_dim"),
        (lambda: layers.MultiHeadAttention(2, 2, value_dim=-1), "value_dim"),
        (lambda: layers.MultiHeadAttention(2, 2, output_shape="x"), "output_shape"),
        (lambda: layers.MultiHeadAttention(2, 2, attention_axes="x"), "attention_axes"),
        (lambda: layers.MultiHeadAttention(2, 2, dropout=2.0), "dropout"),
        (lambda: layers.GroupQueryAttention(2, 4, 3), "num_key_value_heads"),
        (lambda: layers.GroupQueryAttention(0, 4, 2), "head_dim"),
    ],
)
def test_bad_arguments(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


def test_bad_call_inputs(engine):
    with pytest.raises(ValueError, match="list of inputs"):
        layers.Attention()(Q)
    with pytest.raises(ValueError, match="length 2 or 3"):
        layers.Attention()([Q, V, V, V])
    with pytest.raises(ValueError, match="mask must be a list"):
        layers.Attention()([Q, V], mask=Q_MASK)
    with pytest.raises(ValueError, match="attention_axes"):
        layers.MultiHeadAttention(2, 2, attention_axes=5)(X4, X4)


# ---------------------------------------------------------------------- saving


@pytest.mark.filterwarnings("ignore::UserWarning")
# Keras's own variables warn under NumPy 2 when it saves (KerasVariable.__array__).
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_keras_file_round_trip_with_keras(tmp_path):
    keras = pytest.importorskip("keras")

    def build(lib):
        inp = lib.Input((5,), dtype="int32")
        x = lib.layers.Embedding(7, 4, mask_zero=True)(inp)
        y = lib.layers.MultiHeadAttention(2, 3, use_gate=True, dropout=0.1)(x, x)
        y = lib.layers.Attention(use_scale=True, score_mode="concat")([y, y])
        y = lib.layers.EinsumDense("abc,cd->abd", (None, 3), bias_axes="d")(y)
        return lib.Model(inp, y)

    ours = build(kerasx)
    ours.set_weights([R.normal(size=w.shape).astype("float32") for w in ours.weights])
    ids = np.array([[1, 2, 0, 0, 0], [3, 4, 5, 6, 0]], dtype="int32")
    path = str(tmp_path / "m.keras")
    ours.save(path)
    theirs = keras.models.load_model(path)
    np.testing.assert_allclose(np.asarray(theirs(ids)), np_(ours(ids)), rtol=1e-4, atol=1e-5)
    path2 = str(tmp_path / "k.keras")
    theirs.save(path2)
    again = kerasx.models.load_model(path2)
    np.testing.assert_allclose(np_(again(ids)), np_(ours(ids)), rtol=1e-6, atol=1e-6)
