"""kerasx.optimizers.MultiOptimizer / OptimizerMap: Keras 3 parity in `fit` and
`train_on_batch` (both engines), the per-weight update rules in closed form, the variables,
the errors, and serialization.

Keras's NumPy backend cannot train, so the training reference runs real Keras 3 on its JAX
backend in a subprocess (skipped when Keras or JAX is missing), as in test_fit_parity.py.
"""

import json
import textwrap

import numpy as np
import pytest

import kerasx
from kerasx import config
from kerasx import optimizers as XO
from kerasx.engine.discovery import installed_engines
from kerasx.engine.variables import Variable
from kerasx.optimizers import MultiOptimizer, OptimizerMap

# Keras's own variables trip NumPy 2's `__array__(copy=...)` deprecation inside Keras.
pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")

RNG = np.random.default_rng(11)
X = RNG.normal(size=(24, 3)).astype("float32")
Y = RNG.normal(size=(24, 2)).astype("float32")
SHAPES = [(3, 4), (4,), (4, 2), (2,)]
W = [
    np.random.default_rng(i).uniform(-0.5, 0.5, size=s).astype("float32")
    for i, s in enumerate(SHAPES)
]


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    kerasx.backend.clear_session()
    yield request.param
    config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


# ---------------------------------------------------------------------------- Keras parity

# Run verbatim by Keras (as `keras`) and by kerasx (as `keras`); SPE is steps_per_execution.
CASES = {
    "map_fit_ema_scheduler": """
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d1"),
                                  keras.layers.Dense(2, name="d2")], name="seq")
        model.set_weights(W)
        opt = keras.optimizers.MultiOptimizer(keras.optimizers.OptimizerMap(
            keras.optimizers.SGD(0.1, momentum=0.9, name="sgd_a"),
            {".*d2/.*": keras.optimizers.Adam(0.01, use_ema=True, ema_momentum=0.8,
                                              name="adam_a")}), name="multi")
        model.compile(optimizer=opt, loss="mse", steps_per_execution=SPE)
        cb = keras.callbacks.LearningRateScheduler(lambda epoch, lr: lr * 0.5)
        hist = model.fit(X, Y, batch_size=8, epochs=3, shuffle=False, verbose=0, callbacks=[cb])
    """,
    "callable_fit_plateau": """
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d1"),
                                  keras.layers.Dense(2, name="d2")], name="seq")
        model.set_weights(W)
        rms = keras.optimizers.RMSprop(0.01, name="rms_b")
        sgd = keras.optimizers.SGD(0.05, name="sgd_b")
        opt = keras.optimizers.MultiOptimizer(lambda v: rms if "kernel" in v.path else sgd,
                                              name="multi")
        model.compile(optimizer=opt, loss="mse", steps_per_execution=SPE)
        cb = keras.callbacks.ReduceLROnPlateau(monitor="loss", factor=0.5, patience=1,
                                               min_delta=1e9)
        hist = model.fit(X, Y, batch_size=6, epochs=3, shuffle=False, verbose=0, callbacks=[cb])
    """,
    "map_train_on_batch_loss_scale": """
        model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(4, name="d1"),
                                  keras.layers.Dense(2, name="d2")], name="seq")
        model.set_weights(W)
        omap = keras.optimizers.OptimizerMap(keras.optimizers.Adam(0.02, name="adam_c"))
        omap["seq/d1/kernel"] = keras.optimizers.SGD(0.1, name="sgd_c")
        omap["seq/d2/.*"] = keras.optimizers.Lion(0.001, name="lion_c")
        opt = keras.optimizers.MultiOptimizer(omap, loss_scale_factor=8.0, name="multi")
        model.compile(optimizer=opt, loss="mse", steps_per_execution=SPE)
        for i in range(3):
            model.train_on_batch(X[i * 8:(i + 1) * 8], Y[i * 8:(i + 1) * 8])
        hist = None
    """,
}


