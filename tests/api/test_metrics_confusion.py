"""Confusion-matrix metrics (counts, precision/recall, AUC, operating points, F-scores, IoU)
against real Keras 3 (numpy backend) on every installed engine."""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.engine.discovery import installed_engines
from kerasx.metrics import auc as XA
from kerasx.metrics import confusion_metrics as XC
from kerasx.metrics import f_score_metrics as XF
from kerasx.metrics import iou_metrics as XI

keras = pytest.importorskip("keras")
KM = keras.metrics

# Keras's NumPy backend warns on the 0/0 that its divide_no_nan then masks; ours must not.
# Both libraries warn when float weights meet an integer IoU (tested on its own below).
pytestmark = [
    pytest.mark.filterwarnings("ignore::RuntimeWarning:keras.*"),
    pytest.mark.filterwarnings("ignore:.*float.*int.*:UserWarning"),
]

XM = {}
for _mod in (XA, XC, XF, XI):
    for _n in dir(_mod):
        _obj = getattr(_mod, _n)
        if isinstance(_obj, type) and issubclass(_obj, kerasx.metrics.Metric):
            XM[_n] = _obj

R = np.random.default_rng(0)


def _bin(shape, p=0.5):
    return (R.uniform(size=shape) < p).astype("float32")


def _prob(shape):
    x = R.uniform(size=shape).astype("float32")
    # Exact boundary values: 0, 1 and the default threshold 0.5.
    flat = x.reshape(-1)
    flat[:3] = [0.0, 1.0, 0.5]
    return x


def _batches(shape, n=3, weight_shape="batch", labels_p=0.4):
    out = []
    for i in range(n):
        yt = _bin(shape, labels_p)
        yp = _prob(shape)
        if i == 1:
            sw = None
        elif weight_shape == "batch":
            sw = R.uniform(0, 2, size=shape[:1]).astype("float32")
        else:
            sw = R.uniform(0, 2, size=shape).astype("float32")
        out.append((yt, yp, sw))
    return out


def _onehot_batches(n_classes=4, batch=8, n=3):
    out = []
    for i in range(n):
        yt = np.eye(n_classes, dtype="float32")[R.integers(0, n_classes, batch)]
        yp = R.uniform(size=(batch, n_classes)).astype("float32")
        yp[0, :2] = [0.9, 0.9]  # a tie for the argmax-style F-score
        sw = None if i == 1 else R.uniform(0, 2, size=(batch,)).astype("float32")
        out.append((yt, yp, sw))
    return out


def _label_batches(n_classes=4, shape=(3, 5), n=3, ignore=None, float_weights=True):
    out = []
    for i in range(n):
        yt = R.integers(0, n_classes, shape)
        if ignore is not None:
            yt[0, :2] = ignore
        yp = R.integers(0, n_classes, shape)
        if i == 1:
            sw = None
        elif float_weights:
            sw = R.uniform(0, 3, size=shape).astype("float32")
        else:
            sw = R.integers(0, 3, size=shape).astype("float32")
        out.append((yt, yp, sw))
    return out


B1 = _batches((12,))
B2 = _batches((6, 3))
B2F = _batches((6, 3), weight_shape="full")
B3 = _batches((4, 3, 2), weight_shape="full")
OH = _onehot_batches()
OHT = [(yt, np.where(yp > 0.5, yp, yp * 0.5), sw) for yt, yp, sw in OH]
LAB = _label_batches()
LAB_IGN = _label_batches(ignore=255)
LAB_INTW = _label_batches(float_weights=False)
ONEHOT_LAB = [(np.eye(4, dtype="float32")[t], np.eye(4)[p] * 0.7, w) for t, p, w in LAB]
LOGITS = [(yt, yp * 8 - 4, sw) for yt, yp, sw in B2]

