"""kerasx.distillation: Distiller, LogitsDistillation, FeatureDistillation.

Training parity with Keras 3 runs real Keras on its JAX backend in a subprocess (Keras's
NumPy backend cannot train; skipped without Keras or JAX), as in test_fit_parity.py. The loss
values are also checked in closed form with NumPy, with the errors and the config round trip.
"""

import json
import textwrap

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx.distillation import (
    DistillationLoss,
    Distiller,
    FeatureDistillation,
    LogitsDistillation,
)
from kerasx.engine.discovery import installed_engines

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(5)
X = RNG.normal(size=(20, 4)).astype("float32")
Y = RNG.integers(0, 3, size=(20,)).astype("int32")


def _w(shapes, seed):
    return [
        np.random.default_rng(seed + i).uniform(-0.6, 0.6, size=s).astype("float32")
        for i, s in enumerate(shapes)
    ]


TW = _w([(4, 6), (6,), (6, 6), (6,), (6, 3), (3,)], 0)
SW = _w([(4, 6), (6,), (6, 3), (3,)], 10)


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    kerasx.backend.clear_session()
    yield request.param
    config.set_backend("numpy")


# Run verbatim by Keras (as `keras`) and by kerasx (as `keras`).
_MODELS = """
    teacher = keras.Sequential([keras.Input((4,)),
                                keras.layers.Dense(6, activation="relu", name="d1"),
                                keras.layers.Dense(6, activation="tanh", name="d2"),
                                keras.layers.Dense(3, name="out")], name="teacher")
    teacher.set_weights(TW)
    student = keras.Sequential([keras.Input((4,)),
                                keras.layers.Dense(6, activation="tanh", name="d1"),
                                keras.layers.Dense(3, name="out")], name="student")
    student.set_weights(SW)
"""
CASES = {
    "logits_kl_instance": """
        d = keras.distillation.Distiller(
            teacher, student,
            keras.distillation.LogitsDistillation(temperature=2.5,
                                                  loss=keras.losses.KLDivergence()),
            student_loss_weight=0.3)
        d.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    """,
    "logits_default_string": """
        d = keras.distillation.Distiller(
            teacher, student, keras.distillation.LogitsDistillation(temperature=4.0))
        d.compile(optimizer=keras.optimizers.Adam(0.01),
                  loss="sparse_categorical_crossentropy")
    """,
    "feature_and_logits": """
        d = keras.distillation.Distiller(
            teacher, student,
            [keras.distillation.FeatureDistillation(loss="mse", teacher_layer_name="d2",
                                                    student_layer_name="d1"),
             keras.distillation.LogitsDistillation(temperature=3.0,
                                                   loss="categorical_crossentropy")],
            distillation_loss_weights=[1.0, 0.5], student_loss_weight=0.6)
        d.compile(optimizer=keras.optimizers.Adam(0.02),
                  loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=["accuracy"])
    """,
}


def _run(keras, case):
    scope = {"keras": keras, "TW": TW, "SW": SW}
    exec(textwrap.dedent(_MODELS) + textwrap.dedent(CASES[case]), scope)
    d = scope["d"]
    hist = d.fit(X, Y, batch_size=8, epochs=2, shuffle=False, verbose=0)
    ev = d.evaluate(X, Y, batch_size=8, verbose=0)
    return {
        "history": {k: [float(v) for v in vs] for k, vs in hist.history.items()},
        "evaluate": [float(v) for v in np.atleast_1d(ev)],
        "student": [np.asarray(w).tolist() for w in scope["student"].get_weights()],
        "teacher": [np.asarray(w).tolist() for w in scope["teacher"].get_weights()],
        "predict": np.asarray(d.predict(X, verbose=0)).tolist(),
        "metrics_names": list(d.metrics_names),
    }


@pytest.fixture(scope="module")
def reference():
    from keras_reference import keras_jax_reference

    return keras_jax_reference("test_distillation")


@pytest.mark.parametrize("case", list(CASES))
def test_fit_matches_keras(reference, engine, case):
    want = reference[case]
    got = _run(kerasx, case)
    assert got["metrics_names"] == want["metrics_names"]
    assert list(got["history"]) == list(want["history"])
    for key in want["history"]:
        np.testing.assert_allclose(
            got["history"][key], want["history"][key], rtol=1e-5, atol=1e-6, err_msg=key
        )
    np.testing.assert_allclose(got["evaluate"], want["evaluate"], rtol=1e-5, atol=1e-6)
    for part in ("student", "teacher"):
        for g, w in zip(got[part], want[part], strict=True):
            np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-6, err_msg=part)
    np.testing.assert_allclose(got["predict"], want["predict"], rtol=1e-5, atol=1e-6)