def _run(keras, case, spe=1):
    scope = {"keras": keras, "W": W, "X": X, "Y": Y, "SPE": spe}
    exec(textwrap.dedent(CASES[case]), scope)
    opt = scope["model"].optimizer
    hist = scope["hist"]
    return {
        "history": {}
        if hist is None
        else {k: [float(v) for v in vs] for k, vs in hist.history.items()},
        "weights": [np.asarray(w).tolist() for w in scope["model"].get_weights()],
        "optimizers": [o.name for o in opt.optimizers],
        "opt_paths": [v.path for v in opt.variables],
        "opt_values": [np.asarray(keras.ops.convert_to_numpy(v)).tolist() for v in opt.variables],
    }


@pytest.fixture(scope="module")
def reference():
    from keras_reference import keras_jax_reference

    return keras_jax_reference("test_multi_optimizer")


@pytest.mark.parametrize("spe", [1, 2])
@pytest.mark.parametrize("case", list(CASES))
def test_training_matches_keras(reference, engine, case, spe):
    want = reference[case]
    got = _run(kerasx, case, spe)
    assert got["optimizers"] == want["optimizers"]
    assert got["opt_paths"] == want["opt_paths"]
    assert list(got["history"]) == list(want["history"])
    for key in want["history"]:
        np.testing.assert_allclose(
            got["history"][key], want["history"][key], rtol=1e-5, atol=1e-7, err_msg=key
        )
    for g, w in zip(got["weights"], want["weights"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-7)
    for p, g, w in zip(got["opt_paths"], got["opt_values"], want["opt_values"], strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-5, atol=1e-7, err_msg=p)


# ---------------------------------------------------------------------------- closed form


def _pair():
    a = Variable(np.array([1.0, -2.0, 3.0], "float32"), name="a")
    b = Variable(np.array([[0.5, -0.25]], "float32"), name="b")
    a.path, b.path = "enc/a", "dec/b"
    return a, b


GA = [np.array([0.3, -0.1, 0.2], "float32"), np.array([-0.5, 0.4, 0.1], "float32")]
GB = [np.array([[1.0, 2.0]], "float32"), np.array([[-0.2, 0.7]], "float32")]


def test_each_weight_follows_its_own_optimizer(engine):
    a, b = _pair()
    sgd, adam = XO.SGD(0.1, momentum=0.5), XO.Adam(0.05)
    multi = MultiOptimizer(OptimizerMap(sgd, {"dec/.*": adam}))
    ra, rb = _pair()
    alone_sgd, alone_adam = XO.SGD(0.1, momentum=0.5), XO.Adam(0.05)
    for ga, gb in zip(GA, GB):
        multi.apply([ga, gb], [a, b])
        alone_sgd.apply([ga], [ra])
        alone_adam.apply([gb], [rb])
    np.testing.assert_allclose(_np(a.value), _np(ra.value), rtol=1e-6)
    np.testing.assert_allclose(_np(b.value), _np(rb.value), rtol=1e-6)
    assert int(_np(multi.iterations.value)) == 2
    assert int(_np(sgd.iterations.value)) == int(_np(adam.iterations.value)) == 2
    assert multi.optimizers == [adam, sgd]
    names = [v.name for v in multi.variables]
    assert names == [
        "iteration",
        "learning_rate",
        "iteration",
        "learning_rate",
        "dec_b_momentum",
        "dec_b_velocity",
        "iteration",
        "learning_rate",
        "enc_a_momentum",
    ]
    assert multi.variables[:2] == [multi.iterations, multi._learning_rate]


def test_stateless_apply_under_jit(engine):
    a, b = _pair()
    multi = MultiOptimizer(lambda v: XO.Adam(0.05) if v.path.startswith("dec") else XO.SGD(0.1))
    multi.build([a, b])
    assert [type(o).__name__ for o in multi.optimizers] == ["SGD", "Adam"]
    step = kerasx.jit(multi.stateless_apply)
    opt_vals = [v.value for v in multi.variables]
    tv = [a.value, b.value]
    for ga, gb in zip(GA, GB):
        tv, opt_vals = step(opt_vals, [ga, gb], tv)
    ref_a, ref_b = _pair()
    sgd, adam = XO.SGD(0.1), XO.Adam(0.05)
    for ga, gb in zip(GA, GB):
        sgd.apply([ga], [ref_a])
        adam.apply([gb], [ref_b])
    np.testing.assert_allclose(_np(tv[0]), _np(ref_a.value), rtol=1e-6)
    np.testing.assert_allclose(_np(tv[1]), _np(ref_b.value), rtol=1e-6)
    assert int(_np(opt_vals[0])) == 2  # the wrapper's own counter
    np.testing.assert_allclose(_np(a.value), [1.0, -2.0, 3.0])  # untouched


def test_lookup_rules_and_mapping_protocol():
    d, x, xy = XO.SGD(), XO.RMSprop(), XO.Lion()
    omap = OptimizerMap(d, {"x.*": x})
    omap["xy"] = xy
    assert omap["xy"] is xy  # an exact key wins over a matching pattern
    assert omap["xyz"] is x  # fullmatch of a pattern
    assert omap["ax"] is d  # no search: the pattern must match the whole path
    assert omap.default_optimizer is d
    assert len(omap) == 2 and list(omap) == ["x.*", "xy"] and "xy" in omap
    omap["xyz|w"] = XO.Adamax()
    with pytest.raises(ValueError, match="Multiple optimizers assigned to variable xyz"):
        omap["xyz"]
    del omap["xyz|w"]
    v = Variable(np.zeros(2, "float32"), name="k")
    v.path = "xk"
    assert omap(v) is x


def test_loss_scale_factor_is_shared_and_undone():
    s = XO.SGD(0.5, loss_scale_factor=2.0)
    a = XO.Adam()
    multi = MultiOptimizer(OptimizerMap(s, {"q": a}), loss_scale_factor=4.0)
    assert s.loss_scale_factor == a.loss_scale_factor == 4.0
    assert float(_np(multi.scale_loss(kerasx.ops.ones(())))) == 4.0
    v = Variable(np.ones(2, "float32"))
    multi.apply([np.full(2, 4.0, "float32")], [v])
    np.testing.assert_allclose(_np(v.value), [0.5, 0.5])
    multi.loss_scale_factor = None
    assert s.loss_scale_factor is None and a.loss_scale_factor is None


def test_apply_edge_cases_and_state():
    multi = MultiOptimizer(OptimizerMap(XO.SGD(0.1)))
    assert multi.apply([]) is None and not multi.built
    v = Variable(np.ones(2, "float32"), name="w")
    multi.build([v])
    assert multi.apply([np.ones(2, "float32")]) is None  # built: variables may be left out
    np.testing.assert_allclose(_np(v.value), [0.9, 0.9])
    it = multi.apply_gradients([(np.ones(2, "float32"), v)])
    assert it is multi.iterations and int(_np(it.value)) == 2
    multi.set_weights([np.array(5), np.array(0.0), np.array(7), np.array(0.5)])
    assert [float(_np(x.value)) for x in multi.variables] == [5, 0, 7, 0.5]
    assert float(_np(multi.optimizers[0].learning_rate)) == 0.5


def test_fit_with_ema_sub_optimizer_finalizes(engine):
    model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(2, name="d")])
    adam = XO.Adam(0.01, use_ema=True, ema_momentum=0.5)
    model.compile(optimizer=MultiOptimizer(OptimizerMap(adam)), loss="mse")
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    for w, avg in zip(model.trainable_variables, adam._model_variables_moving_average):
        np.testing.assert_allclose(_np(w.value), _np(avg.value))


