"""Normalization layers: BatchNormalization, LayerNormalization, GroupNormalization,
RMSNormalization, UnitNormalization, SpectralNormalization, on every engine, with Keras
parity where Keras is installed."""

import warnings

import numpy as np
import pytest

import kerasx
from kerasx import config, layers, ops
from kerasx.engine.discovery import installed_engines
from kerasx.testing import run_layer_test


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


def _data(*shape, seed=0, loc=0.0, scale=1.0, dtype="float32"):
    rng = np.random.default_rng(seed)
    return (rng.normal(size=shape) * scale + loc).astype(dtype)


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _keras():
    return pytest.importorskip("keras")


def _parity():
    _keras()
    from layer_parity import assert_matches_keras

    return assert_matches_keras


def _keras_weights(layer):
    """A Keras layer's weights as arrays (its own `get_weights` trips a NumPy deprecation
    warning once the JAX engine is loaded)."""
    return [np.asarray(w.value) for w in layer.weights]


def _same_weights(ours, theirs, rng_seed=1):
    """Give both layers the same random (positive) weights, in Keras's order."""
    rng = np.random.default_rng(rng_seed)
    ws = [(rng.random(w.shape) + 0.5).astype(str(w.dtype)) for w in ours.weights]
    ours.set_weights(ws)
    theirs.set_weights(ws)
    return ws


# ----------------------------------------------------------------------- BatchNormalization


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"axis": 1, "center": False}, {"scale": False, "momentum": 0.9}, {"renorm": True}],
)
def test_batch_norm_layer_test(engine, kwargs):
    n_trainable = 2 - (not kwargs.get("center", True)) - (not kwargs.get("scale", True))
    run_layer_test(
        layers.BatchNormalization,
        kwargs,
        input_shape=(4, 3, 5),
        expected_output_shape=(4, 3, 5),
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_trainable,
        expected_num_non_trainable_weights=5 if kwargs.get("renorm") else 2,
        expected_num_seed_generators=0,
        supports_masking=True,
        expected_mask_shape=(4, 3),
    )


def test_batch_norm_training_call_updates_and_uses_batch_stats(engine):
    x = _data(8, 3, loc=2.0, scale=3.0)
    bn = layers.BatchNormalization(momentum=0.8, epsilon=1e-3)
    y = _np(bn(x, training=True))
    mean, var = x.mean(0), x.var(0)
    np.testing.assert_allclose(y, (x - mean) / np.sqrt(var + 1e-3), rtol=1e-4, atol=1e-4)
    np.testing.assert_allclose(bn.moving_mean.numpy(), 0.2 * mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), 0.8 + 0.2 * var, rtol=1e-5)
    # Inference uses the moving statistics (and changes nothing).
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    y_inf = _np(bn(x, training=False))
    np.testing.assert_allclose(y_inf, (x - mm) / np.sqrt(mv + 1e-3), rtol=1e-4, atol=1e-5)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mm)
    np.testing.assert_array_equal(_np(bn(x)), y_inf)  # training defaults to inference


def test_batch_norm_frozen_runs_in_inference_mode(engine):
    x = _data(6, 4, loc=1.0)
    bn = layers.BatchNormalization()
    bn.build(x.shape)
    bn.trainable = False
    assert bn.trainable_weights == [] and len(bn.non_trainable_weights) == 4
    y_train = _np(bn(x, training=True))
    np.testing.assert_allclose(y_train, _np(bn(x, training=False)), rtol=1e-6)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(4, "float32"))
    np.testing.assert_array_equal(bn.moving_variance.numpy(), np.ones(4, "float32"))


