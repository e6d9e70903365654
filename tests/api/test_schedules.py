"""Tests for kerasx.optimizers.schedules against real Keras 3 (black-box oracle)."""

import json
import math

import numpy as np
import pytest

import kerasx
from kerasx.engine import discovery
from kerasx.optimizers import schedules as X

CASES = [
    ("ExponentialDecay", (0.1, 7, 0.9), {}),
    ("ExponentialDecay", (0.1, 7, 0.9), {"staircase": True}),
    ("PiecewiseConstantDecay", ([5, 10, 20], [1.0, 0.5, 0.1, 0.01]), {}),
    ("PiecewiseConstantDecay", ([5, 10], [3, 2, 1]), {}),
    ("PolynomialDecay", (0.1, 15), {}),
    ("PolynomialDecay", (0.1, 15), {"power": 2.0, "cycle": True, "end_learning_rate": 0.01}),
    ("InverseTimeDecay", (0.1, 6, 0.5), {}),
    ("InverseTimeDecay", (0.1, 6, 0.5), {"staircase": True}),
    ("CosineDecay", (0.1, 20), {"alpha": 0.1}),
    ("CosineDecay", (0.1, 20), {"warmup_target": 1.0, "warmup_steps": 8}),
    ("CosineDecay", (0.1, 20), {"warmup_target": 1.0}),
    ("CosineDecayRestarts", (0.1, 5), {}),
    ("CosineDecayRestarts", (0.1, 5), {"t_mul": 1.0, "m_mul": 0.5, "alpha": 0.1}),
    ("CosineDecayRestarts", (0.1, 5), {"t_mul": 3.0, "m_mul": 0.7}),
]
IDS = [f"{n}-{i}" for i, (n, _, _) in enumerate(CASES)]
STEPS = list(range(0, 60)) + [2.5, 7.0, np.int32(12), np.float32(13.5)]


@pytest.fixture(params=discovery.installed_engines())
def engine(request):
    kerasx.config.set_backend(request.param)
    try:
        yield request.param
    finally:
        kerasx.config.set_backend("numpy")


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=IDS)
def test_values_match_keras(engine, name, args, kwargs):
    keras = pytest.importorskip("keras")
    ref = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    ours = getattr(X, name)(*args, **kwargs)
    for step in STEPS:
        expected = np.asarray(ref(step))
        got = np.asarray(ours(step))
        assert got.dtype == expected.dtype, (step, got.dtype, expected.dtype)
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7, err_msg=str(step))


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=IDS)
def test_engine_scalar_step(engine, name, args, kwargs):
    ours = getattr(X, name)(*args, **kwargs)
    for step in (0, 3, 17, 40):
        expected = np.asarray(ours(step))
        got = np.asarray(ours(kerasx.ops.convert_to_tensor(step, dtype="int32")))
        np.testing.assert_allclose(got, expected, rtol=1e-6)


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=IDS)
def test_traced_step_under_jit_on_jax(name, args, kwargs):
    if "jax" not in discovery.installed_engines():
        pytest.skip("jax engine not installed")
    kerasx.config.set_backend("jax")
    try:
        schedule = getattr(X, name)(*args, **kwargs)
        fn = kerasx.jit(lambda s: schedule(s))
        for step in (0, 4, 5, 9, 21, 55):
            got = np.asarray(fn(np.asarray(step, dtype="int32")))
            expected = np.asarray(schedule(step))
            np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-7)
    finally:
        kerasx.config.set_backend("numpy")


