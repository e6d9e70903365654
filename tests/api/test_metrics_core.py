"""kerasx.metrics (base class, reductions, accuracy, regression, probabilistic, hinge,
correlation) against real Keras 3 (numpy backend) on every installed engine."""

import warnings

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import metrics as XM
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")
KM = keras.metrics

R = np.random.default_rng(0)


def _f(*shape, lo=0.0, hi=1.0):
    return R.uniform(lo, hi, shape).astype("float32")


X = np.array([[1.0, 2.0], [3.0, 5.0]], "float32")

# (class name, constructor kwargs, [(update args, sample_weight), ...])
CASES = [
    ("Mean", {}, [((X,), None), ((np.float32(3.0),), None), ((_f(3),), None)]),
    ("Mean", {}, [((X,), np.array([1.0, 3.0])), ((X,), np.array([[1.0], [3.0]]))]),
    ("Mean", {}, [((X,), np.array([[1.0, 2.0], [3.0, 0.0]])), ((X,), np.float32(2.0))]),
    ("Mean", {}, [((np.ones((2, 3, 4)),), np.arange(6.0).reshape(2, 3)), ((_f(4),), None)]),
    ("Mean", {}, [((np.arange(6.0).reshape(2, 3, 1),), np.arange(6.0).reshape(2, 3))]),
    ("Mean", {}, [((np.array([1, 2, 4], "int32"),), None), ((np.array([True, False]),), None)]),
    ("Mean", {"dtype": "int32"}, [((np.array([1.5, 2.0, 4.0]),), None)]),
    ("Mean", {}, [((np.zeros((0,), "float32"),), None)]),
    ("Sum", {}, [((X,), None), ((X,), np.array([1.0, 3.0])), ((np.float32(3.0),), None)]),
    ("Sum", {}, [((X,), np.array([[1.0], [3.0]])), ((X,), np.float32(2.0))]),
    ("Sum", {}, [((np.arange(6.0).reshape(2, 3, 1),), np.arange(6.0).reshape(2, 3))]),
    ("Sum", {"dtype": "int32"}, [((np.array([1.5, 2.0, 4.0]),), None)]),
]


def _ids(cases):
    return [f"{c[0]}-{i}" for i, c in enumerate(cases)]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _keras_results(name, kw, calls):
    m = getattr(KM, name)(**kw)
    out = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # Keras's NumPy 0/0 before its `where`
        for args, sw in calls:
            m.update_state(*args, sample_weight=sw)
            out.append(np.asarray(m.result()))
    return out


def _check(got, want):
    got = _np(got)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def run_case(case):
    """Compare a kerasx metric with Keras's after each update, then reset and rerun."""
    name, kw, calls = case
    want = _keras_results(name, kw, calls)
    m = getattr(XM, name)(**kw)
    for _ in range(2):
        for (args, sw), w in zip(calls, want):
            m.update_state(*args, sample_weight=sw)
            _check(m.result(), w)
        m.reset_state()
    assert [v.path for v in m.variables] == [v.path for v in getattr(KM, name)(**kw).variables]


def run_stateless_jit(case):
    """The stateless path under kerasx.jit gives Keras's numbers and leaves variables alone."""
    name, kw, calls = case
    want = _keras_results(name, kw, calls)
    m = getattr(XM, name)(**kw)
    before = [_np(v.value).copy() for v in m.variables]
    state = m.stateless_reset_state()
    result = kerasx.jit(m.stateless_result)
    for (args, sw), w in zip(calls, want):
        step = kerasx.jit(lambda s, *a, sw=sw: m.stateless_update_state(s, *a, sample_weight=sw))
        state = step(state, *args)
        assert len(state) == len(m.variables)
        _check(result(state), w)
    for v, b in zip(m.variables, before):
        np.testing.assert_array_equal(_np(v.value), b)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_reduction_metrics_match_keras(engine, case):
    run_case(case)


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_reduction_metrics_stateless_jit(engine, case):
    run_stateless_jit(case)


