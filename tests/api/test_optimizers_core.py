"""kerasx.optimizers core (base class, SGD, Adam, AdamW, RMSprop, LossScaleOptimizer) vs Keras 3.

Each update rule runs several steps from the same initial weights and gradient sequence in
real Keras (numpy backend) and in kerasx on every installed engine; weights and every optimizer
variable must agree (rtol 1e-6). The stateless path is checked under `kerasx.jit`.
"""

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import optimizers as XO
from kerasx.engine.discovery import installed_engines
from kerasx.engine.variables import Variable

keras = pytest.importorskip("keras")
# Keras's own Variable.numpy() trips a NumPy 2 deprecation inside Keras; not ours to fix.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
KO = keras.optimizers

R = np.random.default_rng(0)
W0 = [R.normal(size=(3, 4)).astype("float32"), R.normal(size=(4,)).astype("float32")]
NAMES = ["kernel", "bias"]
GRADS = [[(R.normal(size=w.shape) * 2).astype("float32") for w in W0] for _ in range(6)]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def _schedule(module):
    return module.schedules.ExponentialDecay(0.1, decay_steps=2, decay_rate=0.5)


def _run(module, variable_cls, cls_name, kwargs, grads=GRADS, wrap=None):
    variables = [variable_cls(w, name=n) for w, n in zip(W0, NAMES)]
    kwargs = dict(kwargs)
    if kwargs.get("learning_rate") == "schedule":
        kwargs["learning_rate"] = _schedule(module)
    opt = getattr(module, cls_name)(**kwargs)
    if wrap is not None:
        opt = module.LossScaleOptimizer(opt, **wrap)
    for g in grads:
        opt.apply_gradients(zip(g, variables))
    read = keras.ops.convert_to_numpy if module is KO else _np
    weights = [np.asarray(read(v.value)) for v in variables]
    state = [np.asarray(read(v.value)) for v in opt.variables]
    paths = [v.path.split("/")[-1] for v in opt.variables]
    return weights, state, paths, opt


CASES = [
    ("SGD", {}),
    ("SGD", {"momentum": 0.9}),
    ("SGD", {"momentum": 0.9, "nesterov": True}),
    ("SGD", {"learning_rate": "schedule", "momentum": 0.5}),
    ("SGD", {"momentum": 0.5, "gradient_accumulation_steps": 2, "weight_decay": 0.1}),
    ("Adam", {}),
    ("Adam", {"amsgrad": True}),
    ("Adam", {"learning_rate": "schedule"}),
    ("Adam", {"weight_decay": 0.1}),
    ("Adam", {"clipnorm": 0.5}),
    ("Adam", {"clipvalue": 0.5}),
    ("Adam", {"global_clipnorm": 0.5}),
    ("Adam", {"use_ema": True}),
    ("Adam", {"use_ema": True, "ema_overwrite_frequency": 2}),
    ("Adam", {"gradient_accumulation_steps": 2}),
    ("Adam", {"gradient_accumulation_steps": 3, "use_ema": True, "ema_overwrite_frequency": 2}),
    ("Adam", {"loss_scale_factor": 4.0}),
    ("AdamW", {}),
    ("AdamW", {"weight_decay": 0.1, "amsgrad": True, "learning_rate": "schedule"}),
    ("RMSprop", {}),
    ("RMSprop", {"centered": True}),
    ("RMSprop", {"momentum": 0.5}),
    ("RMSprop", {"centered": True, "momentum": 0.5, "gradient_accumulation_steps": 2}),
]


