"""kerasx.random on every engine: statistics of large samples, determinism, SeedGenerator
state, shapes and dtypes, argument errors, dropout's gradient, use inside jax.jit."""

import inspect
import math

import numpy as np
import pytest

import kerasx
import kerasx.random as R
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.symbolic import KerasTensor
from kerasx.engine.variables import StatelessScope
from kerasx.testing.conformance import use_engine

ENGINES = discovery.installed_engines()
N = 200_000


@pytest.fixture(params=ENGINES)
def engine(request):
    with use_engine(request.param):
        yield request.param


def _np(x):
    return np.asarray(x)


def _close(value, expected, n=N, std=1.0, k=6.0):
    """`value` is within `k` standard errors of `expected`."""
    assert abs(value - expected) < k * std / math.sqrt(n) + 1e-12, (value, expected)


# ------------------------------------------------------------------------------ statistics


def test_normal_statistics(engine):
    x = _np(R.normal((N,), mean=2.0, stddev=3.0, seed=1))
    _close(x.mean(), 2.0, std=3.0)
    assert abs(x.std() - 3.0) < 0.05
    assert x.dtype == np.float32


def test_uniform_statistics(engine):
    x = _np(R.uniform((N,), minval=-1.0, maxval=3.0, seed=2))
    assert x.min() >= -1.0 and x.max() < 3.0
    _close(x.mean(), 1.0, std=4.0 / math.sqrt(12))
    assert abs(x.var() - 16.0 / 12) < 0.03


def test_randint_statistics(engine):
    x = _np(R.randint((N,), 3, 8, seed=3))
    assert x.dtype == np.int32
    assert set(np.unique(x).tolist()) == {3, 4, 5, 6, 7}
    _close(x.mean(), 5.0, std=math.sqrt(2.0))


def test_truncated_normal_statistics(engine):
    x = _np(R.truncated_normal((N,), mean=1.0, stddev=2.0, seed=4))
    assert np.all(np.abs(x - 1.0) <= 4.0 + 1e-5)
    _close(x.mean(), 1.0, std=2.0)
    # variance of a standard normal truncated to [-2, 2]
    phi2 = math.exp(-2.0) / math.sqrt(2 * math.pi)
    z = math.erf(2 / math.sqrt(2))
    var = 1 - 4 * phi2 / z
    assert abs(x.var() - 4.0 * var) < 0.05


def test_gamma_beta_binomial_statistics(engine):
    g = _np(R.gamma((N,), alpha=3.0, seed=5))
    _close(g.mean(), 3.0, std=math.sqrt(3.0))
    assert abs(g.var() - 3.0) < 0.1
    b = _np(R.beta((N,), alpha=2.0, beta=5.0, seed=6))
    assert b.min() >= 0.0 and b.max() <= 1.0
    _close(b.mean(), 2.0 / 7.0, std=0.16)
    k = _np(R.binomial((N,), counts=10, probabilities=0.3, seed=7))
    assert k.dtype == np.float32 and k.min() >= 0 and k.max() <= 10
    _close(k.mean(), 3.0, std=math.sqrt(2.1))
    assert abs(k.var() - 2.1) < 0.05


def test_categorical_statistics(engine):
    probs = np.array([[0.1, 0.6, 0.3], [0.5, 0.0, 0.5]])
    with np.errstate(divide="ignore"):
        logits = np.log(probs)
    x = _np(R.categorical(logits, 50_000, seed=8))
    assert x.shape == (2, 50_000) and x.dtype == np.int32
    for row in range(2):
        freq = np.bincount(x[row], minlength=3) / x.shape[1]
        np.testing.assert_allclose(freq, probs[row], atol=0.01)
    assert not np.any(x[1] == 1)


def test_shuffle_is_a_permutation(engine):
    x = np.arange(24).reshape(4, 6)
    s0 = _np(R.shuffle(x, seed=9))
    assert s0.dtype == x.dtype
    np.testing.assert_array_equal(np.sort(s0, axis=0), x)
    s1 = _np(R.shuffle(x, axis=1, seed=9))
    np.testing.assert_array_equal(np.sort(s1, axis=1), x)
    assert not np.array_equal(s1, x)


def test_dropout_statistics(engine):
    x = np.ones((N,), "float32")
    y = _np(R.dropout(x, 0.3, seed=10))
    assert set(np.unique(y).tolist()) <= {0.0, np.float32(1 / 0.7)}
    _close((y == 0).mean(), 0.3, std=math.sqrt(0.21))
    _close(y.mean(), 1.0, std=math.sqrt(0.3 / 0.7))