# ---------------------------------------------------------------------------- closed form


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x), dtype="float64")


def _softmax(z):
    e = np.exp(z - z.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _kl(p, q):
    p, q = np.clip(p, 1e-7, 1.0), np.clip(q, 1e-7, 1.0)
    return (p * np.log(p / q)).sum(-1)


T_LOGITS = np.array([[2.0, -1.0, 0.5], [0.1, 0.3, -2.0]], "float32")
S_LOGITS = np.array([[1.0, 0.0, -0.5], [-0.4, 1.2, 0.2]], "float32")


def test_logits_kl_instance_uses_softened_probabilities_times_t_squared(engine):
    t = 2.5
    loss = LogitsDistillation(temperature=t, loss=kerasx.losses.KLDivergence())
    got = _np(loss.compute_loss(T_LOGITS, S_LOGITS))
    want = _kl(_softmax(T_LOGITS / t), _softmax(S_LOGITS / t)).mean() * t**2
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_logits_named_loss_gets_scaled_logits_as_they_are(engine):
    # "kl_divergence" resolves to the plain function, which Keras applies to the scaled
    # logits directly (clipped to [eps, 1]) and without the temperature ** 2 factor.
    t = 4.0
    got = _np(LogitsDistillation(temperature=t).compute_loss(T_LOGITS, S_LOGITS))
    want = _kl(T_LOGITS / t, S_LOGITS / t).mean()
    np.testing.assert_allclose(got, want, rtol=1e-5)


def test_multi_output_losses_sum_and_none_skips(engine):
    loss = LogitsDistillation(temperature=2.0, loss=[kerasx.losses.KLDivergence(), None])
    got = _np(loss.compute_loss([T_LOGITS, T_LOGITS * 9], [S_LOGITS, S_LOGITS]))
    want = _kl(_softmax(T_LOGITS / 2), _softmax(S_LOGITS / 2)).mean() * 4
    np.testing.assert_allclose(got, want, rtol=1e-5)
    feat = FeatureDistillation(loss=["mse", "mae"])
    got = _np(feat.compute_loss([T_LOGITS, T_LOGITS], [S_LOGITS, S_LOGITS]))
    diff = T_LOGITS.astype("float64") - S_LOGITS
    np.testing.assert_allclose(got, (diff**2).mean() + np.abs(diff).mean(), rtol=1e-5)


def _models():
    def mk(name, hidden, seed):
        m = kerasx.Sequential(
            [
                kerasx.Input((4,)),
                kerasx.layers.Dense(hidden, activation="relu", name="d1"),
                kerasx.layers.Dense(3, name="out"),
            ],
            name=name,
        )
        m.set_weights(_w([(4, hidden), (hidden,), (hidden, 3), (3,)], seed))
        return m

    return mk("teacher", 8, 0), mk("student", 5, 20)


def test_teacher_frozen_student_trained_and_total_loss(engine):
    teacher, student = _models()
    before_t = [w.copy() for w in teacher.get_weights()]
    before_s = [w.copy() for w in student.get_weights()]
    d = Distiller(teacher, student, LogitsDistillation(temperature=2.0), student_loss_weight=0.25)
    assert teacher.trainable is False
    d.compile(optimizer="sgd", loss=kerasx.losses.SparseCategoricalCrossentropy(from_logits=True))
    assert {id(v) for v in d.trainable_variables} == {id(v) for v in student.trainable_variables}
    logs = d.train_on_batch(X[:8], Y[:8], return_dict=True)
    # The logged losses are those of the weights before the update.
    t_out = X[:8] @ before_t[0] + before_t[1]
    t_out = np.maximum(t_out, 0) @ before_t[2] + before_t[3]
    s_out = np.maximum(X[:8] @ before_s[0] + before_s[1], 0) @ before_s[2] + before_s[3]
    p = _softmax(s_out.astype("float64"))
    student_loss = -np.log(p[np.arange(8), Y[:8]]).mean()
    distill = _kl(t_out / 2.0, s_out / 2.0).mean()
    np.testing.assert_allclose(logs["student_loss"], student_loss, rtol=1e-5)
    np.testing.assert_allclose(logs["distillation_loss"], distill, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(logs["total_loss"], 0.25 * student_loss + 0.75 * distill, rtol=1e-5)
    np.testing.assert_allclose(logs["loss"], logs["total_loss"], rtol=1e-6)
    for a, b in zip(teacher.get_weights(), before_t):
        np.testing.assert_array_equal(a, b)
    assert any(not np.array_equal(a, b) for a, b in zip(student.get_weights(), before_s))
    np.testing.assert_allclose(d.predict(X, verbose=0), student.predict(X, verbose=0), rtol=1e-6)


def test_config_round_trip():
    teacher, student = _models()
    d = Distiller(
        teacher,
        student,
        [LogitsDistillation(2.0, loss=[kerasx.losses.KLDivergence()]), FeatureDistillation()],
        distillation_loss_weights=[0.5, 0.2],
        student_loss_weight=0.1,
    )
    cfg = json.loads(json.dumps(d.get_config()))
    assert cfg["distillation_losses"][0]["module"] == "keras.distillation"
    assert cfg["distillation_losses"][0]["class_name"] == "LogitsDistillation"
    d2 = Distiller.from_config(cfg)
    assert d2.distillation_loss_weights == [0.5, 0.2] and d2.student_loss_weight == 0.1
    first, second = d2.distillation_losses
    assert first.temperature == 2.0 and isinstance(first.loss[0], kerasx.losses.KLDivergence)
    assert second.loss is kerasx.losses.get("mse")
    feat = FeatureDistillation.from_config(FeatureDistillation("mae", "d1", "d1").get_config())
    assert (feat.teacher_layer_name, feat.student_layer_name) == ("d1", "d1")


class _Sub(kerasx.Model):
    def __init__(self):
        super().__init__()
        self.dense = kerasx.layers.Dense(3)

    def call(self, x):
        return self.dense(x)


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda: LogitsDistillation(temperature=0), "temperature must be positive"),
        (lambda: LogitsDistillation(temperature="3"), "temperature must be a number"),
        (lambda: LogitsDistillation(loss=[None, None]), "At least one loss must be non-`None`"),
        (lambda: FeatureDistillation(loss=None), "at least one non-`None` value"),
        (lambda: LogitsDistillation(loss="no_such_loss"), "no_such_loss"),
    ],
)
def test_loss_argument_errors(make, match):
    with pytest.raises(ValueError, match=match):
        make()


