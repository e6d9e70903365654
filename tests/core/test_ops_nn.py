"""Focused tests for the nn op family (activations, losses, normalization, attention, CTC).

The conformance suite covers values, dtypes and gradients on every engine for the samples;
these tests cover stability at extreme inputs, dtype promotion, error messages, composite
bodies against the fused kernels, and CTC against brute force and real Keras.
"""

from __future__ import annotations

import itertools
import math
import warnings

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine.autodiff import value_and_grad
from kerasx.engine.registry import REGISTRY
from kerasx.engine.symbolic import KerasTensor
from kerasx.testing.conformance import use_engine

FUSED = [
    ("relu", {}),
    ("relu6", {}),
    ("leaky_relu", {"negative_slope": 0.1}),
    ("elu", {"alpha": 0.7}),
    ("selu", {}),
    ("sigmoid", {}),
    ("silu", {}),
    ("softplus", {}),
    ("log_sigmoid", {}),
    ("gelu", {}),
    ("gelu", {"approximate": False}),
    ("softmax", {"axis": 0}),
    ("log_softmax", {}),
    ("sparsemax", {}),
]


def _np(x):
    return np.asarray(x)


@pytest.mark.parametrize("name,kwargs", FUSED)
def test_composite_body_matches_fused_kernel(name, kwargs):
    # The stub body is what an engine without a fused kernel runs.
    x = np.random.default_rng(0).standard_normal((3, 4)).astype("float32") * 4
    op = REGISTRY[name]
    np.testing.assert_allclose(
        _np(op.stub(x, **kwargs)), _np(op.fn(x, **kwargs)), rtol=1e-5, atol=1e-6
    )


@pytest.mark.parametrize(
    "name", ["binary_crossentropy", "categorical_crossentropy", "sparse_categorical_crossentropy"]
)
@pytest.mark.parametrize("from_logits", [False, True])
def test_crossentropy_body_matches_fused_kernel(name, from_logits):
    rng = np.random.default_rng(1)
    out = rng.uniform(0.05, 1.0, (3, 4)).astype("float32")
    if from_logits:
        out = rng.standard_normal((3, 4)).astype("float32") * 3
    if name == "sparse_categorical_crossentropy":
        target = np.array([0, 3, 1], dtype="int32")
    elif name == "binary_crossentropy":
        target = rng.uniform(0, 1, (3, 4)).astype("float32")
        out = np.clip(out, 0.01, 0.99) if not from_logits else out
    else:
        target = np.eye(4, dtype="float32")[[0, 3, 1]]
    op = REGISTRY[name]
    np.testing.assert_allclose(
        _np(op.stub(target, out, from_logits=from_logits)),
        _np(op.fn(target, out, from_logits=from_logits)),
        rtol=1e-5,
        atol=1e-6,
    )


def test_aliases():
    assert ops.swish is ops.silu
    assert ops.hard_swish is ops.hard_silu


