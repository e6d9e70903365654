"""Adagrad, Adadelta, Adamax, Nadam, Lion, Ftrl, Adafactor, Lamb against real Keras 3.

Each case runs five steps from the same weights and gradient sequence in Keras (numpy
backend) and in kerasx on every installed engine, and compares weights and optimizer state.
The stateless path is checked under `kerasx.jit`.
"""

import re

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import optimizers as XO
from kerasx.engine.discovery import installed_engines
from kerasx.engine.variables import Variable

keras = pytest.importorskip("keras")
KO = keras.optimizers
# Keras's own Variable.__array__ trips NumPy 2's copy-keyword deprecation in get_config.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

R = np.random.default_rng(0)
SHAPES = [(3, 4), (4,), (2, 3, 5)]
W0 = [R.normal(size=s).astype("float32") for s in SHAPES]
GRADS = [[R.normal(size=s).astype("float32") for s in SHAPES] for _ in range(5)]
W0[1][0] = 0.0  # a zero coordinate (Ftrl/Lamb corner cases)

FTRL_OPTS = {
    "learning_rate_power": -0.7,
    "initial_accumulator_value": 0.2,
    "l1_regularization_strength": 0.05,
    "l2_regularization_strength": 0.03,
    "l2_shrinkage_regularization_strength": 0.02,
    "beta": 0.1,
}
# (class name, constructor kwargs, learning rate given as a schedule?)
CASES = [
    ("Adagrad", {"learning_rate": 0.05}, False),
    ("Adagrad", {"learning_rate": 0.05, "initial_accumulator_value": 0.5, "epsilon": 1e-3}, True),
    ("Adadelta", {"learning_rate": 0.5}, False),
    ("Adadelta", {"learning_rate": 0.5, "rho": 0.8, "epsilon": 1e-4}, True),
    ("Adamax", {"learning_rate": 0.02}, False),
    ("Adamax", {"learning_rate": 0.02, "beta_1": 0.8, "beta_2": 0.9, "epsilon": 1e-3}, True),
    ("Nadam", {"learning_rate": 0.02}, False),
    ("Nadam", {"learning_rate": 0.02, "beta_1": 0.7, "beta_2": 0.95}, True),
    ("Lion", {"learning_rate": 0.01}, False),
    ("Lion", {"learning_rate": 0.01, "beta_1": 0.5, "beta_2": 0.9}, True),
    ("Ftrl", {"learning_rate": 0.05}, False),
    ("Ftrl", {"learning_rate": 0.05, **FTRL_OPTS}, False),
    ("Ftrl", {"learning_rate": 0.05, **FTRL_OPTS, "learning_rate_power": 0.0}, True),
    ("Adafactor", {"learning_rate": 0.01}, False),
    ("Adafactor", {"learning_rate": 0.5, "relative_step": False}, False),
    (
        "Adafactor",
        {"learning_rate": 0.5, "clip_threshold": 0.3, "beta_2_decay": -0.6, "epsilon_2": 0.1},
        True,
    ),
    ("Lamb", {"learning_rate": 0.01}, False),
    ("Lamb", {"learning_rate": 0.01, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-4}, True),
    ("Lamb", {"learning_rate": 0.01, "weight_decay": 0.1, "clipnorm": 1.0}, False),
    ("Muon", {"learning_rate": 0.01}, False),
    (
        "Muon",
        {
            "learning_rate": 0.02,
            "weight_decay": 0.05,
            "adam_weight_decay": 0.1,
            "adam_lr_ratio": 0.3,
            "rms_rate": 0.5,
            "muon_a": 3.0,
            "muon_b": -4.0,
            "muon_c": 1.5,
            "ns_steps": 3,
            "momentum": 0.8,
            "nesterov": False,
            "adam_beta_1": 0.8,
            "adam_beta_2": 0.99,
        },
        True,
    ),
    ("Muon", {"learning_rate": 0.01, "exclude_layers": ["v0"], "weight_decay": None}, False),
    ("ScheduleFreeAdamW", {"learning_rate": 0.05}, False),
    ("ScheduleFreeAdamW", {"learning_rate": 0.05, "warmup_steps": 3, "weight_decay": 0.2}, True),
    (
        "ScheduleFreeAdamW",
        {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
        False,
    ),
]
IDS = [f"{c[0]}-{i}" for i, c in enumerate(CASES)]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _schedule(mod, lr):
    return mod.schedules.ExponentialDecay(lr, decay_steps=2, decay_rate=0.6)


def _make(mod, case):
    cls, kw, sched = case
    kw = dict(kw)
    if sched:
        kw["learning_rate"] = _schedule(mod, kw["learning_rate"])
    return getattr(mod, cls)(**kw)


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _run_keras(case):
    opt = _make(KO, case)
    vs = [keras.Variable(w.copy(), name=f"v{i}") for i, w in enumerate(W0)]
    for gs in GRADS:
        opt.apply_gradients(zip(gs, vs))
    return opt, [np.asarray(v) for v in vs]


def _paths(opt):
    """Short variable names. Keras's unnamed Nadam scalar takes a global counter suffix and,
    built outside `apply`, some Keras optimizer variables lack the optimizer prefix."""
    return [re.sub(r"^variable_\d+$", "variable", v.path.split("/")[-1]) for v in opt.variables]


def _check_layout(opt, kopt):
    assert _paths(opt) == _paths(kopt)
    assert all(v.path.startswith(opt.name + "/") for v in opt.variables)
    assert [v.shape for v in opt.variables] == [tuple(v.shape) for v in kopt.variables]
    assert [v.dtype for v in opt.variables] == [v.dtype for v in kopt.variables]


def _assert_close(got, want, what):
    for i, (a, b) in enumerate(zip(got, want)):
        np.testing.assert_allclose(
            np.asarray(a), np.asarray(b), rtol=1e-6, atol=1e-6, err_msg=f"{what} {i}"
        )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_steps_match_keras(engine, case):
    kopt, kw = _run_keras(case)
    opt = _make(XO, case)
    vs = [Variable(w.copy(), name=f"v{i}") for i, w in enumerate(W0)]
    for gs in GRADS:
        opt.apply_gradients(zip(gs, vs))
    _assert_close([v.numpy() for v in vs], kw, "weight")
    _check_layout(opt, kopt)
    _assert_close(
        [v.numpy() for v in opt.variables], [np.asarray(v) for v in kopt.variables], "slot"
    )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_stateless_apply_under_jit(engine, case):
    _, want = _run_keras(case)
    opt = _make(XO, case)
    vs = [Variable(w.copy(), name=f"v{i}") for i, w in enumerate(W0)]
    opt.build(vs)

    @kerasx.jit
    def step(opt_vals, grads, weights):
        new_w, new_o = opt.stateless_apply(opt_vals, grads, weights)
        return new_w, new_o

    weights = [v.value for v in vs]
    opt_vals = [v.value for v in opt.variables]
    for gs in GRADS:
        weights, opt_vals = step(opt_vals, [kerasx.ops.convert_to_tensor(g) for g in gs], weights)
    _assert_close([_np(w) for w in weights], want, "weight")
    # Nothing was modified in place.
    _assert_close([v.numpy() for v in vs], W0, "untouched weight")
    assert int(opt.iterations.numpy()) == 0
    assert int(_np(opt_vals[0])) == len(GRADS)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_get_config_matches_keras(engine, case):
    cls, kw, sched = case
    kw = {**kw, "name": "opt"}
    want = _make(KO, (cls, kw, sched)).get_config()
    opt = _make(XO, (cls, kw, sched))
    got = opt.get_config()
    assert got == want
    again = type(opt).from_config(got)
    assert again.get_config() == want


NAMES = ["Adagrad", "Adadelta", "Adamax", "Nadam", "Lion", "Ftrl", "Adafactor", "Lamb", "Muon"]
NAMES += ["ScheduleFreeAdamW"]


@pytest.mark.parametrize("cls", NAMES)
def test_defaults_and_names(engine, cls):
    want = getattr(KO, cls)().get_config()
    got = getattr(XO, cls)().get_config()
    assert {k: v for k, v in got.items() if k != "name"} == {
        k: v for k, v in want.items() if k != "name"
    }
    assert got["name"].split("_")[0] == want["name"].split("_")[0]


@pytest.mark.parametrize("cls", NAMES)
def test_variables_follow_keras_for_layer_weights(engine, cls):
    """Slot names, order and initial values for weights with nested paths."""
    ws = [Variable(np.ones(s, "float32"), name=n) for s, n in [((3, 4), "kernel"), ((4,), "b")]]
    kws = [
        keras.Variable(np.ones(s, "float32"), name=n) for s, n in [((3, 4), "kernel"), ((4,), "b")]
    ]
    opt = getattr(XO, cls)(name="o")
    kopt = getattr(KO, cls)(name="o")
    opt.build(ws)
    kopt.build(kws)
    _check_layout(opt, kopt)
    _assert_close([v.numpy() for v in opt.variables], [np.asarray(v) for v in kopt.variables], "v")


def test_nadam_product_advances_once_per_step(engine):
    opt = XO.Nadam(learning_rate=0.01)
    vs = [Variable(np.ones((2,), "float32")) for _ in range(3)]
    for _ in range(2):
        opt.apply_gradients([(np.ones((2,), "float32"), v) for v in vs])
    u = [0.9 * (1 - 0.5 * 0.96**t) for t in (1, 2)]
    np.testing.assert_allclose(opt.variables[-1].numpy(), u[0] * u[1], rtol=1e-6)


def test_adafactor_relative_step_has_no_effect_like_keras(engine):
    out = []
    for rel in (True, False):
        opt = XO.Adafactor(learning_rate=2.0, relative_step=rel)
        v = Variable(np.full((4,), 3.0, "float32"))
        for _ in range(3):
            opt.apply_gradients([(np.ones((4,), "float32"), v)])
        out.append(v.numpy())
    np.testing.assert_array_equal(out[0], out[1])


@pytest.mark.parametrize(
    "cls, kw",
    [
        ("Lion", {"beta_1": 0.0}),
        ("Lion", {"beta_1": 1.5}),
        ("Ftrl", {"initial_accumulator_value": -1.0}),
        ("Ftrl", {"learning_rate_power": 0.5}),
        ("Ftrl", {"l1_regularization_strength": -1.0}),
        ("Ftrl", {"l2_regularization_strength": -0.1}),
        ("Ftrl", {"l2_shrinkage_regularization_strength": -2.0}),
    ],
)
def test_invalid_arguments(engine, cls, kw):
    ((arg, value),) = kw.items()
    with pytest.raises(ValueError):
        getattr(KO, cls)(**kw)
    with pytest.raises(ValueError, match=f"`{arg}`.*Received: {arg}={value}"):
        getattr(XO, cls)(**kw)


@pytest.mark.parametrize("cls", NAMES)
def test_bad_learning_rate_and_unknown_argument(engine, cls):
    with pytest.raises(ValueError, match="learning_rate"):
        getattr(XO, cls)(learning_rate="fast")
    with pytest.raises(ValueError, match="not_an_arg"):
        getattr(XO, cls)(not_an_arg=1)


GET_NAMES = ["adagrad", "adadelta", "adamax", "nadam", "lion", "ftrl", "adafactor", "muon"]


@pytest.mark.parametrize("name", GET_NAMES + ["Nadam", "ScheduleFreeAdamW"])
def test_get_by_name(engine, name):
    opt = XO.get(name)
    assert type(opt).__name__ == type(KO.get(name)).__name__
    again = XO.deserialize(XO.serialize(opt))
    assert type(again) is type(opt) and again.get_config() == opt.get_config()


def test_get_lamb(engine):
    # Keras 3.15's `get` does not list Lamb; kerasx resolves every exported class by name.
    assert type(XO.get("lamb")) is XO.Lamb


@pytest.mark.parametrize(
    "path, kw, adamw",
    [
        ("dense/kernel", {}, False),
        ("embedding/embeddings", {}, True),
        ("My_Embedding/w", {}, True),
        ("embedding/embeddings", {"exclude_embeddings": False}, False),
        ("output_dense/kernel", {"exclude_layers": ["^output"]}, True),
        ("dense/kernel", {"exclude_layers": ["^kernel"]}, False),
    ],
)
def test_muon_chooses_adamw_like_keras(engine, path, kw, adamw):
    layer, name = path.split("/")
    v = Variable(np.ones((3, 4), "float32"), name=name)
    v.path = path
    opt = XO.Muon(**kw)
    opt.build([v])
    assert (len(opt.variables) == 4) is adamw
    if layer in ("dense", "output_dense"):
        kl = keras.layers.Dense(4, name=layer)
        kl.build((None, 3))
        kv = kl.kernel
    else:
        kl = keras.layers.Embedding(3, 4, name=layer)
        kl.build((None,))
        kv = kl.embeddings
    kopt = KO.Muon(**kw)
    kopt.build([kv])
    assert (len(kopt.variables) == 4) is adamw
