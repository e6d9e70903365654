"""kerasx.regularizers and kerasx.constraints: values vs closed form and real Keras 3."""

import inspect

import numpy as np
import pytest

import kerasx
from kerasx import constraints, regularizers
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")


@pytest.fixture(params=installed_engines())
def engine(request):
    kerasx.config.set_backend(request.param)
    try:
        yield request.param
    finally:
        kerasx.config.set_backend("numpy")


RNG = np.random.default_rng(0)
W = RNG.normal(size=(4, 3)).astype("float32")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


REGS = [
    ("L1", dict()),
    ("L1", dict(l1=0.3)),
    ("L2", dict()),
    ("L2", dict(l2=0.2)),
    ("L1L2", dict(l1=0.1, l2=0.05)),
    ("L1L2", dict()),
    ("OrthogonalRegularizer", dict()),
    ("OrthogonalRegularizer", dict(factor=0.5, mode="columns")),
]


@pytest.mark.parametrize("name,kw", REGS)
def test_regularizer_matches_keras(engine, name, kw):
    ours = getattr(regularizers, name)(**kw)
    ref = getattr(keras.regularizers, name)(**kw)
    if kw.get("mode") == "columns":
        # Keras's numpy path normalizes the wrong axis in "columns" mode; columns of W are
        # the rows of W.T, so compare with its "rows" mode there.
        want = keras.regularizers.OrthogonalRegularizer(kw["factor"])(W.T)
    else:
        want = ref(W)
    np.testing.assert_allclose(_np(ours(W)), np.asarray(want), rtol=1e-5, atol=1e-8)
    assert ours.get_config() == ref.get_config()
    assert regularizers.serialize(ours) == keras.regularizers.serialize(ref)
    back = regularizers.deserialize(regularizers.serialize(ours))
    assert type(back) is type(ours) and back.get_config() == ours.get_config()


def test_regularizer_closed_form():
    w = np.array([[1.0, -2.0], [3.0, 0.5]])
    np.testing.assert_allclose(_np(regularizers.L1(0.5)(w)), 0.5 * 6.5, rtol=1e-6)
    np.testing.assert_allclose(_np(regularizers.L2(0.1)(w)), 0.1 * 14.25, rtol=1e-12)
    np.testing.assert_allclose(
        _np(regularizers.L1L2(0.1, 0.2)(w)), 0.1 * 6.5 + 0.2 * 14.25, rtol=1e-12
    )
    # Orthonormal rows give zero penalty; parallel rows give factor * 0.5 * 2 / 1.
    np.testing.assert_allclose(_np(regularizers.OrthogonalRegularizer(1.0)(np.eye(3))), 0.0)
    par = np.array([[1.0, 1.0], [2.0, 2.0]])
    np.testing.assert_allclose(_np(regularizers.OrthogonalRegularizer(1.0)(par)), 1.0, rtol=1e-6)


def test_regularizer_errors_and_get():
    with pytest.raises(ValueError, match="l1"):
        regularizers.L1(-1.0)
    with pytest.raises(ValueError, match="l2"):
        regularizers.L1L2(l2=float("nan"))
    with pytest.raises(ValueError, match="mode"):
        regularizers.OrthogonalRegularizer(mode="diag")
    with pytest.raises(ValueError, match="2D"):
        regularizers.OrthogonalRegularizer()(np.ones(3))
    assert regularizers.get(None) is None
    assert isinstance(regularizers.get("l2"), regularizers.L2)
    assert isinstance(regularizers.get("L1"), regularizers.L1)
    r = regularizers.L2(0.3)
    assert regularizers.get(r) is r
    got = regularizers.get({"class_name": "L1L2", "config": {"l1": 0.1, "l2": 0.2}})
    assert got.get_config() == {"l1": 0.1, "l2": 0.2}
    assert regularizers.l1_l2 is regularizers.L1L2
    for bad in ("nope", 3):
        with pytest.raises(ValueError, match="identifier"):
            regularizers.get(bad)


CONS = [
    ("MaxNorm", dict()),
    ("MaxNorm", dict(max_value=1.0, axis=1)),
    ("MinMaxNorm", dict()),
    ("MinMaxNorm", dict(min_value=0.5, max_value=1.5, rate=0.5, axis=[0, 1])),
    ("NonNeg", dict()),
    ("UnitNorm", dict()),
    ("UnitNorm", dict(axis=1)),
]


@pytest.mark.parametrize("name,kw", CONS)
def test_constraint_matches_keras(engine, name, kw):
    ours = getattr(constraints, name)(**kw)
    ref = getattr(keras.constraints, name)(**kw)
    got = _np(ours(W))
    np.testing.assert_allclose(got, np.asarray(ref(W)), rtol=1e-5, atol=1e-7)
    assert got.dtype == np.float32
    assert ours.get_config() == ref.get_config()
    assert constraints.serialize(ours) == keras.constraints.serialize(ref)
    back = constraints.get(constraints.serialize(ours))
    assert type(back) is type(ours) and back.get_config() == ours.get_config()


def test_constraint_closed_form():
    w = np.array([[3.0, 0.1], [4.0, 0.0]])
    np.testing.assert_allclose(_np(constraints.UnitNorm()(w))[:, 0], [0.6, 0.8], rtol=1e-6)
    got = _np(constraints.MaxNorm(1.0)(w))
    np.testing.assert_allclose(got[:, 0], [0.6, 0.8], rtol=1e-6)
    np.testing.assert_allclose(got[:, 1], [0.1, 0.0], rtol=1e-5)
    np.testing.assert_array_equal(_np(constraints.NonNeg()(np.array([-1.0, 2.0]))), [0.0, 2.0])


def test_signatures_and_get():
    for mod, ref in ((constraints, keras.constraints), (regularizers, keras.regularizers)):
        for name in [n for n in dir(ref) if not n.startswith("_")]:
            ours = getattr(mod, name)
            s_ours, s_ref = inspect.signature(ours), inspect.signature(getattr(ref, name))
            assert list(s_ours.parameters) == list(s_ref.parameters), name
            for p in s_ref.parameters.values():
                assert s_ours.parameters[p.name].default == p.default, (name, p.name)
    assert constraints.get(None) is None
    assert isinstance(constraints.get("non_neg"), constraints.NonNeg)
    assert isinstance(constraints.get("MaxNorm"), constraints.MaxNorm)
    f = lambda w: w  # noqa: E731
    assert constraints.get(f) is f
    for bad in ("nope", 3):
        with pytest.raises(ValueError, match="identifier"):
            constraints.get(bad)
