"""Focused tests for the conv family: convolutions, pooling, fold/unfold, space/depth.

Values are checked against real Keras 3 (skipped when it is not installed) and against
independent NumPy references; gradients against `jax.grad` (skipped without JAX).
"""

import itertools

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery
from kerasx.engine.autodiff import jit
from kerasx.engine.registry import REGISTRY
from kerasx.testing.conformance import use_engine

ENGINES = discovery.installed_engines()
HAS_JAX = "jax" in ENGINES


@pytest.fixture(params=ENGINES)
def engine(request):
    with use_engine(request.param):
        yield request.param


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _keras():
    return pytest.importorskip("keras")


def _compiled(fn, *arrays):
    """`fn(*arrays)` compiled with the active engine's jit: one compilation per case on JAX
    (op-by-op eager JAX compiles every primitive for every new shape, which made these
    many-configuration tests slow) and the traced path that `fit` runs."""
    return _np(jit(fn)(*arrays))


def _rand(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape).astype("float32")


def _close(a, b, tol=1e-4):
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape, (a.shape, b.shape)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)


def _conv_ref(x, k, stride, pads, dil):
    """Direct-loop reference of a 2D channels_last convolution (independent of the kernels)."""
    xp = np.pad(x, ((0, 0), pads[0], pads[1], (0, 0)))
    kh, kw, cin_g, cout = k.shape
    groups = x.shape[-1] // cin_g
    oh = (xp.shape[1] - (kh - 1) * dil - 1) // stride + 1
    ow = (xp.shape[2] - (kw - 1) * dil - 1) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, cout))
    per = cout // groups
    for i, j, o in itertools.product(range(oh), range(ow), range(cout)):
        g = o // per
        patch = xp[:, i * stride : i * stride + (kh - 1) * dil + 1 : dil,
                   j * stride : j * stride + (kw - 1) * dil + 1 : dil,
                   g * cin_g : (g + 1) * cin_g]  # fmt: skip
        out[:, i, j, o] = np.einsum("nhwc,hwc->n", patch, k[..., o])
    return out


# ------------------------------------------------------------------ values vs references