# ---------------------------------------------------------------------------- errors


def test_errors_teach():
    sgd = XO.SGD()
    with pytest.raises(TypeError, match=r"`default_optimizer`.*Received: default_optimizer='sgd'"):
        OptimizerMap("sgd")
    with pytest.raises(TypeError, match=r"`optimizer_map`.*Received: optimizer_map=\[1\]"):
        OptimizerMap(sgd, [1])
    with pytest.raises(TypeError, match=r"OptimizerMap\(default_optimizer.*optimizer_map=42"):
        MultiOptimizer(42)
    with pytest.raises(TypeError, match="optimizer_map=\\{"):
        MultiOptimizer({"a": sgd})
    omap = OptimizerMap(sgd, {"a": XO.Adam()})
    with pytest.raises(ValueError, match="'a' is already in the OptimizerMap.*del optimizer_map"):
        omap["a"] = XO.SGD()
    with pytest.raises(ValueError, match="expected a string.*Received: key=3"):
        omap[3] = XO.SGD()
    with pytest.raises(ValueError, match="expected an `Optimizer` instance.*'adam'"):
        omap["b"] = "adam"
    with pytest.raises(ValueError, match="LossScaleOptimizer.*loss_scale_factor"):
        omap["b"] = XO.LossScaleOptimizer(XO.SGD())
    with pytest.raises(ValueError, match="cannot be nested"):
        omap["b"] = MultiOptimizer(OptimizerMap(XO.SGD()))
    omap["["] = XO.SGD()
    with pytest.raises(ValueError, match=r"key '\[' is not a valid regular expression"):
        omap["zz"]
    multi = MultiOptimizer(OptimizerMap(sgd))
    with pytest.raises(AttributeError, match="no learning rate.*opt.learning_rate for opt in"):
        _ = multi.learning_rate
    with pytest.raises(AttributeError, match="Set it on the sub-optimizers.*Received: 0.1"):
        multi.learning_rate = 0.1
    assert not hasattr(multi, "learning_rate")
    with pytest.raises(TypeError, match="does not support item assignment.*OptimizerMap"):
        multi["x"] = XO.SGD()
    v = Variable(np.ones(2, "float32"), name="w")
    v.path = "w"
    with pytest.raises(ValueError, match="without `trainable_variables` needs a built"):
        multi.apply([np.ones(2, "float32")])
    with pytest.raises(ValueError, match="not built yet.*build"):
        multi.set_weights([])
    with pytest.raises(ValueError, match="the optimizer of variable 'w'.*Received: 'sgd'"):
        MultiOptimizer(lambda var: "sgd").build([v])
    multi.build([v])
    with pytest.raises(ValueError, match="one-to-one. Received: 2 gradients and 1 variables"):
        multi.apply([np.ones(2, "float32")] * 2, [v])
    other = Variable(np.ones(2, "float32"), name="other")
    with pytest.raises(ValueError, match="Unknown variable.*new optimizer instance"):
        multi.apply([np.ones(2, "float32")], [other])