def test_batch_norm_masked_statistics(engine):
    x = _data(4, 5, 3, loc=1.0)
    mask = np.random.default_rng(3).random((4, 5)) > 0.4
    bn = layers.BatchNormalization(momentum=0.0)
    bn(x, training=True, mask=mask)
    w = mask[..., None].astype("float32")
    mean = (x * w).sum((0, 1)) / w.sum()
    var = (((x - mean) ** 2) * w).sum((0, 1)) / w.sum()
    np.testing.assert_allclose(bn.moving_mean.numpy(), mean, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(bn.moving_variance.numpy(), var, rtol=1e-5, atol=1e-6)


def test_batch_norm_stateless_call_under_jit(engine):
    x = _data(6, 3, loc=1.0)
    bn = layers.BatchNormalization(momentum=0.5)
    bn.build(x.shape)
    tv = [v.value for v in bn.trainable_variables]
    ntv = [v.value for v in bn.non_trainable_variables]

    def step(tv, ntv, x):
        return bn.stateless_call(tv, ntv, x, training=True)

    y, new_ntv = kerasx.jit(step)(tv, ntv, x)
    np.testing.assert_allclose(_np(new_ntv[0]), 0.5 * x.mean(0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(_np(new_ntv[1]), 0.5 + 0.5 * x.var(0), rtol=1e-5)
    # The layer's own variables are untouched by a stateless call.
    np.testing.assert_array_equal(bn.moving_mean.numpy(), np.zeros(3, "float32"))
    np.testing.assert_allclose(_np(y), _np(bn(x, training=True)), rtol=1e-5, atol=1e-5)


def _bn_model(momentum=0.9):
    return kerasx.Sequential(
        [
            kerasx.Input((4,)),
            layers.Dense(3, kernel_initializer="ones"),
            layers.BatchNormalization(momentum=momentum),
            layers.Dense(1),
        ]
    )


def test_batch_norm_fit_updates_moving_stats_and_predict_uses_them(engine):
    x = _data(32, 4, seed=1, loc=2.0)
    y = _data(32, 1, seed=2)
    model = _bn_model()
    model.compile(optimizer="sgd", loss="mse")
    bn = model.layers[1]
    model.fit(x, y, batch_size=16, epochs=2, verbose=0)
    mm, mv = bn.moving_mean.numpy(), bn.moving_variance.numpy()
    assert not np.allclose(mm, 0.0) and not np.allclose(mv, 1.0)
    # predict normalizes with the moving statistics.
    d1, d2 = model.layers[0], model.layers[2]
    h = x @ d1.kernel.numpy() + d1.bias.numpy()
    h = (h - mm) / np.sqrt(mv + 1e-3) * bn.gamma.numpy() + bn.beta.numpy()
    expected = h @ d2.kernel.numpy() + d2.bias.numpy()
    np.testing.assert_allclose(model.predict(x, verbose=0), expected, rtol=1e-4, atol=1e-4)
    # A frozen layer's statistics stay put in fit.
    bn.trainable = False
    model.compile(optimizer="sgd", loss="mse")
    model.fit(x, y, batch_size=16, epochs=1, verbose=0)
    np.testing.assert_array_equal(bn.moving_mean.numpy(), mm)
    np.testing.assert_array_equal(bn.moving_variance.numpy(), mv)


def test_batch_norm_one_fit_step_matches_keras_training_call(engine):
    keras = _keras()
    x = _data(8, 3, seed=4, loc=1.5, scale=2.0)
    y = _data(8, 3, seed=5)
    model = kerasx.Sequential([kerasx.Input((3,)), layers.BatchNormalization(momentum=0.7)])
    model.compile(optimizer="sgd", loss="mse")
    ref = keras.layers.BatchNormalization(momentum=0.7)
    ref.build((None, 3))
    ref.set_weights(model.layers[0].get_weights())
    model.fit(x, y, batch_size=8, epochs=1, verbose=0, shuffle=False)
    ref(x, training=True)
    bn = model.layers[0]
    np.testing.assert_allclose(bn.moving_mean.numpy(), np.asarray(ref.moving_mean.value), rtol=1e-5)
    np.testing.assert_allclose(
        bn.moving_variance.numpy(), np.asarray(ref.moving_variance.value), rtol=1e-5
    )


@pytest.mark.parametrize(
    "kwargs, call_kwargs, shape",
    [
        ({}, {}, (4, 3)),
        ({}, {"training": True}, (4, 3)),
        ({"axis": 1}, {"training": True}, (3, 4, 2, 2)),
        ({"axis": 1, "center": False}, {}, (3, 4, 5)),
        ({"scale": False, "momentum": 0.5, "epsilon": 0.01}, {"training": True}, (5, 2, 3)),
        ({"axis": -2}, {"training": True}, (3, 4, 2)),
        (
            {"renorm": True, "renorm_clipping": {"rmax": 1.2, "dmax": 0.3}},
            {"training": True},
            (6, 2),
        ),
        ({"gamma_regularizer": "l2", "beta_constraint": "non_neg"}, {}, (4, 3)),
    ],
)
def test_batch_norm_matches_keras(engine, kwargs, call_kwargs, shape):
    assert_matches_keras = _parity()
    x = _data(*shape, seed=7, loc=0.5)
    assert_matches_keras("BatchNormalization", kwargs, x, call_kwargs, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize(
    "kwargs, shape, masked",
    [
        ({}, (6, 3), False),
        ({"momentum": 0.6}, (4, 5, 3), True),
        ({"axis": 1}, (4, 3, 2, 2), False),
        ({"renorm": True, "renorm_clipping": {"rmin": 0.9, "dmax": 0.5}}, (6, 2), False),
        ({"renorm": True, "renorm_momentum": 0.5, "epsilon": 0.1}, (6, 2), False),
    ],
)
def test_batch_norm_training_state_matches_keras(engine, kwargs, shape, masked):
    """Outputs and every updated statistic after two training calls equal Keras's."""
    keras = _keras()
    x = _data(*shape, seed=8, loc=1.0, scale=2.0)
    mask = np.random.default_rng(9).random(shape[:-1]) > 0.3 if masked else None
    ours, theirs = layers.BatchNormalization(**kwargs), keras.layers.BatchNormalization(**kwargs)
    ours.build(shape)
    theirs.build(shape)
    assert [w.name for w in ours.weights] == [w.name for w in theirs.weights]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in theirs.weights]
    _same_weights(ours, theirs)
    for _ in range(2):
        got = _np(ours(x, training=True, mask=mask))
        exp = np.asarray(theirs(x, training=True, mask=mask))
        np.testing.assert_allclose(got, exp, rtol=1e-4, atol=1e-4)
        for a, b in zip(ours.weights, theirs.weights):
            np.testing.assert_allclose(
                a.numpy(), np.asarray(b.value), rtol=1e-5, atol=1e-6, err_msg=a.name
            )
    np.testing.assert_allclose(_np(ours(x)), np.asarray(theirs(x)), rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("policy", ["mixed_float16", "float16", "mixed_bfloat16"])
def test_batch_norm_low_precision_matches_keras(engine, policy):
    keras = _keras()
    half = "bfloat16" if "bfloat16" in policy else "float16"
    x = _data(6, 3, seed=10, loc=1.0).astype(half) if half == "float16" else _data(6, 3, seed=10)
    ours = layers.BatchNormalization(momentum=0.5, dtype=policy)
    theirs = keras.layers.BatchNormalization(momentum=0.5, dtype=policy)
    ours.build(x.shape)
    theirs.build(x.shape)
    assert [str(w.dtype) for w in ours.weights] == [str(w.dtype) for w in theirs.weights]
    _same_weights(ours, theirs)
    for training in (True, False):
        got = ours(x, training=training)
        exp = theirs(x, training=training)
        assert str(got.dtype) == str(exp.dtype)
        np.testing.assert_allclose(
            _np(got).astype("float32"), np.asarray(exp).astype("float32"), rtol=2e-2, atol=2e-2
        )
    for a, b in zip(ours.weights, theirs.weights):
        np.testing.assert_allclose(
            np.asarray(a.numpy(), "float32"), np.asarray(b.value, "float32"), rtol=1e-3
        )


def test_batch_norm_synchronized_is_accepted(engine):
    # Keras accepts synchronized=True only on TensorFlow; kerasx computes every batch on one
    # device, so its statistics are already global and the flag changes nothing.
    x = _data(4, 3, loc=1.0)
    a = layers.BatchNormalization(synchronized=True)
    b = layers.BatchNormalization()
    np.testing.assert_array_equal(_np(a(x, training=True)), _np(b(x, training=True)))
    assert a.get_config()["synchronized"] is True


def test_batch_norm_bad_arguments():
    with pytest.raises(ValueError, match="momentum"):
        layers.BatchNormalization(momentum=1.5)
    with pytest.raises(ValueError, match="epsilon"):
        layers.BatchNormalization(epsilon=-1.0)
    with pytest.raises(TypeError, match="axis"):
        layers.BatchNormalization(axis="channels")
    with pytest.raises(ValueError, match="renorm_clipping"):
        layers.BatchNormalization(renorm=True, renorm_clipping={"rmx": 3.0})
    with pytest.raises(ValueError, match="renorm_momentum"):
        layers.BatchNormalization(renorm_momentum=-0.1)
    with pytest.raises(ValueError, match=r"axis.*out of range"):
        layers.BatchNormalization(axis=3)(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match="Unrecognized keyword"):
        layers.BatchNormalization(fused=True)


# ----------------------------------------------------------------------- LayerNormalization


@pytest.mark.parametrize(
    "kwargs, n_weights",
    [({}, 2), ({"axis": [1, 2]}, 2), ({"axis": 1, "center": False}, 1), ({"scale": False}, 1)],
)
def test_layer_norm_layer_test(engine, kwargs, n_weights):
    run_layer_test(
        layers.LayerNormalization,
        kwargs,
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_output_dtype="float32",
        expected_num_trainable_weights=n_weights,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
        expected_mask_shape=(2, 3),
    )


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({}, (3, 5)),
        ({"axis": -2}, (2, 3, 4)),
        ({"axis": (2, 1)}, (2, 3, 4)),
        ({"axis": [1, 3], "epsilon": 0.1}, (2, 3, 2, 4)),
        ({"axis": 1, "center": False, "gamma_initializer": "glorot_uniform"}, (2, 3, 4)),
        ({"scale": False, "beta_regularizer": "l1"}, (2, 4)),
        ({"dtype": "mixed_float16"}, (2, 3, 4)),
    ],
)
def test_layer_norm_matches_keras(engine, kwargs, shape):
    assert_matches_keras = _parity()
    x = _data(*shape, seed=11, loc=1.0, scale=2.0)
    tol = 1e-2 if "dtype" in kwargs else 1e-5
    assert_matches_keras("LayerNormalization", kwargs, x, rtol=tol, atol=tol)


def test_layer_norm_config_after_build_and_rms_scaling(engine):
    keras = _keras()
    x = _data(2, 3, 4, seed=12)
    for kwargs in ({"axis": -1}, {"axis": (2, 1)}):
        ours, theirs = (
            layers.LayerNormalization(**kwargs),
            keras.layers.LayerNormalization(**kwargs),
        )
        assert ours.get_config()["axis"] == theirs.get_config()["axis"]
        ours(x)
        theirs(x)
        assert ours.get_config()["axis"] == theirs.get_config()["axis"]
    with pytest.warns(UserWarning, match="rms_scaling"):
        ours = layers.LayerNormalization(rms_scaling=True, epsilon=0.1)
    ours(x)
    assert [w.name for w in ours.weights] == ["gamma"]
    ours.set_weights([np.linspace(0.5, 1.5, 4).astype("float32")])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # Keras warns on every call
        theirs = keras.layers.LayerNormalization(rms_scaling=True, epsilon=0.1)
        theirs(x)
        theirs.set_weights(ours.get_weights())
        expected = np.asarray(theirs(x))
    np.testing.assert_allclose(_np(ours(x)), expected, rtol=1e-5, atol=1e-6)
    assert ours.get_config()["rms_scaling"] is True


def test_layer_norm_bad_arguments():
    with pytest.raises(TypeError, match="axis"):
        layers.LayerNormalization(axis="last")
    with pytest.raises(ValueError, match="epsilon"):
        layers.LayerNormalization(epsilon="small")
    with pytest.raises(ValueError, match=r"axis.*out of range"):
        layers.LayerNormalization(axis=4)(np.zeros((2, 3), "float32"))
    with pytest.raises(ValueError, match=r"axis.*repeats"):
        layers.LayerNormalization(axis=[1, -1])(np.zeros((2, 3), "float32"))


# ----------------------------------------------------------------------- GroupNormalization


@pytest.mark.parametrize(
    "kwargs, shape",
    [({"groups": 2}, (2, 3, 4)), ({"groups": -1, "axis": 1}, (2, 4, 3)), ({"groups": 1}, (3, 4))],
)
def test_group_norm_layer_test(engine, kwargs, shape):
    run_layer_test(
        layers.GroupNormalization,
        kwargs,
        input_shape=shape,
        expected_output_shape=shape,
        expected_output_dtype="float32",
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
    )


@pytest.mark.parametrize(
    "kwargs, shape",
    [
        ({"groups": 2}, (2, 3, 4)),
        ({"groups": 4}, (2, 3, 4)),
        ({"groups": -1}, (2, 3, 4)),
        ({"groups": 2, "axis": 1}, (2, 4, 3)),
        ({"groups": 3, "axis": 1, "center": False}, (2, 6, 2, 2)),
        ({"groups": 2, "scale": False, "epsilon": 0.1}, (2, 2, 3, 4)),
        ({"groups": 2, "dtype": "mixed_float16"}, (2, 3, 4)),
    ],
)
def test_group_norm_matches_keras(engine, kwargs, shape):
    assert_matches_keras = _parity()
    x = _data(*shape, seed=13, loc=0.5, scale=2.0)
    tol = 1e-2 if "dtype" in kwargs else 1e-5
    assert_matches_keras("GroupNormalization", kwargs, x, rtol=tol, atol=tol)


def test_group_norm_instance_norm_config(engine):
    layer = layers.GroupNormalization(groups=-1)
    layer(_data(2, 3, 4))
    assert layer.get_config()["groups"] == 4  # as Keras: resolved at build time


@pytest.mark.parametrize(
    "cls, kwargs",
    [
        (layers.BatchNormalization, {}),
        (layers.LayerNormalization, {}),
        (layers.GroupNormalization, {"groups": 3}),
        (layers.RMSNormalization, {}),
        (layers.UnitNormalization, {}),
    ],
)
def test_integer_inputs_give_float_outputs(engine, cls, kwargs):
    x = np.arange(12).reshape(4, 3)
    outs = [cls(**kwargs)(x)]
    if cls is layers.BatchNormalization:
        outs.append(cls(**kwargs)(x, training=True))
    for out in outs:
        assert str(out.dtype) == "float32"
        assert np.all(np.isfinite(_np(out)))


def test_group_norm_bad_arguments():
    x = np.zeros((2, 3, 4), "float32")
    with pytest.raises(ValueError, match=r"multiple of `groups`.*groups=3"):
        layers.GroupNormalization(groups=3)(x)
    with pytest.raises(ValueError, match=r"`groups` \(5\) cannot be larger"):
        layers.GroupNormalization(groups=5)(x)
    for bad in (0, -2, 2.0, "2"):
        with pytest.raises(ValueError, match="groups"):
            layers.GroupNormalization(groups=bad)
    with pytest.raises(ValueError, match="axis"):
        layers.GroupNormalization(groups=1, axis=0)(x)
    with pytest.raises(ValueError, match=r"axis.*out of range"):
        layers.GroupNormalization(groups=1, axis=3)(x)


# ------------------------------------------------------------------------- RMSNormalization


@pytest.mark.parametrize("kwargs", [{}, {"axis": (1, 2)}, {"axis": 1, "epsilon": 1e-3}])
def test_rms_norm_layer_test(engine, kwargs):
    run_layer_test(
        layers.RMSNormalization,
        kwargs,
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_output_dtype="float32",
        expected_num_trainable_weights=1,
        expected_num_non_trainable_weights=0,
        supports_masking=False,
    )


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"axis": (1, 2)}, {"axis": [2, 1], "epsilon": 0.1}, {"dtype": "mixed_float16"}],
)
def test_rms_norm_matches_keras(engine, kwargs):
    assert_matches_keras = _parity()
    x = _data(2, 3, 4, seed=14, loc=0.5)
    tol = 1e-2 if "dtype" in kwargs else 1e-5
    assert_matches_keras("RMSNormalization", kwargs, x, rtol=tol, atol=tol)