CASES = [
    ("TruePositives", {}, B1),
    ("TruePositives", {"thresholds": [0.2, 0.5, 0.9]}, B2),
    ("FalsePositives", {"thresholds": 0.3}, B2F),
    ("FalsePositives", {"thresholds": [0.0, 0.25, 0.5, 0.75, 1.0]}, B3),
    ("TrueNegatives", {}, B2),
    ("TrueNegatives", {"thresholds": [0.0, 0.5, 1.0]}, B1),
    ("FalseNegatives", {"thresholds": [0.6, 0.1]}, B2F),
    ("FalseNegatives", {}, B3),
    ("Precision", {}, B2),
    ("Precision", {"thresholds": [0.3, 0.5, 0.8]}, B2F),
    ("Precision", {"top_k": 2}, B2),
    ("Precision", {"class_id": 1}, B2),
    ("Precision", {"top_k": 1, "class_id": 2, "thresholds": 0.4}, B2),
    ("Precision", {"thresholds": [0.0, 0.5, 1.0], "top_k": 2}, B2),
    ("Recall", {}, B1),
    ("Recall", {"thresholds": [0.1, 0.7]}, B3),
    ("Recall", {"top_k": 2, "class_id": 0}, B2),
    ("Recall", {"top_k": 1}, B2F),
    ("AUC", {}, B1),
    ("AUC", {"num_thresholds": 7}, B2F),
    ("AUC", {"curve": "PR"}, B2),
    ("AUC", {"curve": "pr", "num_thresholds": 11}, B3),
    ("AUC", {"curve": "PR", "summation_method": "minoring"}, B2),
    ("AUC", {"curve": "PR", "summation_method": "majoring", "num_thresholds": 9}, B2),
    ("AUC", {"summation_method": "minoring", "num_thresholds": 13}, B2),
    ("AUC", {"summation_method": "majoring"}, B1),
    ("AUC", {"curve": "PRGAIN"}, B2),
    ("AUC", {"curve": "PRGAIN", "num_thresholds": 6, "summation_method": "minoring"}, B2),
    ("AUC", {"curve": "PRGAIN", "multi_label": True, "num_thresholds": 20}, B2),
    ("AUC", {"thresholds": [0.7, 0.2, 0.5]}, B2F),
    ("AUC", {"thresholds": [0.25, 0.5, 0.75], "curve": "PR"}, B2),
    ("AUC", {"multi_label": True}, B2),
    ("AUC", {"multi_label": True, "num_labels": 3, "curve": "PR"}, B2),
    ("AUC", {"multi_label": True, "label_weights": [1.0, 2.0, 0.5]}, B2),
    ("AUC", {"multi_label": True, "label_weights": [0.3, 0.0, 1.0], "curve": "PR"}, B2F),
    ("AUC", {"label_weights": [1.0, 2.0, 0.5]}, B2),
    ("AUC", {"from_logits": True}, LOGITS),
    ("AUC", {"from_logits": True, "multi_label": True, "curve": "PR"}, LOGITS),
    ("SensitivityAtSpecificity", {"specificity": 0.5}, B1),
    ("SensitivityAtSpecificity", {"specificity": 0.8, "num_thresholds": 7}, B2F),
    ("SensitivityAtSpecificity", {"specificity": 0.3, "class_id": 1}, B2),
    ("SpecificityAtSensitivity", {"sensitivity": 0.6}, B2),
    ("SpecificityAtSensitivity", {"sensitivity": 0.9, "num_thresholds": 1}, B2),
    ("SpecificityAtSensitivity", {"sensitivity": 0.4, "class_id": 2, "num_thresholds": 3}, B2),
    ("PrecisionAtRecall", {"recall": 0.5}, B2),
    ("PrecisionAtRecall", {"recall": 0.8, "num_thresholds": 10, "class_id": 0}, B2),
    ("RecallAtPrecision", {"precision": 0.5}, B2F),
    ("RecallAtPrecision", {"precision": 0.7, "num_thresholds": 2}, B3),
    ("RecallAtPrecision", {"precision": 0.99}, B1),
    ("F1Score", {}, OH),
    ("F1Score", {"average": "micro"}, OH),
    ("F1Score", {"average": "macro", "threshold": 0.5}, OHT),
    ("F1Score", {"average": "weighted"}, OH),
    ("FBetaScore", {"beta": 2.0}, OH),
    ("FBetaScore", {"beta": 0.5, "average": "micro", "threshold": 0.3}, OH),
    ("FBetaScore", {"beta": 1.5, "average": "weighted", "threshold": 0.6}, OHT),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 2]}, LAB),
    ("IoU", {"num_classes": 4, "target_class_ids": [1, 3], "dtype": "float32"}, LAB),
    ("IoU", {"num_classes": 4, "target_class_ids": [0, 1, 3], "ignore_class": 255}, LAB_IGN),
    (
        "IoU",
        {"num_classes": 4, "target_class_ids": [2], "ignore_class": 255, "dtype": "float32"},
        LAB_IGN,
    ),
    (
        "IoU",
        {"num_classes": 4, "target_class_ids": [0], "sparse_y_pred": False},
        [(t, o[1], w) for (t, _, w), o in zip(LAB, ONEHOT_LAB)],
    ),
    ("BinaryIoU", {}, B2F),
    ("BinaryIoU", {"target_class_ids": [1], "threshold": 0.3, "dtype": "float32"}, B2F),
    ("MeanIoU", {"num_classes": 4}, LAB_INTW),
    ("MeanIoU", {"num_classes": 4, "dtype": "float32", "ignore_class": 255}, LAB_IGN),
    ("OneHotIoU", {"num_classes": 4, "target_class_ids": [1, 2]}, ONEHOT_LAB),
    ("OneHotMeanIoU", {"num_classes": 4, "dtype": "float32"}, ONEHOT_LAB),
    (
        "OneHotMeanIoU",
        {"num_classes": 4, "sparse_y_pred": True},
        [(a, p, w) for a, (t, p, w) in zip([b[0] for b in ONEHOT_LAB], LAB)],
    ),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]

