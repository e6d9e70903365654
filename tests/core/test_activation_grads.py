"""Gradients of relu and relu6 at their kinks, on every engine: 0 there, as Keras 3 (on JAX,
jax.nn.relu / relu6) gives; the NumPy engine's one-call relu gradient equals its rule."""

import numpy as np
import pytest

import kerasx
from kerasx import config, ops
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_relu_gradient_is_zero_at_the_kink(engine, dtype):
    rng = np.random.default_rng(9)
    x = rng.normal(size=(4, 5)).astype(dtype)
    x[0, 0] = 0.0
    w = rng.normal(size=(4, 5)).astype(dtype)
    g = np.asarray(kerasx.grad(lambda x: ops.sum(ops.relu(x) * w))(x))
    assert g.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(g, np.where(x > 0, w, 0).astype(dtype))


def test_relu6_gradient_is_zero_at_both_kinks(engine):
    x = np.array([-1.0, 0.0, 2.0, 6.0, 7.0], "float32")
    g = np.asarray(kerasx.grad(lambda x: ops.sum(ops.relu6(x)))(x))
    np.testing.assert_array_equal(g, [0.0, 0.0, 1.0, 0.0, 0.0])