def test_closed_forms():
    # Independent closed-form references, no Keras needed.
    np.testing.assert_allclose(X.ExponentialDecay(0.1, 10, 0.5)(20), 0.025, rtol=1e-6)
    np.testing.assert_allclose(X.InverseTimeDecay(1.0, 2, 1.0)(4), 1.0 / 3.0, rtol=1e-6)
    np.testing.assert_allclose(X.PolynomialDecay(1.0, 10, 0.0)(5), 0.5, rtol=1e-6)
    np.testing.assert_allclose(X.PolynomialDecay(1.0, 10, 0.0)(50), 0.0, atol=1e-7)
    np.testing.assert_allclose(
        X.CosineDecay(1.0, 10)(3), 0.5 * (1 + math.cos(math.pi * 0.3)), rtol=1e-6
    )
    pw = X.PiecewiseConstantDecay([2, 4], [1.0, 2.0, 3.0])
    assert [float(pw(s)) for s in (0, 2, 3, 4, 5)] == [1.0, 1.0, 2.0, 2.0, 3.0]
    sgdr = X.CosineDecayRestarts(1.0, 4, t_mul=2.0, m_mul=0.5)
    np.testing.assert_allclose(sgdr(4), 0.5, rtol=1e-6)  # start of the 2nd period
    np.testing.assert_allclose(sgdr(12), 0.25, rtol=1e-6)  # start of the 3rd period


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=IDS)
def test_config_round_trip_matches_keras(name, args, kwargs):
    ours = getattr(X, name)(*args, **kwargs)
    config = ours.get_config()
    rebuilt = type(ours).from_config(config)
    assert rebuilt.get_config() == config
    for step in (0, 7, 33):
        np.testing.assert_array_equal(np.asarray(rebuilt(step)), np.asarray(ours(step)))
    keras = pytest.importorskip("keras")
    assert config == getattr(keras.optimizers.schedules, name)(*args, **kwargs).get_config()


@pytest.mark.parametrize("name,args,kwargs", CASES, ids=IDS)
def test_serialize_deserialize(name, args, kwargs):
    ours = getattr(X, name)(*args, **kwargs)
    data = X.serialize(ours)
    json.dumps(data)
    back = X.deserialize(data)
    assert type(back) is type(ours)
    assert back.get_config() == ours.get_config()
    keras = pytest.importorskip("keras")
    ref = getattr(keras.optimizers.schedules, name)(*args, **kwargs)
    assert data == keras.optimizers.schedules.serialize(ref)
    # Dicts written by Keras load here too.
    assert X.deserialize(keras.optimizers.schedules.serialize(ref)).get_config() == (
        ours.get_config()
    )


def test_deserialize_custom_and_unknown():
    class Constant(X.LearningRateSchedule):
        def __init__(self, value):
            self.value = value

        def __call__(self, step):
            return kerasx.ops.convert_to_tensor(self.value, dtype="float32")

        def get_config(self):
            return {"value": self.value}

    data = X.serialize(Constant(0.3))
    back = X.deserialize(data, custom_objects={"Constant": Constant})
    assert isinstance(back, Constant) and back.value == 0.3
    with pytest.raises(ValueError, match="class_name"):
        X.deserialize({"class_name": "Nope", "config": {}})
    with pytest.raises(ValueError, match="config"):
        X.deserialize("ExponentialDecay")


def test_base_class_must_be_overridden():
    base = X.LearningRateSchedule()
    with pytest.raises(NotImplementedError, match="__call__"):
        base(1)
    with pytest.raises(NotImplementedError, match="get_config"):
        base.get_config()


@pytest.mark.parametrize(
    "make,arg",
    [
        (lambda: X.ExponentialDecay(0.1, 0, 0.9), "decay_steps"),
        (lambda: X.ExponentialDecay(0.1, -3, 0.9), "decay_steps"),
        (lambda: X.PolynomialDecay(0.1, 0), "decay_steps"),
        (lambda: X.InverseTimeDecay(0.1, 0, 0.5), "decay_steps"),
        (lambda: X.CosineDecay(0.1, 0), "decay_steps"),
        (lambda: X.CosineDecayRestarts(0.1, 0), "first_decay_steps"),
        (lambda: X.PiecewiseConstantDecay([1, 2], [1.0]), "boundaries"),
        (lambda: X.PiecewiseConstantDecay([1], [1.0, 2.0, 3.0]), "values"),
    ],
)
def test_bad_arguments(make, arg):
    with pytest.raises(ValueError, match=arg):
        make()


def test_public_names_match_keras_listing():
    names = {"CosineDecay", "CosineDecayRestarts", "ExponentialDecay", "InverseTimeDecay",
             "LearningRateSchedule", "PiecewiseConstantDecay", "PolynomialDecay",
             "deserialize", "serialize"}  # fmt: skip
    public = {n for n in dir(X) if not n.startswith("_")}
    assert names <= public
    assert public - names <= {"learning_rate_schedule"}