def test_rms_norm_middle_axis_and_config(engine):
    # Keras 3.15 cannot broadcast the scale of a non-trailing axis; kerasx does.
    x = _data(2, 3, 4, seed=15)
    layer = layers.RMSNormalization(axis=1)
    assert layer.get_config()["axis"] == 1
    layer.build(x.shape)
    scale = np.array([0.5, 1.0, 2.0], "float32")
    layer.set_weights([scale])
    expected = x / np.sqrt((x**2).mean(1, keepdims=True) + 1e-6) * scale[:, None]
    np.testing.assert_allclose(_np(layer(x)), expected, rtol=1e-5, atol=1e-6)
    assert layer.get_config()["axis"] == [1]
    assert [w.path for w in layer.weights] == [f"{layer.name}/scale"]


def test_rms_norm_bad_arguments():
    with pytest.raises(TypeError, match="axis"):
        layers.RMSNormalization(axis=None)
    with pytest.raises(ValueError, match="epsilon"):
        layers.RMSNormalization(epsilon=-1e-6)
    with pytest.raises(ValueError, match=r"axis.*out of range"):
        layers.RMSNormalization(axis=(1, 5))(np.zeros((2, 3, 4), "float32"))


# ------------------------------------------------------------------------ UnitNormalization


@pytest.mark.parametrize("kwargs", [{}, {"axis": [1, 2]}])
def test_unit_norm_layer_test(engine, kwargs):
    run_layer_test(
        layers.UnitNormalization,
        kwargs,
        input_shape=(2, 3, 4),
        expected_output_shape=(2, 3, 4),
        expected_output_dtype="float32",
        expected_num_trainable_weights=0,
        expected_num_non_trainable_weights=0,
        supports_masking=True,
        expected_mask_shape=(2, 3),
    )


