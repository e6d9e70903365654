"""kerasx.activations: values vs real Keras 3 on every engine, get/serialize round trips."""

import numpy as np
import pytest

import kerasx
from kerasx import activations
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")

ENGINES = installed_engines()
NAMES = [
    line.split("\t")[0]
    for line in """celu elu exponential gelu glu hard_shrink hard_sigmoid hard_silu hard_swish
    hard_tanh leaky_relu linear log_sigmoid log_softmax mish relu relu6 selu sigmoid silu
    soft_shrink softmax softplus softsign sparse_plus sparse_sigmoid sparsemax squareplus swish
    tanh tanh_shrink""".split()
]


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    try:
        yield request.param
    finally:
        kerasx.config.set_backend("numpy")


X = np.array([[-3.0, -1.2, -0.4, 0.0], [0.3, 0.7, 1.5, 4.0]], dtype="float32")


@pytest.mark.parametrize("name", NAMES)
def test_matches_keras(engine, name):
    ours = np.asarray(kerasx.ops.convert_to_numpy(getattr(activations, name)(X)))
    ref = np.asarray(getattr(keras.activations, name)(X))
    np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6)
    # Keras's numpy backend upcasts sparsemax to float64; float32 in should give float32.
    assert ours.dtype == np.float32


@pytest.mark.parametrize(
    "kw",
    [
        dict(negative_slope=0.1),
        dict(max_value=6.0),
        dict(max_value=1.0),
        dict(threshold=0.5),
        dict(negative_slope=0.1, max_value=2.0, threshold=0.5),
        dict(negative_slope=0.3, threshold=-1.0),
    ],
)
def test_relu_options(engine, kw):
    ours = kerasx.ops.convert_to_numpy(activations.relu(X, **kw))
    np.testing.assert_allclose(ours, np.asarray(keras.activations.relu(X, **kw)), rtol=1e-6)


def test_relu_closed_form():
    x = np.linspace(-2, 2, 9)
    got = kerasx.ops.convert_to_numpy(activations.relu(x, 0.1, 1.0, 0.5))
    want = np.where(x > 0.5, np.minimum(x, 1.0), 0.1 * (x - 0.5))
    np.testing.assert_allclose(got, want, atol=1e-12)


def test_parametrized_variants(engine):
    pairs = [
        ("softmax", dict(axis=0)),
        ("log_softmax", dict(axis=0)),
        ("gelu", dict(approximate=True)),
        ("elu", dict(alpha=0.5)),
        ("celu", dict(alpha=2.0)),
        ("leaky_relu", dict(negative_slope=0.05)),
        ("squareplus", dict(b=1)),
        ("hard_shrink", dict(threshold=1.0)),
        ("soft_shrink", dict(threshold=1.0)),
        ("glu", dict(axis=0)),
        ("sparsemax", dict(axis=0)),
    ]
    for name, kw in pairs:
        ours = kerasx.ops.convert_to_numpy(getattr(activations, name)(X, **kw))
        ref = np.asarray(getattr(keras.activations, name)(X, **kw))
        np.testing.assert_allclose(ours, ref, rtol=1e-5, atol=1e-6, err_msg=name)
    ours = kerasx.ops.convert_to_numpy(activations.threshold(X, 0.5, -2.0))
    np.testing.assert_allclose(ours, np.asarray(keras.activations.threshold(X, 0.5, -2.0)))


def test_public_names_and_signatures():
    import inspect

    for name in NAMES + ["threshold", "get", "serialize", "deserialize"]:
        ours = inspect.signature(getattr(activations, name))
        ref = inspect.signature(getattr(keras.activations, name))
        assert list(ours.parameters) == list(ref.parameters), name
        for p in ref.parameters.values():
            assert ours.parameters[p.name].default == p.default, (name, p.name)
    assert activations.swish is activations.silu
    assert activations.hard_swish is activations.hard_silu


def test_get_and_serialize():
    assert activations.get(None) is activations.linear
    assert activations.get("relu") is activations.relu
    assert activations.get("swish") is activations.silu
    f = lambda x: x  # noqa: E731
    assert activations.get(f) is f
    for name in NAMES:
        fn = getattr(activations, name)
        s = activations.serialize(fn)
        assert s == keras.activations.serialize(getattr(keras.activations, name))
        assert activations.deserialize(s) is fn
    d = {
        "module": "keras.activations",
        "class_name": "function",
        "config": "tanh",
        "registered_name": "function",
    }
    assert activations.get(d) is activations.tanh
    assert activations.deserialize("mine", custom_objects={"mine": f}) is f


@pytest.mark.parametrize("bad", ["nope", 3])
def test_get_bad_identifier(bad):
    with pytest.raises(ValueError, match="identifier"):
        activations.get(bad)