# ---------------------------------------------------------------------------- serialization


def _named_multi(module):
    return module.optimizers.MultiOptimizer(
        module.optimizers.OptimizerMap(
            module.optimizers.SGD(0.1, momentum=0.9, name="s"),
            {".*d2/.*": module.optimizers.Adam(0.01, name="a")},
        ),
        loss_scale_factor=2.0,
        name="multi",
    )


def test_config_round_trip():
    multi = _named_multi(kerasx)
    cfg = XO.serialize(multi)
    assert cfg["class_name"] == "MultiOptimizer"
    assert cfg["config"]["optimizer_map"]["class_name"] == "OptimizerMap"
    back = XO.deserialize(json.loads(json.dumps(cfg)))
    assert isinstance(back, MultiOptimizer) and back.name == "multi"
    assert [o.name for o in back.optimizers] == ["a", "s"]
    assert back.loss_scale_factor == 2.0 and back.optimizers[1].momentum == 0.9
    assert back.get_config() == multi.get_config()


def test_config_matches_keras_both_ways():
    keras = pytest.importorskip("keras")
    ours, theirs = (
        XO.serialize(_named_multi(kerasx)),
        keras.optimizers.serialize(_named_multi(keras)),
    )
    assert json.loads(json.dumps(ours)) == json.loads(json.dumps(theirs))
    from_keras = XO.deserialize(json.loads(json.dumps(theirs)))
    assert from_keras.get_config() == _named_multi(kerasx).get_config()
    to_keras = keras.optimizers.deserialize(json.loads(json.dumps(ours)))
    assert [o.name for o in to_keras.optimizers] == ["a", "s"]


def _fitted_model(module):
    model = module.Sequential(
        [module.Input((3,)), module.layers.Dense(4, name="d1"), module.layers.Dense(2, name="d2")],
        name="seq",
    )
    model.set_weights(W)
    model.compile(optimizer=_named_multi(module), loss="mse")
    return model


