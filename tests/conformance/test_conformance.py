"""Every OpDef x every installed engine (see kerasx.testing.conformance)."""

import pytest

import kerasx  # noqa: F401
from kerasx.testing import conformance as C

ENGINES = C.installed_engines()
CASES = C.cases()
IDS = [f"{n}-{i}" for n, i in CASES]
HAS_JAX = "jax" in ENGINES
# JAX's checks run together, compiled as one program per case (test_on_jax)
NOT_JAX = [e for e in ENGINES if e != "jax"]


@pytest.mark.parametrize("engine", NOT_JAX)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward(case, engine):
    C.check_forward(*C.get_sample(*case), engine)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_matches_eager(case):
    C.check_symbolic(*C.get_sample(*case))


@pytest.mark.parametrize("engine", NOT_JAX)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_vs_finite_differences(case, engine):
    C.check_grad_fd(*C.get_sample(*case), engine)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_on_jax(case):
    """Forward values, gradients against finite differences, the NumPy tape's gradients
    against JAX's and each VJP rule run on JAX against `jax.vjp` (`check_on_jax`: one
    compilation for all four; they were three, compiled in different tests)."""
    C.check_on_jax(*C.get_sample(*case))