# ---------------------------------------------------------------------------- determinism


def test_same_int_seed_same_numbers(engine):
    for fn, args in [
        (R.normal, ((5,),)),
        (R.uniform, ((5,),)),
        (R.randint, ((5,), 0, 100)),
        (R.truncated_normal, ((5,),)),
        (R.gamma, ((5,), 2.0)),
        (R.beta, ((5,), 2.0, 2.0)),
        (R.binomial, ((5,), 10, 0.5)),
    ]:
        a, b = _np(fn(*args, seed=123)), _np(fn(*args, seed=123))
        np.testing.assert_array_equal(a, b)
        assert not np.array_equal(a, _np(fn(*args, seed=124))) or fn is R.binomial


def test_seed_generator_streams(engine):
    g1, g2 = R.SeedGenerator(42), R.SeedGenerator(42)
    a1, a2 = _np(R.normal((4,), seed=g1)), _np(R.normal((4,), seed=g1))
    assert not np.array_equal(a1, a2)
    np.testing.assert_array_equal(a1, _np(R.normal((4,), seed=g2)))
    np.testing.assert_array_equal(a2, _np(R.normal((4,), seed=g2)))
    # an int seed is the generator's first draw
    np.testing.assert_array_equal(a1, _np(R.normal((4,), seed=42)))


def test_seed_generator_state(engine):
    g = R.SeedGenerator(7, name="gen")
    assert g.state.dtype == "uint32" and g.state.shape == (2,) and not g.state.trainable
    assert g.state.path == "gen/seed_generator_state"
    np.testing.assert_array_equal(_np(g.next()), [7, 0])
    np.testing.assert_array_equal(_np(g.next()), [7, 1])
    np.testing.assert_array_equal(_np(g.state.value), [7, 2])
    assert g.get_config() == {"seed": 7, "name": "gen"}
    assert R.SeedGenerator.from_config(g.get_config()).get_config() == g.get_config()
    assert R.SeedGenerator().get_config()["seed"] >= 0


def test_stateless_scope_records_the_advance(engine):
    g = R.SeedGenerator(3)
    before = _np(g.state.value).copy()
    start = g.state.value
    with StatelessScope({g.state: start}) as scope:
        R.uniform((2,), seed=g)
        new_state = scope.get_current_value(g.state)
    np.testing.assert_array_equal(_np(g.state.value), before)  # the variable did not change
    np.testing.assert_array_equal(_np(new_state), [3, 1])


def test_global_generator_differs_between_calls(engine):
    assert not np.array_equal(_np(R.normal((8,))), _np(R.normal((8,))))


def test_seed_as_tensor(engine):
    a = _np(R.normal((3,), seed=np.array([5, 0], dtype="uint32")))
    np.testing.assert_array_equal(a, _np(R.normal((3,), seed=5)))


@pytest.mark.skipif("jax" not in ENGINES, reason="JAX is not installed")
def test_jit_with_traced_seed_state():
    import jax

    with use_engine("jax"):
        g = R.SeedGenerator(11)

        @jax.jit
        def step(state, x):
            with StatelessScope({g.state: state}) as scope:
                y = R.dropout(x, 0.5, seed=g) + R.normal((4,), seed=g)
                return y, scope.get_current_value(g.state)

        x = np.ones(4, "float32")
        state = g.state.value
        y1, state = step(state, x)
        y2, state = step(state, x)
        assert not np.array_equal(_np(y1), _np(y2))
        np.testing.assert_array_equal(_np(state), [11, 4])
        # the same state gives the same numbers
        y1b, _ = step(g.state.value, x)
        np.testing.assert_array_equal(_np(y1), _np(y1b))


# ---------------------------------------------------------------------- shapes and dtypes


