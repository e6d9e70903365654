"""The conformance checks fail when they should: a wrong JAX kernel, a wrong JAX gradient, a
wrong VJP rule are each caught by `check_on_jax`, through its one compiled program and
through its op-by-op fallback for untraceable ops."""

import numpy as np
import pytest

from kerasx.engine import discovery
from kerasx.engine.registry import REGISTRY
from kerasx.testing import conformance as C

pytestmark = pytest.mark.skipif("jax" not in C.installed_engines(), reason="JAX is not installed")


@pytest.fixture
def jax_kernels(monkeypatch):
    """The JAX engine's kernel table, restored after the test (with a fresh gradient cache)."""
    monkeypatch.setattr(C, "_GRAD_CACHE", {})
    eng = discovery.load("jax")
    saved = dict(eng.kernels)
    yield eng.kernels
    eng.kernels.clear()
    eng.kernels.update(saved)
    with C.use_engine("jax"):
        pass  # attach the restored kernels now, in case JAX stays the active engine


def test_correct_ops_pass(jax_kernels):
    for name in ("sin", "nonzero", "matmul"):
        C.check_on_jax(*C.get_sample(name, 0))


def test_a_wrong_forward_value_is_caught(jax_kernels):
    import jax.numpy as jnp

    jax_kernels["sin"] = lambda x: jnp.sin(x) * 1.001
    with pytest.raises(AssertionError, match="sin on jax vs numpy"):
        C.check_on_jax(*C.get_sample("sin", 0))


def test_a_wrong_jax_gradient_is_caught(jax_kernels):
    import jax
    import jax.numpy as jnp

    # right values, derivative 1 instead of cos(x)
    jax_kernels["sin"] = lambda x: x + jax.lax.stop_gradient(jnp.sin(x) - x)
    with pytest.raises(AssertionError, match="sin on jax: gradient .* finite differences"):
        C.check_on_jax(*C.get_sample("sin", 0))


def test_a_wrong_vjp_rule_is_caught(jax_kernels, monkeypatch):
    from kerasx import ops

    op = REGISTRY["sin"]
    monkeypatch.setitem(op.vjp, "x", lambda g, ans, x: ops.multiply(g, ops.multiply(ans, 0.5)))
    with pytest.raises(AssertionError, match="sin: (tape gradient|rule for `x`)"):
        C.check_on_jax(*C.get_sample("sin", 0))


def test_an_untraceable_op_is_checked_op_by_op(jax_kernels):
    op, sample = C.get_sample("nonzero", 0)
    assert np.count_nonzero(sample.args[0]) >= 2  # so that reversing the indices changes them
    right = jax_kernels["nonzero"]
    jax_kernels["nonzero"] = lambda x: tuple(i[::-1] for i in right(x))
    with pytest.raises(AssertionError, match="nonzero on jax vs numpy"):
        C.check_on_jax(op, sample)
