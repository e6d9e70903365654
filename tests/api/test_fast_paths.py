"""Fast paths give the same results as the general paths they skip.

Covered: `Layer.__call__`'s fast path for built layers on plain tensors (vs the general path
and vs symbolic calls), the training flag and name scopes reaching inner layers, masks,
input-spec checks and layer losses; `Dense`'s direct variable reads and ReLU; the eager
dispatcher's promotion shortcut; the tape's backward; and the fused first-order gradient of
`sparse_categorical_crossentropy` against its registry-op rule (and second order through it).
"""

import numpy as np
import pytest

import kerasx
from kerasx import backend, config, layers, ops
from kerasx.engine import dispatch
from kerasx.engine.discovery import installed_engines
from kerasx.engine.dtypes import standardize_dtype
from kerasx.layers import InputSpec, Layer
from kerasx.ops import nn_losses


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    backend.clear_session()
    yield request.param
    config.set_backend("numpy")


@pytest.fixture
def numpy_engine():
    config.set_backend("numpy")
    backend.clear_session()
    yield
    config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


class Recorder(Layer):
    """Remembers the `training` value and the mask it was called with."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.supports_masking = True
        self.seen = []

    def call(self, x, training=None, mask=None):
        if not isinstance(x, kerasx.KerasTensor):
            self.seen.append((training, None if mask is None else _np(mask)))
        return x


class Outer(Layer):
    """Calls an inner layer; on its second call it also builds and calls a new one."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.inner = Recorder(name="inner")
        self.late = None
        self.calls = 0

    def call(self, x, training=None):
        self.calls += 1
        y = self.inner(x)
        if self.calls == 2:
            self.late = layers.Dense(2, name="late")
        if self.late is not None:
            y = self.late(y)
        return y


def test_dense_fast_path_matches_general_and_closed_form(engine):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((5, 4)).astype("float32")
    for activation in ("relu", "softmax", None, "tanh"):
        layer = layers.Dense(3, activation=activation)
        fast = _np(layer(x))  # builds (general path)
        fast = _np(layer(x))  # built: fast path
        general = _np(layer._call_general((ops.convert_to_tensor(x),), {}))
        np.testing.assert_array_equal(fast, general)
        w, b = (np.asarray(v) for v in layer.get_weights())
        z = x @ w + b
        ref = {
            "relu": np.maximum(z, 0),
            "softmax": np.exp(z) / np.exp(z).sum(-1, keepdims=True),
            None: z,
            "tanh": np.tanh(z),
        }[activation]
        np.testing.assert_allclose(fast, ref, rtol=1e-5, atol=1e-6)
        # A symbolic call of the same built layer still gives a KerasTensor.
        out = layer(kerasx.Input((4,)))
        assert tuple(out.shape) == (None, 3)


def test_fast_path_autocast_and_conversion(engine):
    layer = layers.Dense(2)
    x32 = np.ones((2, 3), "float32")
    layer(x32)
    out = layer(np.ones((2, 3), "float64"))  # cast by the general path
    assert standardize_dtype(out.dtype) == "float32"
    np.testing.assert_allclose(_np(out), _np(layer(x32)), rtol=1e-6)
    f16 = layers.Dense(2, dtype="float16")
    f16(x32)
    assert standardize_dtype(f16(x32).dtype) == "float16"


def test_training_flag_and_name_scopes_reach_inner_layers(engine):
    outer = Outer(name="outer")
    x = np.ones((2, 3), "float32")
    outer(x, training=True)  # builds
    outer(x)  # fast path; builds `late` inside the outer call
    outer(x, training=False)
    assert [t for t, _ in outer.inner.seen] == [True, None, False]
    assert [v.path for v in outer.late.weights] == ["outer/late/kernel", "outer/late/bias"]
    # A layer called directly with `training` passes it on.
    rec = Recorder()
    rec(x)
    rec(x, training=True)
    assert [t for t, _ in rec.seen] == [None, True]


def test_masks_still_propagate(engine):
    rec = Recorder()
    inputs = kerasx.Input((3, 2))
    model = kerasx.Model(inputs, rec(layers.Masking(0.0)(inputs)))
    x = np.ones((2, 3, 2), "float32")
    x[0, 1] = 0.0
    rec.seen.clear()
    model(x)
    model(x)
    for _, mask in rec.seen:
        np.testing.assert_array_equal(mask, [[True, False, True], [True, True, True]])


def test_input_spec_checked_on_every_call(engine):
    layer = layers.Dense(2)
    layer(np.ones((2, 3), "float32"))
    layer(np.ones((2, 3), "float32"))
    with pytest.raises(ValueError, match="expected axis -1"):
        layer(np.ones((2, 4), "float32"))

    class Spec(Layer):
        def build(self, shape):
            self.input_spec = InputSpec(ndim=2)

        def call(self, x):
            return x

    s = Spec()
    s(np.ones((2, 3), "float32"))
    s(np.ones((2, 3), "float32"))
    s.input_spec.ndim = 3  # edited in place: seen by the next call
    with pytest.raises(ValueError, match="expected ndim=3"):
        s(np.ones((2, 3), "float32"))


def test_layer_losses_are_reset_by_each_outer_call(engine):
    class AddsLoss(Layer):
        def call(self, x):
            self.add_loss(ops.sum(x))
            return x

    inner = AddsLoss()
    model = kerasx.Sequential([kerasx.Input((2,)), inner])
    x = np.ones((1, 2), "float32")
    for _ in range(3):
        model(x)
        assert len(model.losses) == 1
        assert float(_np(model.losses[0])) == 2.0
    inner(x)
    inner(x)
    assert len(inner.losses) == 1