@pytest.mark.parametrize(
    "stride,padding,dil,groups",
    [(1, "valid", 1, 1), (2, "same", 1, 1), (1, "same", 2, 2), (3, "valid", 1, 2)],
)
def test_conv_matches_direct_loop(engine, stride, padding, dil, groups):
    x = _rand(2, 7, 6, 2 * groups)
    k = _rand(3, 2, 2, 4, seed=1)
    if padding == "same":
        pads = []
        for n, kk in zip((7, 6), (3, 2)):
            keff = (kk - 1) * dil + 1
            total = max((-(-n // stride) - 1) * stride + keff - n, 0)
            pads.append((total // 2, total - total // 2))
    else:
        pads = [(0, 0), (0, 0)]
    out = ops.conv(x, k, strides=stride, padding=padding, dilation_rate=dil)
    _close(_np(out), _conv_ref(x, k, stride, pads, dil))


def test_conv_transpose_is_the_input_gradient_of_conv(engine):
    # <conv_transpose(y, k), x> == <y, conv(x, k)> for the matching forward conv
    x = _rand(1, 8, 8, 3)
    k = _rand(3, 3, 3, 2, seed=1)
    y = _np(ops.conv(x, k, strides=2, padding="valid"))
    z = _rand(*y.shape, seed=2)
    t = _np(ops.conv_transpose(z, k, strides=2, padding="valid", output_padding=1))
    assert t.shape == x.shape
    np.testing.assert_allclose(np.sum(t * x), np.sum(z * y), rtol=1e-4)


def test_fold_is_the_transpose_of_unfold(engine):
    x = _rand(2, 3, 6, 5)
    u = _np(ops.unfold(x, (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)))
    z = _rand(*u.shape, seed=3)
    f = _np(ops.fold(z, (6, 5), (2, 3), dilation=(2, 1), padding=1, stride=(1, 2)))
    np.testing.assert_allclose(np.sum(f * x), np.sum(z * u), rtol=1e-4)


def test_space_depth_round_trip(engine):
    x = _rand(2, 4, 6, 4)
    for df in ("channels_last", "channels_first"):
        y = ops.space_to_depth(x, 2, data_format=df)
        _close(_np(ops.depth_to_space(y, 2, data_format=df)), x, 0)


def test_pools_match_numpy(engine):
    x = _rand(2, 6, 4, 3)
    win = x.reshape(2, 3, 2, 2, 2, 3)
    _close(_np(ops.max_pool(x, 2)), win.max(axis=(2, 4)))
    _close(_np(ops.average_pool(x, (2, 2), strides=2)), win.mean(axis=(2, 4)))
    # 'same' average counts only the real elements: 3-wide windows on 4 columns
    y = _np(ops.average_pool(x, (1, 3), strides=1, padding="same"))
    _close(y[:, :, 0], x[:, :, :2].mean(axis=2))
    _close(y[:, :, 1], x[:, :, :3].mean(axis=2))
    # adaptive windows [floor(o*n/out), ceil((o+1)*n/out)): 4 -> 3 gives [0,2) [1,3) [2,4)
    a = _np(ops.adaptive_max_pool(x, (6, 3)))
    _close(a, np.stack([x[:, :, i : i + 2].max(axis=2) for i in range(3)], axis=2))
    a = _np(ops.adaptive_average_pool(x, (6, 3)))
    _close(a, np.stack([x[:, :, i : i + 2].mean(axis=2) for i in range(3)], axis=2))


# --------------------------------------------------------------------- parity with Keras

_CONV_CASES = [
    (nd, df, k, s, d, pad)
    for nd in (1, 2, 3)
    for df in ("channels_last", "channels_first")
    for k, s, d in ((1, 1, 1), (2, 2, 1), (3, 1, 2), (2, 3, 2))
    for pad in ("valid", "same")
]


@pytest.mark.parametrize("nd,df,k,s,d,pad", _CONV_CASES)
def test_convolutions_match_keras(engine, nd, df, k, s, d, pad):
    keras = _keras()
    sp = (7, 6, 5)[:nd]
    x = _rand(2, *sp, 4) if df == "channels_last" else _rand(2, 4, *sp)
    kernel = _rand(*(k,) * nd, 2, 4, seed=1)  # two groups
    args = (s, pad, df, d)
    _close(_np(ops.conv(x, kernel, *args)), keras.ops.conv(x, kernel, *args))
    dw = _rand(*(k,) * nd, 4, 2, seed=2)
    _close(_np(ops.depthwise_conv(x, dw, *args)), keras.ops.depthwise_conv(x, dw, *args))
    pw = _rand(*(1,) * nd, 8, 3, seed=3)
    _close(_np(ops.separable_conv(x, dw, pw, *args)), keras.ops.separable_conv(x, dw, pw, *args))
    kt = _rand(*(k,) * nd, 3, 4, seed=4)
    for op in (None, 0, 1):
        if op is not None and op >= max(s, d):
            continue
        expected = keras.ops.conv_transpose(x, kt, s, pad, op, df, d)
        _close(_np(ops.conv_transpose(x, kt, s, pad, op, df, d)), expected)


@pytest.mark.parametrize("nd", [1, 2, 3])
@pytest.mark.parametrize("df", ["channels_last", "channels_first"])
def test_pools_match_keras(engine, nd, df):
    keras = _keras()
    sp = (7, 6, 5)[:nd]
    x = _rand(2, *sp, 3) if df == "channels_last" else _rand(2, 3, *sp)
    cases = list(itertools.product((1, 2, 3), (1, 2, 3), ("valid", "same")))
    outs = (1, 2, 4, 9)

    def every_pool(x):
        pools = [f(x, *c, df) for c in cases for f in (ops.max_pool, ops.average_pool)]
        adaptive = [
            f(x, o, df) for o in outs for f in (ops.adaptive_average_pool, ops.adaptive_max_pool)
        ]
        return pools + adaptive

    got = jit(every_pool)(x)
    expected = [f(x, *c, df) for c in cases for f in (keras.ops.max_pool, keras.ops.average_pool)]
    expected += [
        f(x, o, df)
        for o in outs
        for f in (keras.ops.adaptive_average_pool, keras.ops.adaptive_max_pool)
    ]
    assert len(got) == len(expected)
    for g, e in zip(got, expected):
        _close(_np(g), e)


def test_fold_unfold_space_depth_match_keras(engine):
    keras = _keras()
    x = _rand(2, 3, 7, 6)
    for k, d, p, s in itertools.product((2, (2, 3)), (1, 2), (0, (1, 0)), (1, (1, 2))):
        u = keras.ops.unfold(x, k, d, p, s)
        _close(_compiled(lambda x, a=(k, d, p, s): ops.unfold(x, *a), x), u)
        fold = _compiled(lambda u, a=(k, d, p, s): ops.fold(u, (7, 6), *a), np.asarray(u))
        _close(fold, keras.ops.fold(u, (7, 6), k, d, p, s))
    for df, shape in (("channels_last", (2, 2, 3, 18)), ("channels_first", (2, 18, 2, 3))):
        y = _rand(*shape)
        _close(_np(ops.depth_to_space(y, 3, df)), keras.ops.depth_to_space(y, 3, df))
    for df, shape in (("channels_last", (2, 6, 4, 2)), ("channels_first", (2, 2, 6, 4))):
        y = _rand(*shape)
        _close(_np(ops.space_to_depth(y, 2, df)), keras.ops.space_to_depth(y, 2, df))


def test_strides_none_means_pool_size(engine):
    # Keras 3.15 fails on strides=None (its own bug); the documented meaning is pool_size.
    x = _rand(1, 6, 6, 2)
    _close(_np(ops.max_pool(x, 3)), _np(ops.max_pool(x, 3, strides=3)))
    _close(_np(ops.average_pool(x, (2, 3))), _np(ops.average_pool(x, (2, 3), strides=(2, 3))))


# ------------------------------------------------------------------------------- dtypes


def test_dtypes(engine):
    keras = _keras()
    xi = np.arange(2 * 5 * 5 * 2, dtype="int32").reshape(2, 5, 5, 2) % 7
    ki = (np.arange(3 * 3 * 2 * 3, dtype="int32").reshape(3, 3, 2, 3) % 5) - 2
    out = ops.conv(xi, ki)
    assert str(_np(out).dtype) == "int32"
    np.testing.assert_array_equal(_np(out), np.asarray(keras.ops.conv(xi, ki)))
    assert str(_np(ops.max_pool(xi, 2, 2)).dtype) == "int32"
    assert str(_np(ops.unfold(np.moveaxis(xi, -1, 1), 2)).dtype) == "int32"
    # integer average pooling gives floatx (as Keras's JAX backend does)
    avg = ops.average_pool(xi, 2, 2)
    assert str(_np(avg).dtype) == "float32"
    _close(_np(avg), np.asarray(keras.ops.average_pool(xi.astype("float32"), 2, 2)))
    assert str(_np(ops.adaptive_average_pool(xi, 2)).dtype) == "float32"
    assert str(_np(ops.adaptive_max_pool(xi, 2)).dtype) == "int32"
    # deliberate difference: float64 stays float64 (Keras demotes to float32)
    x64 = np.ones((1, 4, 4, 1))
    assert str(_np(ops.conv(x64, np.ones((2, 2, 1, 1)))).dtype) == "float64"
    assert str(_np(ops.average_pool(x64, 2, 2)).dtype) == "float64"
    # mixed float32 / float64 operands are promoted
    assert str(_np(ops.conv(x64.astype("float32"), np.ones((2, 2, 1, 1)))).dtype) == "float64"


def test_default_data_format_follows_config(engine):
    x = _rand(1, 3, 6, 5)  # channels_first: 3 channels
    k = _rand(2, 2, 3, 4, seed=1)
    expected = _np(ops.conv(x, k, data_format="channels_first"))
    kerasx.config.set_image_data_format("channels_first")
    try:
        _close(_np(ops.conv(x, k)), expected)
        assert _np(ops.max_pool(x, 2)).shape == (1, 3, 3, 2)
    finally:
        kerasx.config.set_image_data_format("channels_last")
    assert _np(ops.max_pool(x, 2)).shape == (1, 1, 3, 5)


# ------------------------------------------------------------------------------ errors


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda x, k: ops.conv(x, k, padding="full"), "padding"),
        (lambda x, k: ops.conv(x, k, padding=((1, 1), (1, 1))), "padding"),
        (lambda x, k: ops.conv(x, k, data_format="nhwc"), "data_format"),
        (lambda x, k: ops.conv(x, k, strides=0), "strides"),
        (lambda x, k: ops.conv(x, k, strides=(1, 2, 1)), "strides"),
        (lambda x, k: ops.conv(x, k, dilation_rate=-1), "dilation_rate"),
        (lambda x, k: ops.conv(x, k[0]), "kernel"),
        (lambda x, k: ops.conv(x[0, 0], k[0]), "inputs"),
        (lambda x, k: ops.conv(x, np.ones((3, 3, 3, 2), "float32")), "channels"),
        (lambda x, k: ops.conv(x[:, :2], k), "empty output"),
        (lambda x, k: ops.conv_transpose(x, k), "channels"),
        (lambda x, k: ops.conv_transpose(x, k[..., :2, :], output_padding=-1), "output_padding"),
        (lambda x, k: ops.depthwise_conv(x, k[..., :1, :]), "in_channels"),
        (lambda x, k: ops.max_pool(x, 2, padding="causal"), "padding"),
        (lambda x, k: ops.max_pool(x, 0), "pool_size"),
        (lambda x, k: ops.average_pool(x[0, 0], 2), "inputs"),
        (lambda x, k: ops.adaptive_max_pool(x, (2, 2, 2)), "output_size"),
        (lambda x, k: ops.unfold(x[0], 2), "4D"),
        (lambda x, k: ops.fold(np.ones((1, 18, 5), "float32"), (4, 4), 3), "blocks"),
        (lambda x, k: ops.fold(np.ones((1, 10, 4), "float32"), (4, 4), 3), "multiple"),
        (lambda x, k: ops.depth_to_space(x, 2), "multiple of block_size"),
        (lambda x, k: ops.space_to_depth(x, 2), "multiples of block_size"),
        (lambda x, k: ops.depth_to_space(x, 1), "block_size"),
        (lambda x, k: ops.space_to_depth(x, 2, data_format="nchw"), "data_format"),
    ],
)
def test_bad_arguments_raise(engine, call, match):
    x = _rand(1, 5, 5, 2)
    k = _rand(3, 3, 2, 3, seed=1)
    with pytest.raises((ValueError, TypeError), match=match):
        call(x, k)


def test_public_surface():
    for name in ("conv", "max_pool", "fold", "depth_to_space", "adaptive_max_pool"):
        assert hasattr(ops, name)
    for private in ("conv_general", "conv_backprop_input", "max_pool_backprop"):
        assert private in REGISTRY and not hasattr(ops, private)


# ----------------------------------------------------------------------------- symbolic


def test_symbolic_shapes_with_unknown_dims():
    kt = kerasx.KerasTensor
    k = kt((3, 3, 2, 8))
    assert ops.conv(kt((None, None, None, 2)), k, padding="same").shape == (None, None, None, 8)
    assert ops.conv(kt((None, 9, 8, 2)), k, strides=2, padding="same").shape == (None, 5, 4, 8)
    assert ops.conv(kt((None, 9, 8, 2)), k, strides=2).shape == (None, 4, 3, 8)
    y = ops.conv_transpose(kt((None, 5, None, 8)), kt((3, 3, 2, 8)), strides=2, padding="same")
    assert y.shape == (None, 10, None, 2)
    assert ops.max_pool(kt((None, 7, None, 3)), 2).shape == (None, 3, None, 3)
    assert ops.average_pool(kt((4, 3, 7, 7)), 3, 2, "same", "channels_first").shape == (4, 3, 4, 4)
    assert ops.unfold(kt((None, 3, 6, 6)), 2).shape == (None, 12, 25)
    assert ops.fold(kt((None, 12, 25)), 6, 2).shape == (None, 3, 6, 6)
    assert ops.depth_to_space(kt((None, 2, 3, 8)), 2).shape == (None, 4, 6, 2)
    assert ops.space_to_depth(kt((None, 4, 6, 2)), 2).shape == (None, 2, 3, 8)
    assert ops.adaptive_average_pool(kt((None, 7, 7, 3)), 2).shape == (None, 2, 2, 3)
    # unknown spatial dims are fine: the output size is given (Keras 3.15 gets this shape
    # wrong for channels_last, so no Keras comparison here)
    assert ops.adaptive_average_pool(kt((None, None, None, 3)), (2, 3)).shape == (None, 2, 3, 3)
    y = ops.adaptive_max_pool(kt((None, 3, None, None), "int32"), 4, "channels_first")
    assert (y.shape, y.dtype) == ((None, 3, 4, 4), "int32")
    assert ops.adaptive_average_pool(kt((2, None, 3), "int32"), 5).dtype == "float32"
    assert ops.depthwise_conv(kt((None, 6, 6, 2)), kt((3, 3, 2, 2))).shape == (None, 4, 4, 4)
    assert ops.average_pool(kt((None, 6, 6, 2), "int32"), 2).dtype == "float32"


def test_symbolic_shapes_match_keras():
    keras = _keras()
    cases = [
        # (Keras's symbolic conv rejects grouped kernels, although its eager conv accepts
        # them; kerasx supports both, so the comparison uses an ungrouped kernel.)
        ("conv", ((None, 9, 8, 4), (3, 2, 4, 6)), {"strides": 2, "padding": "same"}),
        ("conv_transpose", ((None, 5, 4, 6), (3, 3, 2, 6)), {"strides": 3, "output_padding": 1}),
        ("depthwise_conv", ((None, 9, 8, 4), (3, 3, 4, 2)), {"dilation_rate": 2}),
        ("max_pool", ((None, 9, 8, 4),), {"pool_size": 3, "strides": 2, "padding": "same"}),
    ]
    for name, shapes, kwargs in cases:
        ours = getattr(ops, name)(*[kerasx.KerasTensor(s) for s in shapes], **kwargs)
        theirs = getattr(keras.ops, name)(*[keras.KerasTensor(s) for s in shapes], **kwargs)
        assert tuple(ours.shape) == tuple(theirs.shape), name


# ---------------------------------------------------------------------------- gradients


def _grads_both(fn, args):
    """Gradients of `fn` on the NumPy tape and with jax.grad on the JAX engine (float64)."""
    import jax

    with use_engine("numpy"):
        _, tape = kerasx.value_and_grad(fn, argnums=tuple(range(len(args))))(*args)
        tape = [np.asarray(t) for t in tape]
    with use_engine("jax"):
        ref = jax.grad(fn, argnums=tuple(range(len(args))))(*[jax.numpy.asarray(a) for a in args])
    return tape, [np.asarray(r) for r in ref]


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
@pytest.mark.parametrize(
    "kwargs,groups",
    [
        ({"strides": 2, "padding": "same"}, 1),
        ({"strides": (1, 2), "dilation_rate": 1, "padding": "valid"}, 2),
        ({"dilation_rate": 2, "padding": "same", "data_format": "channels_first"}, 3),
    ],
)
def test_conv_gradients_match_jax(kwargs, groups):
    rng = np.random.default_rng(5)
    cin = 2 * groups
    df = kwargs.get("data_format", "channels_last")
    x = rng.standard_normal((2, 7, 6, cin) if df == "channels_last" else (2, cin, 7, 6))
    k = rng.standard_normal((3, 2, 2, 3 * groups))
    w = rng.standard_normal(ops.conv(x, k, **kwargs).shape)

    def loss(x, k):
        return ops.sum(ops.multiply(ops.conv(x, k, **kwargs), w))

    tape, ref = _grads_both(loss, (x, k))
    for a, b in zip(tape, ref):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_second_order_through_conv_and_pools():
    rng = np.random.default_rng(6)
    x = rng.standard_normal((1, 6, 6, 2))
    k = rng.standard_normal((3, 3, 2, 2))

    def inner(x, k):
        y = ops.conv(x, k, strides=2, padding="same")
        y = ops.multiply(y, y)
        return ops.sum(ops.average_pool(ops.max_pool(y, 2, 1, "same"), 2, 1))

    def outer(x, k):
        gx, gk = kerasx.grad(inner, argnums=(0, 1))(x, k)
        return ops.add(ops.sum(ops.multiply(gx, gx)), ops.sum(ops.multiply(gk, gk)))

    tape, ref = _grads_both(outer, (x, k))
    for a, b in zip(tape, ref):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-9)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_max_pool_gradient_ties_go_to_the_first_maximum():
    x = np.array([[[1.0], [3.0], [3.0], [2.0], [5.0], [5.0]]])  # (1, 6, 1)

    def loss(x):
        return ops.sum(ops.max_pool(x, 2, 1))

    tape, ref = _grads_both(loss, (x,))
    np.testing.assert_array_equal(tape[0], ref[0])
    np.testing.assert_array_equal(tape[0].ravel(), [0, 2, 1, 0, 2, 0])


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_transpose_depthwise_unfold_gradients_match_jax():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((1, 4, 5, 2))
    kt = rng.standard_normal((3, 2, 3, 2))
    kd = rng.standard_normal((2, 2, 2, 2))

    def loss(x, kt, kd):
        a = ops.conv_transpose(x, kt, strides=(2, 3), padding="same", output_padding=(1, 0))
        b = ops.depthwise_conv(x, kd, strides=2, padding="same")
        c = ops.unfold(ops.transpose(x, (0, 3, 1, 2)), 2, padding=1)
        return ops.add(
            ops.add(ops.sum(ops.multiply(a, a)), ops.sum(ops.multiply(b, b))),
            ops.sum(ops.multiply(c, c)),
        )

    tape, ref = _grads_both(loss, (x, kt, kd))
    for a, b in zip(tape, ref):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_jax_kernels_jit():
    import jax

    x = _rand(2, 7, 6, 2)
    k = _rand(3, 3, 2, 4, seed=1)
    with use_engine("jax"):

        def f(x, k):
            y = ops.conv(x, k, strides=2, padding="same")
            y = ops.conv_transpose(y, k, strides=2, padding="same")
            return ops.average_pool(ops.max_pool(y, 3, 2, "same"), 2, 1, "same")

        eager = np.asarray(f(x, k))
        jitted = np.asarray(jax.jit(f)(x, k))
    _close(jitted, eager, 1e-5)