@pytest.mark.parametrize("kwargs", [{}, {"axis": 1}, {"axis": (1, 2)}, {"axis": [-1, 0]}])
def test_unit_norm_matches_keras(engine, kwargs):
    assert_matches_keras = _parity()
    x = _data(2, 3, 4, seed=16)
    assert_matches_keras("UnitNormalization", kwargs, x)
    tiny = np.array([[0.0, 0.0, 0.0], [1e-20, 1e-20, 1e-20], [1e-8, 1e-8, 1e-8]], "float32")
    with np.errstate(divide="ignore", invalid="ignore"):  # Keras's NumPy backend divides by 0
        assert_matches_keras("UnitNormalization", {}, tiny)


def test_unit_norm_values_and_bad_arguments(engine):
    x = _data(3, 5, seed=17)
    y = _np(layers.UnitNormalization()(x))
    np.testing.assert_allclose(np.linalg.norm(y, axis=-1), np.ones(3), rtol=1e-5)
    with pytest.raises(TypeError, match="axis"):
        layers.UnitNormalization(axis="a")
    with pytest.raises(ValueError, match=r"axis.*out of range"):
        layers.UnitNormalization(axis=2)(x)


# -------------------------------------------------------------------- SpectralNormalization


def test_spectral_norm_layer_test(engine):
    run_layer_test(
        layers.SpectralNormalization,
        {"layer": layers.Dense(3), "power_iterations": 2},
        input_shape=(4, 5),
        expected_output_shape=(4, 3),
        expected_output_dtype="float32",
        expected_num_trainable_weights=2,
        expected_num_non_trainable_weights=1,
        supports_masking=False,
    )