# JAX compiles each small op (eagerly) or each traced update (under `jit`), so the eager
# comparison runs every case on the NumPy engine and a representative subset on JAX (every
# class, and each code path: top_k, class_id, multi_label, label_weights, logits, ignore_class).
_EAGER_JAX = {i for i, c in enumerate(CASES) if c[0] not in {d[0] for d in CASES[:i]}}
_EAGER_JAX |= {20, 26, 29, 33}
_JIT_JAX = sorted(_EAGER_JAX | {3, 12, 13, 16, 34, 35, 37, 44, 58, 60, 64})
EAGER = [
    pytest.param(engine, case, id=f"{engine}-{IDS[i]}")
    for engine in installed_engines()
    for i, case in enumerate(CASES)
    if engine == "numpy" or i in _EAGER_JAX
]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _same_config(got, want):
    assert set(got) == set(want), (got, want)
    for k in want:
        if isinstance(want[k], np.ndarray) or isinstance(got[k], np.ndarray):
            np.testing.assert_array_equal(np.asarray(got[k]), np.asarray(want[k]))
        else:
            assert got[k] == want[k], (k, got[k], want[k])


@pytest.mark.parametrize("engine_name, case", EAGER)
def test_updates_match_keras(engine_name, case):
    config.set_backend(engine_name)
    try:
        _check_updates(case)
    finally:
        config.set_backend("numpy")


def _check_updates(case):
    cname, kw, batches = case
    want_m = getattr(KM, cname)(**kw)
    got_m = XM[cname](**kw)
    for yt, yp, sw in batches:
        want_m.update_state(yt, yp, sample_weight=sw)
        got_m.update_state(yt, yp, sample_weight=sw)
        want = np.asarray(want_m.result())
        got = _np(got_m.result())
        assert got.shape == want.shape
        assert got.dtype == want.dtype, (got.dtype, want.dtype)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    assert [v.path for v in got_m.variables] == [
        v.path.replace(want_m.name, got_m.name) for v in want_m.variables
    ]
    assert [v.shape for v in got_m.variables] == [tuple(v.shape) for v in want_m.variables]
    assert [v.dtype for v in got_m.variables] == [v.dtype for v in want_m.variables]
    # reset_state zeroes the state; the result is then Keras's result of a fresh metric.
    got_m.reset_state()
    want_m.reset_state()
    for v in got_m.variables:
        assert not _np(v.value).any()
    np.testing.assert_allclose(_np(got_m.result()), np.asarray(want_m.result()), atol=1e-7)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_config_round_trip(case):
    cname, kw, _ = case
    want = getattr(KM, cname)(name="m", **kw).get_config()
    got_m = XM[cname](name="m", **kw)
    _same_config(got_m.get_config(), want)
    again = type(got_m).from_config(got_m.get_config())
    _same_config(again.get_config(), want)
    _same_config(XM[cname](name="m", **kw).get_config(), want)


