"""Embedding, ReversibleEmbedding and EinsumDense: run_layer_test on every engine, parity with
Keras 3, gradients to the embeddings, argument errors."""

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

R = np.random.default_rng(0)
IDS = np.array([[1, 2, 0, 4], [3, 0, 0, 0]], dtype="int32")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(ops.convert_to_numpy(x))


# ---------------------------------------------------------------------- run_layer_test


def test_embedding_layer_test(engine):
    run_layer_test(
        layers.Embedding,
        {"input_dim": 5, "output_dim": 3},
        input_shape=(2, 4),
        input_dtype="int32",
        expected_output_shape=(2, 4, 3),
        expected_output_dtype="float32",
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=False,
    )
    run_layer_test(
        layers.Embedding,
        {"input_dim": 5, "output_dim": 2, "mask_zero": True},
        input_shape=(3, 4),
        input_dtype="int32",
        expected_output_shape=(3, 4, 2),
        expected_num_trainable_weights=1,
        supports_masking=True,
        expected_mask_shape=(3, 4),
    )


def test_reversible_embedding_layer_test(engine):
    for tie in (True, False):
        run_layer_test(
            layers.ReversibleEmbedding,
            {"input_dim": 6, "output_dim": 3, "tie_weights": tie},
            input_shape=(2, 4),
            input_dtype="int32",
            expected_output_shape=(2, 4, 3),
            expected_num_trainable_weights=1 if tie else 2,
            run_training_check=tie,  # untied: the forward call does not use the reverse weight
        )
    run_layer_test(
        _ReverseByDefault,
        {"input_dim": 6, "output_dim": 3, "logit_soft_cap": 5.0},
        input_shape=(2, 4, 3),
        expected_output_shape=(2, 4, 6),
        expected_num_trainable_weights=1,
    )


class _ReverseByDefault(layers.ReversibleEmbedding):
    """The reverse projection as the layer's default call, for run_layer_test."""

    def call(self, inputs, reverse=True):
        return super().call(inputs, reverse=reverse)

    def compute_output_shape(self, input_shape, reverse=True):
        return super().compute_output_shape(input_shape, reverse=reverse)


@pytest.mark.parametrize(
    "kwargs,shape,out_shape,n_weights",
    [
        ({"equation": "ab,bc->ac", "output_shape": 4, "bias_axes": "c"}, (2, 3), (2, 4), 2),
        ({"equation": "abc,cde->abde", "output_shape": (None, 2, 3)}, (2, 3, 4), (2, 3, 2, 3), 1),
        (
            {
                "equation": "...b,bc->...c",
                "output_shape": 5,
                "bias_axes": "c",
                "activation": "relu",
            },
            (2, 3, 4),
            (2, 3, 5),
            2,
        ),
    ],
)
def test_einsum_dense_layer_test(engine, kwargs, shape, out_shape, n_weights):
    run_layer_test(
        layers.EinsumDense,
        kwargs,
        input_shape=shape,
        expected_output_shape=out_shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
    )


# ---------------------------------------------------------------------- Keras parity

EINSUM_CASES = [
    ("ab,bc->ac", 4, None, (2, 3)),
    ("ab,bc->ac", 4, "c", (2, 3)),
    ("abc,cd->abd", (None, 5), "d", (2, 3, 4)),
    ("abc,cde->abde", (None, 2, 3), "de", (2, 3, 4)),
    ("abc,cde->abde", [3, 2, 3], "e", (2, 3, 4)),
    ("...b,bc->...c", 5, "c", (2, 3, 4, 4)),
    ("ab...,bc->ac...", (5, 4), "c", (2, 3, 4)),
    ("abc,cd->abd", (3, 5), "bd", (2, 3, 4)),
    ("abc,bcd->ad", 7, "d", (2, 3, 4)),
]