def _assert_same(k, x):
    assert k[2] == x[2]  # slot names / Keras's variable order
    for a, b in zip(k[0] + k[1], x[0] + x[1]):
        assert a.dtype == b.dtype
        np.testing.assert_allclose(b, a, rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("cls_name,kwargs", CASES, ids=[f"{c}-{k}" for c, k in CASES])
def test_updates_match_keras(engine, cls_name, kwargs):
    k = _run(KO, keras.Variable, cls_name, kwargs)
    x = _run(XO, Variable, cls_name, kwargs)
    _assert_same(k, x)
    assert not np.allclose(x[0][0], W0[0])  # the weights moved


def test_loss_scale_optimizer_matches_keras(engine):
    grads = [[g * 8 for g in gs] for gs in GRADS]
    grads[2][0] = grads[2][0].copy()
    grads[2][0][0, 0] = np.inf
    grads[4][1] = grads[4][1].copy()
    grads[4][1][1] = np.nan
    wrap = {"initial_scale": 8.0, "dynamic_growth_steps": 2}
    k = _run(KO, keras.Variable, "Adam", {"learning_rate": 0.1}, grads, wrap)
    x = _run(XO, Variable, "Adam", {"learning_rate": 0.1}, grads, wrap)
    _assert_same(k, x)
    opt = x[3]
    assert int(opt.iterations) == 4  # two non-finite steps were skipped
    assert float(opt.dynamic_scale) == 4.0
    np.testing.assert_allclose(_np(opt.scale_loss(kerasx.ops.ones(()))), 4.0)
    assert opt.learning_rate is opt.inner_optimizer.learning_rate
    opt.learning_rate = 0.5
    np.testing.assert_allclose(_np(opt.inner_optimizer.learning_rate), 0.5)


def test_none_gradients_are_skipped(engine):
    a, b = Variable(np.ones(3, "float32"), name="a"), Variable(np.ones(3, "float32"), name="b")
    opt = XO.Adam(0.1)
    with pytest.warns(UserWarning, match="Gradients do not exist"):
        opt.apply_gradients([(None, a), (np.ones(3, "float32"), b)])
    np.testing.assert_array_equal(_np(a.value), 1.0)
    assert _np(b.value)[0] < 1.0
    assert len(opt.variables) == 2 + 2 * 2  # slots for both weights
    with pytest.raises(ValueError, match="No gradients provided"):
        opt.apply_gradients([(None, a)])
    with pytest.raises(ValueError, match="Unknown variable"):
        opt.apply_gradients([(np.ones(3, "float32"), Variable(np.ones(3, "float32")))])


def test_variables_order_and_paths_match_keras():
    for cls_name, kw in [("Adam", {"amsgrad": True}), ("SGD", {}), ("RMSprop", {"centered": 1})]:
        k = getattr(KO, cls_name)(name="o", **kw)
        x = getattr(XO, cls_name)(name="o", **kw)
        assert [v.path for v in x.variables] == [v.path for v in k.variables]
        kv = [keras.Variable(w, name=n) for w, n in zip(W0, NAMES)]
        xv = [Variable(w, name=n) for w, n in zip(W0, NAMES)]
        k.build(kv)
        x.build(xv)
        assert x.built
        assert [(v.path, v.dtype, v.shape) for v in x.variables] == [
            (v.path, v.dtype, tuple(v.shape)) for v in k.variables
        ]
    # a schedule has no learning_rate variable
    assert [v.path for v in XO.SGD(_schedule(XO), name="s").variables] == ["s/iteration"]


def test_default_names_are_keras_style():
    assert XO.RMSprop().name.startswith("rm_sprop")
    assert XO.AdamW().name.startswith("adam_w")
    assert XO.LossScaleOptimizer(XO.SGD()).name.startswith("loss_scale_optimizer")
    first, second = XO.Adam(), XO.Adam()
    assert first.name != second.name


@pytest.mark.parametrize(
    "kwargs",
    [
        {"inner": "Adam", "amsgrad": True, "gradient_accumulation_steps": 2},
        {"inner": "SGD", "momentum": 0.9, "use_ema": True, "ema_overwrite_frequency": 2},
        {"inner": "RMSprop", "centered": True, "clipnorm": 1.0, "learning_rate": "schedule"},
        {"inner": "LSO"},
    ],
)
def test_stateless_apply_under_jit(engine, kwargs):
    kwargs = dict(kwargs)
    cls_name = kwargs.pop("inner")

    def make():
        if cls_name == "LSO":
            return XO.LossScaleOptimizer(XO.Adam(0.1), initial_scale=4.0, dynamic_growth_steps=2)
        kw = dict(kwargs)
        if kw.get("learning_rate") == "schedule":
            kw["learning_rate"] = _schedule(XO)
        return getattr(XO, cls_name)(**kw)

    grads = [list(g) for g in GRADS]
    if cls_name == "LSO":
        grads[3][0] = np.full_like(grads[3][0], np.inf)  # a skipped step
    variables = [Variable(w, name=n) for w, n in zip(W0, NAMES)]
    opt = make()
    opt.build(variables)
    step = kerasx.jit(opt.stateless_apply)
    opt_values = [v.value for v in opt.variables]
    values = [v.value for v in variables]
    for g in grads:
        values, opt_values = step(opt_values, g, values)
    for v, w in zip(variables, W0):  # nothing changed in place
        np.testing.assert_array_equal(_np(v.value), w)
    ref_vars = [Variable(w, name=n) for w, n in zip(W0, NAMES)]
    ref = make()
    for g in grads:
        ref.apply_gradients(zip(g, ref_vars))
    for a, b in zip(values + opt_values, ref_vars + ref.variables):
        np.testing.assert_allclose(_np(a), _np(b.value), rtol=1e-6, atol=1e-7)


def test_stateless_apply_equals_apply(engine):
    for kw in [{"amsgrad": True, "gradient_accumulation_steps": 2, "use_ema": True}, {}]:
        variables = [Variable(w, name=n) for w, n in zip(W0, NAMES)]
        opt = XO.Adam(0.05, **kw)
        opt.build(variables)
        step = kerasx.jit(opt.stateless_apply)
        opt_values = [v.value for v in opt.variables]
        values = [v.value for v in variables]
        ref_vars = [Variable(w, name=n) for w, n in zip(W0, NAMES)]
        ref = XO.Adam(0.05, **kw)
        for g in GRADS:
            values, opt_values = step(opt_values, g, values)
            ref.apply_gradients(zip(g, ref_vars))
        for a, b in zip(values + opt_values, ref_vars + ref.variables):
            np.testing.assert_allclose(_np(a), _np(b.value), rtol=1e-6, atol=1e-7)
    with pytest.raises(ValueError, match="built"):
        XO.SGD().stateless_apply([], [], [])


def test_learning_rate_property(engine):
    opt = XO.SGD(0.1)
    np.testing.assert_allclose(_np(opt.learning_rate), 0.1)
    opt.learning_rate = 0.01
    np.testing.assert_allclose(_np(opt.learning_rate), 0.01)
    assert opt.get_config()["learning_rate"] == pytest.approx(0.01)
    sched = XO.SGD(_schedule(XO))
    np.testing.assert_allclose(_np(sched.learning_rate), 0.1)
    v = Variable(np.ones(2, "float32"))
    sched.apply_gradients([(np.ones(2, "float32"), v)])
    np.testing.assert_allclose(_np(sched.learning_rate), 0.1 * 0.5**0.5, rtol=1e-6)
    with pytest.raises(TypeError, match="cannot be set"):
        sched.learning_rate = 0.5
    opt.learning_rate = _schedule(XO)  # a schedule replaces the variable
    assert [v.path.split("/")[1] for v in opt.variables] == ["iteration"]
    assert XO.SGD(lambda: 0.3).learning_rate == 0.3
    assert opt.iterations.dtype == "int32"


def test_ema_finalize_and_exclude_from_weight_decay(engine):
    a, b = Variable(np.ones(2, "float32"), name="a"), Variable(np.ones(2, "float32"), name="b")
    opt = XO.SGD(0.1, use_ema=True, ema_momentum=0.5)
    for _ in range(3):
        opt.apply_gradients([(np.ones(2, "float32"), a)])
    # averages: 0.9, then 0.5*0.9+0.5*0.8, then 0.5*0.85+0.5*0.7
    opt.finalize_variable_values([a])
    np.testing.assert_allclose(_np(a.value), 0.775, rtol=1e-6)
    wd = XO.SGD(0.1, weight_decay=0.5)
    wd.exclude_from_weight_decay(var_names=["^b$"])
    zeros = np.zeros(2, "float32")
    wd.apply_gradients([(zeros, a), (zeros, b)])
    np.testing.assert_allclose(_np(a.value), 0.775 * (1 - 0.05), rtol=1e-6)
    np.testing.assert_allclose(_np(b.value), 1.0)
    with pytest.raises(ValueError, match="before the optimizer is built"):
        wd.exclude_from_weight_decay(var_list=[a])


def test_scale_loss_and_constraint(engine):
    assert XO.SGD(loss_scale_factor=4.0).scale_loss(2.0) == 8.0
    assert XO.SGD().scale_loss(2.0) == 2.0
    v = Variable(np.ones(2, "float32"))
    v.constraint = lambda x: kerasx.ops.clip(x, 0.95, 2.0)
    XO.SGD(1.0).apply_gradients([(np.ones(2, "float32"), v)])
    np.testing.assert_allclose(_np(v.value), 0.95)


CONFIG_CASES = [
    ("SGD", {"momentum": 0.9, "nesterov": True, "clipnorm": 1.0}),
    ("Adam", {"amsgrad": True, "use_ema": True, "ema_overwrite_frequency": 3}),
    ("Adam", {"learning_rate": "schedule", "gradient_accumulation_steps": 4}),
    ("AdamW", {"weight_decay": 0.01, "global_clipnorm": 2.0}),
    ("RMSprop", {"rho": 0.8, "momentum": 0.1, "centered": True, "loss_scale_factor": 2.0}),
]


@pytest.mark.parametrize("cls_name,kwargs", CONFIG_CASES)
def test_config_matches_keras(cls_name, kwargs):
    kw_k, kw_x = dict(kwargs, name="opt"), dict(kwargs, name="opt")
    if kwargs.get("learning_rate") == "schedule":
        kw_k["learning_rate"], kw_x["learning_rate"] = _schedule(KO), _schedule(XO)
    k = getattr(KO, cls_name)(**kw_k)
    x = getattr(XO, cls_name)(**kw_x)
    assert x.get_config() == k.get_config()
    again = type(x).from_config(x.get_config())
    assert again.get_config() == x.get_config()
    # Keras's serialized dict is read by kerasx and vice versa
    assert XO.deserialize(KO.serialize(k)).get_config() == k.get_config()
    assert KO.deserialize(XO.serialize(x)).get_config() == k.get_config()
    assert XO.serialize(x) == KO.serialize(k)


def test_loss_scale_optimizer_config_matches_keras():
    k = KO.LossScaleOptimizer(KO.SGD(name="in"), initial_scale=8.0, name="lso")
    x = XO.LossScaleOptimizer(XO.SGD(name="in"), initial_scale=8.0, name="lso")
    assert x.get_config() == k.get_config()
    back = XO.deserialize(XO.serialize(x))
    assert isinstance(back, XO.LossScaleOptimizer)
    assert back.get_config() == k.get_config()
    assert [v.path for v in x.variables] == [v.path for v in k.variables]


def test_get():
    assert isinstance(XO.get("adam"), XO.Adam)
    assert isinstance(XO.get("RMSprop"), XO.RMSprop)
    assert isinstance(XO.get("rmsprop"), XO.RMSprop)
    assert isinstance(XO.get("AdamW"), XO.AdamW)
    assert isinstance(XO.get("SGD"), XO.SGD)
    assert XO.get(None) is None
    opt = XO.SGD()
    assert XO.get(opt) is opt
    got = XO.get({"class_name": "Adam", "config": {"learning_rate": 0.5}})
    np.testing.assert_allclose(_np(got.learning_rate), 0.5)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier: 'nope'.*adam"):
        XO.get("nope")
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        XO.get(3)
    with pytest.raises(ValueError, match="Could not interpret optimizer identifier"):
        XO.deserialize({"class_name": "Foo", "config": {}})

    class MySGD(XO.SGD):
        pass

    custom = XO.deserialize({"class_name": "MySGD", "config": {}}, custom_objects={"MySGD": MySGD})
    assert isinstance(custom, MySGD)


@pytest.mark.parametrize(
    "make,error,match",
    [
        (lambda: XO.SGD(momentum=2.0), ValueError, "momentum=2.0"),
        (lambda: XO.SGD(momentum=1), ValueError, "`momentum`, expected a float in"),
        (lambda: XO.SGD(learning_rate=-1), ValueError, "learning_rate=-1"),
        (lambda: XO.Adam(learning_rate=1), ValueError, "`learning_rate`"),
        (lambda: XO.Adam(learning_rate="a"), ValueError, "learning_rate='a'"),
        (lambda: XO.Adam(learning_rate=None), ValueError, "learning_rate=None"),
        (lambda: XO.Adam(clipnorm=1, clipvalue=1), ValueError, "Only one of `clipnorm`"),
        (lambda: XO.Adam(clipnorm=1, global_clipnorm=1), ValueError, "global_clipnorm=1"),
        (lambda: XO.Adam(use_ema=True, ema_momentum=2), ValueError, "ema_momentum=2"),
        (lambda: XO.Adam(use_ema=True, ema_overwrite_frequency=1.5), ValueError, "=1.5"),
        (lambda: XO.Adam(gradient_accumulation_steps=1), ValueError, "integer >= 2"),
        (lambda: XO.Adam(foo=1), ValueError, "not recognized"),
        (lambda: XO.Adam(lr=0.1), ValueError, "not recognized"),
        (lambda: XO.AdamW(weight_decay=None), ValueError, "weight_decay=None"),
        (lambda: XO.Adam(name="a/b"), ValueError, "`name`"),
        (lambda: XO.LossScaleOptimizer("adam"), TypeError, "inner_optimizer"),
        (lambda: XO.LossScaleOptimizer(XO.SGD(), initial_scale=-1.0), ValueError, "-1.0"),
        (lambda: XO.LossScaleOptimizer(XO.SGD(), loss_scale_factor=2.0), ValueError, "inner"),
    ],
)
def test_bad_arguments(make, error, match):
    with pytest.raises(error, match=match):
        make()


def test_keras_rejects_the_same_arguments():
    for make in [
        lambda: KO.SGD(momentum=2.0),
        lambda: KO.Adam(learning_rate=-1),
        lambda: KO.Adam(clipnorm=1, clipvalue=1),
        lambda: KO.Adam(gradient_accumulation_steps=1),
        lambda: KO.AdamW(weight_decay=None),
    ]:
        with pytest.raises(ValueError):
            make()


def test_decay_is_ignored_with_warning():
    with pytest.warns(UserWarning, match="decay"):
        XO.Adam(decay=0.1)


def test_save_and_load_own_variables(engine):
    variables = [Variable(w, name=n) for w, n in zip(W0, NAMES)]
    opt = XO.Adam(0.1)
    opt.apply_gradients(zip(GRADS[0], variables))
    store = {}
    opt.save_own_variables(store)
    other = XO.Adam(0.1)
    other.build([Variable(w, name=n) for w, n in zip(W0, NAMES)])
    other.load_own_variables(store)
    for a, b in zip(opt.variables, other.variables):
        np.testing.assert_array_equal(_np(a.value), _np(b.value))
    with pytest.raises(ValueError, match="variables"):
        XO.SGD().load_own_variables(store)


@pytest.mark.parametrize(
    "cls_name,kwargs",
    [
        ("SGD", {"momentum": 0.9}),
        ("Adam", {"amsgrad": True, "weight_decay": 0.01}),
        ("RMSprop", {"centered": True, "momentum": 0.2}),
    ],
)
def test_float16_weights_match_keras(engine, cls_name, kwargs):
    rng = np.random.default_rng(1)
    w0 = rng.normal(size=(5,)).astype("float16")
    grads = [rng.normal(size=5).astype("float16") for _ in range(4)]
    kv, xv = keras.Variable(w0), Variable(w0)
    ko, xo = getattr(KO, cls_name)(**kwargs), getattr(XO, cls_name)(**kwargs)
    for g in grads:
        ko.apply_gradients([(g, kv)])
        xo.apply_gradients([(g, xv)])
    for a, b in zip([kv] + ko.variables, [xv] + xo.variables):
        a, b = keras.ops.convert_to_numpy(a.value), _np(b.value)
        assert a.dtype == b.dtype
        np.testing.assert_allclose(b.astype("float32"), a.astype("float32"), rtol=1e-3)


def test_get_resolves_classes_exported_later(monkeypatch):
    class Custom(XO.SGD):
        pass

    monkeypatch.setattr(XO, "Custom", Custom, raising=False)
    assert isinstance(XO.get("custom"), Custom)
    assert isinstance(XO.deserialize({"class_name": "Custom", "config": {}}), Custom)