def _spectral_pair(keras, make_ours, make_theirs, x, power_iterations=1):
    ours = layers.SpectralNormalization(make_ours(), power_iterations=power_iterations)
    theirs = keras.layers.SpectralNormalization(make_theirs(), power_iterations=power_iterations)
    ours.build(x.shape)
    theirs.build(x.shape)

    def norm(path, inner_name):
        # Drop the wrapper's name; the wrapped layer's name (a whole path part only, so that
        # `embedding` does not rewrite `embeddings`) becomes "inner".
        return "/".join("inner" if p == inner_name else p for p in path.split("/")[1:])

    assert [(norm(w.path, ours.layer.name), w.shape) for w in ours.weights] == [
        (norm(w.path, theirs.layer.name), tuple(w.shape)) for w in theirs.weights
    ]
    assert [w.trainable for w in ours.weights] == [w.trainable for w in theirs.weights]
    theirs.set_weights(ours.get_weights())
    return ours, theirs


def _check_spectral(ours, theirs, x):
    for training in (False, True, True, False):
        got = _np(ours(x, training=training))
        with warnings.catch_warnings():
            # Keras's NumPy backend reads its variables with an old-style __array__.
            warnings.simplefilter("ignore", DeprecationWarning)
            exp = np.asarray(theirs(x, training=training))
        np.testing.assert_allclose(got, exp, rtol=1e-5, atol=1e-5)
        for a, b in zip(ours.get_weights(), _keras_weights(theirs)):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("power_iterations", [1, 3])