def test_tape_gradients_through_fast_path_layers(numpy_engine):
    rng = np.random.default_rng(1)
    x = rng.standard_normal((4, 3)).astype("float32")
    layer = layers.Dense(2, activation="relu")
    layer(x)
    w, b = (np.asarray(v) for v in layer.get_weights())

    def f(values):
        with kerasx.StatelessScope(list(zip(layer.trainable_variables, values))):
            return ops.sum(ops.square(layer(x)))

    _, (gw, gb) = kerasx.value_and_grad(f)([w, b])
    z = x @ w + b
    dz = 2 * np.maximum(z, 0) * (z > 0)
    np.testing.assert_allclose(np.asarray(gw), x.T @ dz, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gb), dz.sum(0), rtol=1e-5, atol=1e-6)


def test_tape_casts_cotangents_and_skips_integers(numpy_engine):
    x = np.array([1.0, 2.0], "float32")
    n = np.array([3, 4], "int32")

    def f(a, k):
        return ops.sum(ops.multiply(ops.cast(a, "float64"), 2.0)) + ops.sum(ops.cast(k, "float32"))

    _, (ga, gk) = kerasx.value_and_grad(f, argnums=(0, 1))(x, n)
    assert standardize_dtype(ga.dtype) == "float32"
    np.testing.assert_array_equal(np.asarray(ga), [2.0, 2.0])
    np.testing.assert_array_equal(np.asarray(gk), [0, 0])


@pytest.mark.parametrize(
    "a, b",
    [
        (np.ones(3, "float16"), 1.0),
        (np.ones(3, "float32"), 2),
        (np.ones(3, "int32"), 1.0),
        (np.ones(3, "int8"), 1),
        (np.ones(3, "float32"), np.ones(3, "float64")),
        (np.ones(3, "complex64"), 1.5),
        (np.ones(3, "bool"), 1),
    ],
)
def test_eager_promotion_shortcut_agrees_with_the_rules(numpy_engine, a, b):
    for op in (ops.add, ops.multiply, ops.true_divide):
        opdef = op.opdef
        expected = dispatch.promoted_dtype(opdef, [a, b])
        got = standardize_dtype(op(a, b).dtype)
        assert got == expected, (op.__name__, got, expected)


def _scce_cases(rng):
    probs = rng.uniform(0.05, 1.0, (6, 4)).astype("float32")
    probs[0, 1] = 1e-9  # clipped entry
    logits = (rng.standard_normal((6, 4)) * 3).astype("float32")
    labels = np.array([0, 1, 3, 2, 2, 1], "int32")
    bad = np.array([0, 1, 7, -1, 2, 1], "int32")  # out of range: zero loss and gradient
    return [
        (labels, probs, False, -1),
        (labels, logits, True, -1),
        (bad, probs, False, -1),
        (bad, logits, True, -1),
        (bad.astype("int64"), probs, False, -1),  # the range check views ints as unsigned
        (bad.astype("int8"), logits, True, -1),
        (np.array([0, 1, 7, 200, 2, 1], "uint8"), probs, False, -1),
        (labels[:, None], probs, False, -1),
        (labels.astype("float32"), probs, False, -1),
        (labels[:4].reshape(2, 2), rng.uniform(0.1, 1, (2, 4, 2)).astype("float32"), False, 1),
    ]


def test_scce_fused_gradient_equals_registry_rule(numpy_engine):
    rng = np.random.default_rng(2)
    for target, output, fl, axis in _scce_cases(rng):
        shape = nn_losses.scce_shape(np.shape(target), output.shape, fl, axis)
        g = np.arange(1, int(np.prod(shape)) + 1, dtype="float32").reshape(shape)

        def f(o, t=target, fl=fl, axis=axis, g=g):
            return ops.sum(ops.sparse_categorical_crossentropy(t, o, from_logits=fl, axis=axis) * g)

        loss, grad = kerasx.value_and_grad(f)(output)
        dense = nn_losses._dense_target(target, output, axis)
        ref = nn_losses._cce_grad_output(g, dense, output, fl, axis)
        np.testing.assert_array_equal(np.asarray(grad), np.asarray(ref))
        ref_loss = _np(ops.categorical_crossentropy(dense, output, from_logits=fl, axis=axis))
        np.testing.assert_allclose(float(loss), float((ref_loss * g).sum()), rtol=1e-6)
        if np.any(target < 0):
            np.testing.assert_array_equal(np.asarray(grad)[[2, 3]], 0.0)


def test_scce_second_order_uses_the_registry_rule(engine):
    rng = np.random.default_rng(3)
    target = np.array([0, 2, 1], "int32")
    logits = rng.standard_normal((3, 4)).astype("float32")
    v = rng.standard_normal((3, 4)).astype("float32")

    def inner(o):
        return ops.sum(ops.sparse_categorical_crossentropy(target, o, from_logits=True))

    def outer(o):
        _, g = kerasx.value_and_grad(inner)(o)
        return ops.sum(ops.multiply(g, v))

    _, hv = kerasx.value_and_grad(outer)(logits)
    # Hessian-vector product of sum(logsumexp(o) - o[target]): (diag(p) - p p^T) v per row.
    p = np.exp(logits) / np.exp(logits).sum(-1, keepdims=True)
    ref = p * v - p * (p * v).sum(-1, keepdims=True)
    np.testing.assert_allclose(_np(hv), ref, rtol=1e-4, atol=1e-5)
