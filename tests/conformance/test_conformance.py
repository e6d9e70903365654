"""Every OpDef x every installed engine (see kerasx.testing.conformance)."""

import pytest

import kerasx  # noqa: F401
from kerasx.testing import conformance as C

ENGINES = C.installed_engines()
CASES = C.cases()
IDS = [f"{n}-{i}" for n, i in CASES]
HAS_JAX = "jax" in ENGINES


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_forward(case, engine):
    C.check_forward(*C.get_sample(*case), engine)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_symbolic_matches_eager(case):
    C.check_symbolic(*C.get_sample(*case))


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_gradient_vs_finite_differences(case, engine):
    """Gradients against central differences; on JAX also the NumPy tape's gradients against
    JAX's (`check_tape_vs_jax`): both need JAX's compiled gradients, compiled once here (as
    two tests they were compiled twice whenever pytest-xdist ran them in different workers)."""
    op, sample = C.get_sample(*case)
    C.check_grad_fd(op, sample, engine)
    if engine == "jax":
        C.check_tape_vs_jax(op, sample)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_vjp_rules_on_jax(case):
    C.check_rules_on_jax(*C.get_sample(*case))