def test_spectral_norm_dense_matches_keras(engine, power_iterations):
    keras = _keras()
    x = _data(3, 4, seed=18)
    ours, theirs = _spectral_pair(
        keras,
        lambda: layers.Dense(3, activation="tanh"),
        lambda: keras.layers.Dense(3, activation="tanh"),
        x,
        power_iterations,
    )
    _check_spectral(ours, theirs, x)
    # Repeated training calls converge to a kernel of largest singular value 1.
    for _ in range(20):
        ours(x, training=True)
    sigma = np.linalg.svd(ours.layer.kernel.numpy(), compute_uv=False)[0]
    np.testing.assert_allclose(sigma, 1.0, rtol=1e-3)
    strip = lambda c: {**c, "name": None}  # noqa: E731
    a, b = ours.get_config(), theirs.get_config()
    a["layer"]["config"]["name"] = b["layer"]["config"]["name"] = None
    assert strip(a) == strip(b)


def test_spectral_norm_conv2d_matches_keras(engine):
    keras = _keras()
    if not hasattr(layers, "Conv2D"):
        pytest.skip("kerasx.layers.Conv2D is not written yet")
    x = _data(2, 5, 5, 3, seed=19)
    ours, theirs = _spectral_pair(
        keras, lambda: layers.Conv2D(2, 3), lambda: keras.layers.Conv2D(2, 3), x
    )
    _check_spectral(ours, theirs, x)


