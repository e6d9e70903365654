"""kerasx.losses against real Keras 3 (numpy backend) on every installed engine."""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import losses as XL
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")
KL = keras.losses

R = np.random.default_rng(0)
YT = R.uniform(0, 1, (4, 3)).astype("float32")
YP = R.uniform(0.05, 1, (4, 3)).astype("float32")
YB = (R.uniform(size=(4, 3)) > 0.5).astype("float32")
OH = np.eye(3, dtype="float32")[[0, 2, 1, 1]]
LAB = np.array([0, 2, 1, 1])
SM = YP / YP.sum(-1, keepdims=True)
EMB = R.normal(size=(6, 4)).astype("float32")
EMB /= np.linalg.norm(EMB, axis=1, keepdims=True)
CTC_P = R.normal(size=(2, 5, 4)).astype("float32")
CTC_T = np.array([[1, 2, 0], [3, 0, 0]])

CASES = [
    ("mean_squared_error", "MeanSquaredError", YT, YP, {}),
    ("mean_absolute_error", "MeanAbsoluteError", YT, YP, {}),
    ("mean_absolute_percentage_error", "MeanAbsolutePercentageError", YT, YP, {}),
    ("mean_squared_logarithmic_error", "MeanSquaredLogarithmicError", YT, YP, {}),
    ("hinge", "Hinge", YB, YP * 2 - 1, {}),
    ("squared_hinge", "SquaredHinge", YB, YP * 2 - 1, {}),
    ("categorical_hinge", "CategoricalHinge", OH, YP, {}),
    ("huber", "Huber", YT, YP * 3, {"delta": 0.5}),
    ("log_cosh", "LogCosh", YT, YP, {}),
    ("kl_divergence", "KLDivergence", YT, YP, {}),
    ("poisson", "Poisson", YT, YP, {}),
    ("cosine_similarity", "CosineSimilarity", YT, YP, {}),
    ("binary_crossentropy", "BinaryCrossentropy", YB, YP, {"label_smoothing": 0.1}),
    ("binary_crossentropy", "BinaryCrossentropy", YB, YP * 3 - 1, {"from_logits": True}),
    (
        "binary_focal_crossentropy",
        "BinaryFocalCrossentropy",
        YB,
        YP,
        {"apply_class_balancing": True, "label_smoothing": 0.1},
    ),
    ("binary_focal_crossentropy", "BinaryFocalCrossentropy", YB, YP * 3 - 1, {"from_logits": True}),
    ("categorical_crossentropy", "CategoricalCrossentropy", OH, SM, {"label_smoothing": 0.2}),
    ("categorical_crossentropy", "CategoricalCrossentropy", OH, YP, {"from_logits": True}),
    (
        "categorical_focal_crossentropy",
        "CategoricalFocalCrossentropy",
        OH,
        YP * 3,
        {"from_logits": True, "label_smoothing": 0.1},
    ),
    ("sparse_categorical_crossentropy", "SparseCategoricalCrossentropy", LAB, SM, {}),
    (
        "sparse_categorical_crossentropy",
        "SparseCategoricalCrossentropy",
        LAB,
        YP,
        {"from_logits": True, "ignore_class": 2},
    ),
    (
        "categorical_generalized_cross_entropy",
        "CategoricalGeneralizedCrossEntropy",
        LAB,
        SM,
        {"q": 0.7},
    ),
    ("dice", "Dice", YB, YP, {}),
    ("dice", "Dice", YB, YP, {"axis": -1}),
    ("tversky", "Tversky", YB, YP, {"alpha": 0.3, "beta": 0.7, "axis": -1}),
    ("circle", "Circle", np.array([0, 1, 0, 1, 2, 2]), EMB, {}),
    ("circle", "Circle", np.array([0, 1, 0, 1, 2, 3]), EMB, {"remove_diagonal": False}),
    ("ctc", "CTC", CTC_T, CTC_P, {}),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_function_matches_keras(engine, case):
    fname, _, yt, yp, kw = case
    want = np.asarray(getattr(KL, fname)(yt, yp, **kw))
    got = _np(getattr(XL, fname)(yt, yp, **kw))
    assert got.shape == want.shape and got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


SW = [None, np.array([0.5, 1.0, 0.0, 2.0], "float32"), np.array([[1.0], [0.0], [2.0], [3.0]])]
REDS = ["sum_over_batch_size", "sum", "mean", "mean_with_sample_weight", "none", None]


@pytest.mark.parametrize("reduction", REDS)
@pytest.mark.parametrize("sw", range(len(SW)))
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_class_reductions_match_keras(engine, case, reduction, sw):
    _, cname, yt, yp, kw = case
    weight = SW[sw]
    if weight is not None and cname in ("Circle",):
        weight = np.concatenate([weight.reshape(-1), [1.0, 1.0]]).astype("float32")
    if weight is not None and cname == "CTC":
        weight = weight.reshape(-1)[:2]
    want = np.asarray(getattr(KL, cname)(reduction=reduction, **kw)(yt, yp, sample_weight=weight))
    got = _np(getattr(XL, cname)(reduction=reduction, **kw)(yt, yp, sample_weight=weight))
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("cname", sorted({c[1] for c in CASES}))
def test_config_round_trip(cname):
    want = getattr(KL, cname)().get_config()
    loss = getattr(XL, cname)()
    assert loss.get_config() == want
    again = type(loss).from_config(loss.get_config())
    assert again.get_config() == want
    assert XL.deserialize(XL.serialize(loss)).get_config() == want


def test_sample_weight_per_element_and_dtype():
    w = R.uniform(size=(4, 3)).astype("float32")
    want = KL.BinaryCrossentropy(reduction="none")(YB[..., None], YP[..., None], w)
    got = XL.BinaryCrossentropy(reduction="none")(YB[..., None], YP[..., None], w)
    np.testing.assert_allclose(_np(got), np.asarray(want), rtol=1e-5)
    assert str(XL.MeanSquaredError(dtype="float64")(YT, YP).dtype) == "float64"
    assert XL.Loss().dtype == "float32"


def test_get():
    assert XL.get("mse") is XL.mean_squared_error
    assert XL.get("MSE") is XL.mean_squared_error
    assert XL.get("sparse_categorical_crossentropy") is XL.sparse_categorical_crossentropy
    assert isinstance(XL.get("MeanSquaredError"), XL.MeanSquaredError)
    assert isinstance(XL.get(XL.Huber), XL.Huber)
    inst = XL.Poisson()
    assert XL.get(inst) is inst
    assert XL.get(abs) is abs
    assert XL.get(None) is None
    with pytest.raises(ValueError, match="Could not interpret loss identifier"):
        XL.get("foo")
    with pytest.raises(ValueError, match="Could not interpret"):
        XL.get(3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="reduction"):
        XL.Loss(reduction="bad")
    with pytest.raises(ValueError, match="reduction"):
        XL.MeanSquaredError(reduction="avg")
    with pytest.raises(ValueError, match="axis"):
        XL.categorical_crossentropy(OH, SM, axis=True)
    with pytest.raises(ValueError, match="y_pred"):
        XL.categorical_crossentropy(OH, SM[:, :2])
    with pytest.raises(NotImplementedError):
        XL.Loss()(YT, YP)


def test_custom_subclass():
    class MyLoss(XL.Loss):
        def call(self, y_true, y_pred):
            return kerasx.ops.mean(kerasx.ops.abs(y_true - y_pred), axis=-1)

    loss = MyLoss(reduction="sum")
    assert loss.name == "my_loss"
    np.testing.assert_allclose(_np(loss(YT, YP)), np.abs(YT - YP).mean(-1).sum(), rtol=1e-5)


@pytest.mark.parametrize(
    "make",
    [
        lambda: XL.CategoricalCrossentropy(from_logits=True, label_smoothing=0.1),
        lambda: XL.Huber(delta=0.5),
        lambda: XL.BinaryFocalCrossentropy(from_logits=True),
    ],
)
def test_gradient_vs_finite_differences(engine, make):
    loss = make()
    yt = OH.astype("float64")
    yp = (YP * 3 - 1).astype("float64")
    w = np.array([1.0, 0.5, 2.0, 0.0])

    def f(p):
        return loss(yt, p, sample_weight=w)

    old = config.floatx()
    config.set_floatx("float64")
    try:
        _, g = kerasx.value_and_grad(f)(kerasx.ops.convert_to_tensor(yp))
        g = _np(g)
        num = np.zeros_like(yp)
        h = 1e-6
        for i in np.ndindex(yp.shape):
            d = np.zeros_like(yp)
            d[i] = h
            num[i] = (float(_np(f(yp + d))) - float(_np(f(yp - d)))) / (2 * h)
    finally:
        config.set_floatx(old)
    np.testing.assert_allclose(g, num, rtol=1e-5, atol=1e-7)
