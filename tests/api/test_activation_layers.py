"""Activation layers (ReLU, LeakyReLU, PReLU, ELU, Softmax) on every engine, against Keras 3."""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import layers as XL
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test

R = np.random.default_rng(0)


def rand(*shape):
    return R.normal(size=shape).astype("float32") * 2


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def np_(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


# ------------------------------------------------------------------ run_layer_test

LAYER_CASES = [
    # (class name, init kwargs, input shape, trainable weights)
    ("ReLU", {}, (2, 3), 0),
    ("ReLU", {"max_value": 1.0, "negative_slope": 0.1, "threshold": 0.5}, (2, 3, 2), 0),
    ("LeakyReLU", {}, (2, 3), 0),
    ("LeakyReLU", {"negative_slope": 0.05}, (2, 3, 2), 0),
    ("ELU", {"alpha": 0.5}, (2, 3), 0),
    ("Softmax", {}, (2, 3), 0),
    ("Softmax", {"axis": (1, 2)}, (2, 3, 2), 0),
    ("PReLU", {}, (2, 3), 1),
    ("PReLU", {"alpha_initializer": "ones", "shared_axes": [1, 2]}, (2, 3, 4, 2), 1),
]


@pytest.mark.parametrize("name,kwargs,shape,n_weights", LAYER_CASES)
def test_run_layer_test(engine, name, kwargs, shape, n_weights):
    run_layer_test(
        getattr(XL, name),
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        expected_num_seed_generators=0,
        supports_masking=True,
        expected_mask_shape=None if name == "Softmax" and len(shape) > 2 else shape[:2],
        run_training_check=name == "PReLU" or not kwargs,
    )


# ------------------------------------------------------------------ parity with Keras

X = rand(3, 4, 5)
X[0, 0, :3] = [0.0, 0.5, 1.0]  # the kinks (0, the threshold, the cap)

PARITY_CASES = [
    ("ReLU", {}, X),
    ("ReLU", {"max_value": 6.0}, X * 4),
    ("ReLU", {"max_value": 1.0}, X),
    ("ReLU", {"negative_slope": 0.1}, X),
    ("ReLU", {"threshold": 0.5}, X),
    ("ReLU", {"max_value": 1.5, "negative_slope": 0.2, "threshold": 0.5}, X),
    ("ReLU", {"max_value": 0, "negative_slope": 1}, X),
    ("LeakyReLU", {}, X),
    ("LeakyReLU", {"negative_slope": 0.0}, X),
    ("LeakyReLU", {"negative_slope": 0.6}, X),
    ("ELU", {}, X),
    ("ELU", {"alpha": 0.3}, X),
    ("ELU", {"alpha": -1}, X),
    ("Softmax", {}, X),
    ("Softmax", {"axis": 1}, X),
    ("Softmax", {"axis": (1, 2)}, X),
    ("Softmax", {"axis": (0, 2)}, X),
    ("PReLU", {}, X),
    ("PReLU", {"alpha_initializer": "ones"}, X),
    ("PReLU", {"shared_axes": 1}, X),
    ("PReLU", {"shared_axes": [1, 2]}, X),
    (
        "PReLU",
        {
            "alpha_initializer": "random_normal",
            "alpha_regularizer": "l2",
            "alpha_constraint": "non_neg",
            "shared_axes": (2,),
        },
        X,
    ),
]


@pytest.mark.parametrize("name,kwargs,x", PARITY_CASES)
def test_matches_keras(engine, name, kwargs, x):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    weights = None
    if name == "PReLU":  # non-trivial slopes, so the negative branch is really compared
        layer = XL.PReLU(**kwargs)
        layer.build(x.shape)
        weights = [R.uniform(0.1, 0.9, size=w.shape).astype("float32") for w in layer.weights]
    assert_matches_keras(name, kwargs, x, weights=weights)


MASK = np.ones((3, 4, 5), dtype=bool)
MASK[0, 0, 1:] = False
MASK[1, 2, :] = False  # a row with nothing left
MASK[2, :, 0] = False


@pytest.mark.parametrize(
    "kwargs,mask",
    [
        ({}, MASK),
        ({}, MASK.astype("float32")),
        ({"axis": 1}, MASK),
        ({"axis": (1, 2)}, MASK),
        ({}, MASK[:, :, :1]),  # broadcast over the last axis
        ({"axis": 1}, MASK[:1]),  # broadcast over the batch axis
    ],
)
def test_softmax_mask_matches_keras(engine, kwargs, mask):
    pytest.importorskip("keras")
    from layer_parity import assert_matches_keras

    out = np_(assert_matches_keras("Softmax", kwargs, X, call_kwargs={"mask": mask}))
    keep = np.broadcast_to(mask, X.shape).astype(bool)
    assert np.all(out[~keep] == 0)
    if kwargs == {} and mask is MASK:
        np.testing.assert_allclose(out[0, 0], [1, 0, 0, 0, 0], atol=1e-6)
        np.testing.assert_allclose(out[1, 2], 0, atol=1e-6)
        np.testing.assert_allclose(out[1, 1].sum(), 1, rtol=1e-6)


def test_softmax_list_axis(engine):
    # (Keras 3.15 fails on a list axis; kerasx treats it as the tuple)
    out = np_(XL.Softmax(axis=[1, 2])(X, mask=MASK))
    np.testing.assert_allclose(out.sum(axis=(1, 2)), 1, rtol=1e-5)
    assert XL.Softmax(axis=[1, 2]).get_config()["axis"] == [1, 2]


def test_leaky_relu_deprecated_alpha(engine):
    with pytest.warns(UserWarning, match="`alpha` is deprecated"):
        layer = XL.LeakyReLU(alpha=0.2)
    assert layer.negative_slope == 0.2
    assert layer.get_config()["negative_slope"] == 0.2 and "alpha" not in layer.get_config()
    with pytest.warns(UserWarning, match="deprecated"):
        layer = XL.LeakyReLU(negative_slope=0.1, alpha=0.5)  # `alpha` wins, as in Keras
    assert layer.negative_slope == 0.5
    np.testing.assert_allclose(np_(layer(np.array([-2.0, 2.0], "float32"))), [-1.0, 2.0])


def test_prelu_weights_and_gradient(engine):
    layer = XL.PReLU(shared_axes=[1, 2], name="prelu")
    layer.build((None, 3, 4, 2))
    assert [w.path for w in layer.weights] == ["prelu/alpha"]
    assert tuple(layer.alpha.shape) == (1, 1, 2)
    assert layer.input_spec.axes == {3: 2}
    layer.set_weights([np.array([[[0.5, 0.25]]], "float32")])
    x = np.array([[[[-2.0, -4.0]] * 4] * 3], "float32")
    np.testing.assert_allclose(np_(layer(x)), np.broadcast_to([-1.0, -1.0], x.shape))
    no_share = XL.PReLU()
    no_share.build((None, 3, 4))
    assert tuple(no_share.alpha.shape) == (3, 4) and not no_share.input_spec.axes


def test_prelu_regularizer_loss_matches_keras(engine):
    keras = pytest.importorskip("keras")
    ours = XL.PReLU(alpha_initializer="ones", alpha_regularizer="l2")
    theirs = keras.layers.PReLU(alpha_initializer="ones", alpha_regularizer="l2")
    ours(X)
    theirs(X)
    np.testing.assert_allclose(np_(sum(ours.losses)), np.asarray(sum(theirs.losses)), rtol=1e-6)


# ------------------------------------------------------------------ bad arguments

BAD_ARGS = [
    (XL.ReLU, {"max_value": -1}, "max_value"),
    (XL.ReLU, {"max_value": "a"}, "max_value"),
    (XL.ReLU, {"negative_slope": -1}, "negative_slope"),
    (XL.ReLU, {"negative_slope": None}, "negative_slope"),
    (XL.ReLU, {"threshold": -1}, "threshold"),
    (XL.ReLU, {"threshold": None}, "threshold"),
    (XL.LeakyReLU, {"negative_slope": -1}, "negative_slope"),
    (XL.LeakyReLU, {"negative_slope": None}, "negative_slope"),
    (XL.ELU, {"alpha": "a"}, "alpha"),
    (XL.Softmax, {"axis": 1.5}, "axis"),
    (XL.PReLU, {"shared_axes": 0}, "shared_axes"),
    (XL.PReLU, {"shared_axes": ["a"]}, "shared_axes"),
]


@pytest.mark.parametrize("cls,kwargs,arg", BAD_ARGS)
def test_bad_arguments(cls, kwargs, arg):
    with pytest.raises(ValueError, match=f"`{arg}`.*Received: {arg}="):
        cls(**kwargs)


def test_softmax_mask_of_wrong_rank():
    # Keras needs the mask's rank to equal the input's (dims 1 or equal), so do we
    with pytest.raises(ValueError, match="mask"):
        XL.Softmax()(X, mask=MASK[:, :, 0])


def test_prelu_shared_axis_beyond_rank():
    with pytest.raises(ValueError, match="shared_axes"):
        XL.PReLU(shared_axes=3)(rand(2, 3))