def test_spectral_norm_embedding_matches_keras(engine):
    keras = _keras()
    if not hasattr(layers, "Embedding"):
        pytest.skip("kerasx.layers.Embedding is not written yet")
    x = np.array([[1, 2], [3, 0]])
    ours, theirs = _spectral_pair(
        keras, lambda: layers.Embedding(5, 3), lambda: keras.layers.Embedding(5, 3), x
    )
    _check_spectral(ours, theirs, x)


def test_spectral_norm_zero_kernel_and_fit(engine):
    x = _data(4, 3, seed=20)
    sn = layers.SpectralNormalization(layers.Dense(2, kernel_initializer="zeros"))
    sn.build(x.shape)
    u0 = sn.vector_u.numpy().copy()
    sn(x, training=True)
    np.testing.assert_array_equal(sn.vector_u.numpy(), u0)
    np.testing.assert_array_equal(sn.layer.kernel.numpy(), np.zeros((3, 2), "float32"))
    # In fit, vector_u is updated (non-trainable state) and the kernel trains.
    model = kerasx.Sequential([kerasx.Input((3,)), layers.SpectralNormalization(layers.Dense(2))])
    model.compile(optimizer="sgd", loss="mse")
    sn = model.layers[0]
    u0, k0 = sn.vector_u.numpy().copy(), sn.layer.kernel.numpy().copy()
    hist = model.fit(x, _data(4, 2, seed=21), batch_size=4, epochs=2, verbose=0)
    assert np.all(np.isfinite(hist.history["loss"]))
    assert not np.allclose(sn.vector_u.numpy(), u0)
    assert not np.allclose(sn.layer.kernel.numpy(), k0)


def test_spectral_norm_config_round_trip(engine):
    sn = layers.SpectralNormalization(layers.Dense(3, use_bias=False), power_iterations=2)
    sn(_data(2, 4))
    config = sn.get_config()
    assert config["layer"]["class_name"] == "Dense"
    assert config["layer"]["build_config"] == {"input_shape": (2, 4)}
    revived = layers.SpectralNormalization.from_config(config)
    assert revived.layer.built and revived.power_iterations == 2
    assert revived.get_config() == config


def test_spectral_norm_bad_arguments():
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=0)
    with pytest.raises(ValueError, match="power_iterations"):
        layers.SpectralNormalization(layers.Dense(2), power_iterations=1.5)
    with pytest.raises(ValueError, match="layer"):
        layers.SpectralNormalization("dense")
    with pytest.raises(ValueError, match="kernel"):
        layers.SpectralNormalization(layers.Dropout(0.1))(np.zeros((2, 3), "float32"))
