"""kerasx.initializers: statistics vs closed form, exact properties, configs vs Keras 3."""

import numpy as np
import pytest

import kerasx
from kerasx import initializers as I
from kerasx.engine.discovery import installed_engines

keras = pytest.importorskip("keras")


@pytest.fixture(params=installed_engines())
def engine(request):
    kerasx.config.set_backend(request.param)
    try:
        yield request.param
    finally:
        kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


@pytest.mark.parametrize(
    "name,var",
    [
        ("GlorotUniform", 2 / 500),
        ("GlorotNormal", 2 / 500),
        ("HeUniform", 2 / 200),
        ("HeNormal", 2 / 200),
        ("LecunUniform", 1 / 200),
        ("LecunNormal", 1 / 200),
    ],
)
def test_variance_closed_form(engine, name, var):
    init = getattr(I, name)(seed=7)
    a = _np(init((200, 300)))
    assert a.dtype == np.float32 and a.shape == (200, 300)
    assert abs(a.var() / var - 1) < 0.05
    assert abs(a.mean()) < 0.01
    np.testing.assert_array_equal(a, _np(init((200, 300))))  # seeded: same every call


@pytest.mark.parametrize("dist", ["uniform", "truncated_normal", "untruncated_normal"])
@pytest.mark.parametrize("mode", ["fan_in", "fan_out", "fan_avg"])
def test_variance_scaling_modes(engine, dist, mode):
    a = _np(I.VarianceScaling(3.0, mode, dist, seed=1)((20, 30, 40)))
    fan_in, fan_out = 30 * 20, 40 * 20
    n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2}[mode]
    assert abs(a.var() / (3.0 / n) - 1) < 0.05


def test_fans_with_axes():
    assert I.compute_fans((40, 50, 60), [0], [2]) == (40, 60)
    assert I.compute_fans((40, 50, 60), [0, 1], [2]) == (2000, 60)
    assert I.compute_fans((40, 50, 60)) == (2000, 2400)
    assert I.compute_fans((7,)) == (7, 7)


def test_exact(engine):
    np.testing.assert_array_equal(_np(I.Constant(2.5)((2, 3))), np.full((2, 3), 2.5, "float32"))
    np.testing.assert_array_equal(_np(I.Zeros()((2,), "int32")), np.zeros(2, "int32"))
    np.testing.assert_array_equal(_np(I.Ones()((3,))), np.ones(3, "float32"))
    np.testing.assert_array_equal(_np(I.Identity(2.0)((2, 3))), 2 * np.eye(2, 3))
    for shape in [(3, 5), (6, 4), (2, 3, 4)]:
        q = _np(I.Orthogonal(gain=2.0, seed=3)(shape)).reshape(-1, shape[-1])
        small = min(q.shape)
        gram = q.T @ q if q.shape[0] >= q.shape[1] else q @ q.T
        np.testing.assert_allclose(gram, 4 * np.eye(small), atol=1e-5)
    with pytest.raises(ValueError, match="shape"):
        I.Identity()((2, 2, 2))
    with pytest.raises(ValueError, match="shape"):
        I.Orthogonal()((3,))


def test_configs_match_keras():
    cases = [
        ("Constant", dict(value=3.0)),
        ("Zeros", {}),
        ("Ones", {}),
        ("Identity", dict(gain=2.0)),
        ("Orthogonal", dict(seed=1)),
        ("RandomNormal", dict(mean=1.0, seed=2)),
        ("RandomUniform", dict(minval=-1.0)),
        ("TruncatedNormal", dict(stddev=0.3)),
        ("VarianceScaling", dict(scale=2.0, mode="fan_avg", distribution="normal")),
        ("GlorotUniform", dict(seed=3)),
        ("HeNormal", {}),
        ("LecunUniform", dict(input_axes=[0], output_axes=[1])),
    ]
    for name, kw in cases:
        ours, ref = getattr(I, name)(**kw), getattr(keras.initializers, name)(**kw)
        if name != "Identity":  # Keras 3.15 drops `gain` from Identity's config; we keep it
            assert I.serialize(ours) == keras.initializers.serialize(ref), name
        back = I.deserialize(I.serialize(ours))
        assert type(back) is type(ours) and back.get_config() == ours.get_config()
    # Explicit names: Keras numbers unnamed seed generators per process (test-order dependent).
    ours = I.GlorotUniform(seed=kerasx.random.SeedGenerator(3, name="sg"))
    ref = keras.initializers.GlorotUniform(seed=keras.random.SeedGenerator(3, name="sg"))
    assert I.serialize(ours) == keras.initializers.serialize(ref)
    back = I.deserialize(I.serialize(ours))
    assert isinstance(back.seed, kerasx.random.SeedGenerator)


def test_seed_semantics():
    a = I.RandomNormal()
    np.testing.assert_array_equal(_np(a((5,))), _np(a((5,))))  # as in Keras
    g = I.RandomNormal(seed=kerasx.random.SeedGenerator(1))
    assert not np.array_equal(_np(g((5,))), _np(g((5,))))


def test_get():
    assert I.get(None) is None
    assert isinstance(I.get("glorot_uniform"), I.GlorotUniform)
    assert isinstance(I.get("Zeros"), I.Zeros)
    c = I.get({"class_name": "Constant", "config": {"value": 2.0}})
    assert c.get_config() == {"value": 2.0}
    inst = I.HeUniform()
    assert I.get(inst) is inst
    f = lambda shape, dtype=None: 0  # noqa: E731
    assert I.get(f) is f
    for bad in ("nope", 3):
        with pytest.raises(ValueError, match="identifier"):
            I.get(bad)
    with pytest.raises(ValueError, match="mode"):
        I.VarianceScaling(mode="fan")
    with pytest.raises(ValueError, match="distribution"):
        I.VarianceScaling(distribution="cauchy")
    with pytest.raises(ValueError, match="scale"):
        I.VarianceScaling(scale=0.0)


@pytest.mark.parametrize("name", ["uniform", "normal", "one", "zero"])
def test_short_alias_names_match_keras(name):
    keras = pytest.importorskip("keras")
    ours = kerasx.initializers.get(name)
    ref = keras.initializers.get(name)
    assert type(ours).__name__ == type(ref).__name__
    assert ours.get_config() == ref.get_config()