def test_save_and_load_model(engine, tmp_path):
    model = _fitted_model(kerasx)
    model.fit(X, Y, batch_size=8, epochs=1, verbose=0)
    path = str(tmp_path / "m.keras")
    model.save(path)
    saved = [_np(v.value) for v in model.optimizer.variables]
    loaded = kerasx.saving.load_model(path)
    assert isinstance(loaded.optimizer, MultiOptimizer) and loaded.optimizer.built
    # (A loaded Sequential's weight paths lose the model's name, in Keras too, so the slots'
    # names differ; ".*d2/.*" still selects the same weights.)
    for v, want in zip(loaded.optimizer.variables, saved, strict=True):
        np.testing.assert_allclose(_np(v.value), want, err_msg=v.path)
    loaded.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    model.fit(X, Y, batch_size=8, epochs=1, shuffle=False, verbose=0)
    for a, b in zip(loaded.get_weights(), model.get_weights(), strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6)
    # Keras reads the file too (its NumPy backend loads without training).
    keras = pytest.importorskip("keras")
    theirs = keras.saving.load_model(path)
    assert [o.name for o in theirs.optimizer.optimizers] == ["a", "s"]
    for v, want in zip(theirs.optimizer.variables, saved, strict=True):
        np.testing.assert_allclose(keras.ops.convert_to_numpy(v), want, err_msg=v.path)


def test_swap_ema_weights_swaps_only_the_ema_sub_optimizers_weights():
    from kerasx import layers, optimizers

    model = kerasx.Sequential(
        [kerasx.Input((3,)), layers.Dense(4, name="d1"), layers.Dense(2, name="d2")], name="seq"
    )
    adam = optimizers.Adam(0.01, use_ema=True, ema_overwrite_frequency=None)
    opt = optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD(0.1), {".*d2/.*": adam}))
    model.compile(opt, "mse")
    x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
    y = np.zeros((16, 2), "float32")
    seen = {}

    class Probe(kerasx.callbacks.Callback):
        def on_train_batch_end(self, batch, logs=None):
            seen["train"] = [w.copy() for w in self.model.get_weights()]
            seen["ema"] = [np.asarray(v.value).copy() for v in adam._model_variables_moving_average]

        def on_test_begin(self, logs=None):
            seen["test"] = [w.copy() for w in self.model.get_weights()]
            seen["avg"] = [np.asarray(v.value).copy() for v in adam._model_variables_moving_average]

        def on_test_end(self, logs=None):
            seen["after"] = [w.copy() for w in self.model.get_weights()]

    model.fit(
        x,
        y,
        epochs=2,
        batch_size=8,
        verbose=0,
        validation_data=(x, y),
        callbacks=[kerasx.callbacks.SwapEMAWeights(), Probe()],
    )
    d1_kernel, d1_bias, d2_kernel, d2_bias = seen["test"]
    np.testing.assert_array_equal(d1_kernel, seen["train"][0])  # SGD's weights stay
    np.testing.assert_array_equal(d1_bias, seen["train"][1])
    np.testing.assert_array_equal(d2_kernel, seen["ema"][0])  # Adam's weights are the EMA
    np.testing.assert_array_equal(d2_bias, seen["ema"][1])
    np.testing.assert_array_equal(seen["avg"][0], seen["train"][2])  # ... swapped, not copied
    assert not np.array_equal(d2_kernel, seen["train"][2])
    for a, b in zip(seen["after"], seen["train"]):  # swapped back after the evaluation
        np.testing.assert_array_equal(a, b)
    plain = kerasx.Sequential([kerasx.Input((3,)), layers.Dense(2)])
    plain.compile(optimizers.MultiOptimizer(optimizers.OptimizerMap(optimizers.SGD())), "mse")
    with pytest.raises(ValueError, match="SwapEMAWeights must be used"):
        plain.fit(
            x, y, verbose=0, validation_data=(x, y), callbacks=[kerasx.callbacks.SwapEMAWeights()]
        )


def test_wrapper_names_cannot_be_resolved_alone():
    for name in ("multioptimizer", "MultiOptimizer", "lossscaleoptimizer"):
        with pytest.raises(ValueError, match="wraps other optimizers"):
            kerasx.optimizers.get(name)