def test_default_configs_and_names():
    for cname in ["TruePositives", "Precision", "Recall", "AUC", "F1Score", "FBetaScore"]:
        want = getattr(KM, cname)().get_config()
        got = XM[cname]().get_config()
        want.pop("name")
        assert got.pop("name").startswith(getattr(KM, cname)().name.rsplit("_", 1)[0][:4])
        _same_config(got, want)
    assert XM["F1Score"]().name == "f1_score"
    assert XM["MeanIoU"](3).name.startswith("mean_io_u")
    assert XM["AUC"](num_thresholds=4).thresholds == pytest.approx(
        KM.AUC(num_thresholds=4).thresholds
    )
    assert XM["AUC"](thresholds=[0.6, 0.1]).thresholds == pytest.approx(
        KM.AUC(thresholds=[0.6, 0.1]).thresholds
    )
    assert XM["AUC"](curve="pr").curve.value == "PR"


@pytest.mark.parametrize(
    "case",
    [
        ("AUC", {"multi_label": True}, B2),
        ("F1Score", {"average": "macro"}, OH),
        ("FBetaScore", {"beta": 2.0, "average": "micro"}, OH),
    ],
)
def test_lazy_state_is_built_on_first_update(case):
    cname, kw, batches = case
    m = XM[cname](**kw)
    assert m.variables == []
    yt, yp, sw = batches[0]
    m.update_state(yt, yp, sample_weight=sw)
    k = getattr(KM, cname)(**kw)
    k.update_state(yt, yp, sample_weight=sw)
    assert [v.shape for v in m.variables] == [tuple(v.shape) for v in k.variables]


def _jax_engine():
    if "jax" not in installed_engines():
        pytest.skip("the JAX engine is not installed")
    config.set_backend("jax")


@pytest.mark.parametrize("case", [CASES[i] for i in _JIT_JAX], ids=[IDS[i] for i in _JIT_JAX])
def test_stateless_under_jit_on_jax(case):
    cname, kw, batches = case
    _jax_engine()
    try:
        m = XM[cname](**kw)
        if not m.variables:  # lazily built state: build it eagerly first
            m.update_state(*batches[0][:2])
            m.reset_state()
        want_m = getattr(KM, cname)(**kw)
        values = m.stateless_reset_state()

        def run_all(vals, data):
            # All batches in one traced function (one compilation): the state threads
            # through each stateless update, and each intermediate result is returned.
            results = []
            for yt, yp, sw in data:
                vals = m.stateless_update_state(vals, yt, yp, sample_weight=sw)
                results.append(m.stateless_result(vals))
            return vals, results

        values, results = kerasx.jit(run_all)(values, batches)
        for (yt, yp, sw), got in zip(batches, results):
            want_m.update_state(yt, yp, sample_weight=sw)
            np.testing.assert_allclose(_np(got), np.asarray(want_m.result()), rtol=1e-6, atol=1e-6)
        reset = kerasx.jit(m.stateless_reset_state)()
        assert all(not _np(v).any() for v in reset)
        # The variables themselves were not touched.
        for v in m.variables:
            assert not _np(v.value).any()
    finally:
        config.set_backend("numpy")


def test_call_updates_and_returns_result(engine):
    yt, yp, sw = B2[0]
    m = XM["Precision"]()
    k = KM.Precision()
    np.testing.assert_allclose(_np(m(yt, yp, sample_weight=sw)), np.asarray(k(yt, yp, sw)))
    np.testing.assert_allclose(_np(m(yt, yp)), np.asarray(k(yt, yp)), rtol=1e-6)


def test_empty_results(engine):
    for cname, kw in [
        ("TruePositives", {"thresholds": [0.2, 0.4]}),
        ("Precision", {}),
        ("Recall", {"thresholds": [0.2, 0.4]}),
        ("AUC", {}),
        ("AUC", {"curve": "PR"}),
        ("AUC", {"curve": "PRGAIN"}),
        ("SensitivityAtSpecificity", {"specificity": 0.5}),
        ("RecallAtPrecision", {"precision": 0.5}),
        ("MeanIoU", {"num_classes": 3}),
    ]:
        got = _np(XM[cname](**kw).result())
        want = np.asarray(getattr(KM, cname)(**kw).result())
        np.testing.assert_allclose(got, want)