def test_stable_at_extreme_inputs():
    x = np.array([-1000.0, -50.0, 0.0, 50.0, 1000.0], dtype="float32")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = _np(ops.sigmoid(x))
        sp = _np(ops.softplus(x))
        ls = _np(ops.log_sigmoid(x))
        sm = _np(ops.softmax(x))
        lsm = _np(ops.log_softmax(x))
    np.testing.assert_allclose(s, [0.0, 1.9287499e-22, 0.5, 1.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(sp, [0.0, 1.9287499e-22, math.log(2), 50.0, 1000.0], rtol=1e-6)
    np.testing.assert_allclose(ls, [-1000.0, -50.0, -math.log(2), -1.9287499e-22, 0.0], rtol=1e-6)
    np.testing.assert_allclose(sm, [0, 0, 0, 0, 1], atol=1e-30)
    assert np.all(np.isfinite(lsm)) and lsm[-1] == 0.0


def test_gradients_finite_at_extreme_inputs():
    x = np.array([-1000.0, 0.5, 1000.0])
    for fn in (ops.sigmoid, ops.softplus, ops.silu, ops.log_sigmoid):
        _, g = value_and_grad(lambda v, fn=fn: ops.sum(fn(v)))(x)
        assert np.all(np.isfinite(_np(g))), fn.__name__


def test_dtypes():
    i = np.array([-2, 0, 3], dtype="int32")
    assert ops.relu(i).dtype == np.int32
    assert ops.hard_tanh(i).dtype == np.int32
    for fn in (ops.sigmoid, ops.gelu, ops.softmax, ops.elu, ops.silu, ops.softsign, ops.glu):
        x = np.array([[-2, 0, 3, 1]], dtype="int32")
        assert ops.convert_to_numpy(fn(x)).dtype == np.float32, fn.__name__
    f64 = np.array([0.5, -1.0])
    assert ops.softmax(f64).dtype == np.float64  # kerasx keeps float64
    assert ops.one_hot(np.array([1, 2]), 3).dtype == np.float32
    assert ops.one_hot(np.array([1, 2]), 3, dtype="int32").dtype == np.int32
    assert ops.polar(np.array([1.0], "float32"), np.array([0.5], "float32")).dtype == np.complex64
    m, v = ops.moments(np.array([1.0, 2.0, 4.0], dtype="float16"), axes=[0])
    assert m.dtype == np.float16 and v.dtype == np.float16


def test_binary_crossentropy_logits_stable():
    # Deliberate difference from Keras 3's NumPy backend (which clips sigmoid(logits)): the
    # stable logits formula, as Keras's JAX and TensorFlow backends use.
    x = np.array([-100.0, -20.0, 20.0, 100.0], dtype="float32")
    t = np.array([0.0, 1.0, 1.0, 0.0], dtype="float32")
    out = _np(ops.binary_crossentropy(t, x, from_logits=True))
    expected = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
    np.testing.assert_allclose(out, expected, rtol=1e-6)


def test_crossentropy_clipping_matches_keras():
    keras = pytest.importorskip("keras")
    t = np.array([0.0, 1.0, 0.3, 1.0, 0.0, 1.0, 0.5], dtype="float32")
    p = np.array([0.0, 1e-9, 0.3, 0.5, 0.9, 1 - 1e-9, 1.0], dtype="float32")
    np.testing.assert_allclose(
        _np(ops.binary_crossentropy(t, p)), _np(keras.ops.binary_crossentropy(t, p)), rtol=1e-6
    )
    tt = np.array([[0, 1, 0], [0.2, 0.3, 0.5]], "float32")
    pr = np.array([[0.2, 0.3, 0.1], [1, 0, 0]], "float32")
    for fl in (False, True):
        np.testing.assert_allclose(
            _np(ops.categorical_crossentropy(tt, pr, from_logits=fl)),
            _np(keras.ops.categorical_crossentropy(tt, pr, from_logits=fl)),
            rtol=1e-6,
        )
    st = np.array([[1], [2]])
    np.testing.assert_allclose(
        _np(ops.sparse_categorical_crossentropy(st, pr)),
        _np(keras.ops.sparse_categorical_crossentropy(st, pr)),
        rtol=1e-6,
    )


def test_sparse_crossentropy_out_of_range_target_is_zero():
    out = _np(ops.sparse_categorical_crossentropy(np.array([5, -1]), np.zeros((2, 3)), True))
    np.testing.assert_array_equal(out, [0.0, 0.0])


def test_sparsemax_is_a_distribution():
    x = np.array([[0.1, 1.2, 1.1], [3.0, 0.0, 0.0], [0.5, 0.5, 0.5]], dtype="float32")
    out = _np(ops.sparsemax(x))
    np.testing.assert_allclose(out.sum(-1), 1.0, rtol=1e-6)
    np.testing.assert_allclose(out[0], [0.0, 0.55, 0.45], rtol=1e-5)
    np.testing.assert_allclose(out[2], [1 / 3] * 3, rtol=1e-6)


def test_one_hot_and_multi_hot():
    np.testing.assert_array_equal(
        _np(ops.one_hot(np.array([0, 2, -1, 7]), 3)),
        [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]],
    )
    np.testing.assert_array_equal(
        _np(ops.multi_hot(np.array([[0, 2], [1, 1]]), 3)), [[1, 0, 1], [0, 1, 0]]
    )
    np.testing.assert_array_equal(_np(ops.multi_hot(np.array([0, 2]), num_tokens=4)), [1, 0, 1, 0])


def test_multi_hot_matches_keras_layouts():
    keras = pytest.importorskip("keras")
    x = np.array([[[0, 2], [1, 1]], [[2, 2], [0, 1]]])
    for axis in (-1, 0, 1):
        np.testing.assert_array_equal(
            _np(ops.multi_hot(x, 3, axis=axis)), _np(keras.ops.multi_hot(x, 3, axis=axis))
        )


def test_normalization_against_numpy():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((2, 3, 4))
    g, b = rng.standard_normal(4), rng.standard_normal(4)
    ref = (x - x.mean(-1, keepdims=True)) / np.sqrt(x.var(-1, keepdims=True) + 1e-3) * g + b
    np.testing.assert_allclose(_np(ops.layer_normalization(x, g, b, epsilon=1e-3)), ref, rtol=1e-10)
    ref = x / np.sqrt((x**2).mean(-1, keepdims=True) + 1e-7) * g
    np.testing.assert_allclose(_np(ops.rms_normalization(x, g)), ref, rtol=1e-10)
    ref = x / np.linalg.norm(x, axis=1, keepdims=True)
    np.testing.assert_allclose(_np(ops.normalize(x, axis=1)), ref, rtol=1e-10)
    np.testing.assert_array_equal(_np(ops.normalize(np.zeros((2, 3)))), np.zeros((2, 3)))
    m, v = ops.moments(x, axes=(0, 2), keepdims=True)
    np.testing.assert_allclose(_np(m), x.mean((0, 2), keepdims=True), rtol=1e-12)
    np.testing.assert_allclose(_np(v), x.var((0, 2), keepdims=True), rtol=1e-12)


def _attention_ref(q, k, v, mask=None, causal=False):
    n, kh = q.shape[2], k.shape[2]
    k = np.repeat(k, n // kh, axis=2)
    v = np.repeat(v, n // kh, axis=2)
    logits = np.einsum("btnh,bsnh->bnts", q, k) / math.sqrt(q.shape[-1])
    allowed = np.ones(logits.shape, bool)
    if mask is not None:
        allowed &= mask
    if causal:
        allowed &= np.tril(np.ones(logits.shape[-2:], bool))
    logits = np.where(allowed, logits, -1e9)
    p = np.exp(logits - logits.max(-1, keepdims=True))
    p /= p.sum(-1, keepdims=True)
    return np.einsum("bnts,bsnh->btnh", p, v)


def test_dot_product_attention():
    rng = np.random.default_rng(3)
    q = rng.standard_normal((2, 3, 4, 5))
    k = rng.standard_normal((2, 6, 2, 5))
    v = rng.standard_normal((2, 6, 2, 3))
    mask = rng.random((2, 4, 3, 6)) > 0.4
    mask[0, 0, 0] = False  # a fully masked query attends uniformly
    out = _np(ops.dot_product_attention(q, k, v, mask=mask, is_causal=True))
    np.testing.assert_allclose(out, _attention_ref(q, k, v, mask, True), rtol=1e-10)
    np.testing.assert_allclose(out[0, 0, 0], v[0, :, 0].mean(0), rtol=1e-10)
    sym = ops.dot_product_attention(
        KerasTensor((None, 3, 4, 5)), KerasTensor((None, 6, 2, 5)), KerasTensor((None, 6, 2, 3))
    )
    assert sym.shape == (None, 3, 4, 3)


def test_polar():
    r, a = np.array([1.0, 2.0]), np.array([0.5, -1.0])
    np.testing.assert_allclose(_np(ops.polar(r, a)), r * np.exp(1j * a), rtol=1e-12)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: ops.softmax(np.ones((2, 3)), axis=2), "axis"),
        (lambda: ops.glu(np.ones((2, 3))), "even"),
        (lambda: ops.one_hot(np.array([1]), 3, sparse=True), "sparse"),
        (lambda: ops.one_hot(np.array([1]), -3), "`num_classes`"),
        (lambda: ops.multi_hot(np.array([[1]])), "`num_classes`"),
        (lambda: ops.normalize(np.ones(3), order=0.5), "`order`"),
        (lambda: ops.binary_crossentropy(np.ones((2, 3)), np.ones(3)), "same shape"),
        (lambda: ops.categorical_crossentropy(np.ones((2, 3)), np.ones((2, 4))), "same shape"),
        (lambda: ops.sparse_categorical_crossentropy(np.ones(3), np.ones((2, 4))), "`target`"),
        (lambda: ops.psnr(np.ones((2, 3)), np.ones(3), 1.0), "same shape"),
        (
            lambda: ops.dot_product_attention(
                np.ones((2, 3, 4)), np.ones((2, 3, 4)), np.ones((2, 3, 4))
            ),
            "4D",
        ),
        (lambda: ops.ctc_decode(np.ones((1, 2, 3)), np.array([2]), strategy="foo"), "`strategy`"),
        (
            lambda: ops.ctc_decode(
                np.ones((1, 2, 3)), np.array([2]), strategy="beam_search", beam_width=2, top_paths=3
            ),
            "`top_paths`",
        ),
        (
            lambda: ops.ctc_loss(np.ones((2, 2)), np.ones((2, 3)), np.ones(2), np.ones(2)),
            "`output`",
        ),
    ],
)
def test_errors_name_the_argument(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_layer_normalization_rejects_unknown_kwargs():
    with pytest.raises(TypeError, match="unexpected"):
        ops.layer_normalization(np.ones((2, 3)), foo=1)


# ------------------------------------------------------------------------------- CTC


def _brute_ctc(logp, labels, blank):
    total = 0.0
    t_len, c = logp.shape
    for path in itertools.product(range(c), repeat=t_len):
        collapsed, prev = [], None
        for p in path:
            if p != prev and p != blank:
                collapsed.append(p)
            prev = p
        if collapsed == list(labels):
            total += math.exp(sum(logp[t, p] for t, p in enumerate(path)))
    return -math.log(total)


@pytest.mark.parametrize("engine", ["numpy", "jax"])
def test_ctc_loss_brute_force(engine):
    if engine not in kerasx.engine.discovery.installed_engines():
        pytest.skip("engine not installed")
    rng = np.random.default_rng(4)
    x = rng.standard_normal((3, 5, 3))
    target = np.array([[1, 2, 2], [2, 1, 0], [1, 1, 0]], "int32")
    tl = np.array([2, 2, 1], "int32")
    ol = np.array([5, 4, 3], "int32")
    logp = x - np.log(np.exp(x).sum(-1, keepdims=True))
    expected = [_brute_ctc(logp[b, : ol[b]], target[b, : tl[b]], 0) for b in range(3)]
    with use_engine(engine):
        out = np.asarray(kerasx.engine.dispatch.engine().to_numpy(ops.ctc_loss(target, x, tl, ol)))
    np.testing.assert_allclose(out, expected, rtol=1e-9)


def test_ctc_loss_gradient_finite_differences():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 6, 4))
    target = np.array([[1, 3, 3], [2, 0, 0]], "int32")
    tl, ol = np.array([3, 1], "int32"), np.array([6, 4], "int32")
    w = np.array([0.7, -1.3])

    def loss(v):
        return ops.sum(ops.multiply(ops.ctc_loss(target, v, tl, ol, mask_index=0), w))

    _, g = value_and_grad(loss)(x)
    g = _np(g)
    fd = np.zeros_like(x)
    eps = 1e-6
    for idx in np.ndindex(x.shape):
        xp, xm = x.copy(), x.copy()
        xp[idx] += eps
        xm[idx] -= eps
        fd[idx] = (float(_np(loss(xp))) - float(_np(loss(xm)))) / (2 * eps)
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)
    assert np.all(g[1, 4:] == 0)  # frames past output_length get no gradient