def test_distiller_argument_errors():
    teacher, student = _models()
    ld = LogitsDistillation()
    with pytest.raises(ValueError, match="between 0.0 and 1.0"):
        Distiller(teacher, student, ld, student_loss_weight=1.5)
    with pytest.raises(ValueError, match="must be a number"):
        Distiller(teacher, student, ld, student_loss_weight="half")
    with pytest.raises(ValueError, match="cannot be `None`"):
        Distiller(teacher, student, None)
    with pytest.raises(ValueError, match=r"\(1\) must match number of distillation_losses \(2\)"):
        Distiller(teacher, student, [ld, ld], distillation_loss_weights=[1.0])
    with pytest.raises(ValueError, match="Teacher must be a keras.Model"):
        Distiller(kerasx.layers.Dense(3), student, ld)
    with pytest.raises(ValueError, match="In student model: No such layer: nope"):
        Distiller(teacher, student, FeatureDistillation(student_layer_name="nope"))
    with pytest.raises(ValueError, match="student model\\(s\\) appear to be subclassed"):
        Distiller(teacher, _Sub(), FeatureDistillation(teacher_layer_name="d1"))
    wide = kerasx.Sequential([kerasx.Input((4,)), kerasx.layers.Dense(5)])
    with pytest.raises(ValueError, match="output shapes are incompatible"):
        Distiller(teacher, wide, ld)
    d = Distiller(teacher, student, ld)
    with pytest.raises(ValueError, match="'loss' cannot be `None`"):
        d.compile(optimizer="sgd")
    with pytest.raises(ValueError, match="metrics must be a list or tuple"):
        d.compile(optimizer="sgd", loss="mse", metrics="accuracy")
    with pytest.raises(NotImplementedError):
        DistillationLoss().compute_loss(T_LOGITS, S_LOGITS)


def test_saved_distiller_loads_without_custom_objects(tmp_path):
    teacher, student = _models()
    d = Distiller(teacher, student, [LogitsDistillation(2.0)], student_loss_weight=0.4)
    d.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x = (
        np.random.default_rng(0)
        .normal(size=(4,) + tuple(student.input_shape[1:]))
        .astype("float32")
    )
    d.fit(x, np.zeros(4, "int64"), epochs=1, verbose=0)
    path = str(tmp_path / "d.keras")
    d.save(path)
    loaded = kerasx.models.load_model(path)
    assert type(loaded) is Distiller and loaded.student_loss_weight == 0.4
    np.testing.assert_allclose(
        np.asarray(loaded.predict(x, verbose=0)), np.asarray(d.predict(x, verbose=0)), rtol=1e-6
    )