@pytest.mark.parametrize("equation,output_shape,bias_axes,shape", EINSUM_CASES)
def test_einsum_dense_matches_keras(engine, equation, output_shape, bias_axes, shape):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    x = R.normal(size=shape).astype("float32")
    kwargs = {
        "equation": equation,
        "output_shape": output_shape,
        "bias_axes": bias_axes,
        "activation": "tanh",
    }
    layer = layers.EinsumDense(**kwargs)
    layer(x)
    weights = [R.normal(size=w.shape).astype("float32") for w in layer.weights]
    out = assert_matches_keras("EinsumDense", kwargs, x, weights=weights)
    assert tuple(layer.compute_output_shape(shape)) == tuple(out.shape)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"input_dim": 5, "output_dim": 3},
        {"input_dim": 5, "output_dim": 2, "mask_zero": True},
        {"input_dim": 6, "output_dim": 4, "embeddings_initializer": "ones"},
    ],
)
def test_embedding_matches_keras(engine, kwargs):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    assert_matches_keras("Embedding", kwargs, IDS)
    layer = layers.Embedding(**kwargs)
    mask = layer.compute_mask(IDS)
    if kwargs.get("mask_zero"):
        np.testing.assert_array_equal(np_(mask), IDS != 0)
    else:
        assert mask is None


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"tie_weights": False},
        {"logit_soft_cap": 0.5},
        {"reverse_dtype": "float16"},
        {"mask_zero": True, "tie_weights": False},
    ],
)
def test_reversible_embedding_matches_keras(engine, kwargs):
    keras = pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    kwargs = {"input_dim": 6, "output_dim": 3, **kwargs}
    assert_matches_keras("ReversibleEmbedding", kwargs, IDS)
    ours = layers.ReversibleEmbedding(**kwargs)
    ours(IDS)
    ours.set_weights([R.normal(size=w.shape).astype("float32") for w in ours.weights])
    theirs = keras.layers.ReversibleEmbedding(**kwargs)
    theirs(IDS)
    theirs.set_weights(ours.get_weights())
    h = R.normal(size=(2, 4, 3)).astype("float32")
    got, ref = ours(h, reverse=True), theirs(h, reverse=True)
    assert str(got.dtype) == str(ref.dtype)
    np.testing.assert_allclose(np_(got), np.asarray(ref), rtol=1e-3, atol=1e-3)
    assert tuple(ours.compute_output_shape((2, 4, 3), reverse=True)) == (2, 4, 6)


def test_embedding_float_ids_and_weights_argument(engine):
    table = np.arange(15, dtype="float32").reshape(5, 3)
    layer = layers.Embedding(5, 3, weights=[table])
    assert layer.built
    np.testing.assert_array_equal(np_(layer(IDS.astype("float32"))), table[IDS])
    assert [w.path for w in layer.weights] == [f"{layer.name}/embeddings"]


# ---------------------------------------------------------------------- gradients


def test_embedding_gradient_reaches_the_looked_up_rows(engine):
    layer = layers.Embedding(5, 3)
    layer.build()
    upstream = R.normal(size=(2, 4, 3)).astype("float32")

    def loss(values):
        out, _ = layer.stateless_call(values, [], IDS)
        return ops.sum(ops.multiply(out, upstream))

    grads = kerasx.grad(loss)([layer.embeddings.value])
    expected = np.zeros((5, 3), "float32")
    np.add.at(expected, IDS, upstream)
    np.testing.assert_allclose(np_(grads[0]), expected, rtol=1e-6, atol=1e-6)


# ---------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "make,arg",
    [
        (lambda: layers.Embedding(0, 3), "input_dim"),
        (lambda: layers.Embedding(5.0, 3), "input_dim"),
        (lambda: layers.Embedding(5, -1), "output_dim"),
        (lambda: layers.ReversibleEmbedding(5, 3, logit_soft_cap=-1.0), "logit_soft_cap"),
        (lambda: layers.ReversibleEmbedding(5, 3, reverse_dtype="nope"), "reverse_dtype"),
        (lambda: layers.EinsumDense("ab,bc", 4), "ab,bc"),
        (lambda: layers.EinsumDense("ab,bc->ac", "4"), "output_shape"),
        (lambda: layers.EinsumDense("ab,bc->ac", 4, bias_axes="d"), "bias_axes"),
    ],
)
def test_bad_arguments(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


def test_einsum_dense_shape_errors(engine):
    with pytest.raises(ValueError, match="shared dimension 'b'"):
        layers.EinsumDense("abc,cd->abd", (4, 5))(np.ones((2, 3, 4), "float32"))
    with pytest.raises(ValueError, match="Dimension 'd'"):
        layers.EinsumDense("ab,bc->ad", 4)(np.ones((2, 3), "float32"))
