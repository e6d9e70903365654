"""The Layer base class: building, weights, tracking, training flag, losses, configs.

References: closed-form expectations, and real Keras 3 for orderings and names.
"""

import numpy as np
import pytest

import kerasx
from kerasx import backend, config, ops
from kerasx.engine.discovery import installed_engines
from kerasx.layers import Input, InputSpec, Layer


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    backend.clear_session()
    yield request.param
    config.set_backend("numpy")


class Linear(Layer):
    def __init__(self, units, use_reg=False, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.use_reg = use_reg

    def build(self, input_shape):
        self.w = self.add_weight(
            shape=(input_shape[-1], self.units),
            name="kernel",
            regularizer="l2" if self.use_reg else None,
        )
        self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")
        self.input_spec = InputSpec(min_ndim=2, axes={-1: input_shape[-1]})

    def call(self, x):
        return ops.matmul(x, self.w) + self.b


class Mixed(Layer):
    """Non-trainable weight created first, a sub-layer, and a trainable weight."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Linear(2)

    def build(self, shape):
        self.a = self.add_weight(shape=(1,), trainable=False, name="a")
        self.b = self.add_weight(shape=(2,), name="b")
        self.inner.build(shape)

    def call(self, x, training=None):
        self.seen_training = training
        return self.inner(x) * self.b


def test_build_on_first_call_and_shapes(engine):
    layer = Linear(3)
    assert not layer.built
    y = layer(np.ones((4, 5), "float32"))
    assert layer.built and tuple(y.shape) == (4, 3)
    assert [tuple(w.shape) for w in layer.weights] == [(5, 3), (3,)]
    assert layer.count_params() == 18
    want = np.ones((4, 5)) @ layer.get_weights()[0]
    np.testing.assert_allclose(ops.convert_to_numpy(y), want, rtol=1e-5)


def test_default_names_are_unique_and_reset_by_clear_session(engine):
    assert [Linear(1).name for _ in range(3)] == ["linear", "linear_1", "linear_2"]
    backend.clear_session()
    assert Linear(1).name == "linear"


def test_weight_order_and_freezing_match_keras(engine):
    keras = pytest.importorskip("keras")

    class KLinear(keras.layers.Layer):
        def __init__(self, units, **kw):
            super().__init__(**kw)
            self.units = units

        def build(self, shape):
            self.w = self.add_weight(shape=(shape[-1], self.units), name="kernel")
            self.b = self.add_weight(shape=(self.units,), initializer="zeros", name="bias")

        def call(self, x):
            return x @ self.w + self.b

    class KMixed(keras.layers.Layer):
        def __init__(self, **kw):
            super().__init__(**kw)
            self.inner = KLinear(2, name="linear")

        def build(self, shape):
            self.a = self.add_weight(shape=(1,), trainable=False, name="a")
            self.b = self.add_weight(shape=(2,), name="b")
            self.inner.build(shape)

        def call(self, x):
            return self.inner(x) * self.b

    ours, theirs = Mixed(name="mixed"), KMixed(name="mixed")
    x = np.ones((1, 3), "float32")
    ours(x)
    theirs(x)

    def paths(ws):
        return [w.path for w in ws]

    for attr in ("weights", "trainable_weights", "non_trainable_weights"):
        assert paths(getattr(ours, attr)) == paths(getattr(theirs, attr)), attr
    ours.inner.trainable = False
    theirs.inner.trainable = False
    for attr in ("weights", "trainable_weights", "non_trainable_weights"):
        assert paths(getattr(ours, attr)) == paths(getattr(theirs, attr)), attr
    ours.trainable = False
    assert ours.trainable_weights == [] and len(ours.non_trainable_weights) == 4


def test_set_weights_checks_before_changing_anything(engine):
    layer = Linear(3)
    layer.build((None, 2))
    before = layer.get_weights()
    with pytest.raises(ValueError, match="expecting 2 weights"):
        layer.set_weights([np.ones((2, 3))])
    with pytest.raises(ValueError, match=r"weight shape \(3,\) is not compatible"):
        layer.set_weights([np.full((2, 3), 7.0), np.ones((4,))])
    for a, b in zip(before, layer.get_weights()):
        np.testing.assert_array_equal(a, b)
    layer.set_weights([np.full((2, 3), 2.0), np.arange(3.0)])
    np.testing.assert_array_equal(layer.get_weights()[1], np.arange(3.0))


def test_input_spec_error_names_layer_and_shapes(engine):
    layer = Linear(3, name="proj")
    layer(np.ones((2, 4), "float32"))
    with pytest.raises(ValueError, match=r"'proj'.*expected axis -1.*value 4.*\(2, 5\)"):
        layer(np.ones((2, 5), "float32"))
    with pytest.raises(ValueError, match="expected min_ndim=2, found ndim=1"):
        layer(np.ones((4,), "float32"))


def test_training_flag_flows_to_inner_layers(engine):
    class Outer(Layer):
        def __init__(self):
            super().__init__()
            self.mixed = Mixed()

        def call(self, x):
            return self.mixed(x)

    outer = Outer()
    outer(np.ones((1, 3), "float32"), training=True)
    assert outer.mixed.seen_training is True
    outer(np.ones((1, 3), "float32"))
    assert outer.mixed.seen_training is None
    outer(np.ones((1, 3), "float32"), training=False)
    assert outer.mixed.seen_training is False


def test_losses_regularizers_and_add_loss(engine):
    class WithLoss(Layer):
        def __init__(self):
            super().__init__()
            self.lin = Linear(2, use_reg=True)

        def call(self, x):
            y = self.lin(x)
            self.add_loss(ops.sum(y))
            return y

    layer = WithLoss()
    y = layer(np.ones((2, 3), "float32"))
    kernel = layer.lin.get_weights()[0]
    got = [float(ops.convert_to_numpy(v)) for v in layer.losses]
    np.testing.assert_allclose(
        got, [float(np.sum(ops.convert_to_numpy(y))), 0.01 * np.sum(kernel**2)], rtol=1e-5
    )
    layer(np.ones((2, 3), "float32"))
    assert len(layer.losses) == 2  # call losses are replaced, not accumulated


def test_nested_tracking_in_lists_and_dicts(engine):
    class Holder(Layer):
        def __init__(self):
            super().__init__()
            self.blocks = []
            self.blocks.append(Linear(2))
            self.by_name = {"head": Linear(1)}
            self.extra = kerasx.Variable(np.zeros(3, "float32"), trainable=False)

        def call(self, x):
            return self.by_name["head"](self.blocks[0](x))

    h = Holder()
    h(np.ones((1, 4), "float32"))
    assert len(h._layers) == 2
    assert len(h.weights) == 5 and len(h.trainable_weights) == 4
    assert h.non_trainable_weights[0] is h.extra


def test_stateless_call_leaves_variables_alone(engine):
    layer = Linear(2)
    x = np.ones((1, 3), "float32")
    layer(x)
    before = layer.get_weights()
    new = [np.full((3, 2), 0.5, "float32"), np.ones(2, "float32")]
    out, _ = layer.stateless_call(new, [], x)
    np.testing.assert_allclose(ops.convert_to_numpy(out), [[2.5, 2.5]])
    np.testing.assert_array_equal(layer.get_weights()[0], before[0])


def test_compute_output_shape_and_symbolic_call(engine):
    layer = Linear(7)
    assert layer.compute_output_shape((None, 3)) == (None, 7)
    x = Input((5,))
    y = layer.__class__(4)(x)
    assert tuple(y.shape) == (None, 4)


def test_config_round_trip_and_bad_kwargs(engine):
    layer = Linear(3, name="lin", trainable=False)
    cfg = layer.get_config()
    assert cfg["units"] == 3 and cfg["name"] == "lin" and cfg["trainable"] is False
    assert cfg["dtype"]["config"] == {"name": "float32"}
    again = Linear.from_config(cfg)
    assert again.units == 3 and again.name == "lin" and not again.trainable
    with pytest.raises(ValueError, match="Unrecognized keyword arguments passed to Linear"):
        Linear(3, bogus=1)
    with pytest.raises(ValueError, match="isn't built"):
        Linear(3).count_params()


def test_input_shape_keyword_warns_like_keras(engine):
    with pytest.warns(UserWarning, match="Do not pass an `input_shape`"):
        layer = Linear(2, input_shape=(3,))
    assert layer._kx_batch_input_shape == (None, 3)


def test_float64_inputs_are_cast_to_the_compute_dtype(engine):
    layer = Linear(2)
    y = layer(np.ones((1, 3)))
    assert str(ops.convert_to_numpy(y).dtype) == "float32"
    layer64 = Linear(2, dtype="float64")
    y = layer64(np.ones((1, 3), "float32"))
    assert str(ops.convert_to_numpy(y).dtype) == "float64"


def test_mixed_precision_dense_matches_keras_and_trains(engine):
    keras = pytest.importorskip("keras")
    x = np.random.default_rng(0).normal(size=(8, 4)).astype("float32")
    theirs = keras.layers.Dense(3, dtype="mixed_float16")
    want = np.asarray(theirs(x))
    ours = kerasx.layers.Dense(3, dtype="mixed_float16")
    ours.build((None, 4))
    ours.set_weights([np.array(w.value) for w in theirs.weights])
    got = ops.convert_to_numpy(ours(x))
    assert str(got.dtype) == "float16" and ours.kernel.dtype == "float32"
    np.testing.assert_array_equal(got, want)
    # Gradients flow through the autocast to the float32 variables.
    model = kerasx.Sequential([kerasx.Input((4,)), kerasx.layers.Dense(1, dtype="mixed_float16")])
    model.compile(optimizer="sgd", loss="mse")
    y = x[:, :1] * 0.5
    first = model.evaluate(x, y, verbose=0)
    model.fit(x, y, epochs=20, batch_size=4, verbose=0)
    assert model.evaluate(x, y, verbose=0) < first
    assert all(w.dtype == "float32" for w in model.weights)


def test_global_policy_sets_new_layers_policy(engine):
    keras = pytest.importorskip("keras")
    try:
        kerasx.mixed_precision.set_global_policy("mixed_float16")
        layer = kerasx.layers.Dense(2)
        assert layer.dtype_policy.name == "mixed_float16"
        assert layer.compute_dtype == "float16" and layer.variable_dtype == "float32"
        assert kerasx.config.dtype_policy().name == "mixed_float16"
        out = layer(np.ones((1, 3), "float32"))
        assert str(ops.convert_to_numpy(out).dtype) == "float16"
    finally:
        kerasx.config.set_dtype_policy("float32")
    assert kerasx.layers.Dense(2).dtype_policy.name == "float32"
    with pytest.raises(ValueError, match="mixed_float17"):
        kerasx.config.set_dtype_policy("mixed_float17")
    assert kerasx.dtype_policies.serialize(kerasx.DTypePolicy("mixed_float16")) == (
        keras.dtype_policies.serialize(keras.DTypePolicy("mixed_float16"))
    )


def test_compile_wraps_the_optimizer_for_mixed_float16(engine):
    try:
        kerasx.config.set_dtype_policy("mixed_float16")
        model = kerasx.Sequential([kerasx.Input((3,)), kerasx.layers.Dense(1)])
        model.compile(optimizer="adam", loss="mse")
        assert isinstance(model.optimizer, kerasx.optimizers.LossScaleOptimizer)
        model.compile(optimizer="adam", loss="mse", auto_scale_loss=False)
        assert type(model.optimizer).__name__ == "Adam"
        x = np.random.default_rng(0).normal(size=(16, 3)).astype("float32")
        model.compile(optimizer="sgd", loss="mse")
        # The loss scale starts at 2**15: float16 gradients may overflow (NumPy warns) until
        # the LossScaleOptimizer lowers it; those steps are skipped, so the loss stays finite.
        with np.errstate(over="ignore", invalid="ignore"):
            hist = model.fit(x, x[:, :1], epochs=3, verbose=0)
        assert np.isfinite(hist.history["loss"]).all()
    finally:
        kerasx.config.set_dtype_policy("float32")


def _trainable_story(lib):
    """Freeze/unfreeze sequence; returns every observable flag along the way."""
    out = []
    d = lib.layers.Dense(3)
    d.build((None, 2))
    d.trainable = False
    out.append((d.kernel.trainable, len(d.trainable_weights), len(d.non_trainable_weights)))
    d.trainable = True
    d.kernel.trainable = False  # frozen by hand ...
    out.append([w.name for w in d.trainable_weights])
    d.trainable = False
    d.trainable = True  # ... and unfrozen by the layer, as in Keras
    out.append((d.kernel.trainable, [w.name for w in d.weights]))
    bn = lib.layers.BatchNormalization()
    bn.build((None, 2))
    bn.trainable = False
    bn.trainable = True
    out.append([(w.name, w.trainable) for w in bn.weights])

    class Holder(lib.layers.Layer):
        def __init__(self):
            super().__init__()
            self.v = lib.Variable(np.ones(2), trainable=True)
            self.w = lib.Variable(np.ones(2), trainable=False)

    h = Holder()
    h.trainable = False
    out.append((h.v.trainable, h.w.trainable))
    h.trainable = True
    out.append((h.v.trainable, h.w.trainable))
    m = lib.Sequential([lib.Input((2,)), lib.layers.Dense(2)])
    m.trainable = False
    out.append((m.layers[0].trainable, m.layers[0].kernel.trainable))
    lora = lib.layers.Dense(3)
    lora.build((None, 2))
    lora.enable_lora(2)
    out.append([w.name for w in lora.trainable_weights])
    lora.trainable = False
    lora.trainable = True  # Keras unfreezes the LoRA base matrix too
    out.append([w.name for w in lora.trainable_weights])
    frozen_at_build = lib.layers.Dense(3, trainable=False)
    frozen_at_build.build((None, 2))
    out.append((frozen_at_build.kernel.trainable, len(frozen_at_build.trainable_weights)))
    frozen_at_build.trainable = True
    out.append((frozen_at_build.kernel.trainable, [w.name for w in frozen_at_build.weights]))
    return out


def test_layer_trainable_sets_its_weights_flags_as_keras_does():
    story = _trainable_story(kerasx)
    assert story[0] == (False, 0, 2)
    assert story[1] == ["bias"]
    assert story[2] == (True, ["kernel", "bias"])
    assert story[4] == (False, False) and story[5] == (True, False)
    assert story[-2] == (False, 0) and story[-1] == (True, ["kernel", "bias"])
    keras = pytest.importorskip("keras")
    assert story == _trainable_story(keras)


def test_tracking_snapshot_memoises_attribute_walks_for_its_block_only():
    from kerasx.layers.layer import tracking_snapshot

    outer = kerasx.layers.Layer()
    outer.a = kerasx.layers.Dense(2)
    with tracking_snapshot():
        first = outer._tracked()
        assert outer._tracked() is first  # one walk per layer inside the block
        with tracking_snapshot():  # nested blocks share the outer memo
            assert outer._tracked() is first
        outer.b = kerasx.layers.Dense(3)
        assert len(outer._tracked()[0]) == 1
    assert [type(x).__name__ for x in outer._tracked()[0]] == ["Dense", "Dense"]
    assert outer._tracked() is not outer._tracked()  # no memo outside a block