def test_shapes_and_dtypes(engine):
    assert _np(R.normal(3, seed=1)).shape == (3,)
    assert _np(R.normal((2, 0, 3), seed=1)).shape == (2, 0, 3)
    assert _np(R.normal((2,), dtype="float64", seed=1)).dtype == np.float64
    assert _np(R.uniform((2,), dtype="float16", seed=1)).dtype == np.float16
    assert _np(R.randint((2,), 0, 4, dtype="int64", seed=1)).dtype == np.int64
    assert _np(R.randint((2,), 0, 4, dtype="uint8", seed=1)).dtype == np.uint8
    assert _np(R.categorical(np.zeros((2, 3)), 4, dtype="int64", seed=1)).dtype == np.int64
    assert _np(R.gamma((2,), 1.0, dtype="float64", seed=1)).dtype == np.float64
    assert _np(R.beta((2,), 1.0, 1.0, dtype="float16", seed=1)).dtype == np.float16
    assert _np(R.dropout(np.ones(3, "float64"), 0.5, seed=1)).dtype == np.float64
    assert _np(R.dropout(np.ones(3, "int32"), 0.5, seed=1)).dtype == np.int32
    y = _np(R.dropout(np.ones((3, 4), "float32"), 0.5, noise_shape=(None, 1), seed=1))
    assert all(len(set(row.tolist())) == 1 for row in y)
    np.testing.assert_array_equal(_np(R.dropout(np.ones(3), 1.0, seed=1)), [0, 0, 0])
    np.testing.assert_array_equal(_np(R.dropout(np.ones(3, "float32"), 0.0, seed=1)), [1, 1, 1])


def test_uniform_mean_tensor_params(engine):
    x = _np(R.normal((N, 2), mean=np.array([0.0, 10.0]), seed=1))
    _close(x[:, 1].mean(), 10.0)


def test_dropout_symbolic():
    out = R.dropout(KerasTensor((None, 4)), 0.5, seed=1)
    assert isinstance(out, KerasTensor) and out.shape == (None, 4)


# ---------------------------------------------------------------------------------- errors


def test_bad_arguments(engine):
    with pytest.raises(ValueError, match="integer `dtype`"):
        R.randint((2,), 0, 5, dtype="float32")
    with pytest.raises(ValueError, match="floating point `dtype`"):
        R.uniform((2,), dtype="int32")
    with pytest.raises(ValueError, match="seed"):
        R.normal((2,), seed="a")
    with pytest.raises(ValueError, match="seed"):
        R.normal((2,), seed=1.5)
    with pytest.raises(ValueError, match="seed"):
        R.normal((2,), seed=-1)
    with pytest.raises(ValueError, match="seed"):
        R.normal((2,), seed=2**32)
    with pytest.raises(ValueError, match="seed"):
        R.SeedGenerator("x")
    with pytest.raises(ValueError, match="shape"):
        R.normal((-1,), seed=1)
    with pytest.raises(ValueError, match="shape"):
        R.normal((2.5,), seed=1)
    with pytest.raises(ValueError, match="logits"):
        R.categorical(np.zeros(3), 2)
    with pytest.raises(ValueError, match="num_samples"):
        R.categorical(np.zeros((1, 3)), -2)
    with pytest.raises(ValueError, match="maxval"):
        R.uniform((2,), minval=1.0, maxval=0.0)
    with pytest.raises(ValueError, match="maxval"):
        R.randint((2,), 3, 3)
    for rate in (-0.1, 1.5, "x"):
        with pytest.raises(ValueError, match="rate"):
            R.dropout(np.ones(3), rate)
    with pytest.raises(ValueError, match="noise_shape"):
        R.dropout(np.ones((2, 3)), 0.5, noise_shape=(2,))
    with pytest.raises(ValueError, match="noise_shape"):
        R.dropout(np.ones((2, 3)), 0.5, noise_shape=(2, 2))
    with pytest.raises(ValueError, match="axis"):
        R.shuffle(np.arange(5), axis=2)


# ------------------------------------------------------------------------------ gradients


def test_dropout_gradient(engine):
    x = np.linspace(-1.0, 2.0, 50)
    w = np.linspace(0.5, 1.5, 50)

    def loss(v):
        return ops.sum(R.dropout(v, 0.4, seed=21) * w)

    g = _np(kerasx.grad(loss)(x))
    y = _np(R.dropout(x, 0.4, seed=21))
    kept = y != 0
    np.testing.assert_allclose(g, np.where(kept, w / 0.6, 0.0), rtol=1e-12)
    np.testing.assert_allclose(y[kept], x[kept] / 0.6, rtol=1e-12)


# ------------------------------------------------------------------------------- signatures


def test_signatures_match_keras():
    keras = pytest.importorskip("keras")
    for name in R.__all__:
        ours = inspect.signature(getattr(R, name))
        theirs = inspect.signature(getattr(keras.random, name))
        assert list(ours.parameters) == list(theirs.parameters), name
        for p in ours.parameters:
            assert ours.parameters[p].default == theirs.parameters[p].default, (name, p)