def test_label_and_rank_handling(engine):
    yp = np.array([0.2, 0.6, 0.7, 0.9], "float32")
    for yt in ([0, 1, 0.5, 0], [0, 1, 2, 0], [True, False, True, True]):
        yt = np.asarray(yt)
        for cname in ("Precision", "TrueNegatives", "FalseNegatives"):
            want = np.asarray(getattr(KM, cname)()(yt, yp))
            np.testing.assert_allclose(_np(XM[cname]()(yt, yp)), want)
    # (n,) labels against (n, 1) predictions and the other way round.
    yt = np.array([0, 1, 1, 0], "float32")
    for a, b in [(yt, yp[:, None]), (yt[:, None], yp)]:
        np.testing.assert_allclose(_np(XM["Recall"]()(a, b)), np.asarray(KM.Recall()(a, b)))
    # Predictions outside [0, 1] with thresholds on an even grid are clipped into it.
    yt = np.ones(4, "float32")
    yp = np.array([1.5, -0.1, 1.0, 0.0], "float32")
    for kw in ({"thresholds": [0.0, 0.5, 1.0]}, {"thresholds": [0.3, 1.0]}):
        want = np.asarray(KM.TruePositives(**kw)(yt, yp))
        np.testing.assert_allclose(_np(XM["TruePositives"](**kw)(yt, yp)), want)
    want = KM.AUC(num_thresholds=5)
    got = XM["AUC"](num_thresholds=5)
    want.update_state(yt, yp)
    got.update_state(yt, yp)
    np.testing.assert_allclose(_np(got.true_positives.value), np.asarray(want.true_positives.value))


def test_iou_label_edge_cases(engine):
    # Out-of-range labels are dropped; fractional labels are truncated.
    for yt, yp in [([0, 1, 5], [0, 1, 1]), ([0, 1, -1], [0, 1, 1]), ([0.2, 1.7, 2.5], [0, 1, 1])]:
        got = XM["MeanIoU"](3)
        want = KM.MeanIoU(3)
        got.update_state(yt, yp)
        want.update_state(yt, yp)
        np.testing.assert_array_equal(_np(got.total_cm.value), np.asarray(want.total_cm.value))
    got = XM["BinaryIoU"](threshold=0.3)
    want = KM.BinaryIoU(threshold=0.3)
    for m in (got, want):
        m.update_state([0.2, 1, 0.5], [0, 0.3, 0.2], sample_weight=[1.5, 2.5, 1])
    np.testing.assert_array_equal(_np(got.total_cm.value), np.asarray(want.total_cm.value))
    np.testing.assert_allclose(_np(got.result()), np.asarray(want.result()), rtol=1e-6)


def test_dtypes(engine):
    yt, yp, sw = B2[0]
    for cname, kw in [("Precision", {}), ("AUC", {}), ("F1Score", {})]:
        batch = OH[0] if cname == "F1Score" else (yt, yp, sw)
        got = XM[cname](dtype="float64", **kw)
        want = getattr(KM, cname)(dtype="float64", **kw)
        got.update_state(*batch[:2])
        want.update_state(*batch[:2])
        assert [v.dtype for v in got.variables] == [v.dtype for v in want.variables]
        # Keras returns float32 even from float64 state; we keep the state's precision.
        assert str(_np(got.result()).dtype) == got.variables[0].dtype


ERRORS = [
    ("TruePositives", {"thresholds": 1.5}),
    ("FalsePositives", {"thresholds": [-0.1, 0.5]}),
    ("Precision", {"thresholds": 2}),
    ("Recall", {"thresholds": [0.5, None]}),
    ("AUC", {"curve": "XX"}),
    ("AUC", {"summation_method": "XX"}),
    ("AUC", {"summation_method": "MINORING"}),
    ("AUC", {"num_thresholds": 1}),
    ("AUC", {"num_thresholds": 0}),
    ("AUC", {"num_labels": 3}),
    ("SensitivityAtSpecificity", {"specificity": 1.5}),
    ("SensitivityAtSpecificity", {"specificity": 0.5, "num_thresholds": 0}),
    ("SpecificityAtSensitivity", {"sensitivity": -0.1}),
    ("PrecisionAtRecall", {"recall": 1.5}),
    ("RecallAtPrecision", {"precision": 1.5}),
    ("PrecisionAtRecall", {"recall": 0.5, "num_thresholds": 0}),
    ("FBetaScore", {"average": "bad"}),
    ("FBetaScore", {"beta": 0}),
    ("FBetaScore", {"beta": -1.0}),
    ("FBetaScore", {"beta": 2}),
    ("FBetaScore", {"threshold": 0}),
    ("FBetaScore", {"threshold": 1.5}),
    ("FBetaScore", {"threshold": 1}),
    ("F1Score", {"average": "bad"}),
    ("IoU", {"num_classes": 3, "target_class_ids": [0, 3]}),
    ("IoU", {"num_classes": 3, "target_class_ids": []}),
    ("IoU", {"num_classes": 3, "target_class_ids": 1}),
    ("MeanIoU", {"num_classes": 0}),
]