def test_ctc_matches_keras_random():
    keras = pytest.importorskip("keras")
    rng = np.random.default_rng(6)
    for _ in range(15):
        b, t, c = (int(v) for v in rng.integers([1, 1, 2], [4, 7, 6]))
        w = int(rng.integers(1, 7))
        p = int(rng.integers(1, w + 1))
        blank = int(rng.integers(0, c))
        x = (rng.standard_normal((b, t, c)) * 2).astype("float32")
        lengths = rng.integers(1, t + 1, b).astype("int32")
        for kw in (
            {},
            {"merge_repeated": False},
            {"strategy": "beam_search", "beam_width": w, "top_paths": p},
        ):
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                kd, kl = keras.ops.ctc_decode(x, lengths, mask_index=blank, **kw)
            xd, xl = ops.ctc_decode(x, lengths, mask_index=blank, **kw)
            np.testing.assert_array_equal(_np(xd), _np(kd))
            np.testing.assert_allclose(_np(xl), _np(kl), rtol=1e-5, atol=1e-5)
        n_lab = int(rng.integers(1, 4))
        target = rng.integers(0, c, (b, n_lab)).astype("int32")
        tl = rng.integers(0, n_lab + 1, b).astype("int32")
        np.testing.assert_allclose(
            _np(ops.ctc_loss(target, x, tl, lengths, mask_index=blank)),
            _np(keras.ops.ctc_loss(target, x, tl, lengths, mask_index=blank)),
            rtol=1e-4,
            atol=1e-3,
        )


def test_ctc_symbolic_shapes():
    d, lp = ops.ctc_decode(
        KerasTensor((None, 7, 5)),
        KerasTensor((None,), "int32"),
        strategy="beam_search",
        beam_width=4,
        top_paths=3,
    )
    assert d.shape == (3, None, 7) and d.dtype == "int32"
    assert lp.shape == (None, 3) and lp.dtype == "float32"
    loss = ops.ctc_loss(
        KerasTensor((None, 4), "int32"),
        KerasTensor((None, 7, 5)),
        KerasTensor((None,), "int32"),
        KerasTensor((None,), "int32"),
    )
    assert loss.shape == (None,) and loss.dtype == "float32"