def test_metric_base_class():
    class Counter(XM.Metric):
        def __init__(self, name=None, dtype=None):
            super().__init__(name=name, dtype=dtype)
            self.n = self.add_variable((), "zeros", dtype="int32", name="n")
            self.s = self.add_weight(shape=(2,), name="s")

        def update_state(self, x):
            self.n.assign_add(1)
            self.s.assign(self.s + x)

        def result(self):
            return self.s.value / kerasx.ops.cast(self.n.value, "float32")

    c = Counter()
    assert c.name == "counter" and Counter().name == "counter_1"
    assert [v.path for v in c.variables] == ["counter/n", "counter/s"]
    assert all(not v.trainable for v in c.variables)
    assert c.dtype == "float32" and c.variables[0].dtype == "int32"
    np.testing.assert_allclose(_np(c(np.array([1.0, 2.0]))), [1.0, 2.0])
    np.testing.assert_allclose(_np(c(np.array([3.0, 2.0]))), [2.0, 2.0])
    new = c.stateless_update_state([v.value for v in c.variables], np.array([5.0, 5.0]))
    np.testing.assert_allclose(_np(c.stateless_result(new)), [3.0, 3.0])
    assert int(c.n.value) == 2
    zeros = c.stateless_reset_state()
    assert [_np(z).tolist() for z in zeros] == [0, [0.0, 0.0]]
    c.reset_state()
    assert int(c.n.value) == 0
    assert c.get_config() == {"name": "counter", "dtype": "float32"}
    assert repr(c) == "<Counter name=counter>"
    with pytest.raises(ValueError, match="metric_variables.*length 1, but expected 2"):
        c.stateless_update_state([1.0], 1.0)
    with pytest.raises(NotImplementedError):
        XM.Metric().update_state(1.0)


def test_nested_metric_variables_follow_own():
    class Pair(XM.Metric):
        def __init__(self):
            super().__init__(name="pair")
            self.inner = XM.Mean(name="inner")
            self.own = self.add_variable((), "zeros", name="own")

    assert [v.path for v in Pair().variables] == ["pair/own", "inner/total", "inner/count"]


def test_dtype_and_config():
    for kw in ({}, {"dtype": "float64"}, {"dtype": "float16"}, {"name": "m", "dtype": "int32"}):
        for name in ("Mean", "Sum"):
            want = getattr(KM, name)(**kw)
            got = getattr(XM, name)(**kw)
            assert got.get_config() == want.get_config()
            assert got.dtype == want.dtype
            assert [v.dtype for v in got.variables] == [v.dtype for v in want.variables]
            again = type(got).from_config(got.get_config())
            assert again.get_config() == want.get_config()
    m = XM.Mean(dtype="float64")
    m.update_state(np.array([1.0, 2.0]) / 3)
    assert str(m.result().dtype) == "float64"
    with pytest.raises(ValueError, match="dtype"):
        XM.Mean(dtype="nope")
    with pytest.raises(TypeError, match="name"):
        XM.Metric(name=3)


def test_mean_metric_wrapper():
    def diff(y_true, y_pred, scale=1.0):
        return kerasx.ops.mean(kerasx.ops.abs(y_true - y_pred), axis=-1) * scale

    yt, yp = _f(4, 3), _f(4, 3)
    sw = np.array([1.0, 0.0, 2.0, 1.0], "float32")
    m = XM.MeanMetricWrapper(diff, name="d", scale=2.0)
    k = KM.MeanMetricWrapper(lambda a, b: keras.ops.mean(abs(a - b), axis=-1) * 2.0, name="d")
    for w in (None, sw, sw[:, None]):
        m.update_state(yt, yp, sample_weight=w)
        k.update_state(yt, yp, sample_weight=w)
        _check(m.result(), np.asarray(k.result()))
    assert m.get_config()["scale"] == 2.0
    assert m.get_config()["fn"] == {
        "module": "builtins",
        "class_name": "function",
        "config": "diff",
        "registered_name": "function",
    }
    with pytest.raises(TypeError, match="fn"):
        XM.MeanMetricWrapper(3)