@pytest.mark.parametrize("case", ERRORS, ids=[f"{c[0]}-{i}" for i, c in enumerate(ERRORS)])
def test_bad_arguments_raise_like_keras(case):
    cname, kw = case
    with pytest.raises(Exception) as want:
        getattr(KM, cname)(**kw)
    with pytest.raises(want.type) as got:
        XM[cname](**kw)
    assert str(got.value)


def test_bad_inputs():
    m = XM["AUC"](multi_label=True)
    with pytest.raises(ValueError, match="rank 2"):
        m.update_state(np.zeros(3), np.zeros(3))
    for shape in [(3,), (2, 3, 1)]:
        with pytest.raises(ValueError, match="2D inputs"):
            XM["F1Score"]().update_state(np.zeros(shape), np.zeros(shape))
    with pytest.raises(ValueError, match="same shape"):
        XM["Precision"]().update_state(np.zeros((5, 2)), np.zeros((5, 3)))
    with pytest.raises(ValueError, match="Threshold values"):
        XM["Precision"](thresholds=[0.5, 3.0])
    with pytest.raises(TypeError, match="thresholds"):
        XM["Precision"](thresholds="a")
    with pytest.raises(ValueError, match="num_thresholds"):
        XM["AUC"](num_thresholds=1)
    # Keras accepts out-of-range AUC thresholds silently; we reject them like the others.
    with pytest.raises(ValueError, match="Threshold values"):
        XM["AUC"](thresholds=[0.5, 1.2])
    with pytest.raises(ValueError, match="specificity"):
        XM["SensitivityAtSpecificity"](2.0)


def test_metrics_package_exports():
    for cname in XM:
        if not cname.startswith("_") and hasattr(KM, cname):
            assert getattr(kerasx.metrics, cname) is XM[cname]


def test_float_weights_on_integer_iou_warn(engine):
    m = XM["MeanIoU"](3)
    with pytest.warns(UserWarning, match="truncated to integers"):
        m.update_state([0, 1], [0, 1], sample_weight=np.array([0.5, 1.5], "float32"))
    np.testing.assert_array_equal(_np(m.total_cm.value), [[0, 0, 0], [0, 1, 0], [0, 0, 0]])


def test_auc_label_weights_from_keras_serialized_config():
    want = KM.AUC(label_weights=[1.0, 2.0], multi_label=True, name="lw")
    cfg = keras.metrics.serialize(want)["config"]
    assert isinstance(cfg["label_weights"], dict)  # Keras writes arrays as "__tensor__" dicts
    got = XM["AUC"].from_config(cfg)
    _same_config(got.get_config(), want.get_config())


def test_leniencies_beyond_keras(engine):
    # Per-class weights with `class_id` (Keras fails to broadcast them): the class's column.
    yt, yp, sw = B2F[0]
    got = XM["Precision"](class_id=1)(yt, yp, sample_weight=sw)
    want = KM.Precision(class_id=1)(yt, yp, sample_weight=sw[:, 1])
    np.testing.assert_allclose(_np(got), np.asarray(want), rtol=1e-6)
    # IoU with a class axis other than the last (Keras fails in `result`).
    yt, yp, sw = ONEHOT_LAB[0]
    got = XM["OneHotIoU"](4, [0, 2], axis=1)(np.moveaxis(yt, -1, 1), np.moveaxis(yp, -1, 1))
    want = KM.OneHotIoU(4, [0, 2])(yt, yp)
    np.testing.assert_allclose(_np(got), np.asarray(want), rtol=1e-6)
