"""The fused convolution op (``_conv_bias_activation``) and the NumPy engine's conv kernels.

The fused op must give the numbers of its three separate ops (`conv`, `add`, `relu`): the
forward pass bit for bit on the NumPy engine, the gradients up to float rounding (the bias
gradient is summed in another order), also in small blocks on several workers, to second
order, under the NumPy jit's replay, and against `jax.grad`.
"""

import numpy as np
import pytest

import kerasx
from kerasx import layers, ops
from kerasx.engine import discovery
from kerasx.ops.conv_fused import _conv_bias_activation
from kerasx.testing.conformance import use_engine

HAS_JAX = "jax" in discovery.installed_engines()

CASES = [
    # (x shape, kernel shape, kwargs)
    ((3, 9, 8, 5), (3, 3, 5, 6), {}),
    ((2, 9, 8, 1), (3, 3, 1, 4), {"strides": 2, "padding": "same"}),
    ((2, 3, 7, 6), (2, 3, 3, 4), {"data_format": "channels_first", "dilation_rate": 2}),
    ((2, 7, 6, 4), (3, 2, 2, 6), {"strides": (1, 2)}),  # 2 groups
    ((2, 11, 3), (3, 3, 5), {"padding": "same"}),
    ((2, 4, 5, 4, 2), (2, 2, 2, 2, 3), {"padding": "same"}),
]


def _separate(x, k, b, activation, kwargs):
    y = ops.conv(x, k, **kwargs)
    if kwargs.get("data_format") == "channels_first":
        b = ops.reshape(b, (-1,) + (1,) * (len(y.shape) - 2))
    y = ops.add(y, b)
    return ops.relu(y) if activation == "relu" else y


def _inputs(x_shape, k_shape, dtype="float32", seed=0):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(x_shape).astype(dtype)
    k = rng.standard_normal(k_shape).astype(dtype)
    b = rng.standard_normal(k_shape[-1]).astype(dtype)
    return x, k, b


@pytest.fixture
def small_blocks(monkeypatch):
    """Tiny im2col blocks and chunks: every block/chunk/worker code path runs."""
    conv_gemm = pytest.importorskip("kerasx_numpy.kernels.conv_gemm")
    conv_fused = pytest.importorskip("kerasx_numpy.kernels.conv_fused")
    monkeypatch.setattr(conv_gemm, "_BLOCK_BYTES", 600)
    monkeypatch.setattr(conv_gemm, "_MIN_ROWS", 2)
    monkeypatch.setattr(conv_fused, "_CHUNK", 40)
    monkeypatch.setattr(conv_fused, "_PARALLEL_MIN", 1)


@pytest.mark.parametrize("activation", ["relu", None])
@pytest.mark.parametrize("x_shape,k_shape,kwargs", CASES)
def test_fused_op_matches_separate_ops(small_blocks, x_shape, k_shape, kwargs, activation):
    x, k, b = _inputs(x_shape, k_shape)
    with use_engine("numpy"):
        y = np.asarray(_conv_bias_activation(x, k, b, activation=activation, **kwargs))
        ref = np.asarray(_separate(x, k, b, activation, kwargs))
        assert y.dtype == np.float32
        np.testing.assert_array_equal(y, ref)
        w = np.random.default_rng(1).standard_normal(y.shape).astype("float32")

        def fused(x, k, b):
            return ops.sum(ops.multiply(_conv_bias_activation(x, k, b, activation=activation,
                                                              **kwargs), w))  # fmt: skip

        def separate(x, k, b):
            return ops.sum(ops.multiply(_separate(x, k, b, activation, kwargs), w))

        _, grads = kerasx.value_and_grad(fused, argnums=(0, 1, 2))(x, k, b)
        _, refs = kerasx.value_and_grad(separate, argnums=(0, 1, 2))(x, k, b)
    for g, r in zip(grads, refs):
        assert np.asarray(g).dtype == np.float32
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-5, atol=1e-5)


def test_fused_op_second_order_matches_separate_ops():
    x, k, b = _inputs((2, 6, 5, 2), (3, 3, 2, 3), "float64", seed=2)

    def outer(op):
        def inner(x, k, b):
            return ops.sum(ops.square(op(x, k, b)))

        def fn(x, k, b):
            gx, gk, gb = kerasx.grad(inner, argnums=(0, 1, 2))(x, k, b)
            return ops.sum(ops.square(gx)) + ops.sum(ops.square(gk)) + ops.sum(ops.square(gb))

        return fn

    def fused(x, k, b):
        return _conv_bias_activation(x, k, b, padding="same", activation="relu")

    def separate(x, k, b):
        return _separate(x, k, b, "relu", {"padding": "same"})

    with use_engine("numpy"):
        got = kerasx.grad(outer(fused), argnums=(0, 1, 2))(x, k, b)
        ref = kerasx.grad(outer(separate), argnums=(0, 1, 2))(x, k, b)
    for g, r in zip(got, ref):
        np.testing.assert_allclose(np.asarray(g), np.asarray(r), rtol=1e-10, atol=1e-10)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
@pytest.mark.parametrize("x_shape,k_shape,kwargs", [CASES[1], CASES[2], CASES[3]])
def test_fused_op_gradients_match_jax(x_shape, k_shape, kwargs):
    import jax

    x, k, b = _inputs(x_shape, k_shape, "float64", seed=3)
    with use_engine("numpy"):
        w = np.random.default_rng(4).standard_normal(ops.conv(x, k, **kwargs).shape)

    def loss(x, k, b):
        y = _conv_bias_activation(x, k, b, activation="relu", **kwargs)
        return ops.sum(ops.multiply(y, w))

    with use_engine("numpy"):
        _, tape = kerasx.value_and_grad(loss, argnums=(0, 1, 2))(x, k, b)
    with use_engine("jax"):
        ref = jax.grad(loss, argnums=(0, 1, 2))(*[jax.numpy.asarray(a) for a in (x, k, b)])
    for t, r in zip(tape, ref):
        np.testing.assert_allclose(np.asarray(t), np.asarray(r), rtol=1e-9, atol=1e-9)


def test_pre_gradient_kernel_in_chunks(small_blocks):
    """The NumPy pre-gradient hook: ``g * (ans > 0)`` and the per-channel sums."""
    from kerasx_numpy.kernels.conv_fused import _pre_gradient

    rng = np.random.default_rng(5)
    for shape, axis in [((5, 4, 3, 6), 3), ((5, 6, 4, 3), 1), ((3, 7, 2), 2)]:
        g = rng.standard_normal(shape).astype("float32")
        ans = np.maximum(rng.standard_normal(shape), 0).astype("float32")
        others = tuple(i for i in range(len(shape)) if i != axis)
        gz, db = _pre_gradient(g, ans, axis, "relu")
        np.testing.assert_array_equal(gz, g * (ans > 0))
        np.testing.assert_allclose(db, (g * (ans > 0)).sum(others), rtol=1e-5, atol=1e-5)
        gz, db = _pre_gradient(g, ans, axis, None)
        assert gz is g
        np.testing.assert_allclose(db, g.sum(others), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("c", [1, 3])
def test_few_channel_im2col(small_blocks, c):
    """Inputs with few channels build their im2col blocks transposed, tap by tap."""
    from kerasx.ops.conv_geometry import conv_geometry
    from kerasx.ops.convolution import conv_backprop_kernel

    x, k, _ = _inputs((3, 10, 9, c), (3, 2, c, 5), seed=6)
    geo = conv_geometry(x.shape, k.shape, (2, 1), "same", "channels_last", 1)
    with use_engine("numpy"):
        y = np.asarray(ops.conv(x, k, strides=(2, 1), padding="same"))
        g = np.random.default_rng(7).standard_normal(y.shape).astype("float32")
        dk = np.asarray(conv_backprop_kernel(x, g, k.shape, (2, 1), geo.pads, "channels_last"))
    xp = np.pad(x.astype(np.float64), [(0, 0), *geo.pads, (0, 0)])
    ref = np.zeros(y.shape)
    ref_dk = np.zeros(k.shape)
    for i in range(3):
        for j in range(2):
            patch = xp[:, i : i + 2 * y.shape[1] - 1 : 2, j : j + y.shape[2]]
            ref += patch @ k[i, j]
            ref_dk[i, j] = np.einsum("nhwc,nhwo->co", patch, g)
    np.testing.assert_allclose(y, ref, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(dk, ref_dk, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("activation", ["relu", None, "tanh"])
def test_conv_layer_training_matches_unfused_path(monkeypatch, activation):
    """Conv2D (fused when its activation is ReLU or none) trains as the separate ops do,
    through the NumPy jit's trace and replay."""
    from kerasx.layers.convolutional import base_conv

    rng = np.random.default_rng(8)
    x = rng.standard_normal((8, 9, 9, 2)).astype("float32")
    y = rng.integers(0, 3, size=8)

    def train(fused):
        if not fused:
            monkeypatch.setattr(base_conv.BaseConv, "call", base_conv.ConvBase.call)
        model = kerasx.Sequential(
            [
                kerasx.Input((9, 9, 2)),
                layers.Conv2D(4, 3, activation=activation),
                layers.Conv2D(5, 3, activation=activation, padding="same"),
                layers.MaxPooling2D(2),
                layers.Flatten(),
                layers.Dense(3, activation="softmax"),
            ]
        )
        model.set_weights([w * 0 + np.linspace(-0.5, 0.5, w.size).reshape(w.shape)
                           for w in model.get_weights()])  # fmt: skip
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        losses = [float(model.train_on_batch(x, y)) for _ in range(4)]
        monkeypatch.undo()
        return losses, model.get_weights()

    with use_engine("numpy"):
        fused_losses, fused_weights = train(True)
        ref_losses, ref_weights = train(False)
    np.testing.assert_allclose(fused_losses, ref_losses, rtol=1e-6)
    for a, b in zip(fused_weights, ref_weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=1e-5, atol=1e-6)


def test_bad_activation_raises():
    x, k, b = _inputs((1, 4, 4, 1), (2, 2, 1, 2))
    with use_engine("numpy"), pytest.raises(ValueError, match="activation"):
        _conv_bias_activation(x, k, b, activation="tanh")


@pytest.mark.parametrize(
    "x_shape,k_shape",
    [
        ((5, 9, 8, 3), (3, 3, 3, 4)),
        ((4, 7, 6, 5), (2, 1, 5, 3)),  # kernel width 1
        ((3, 12, 4), (4, 4, 6)),  # 1D
        ((3, 4, 5, 6, 2), (2, 3, 2, 2, 3)),  # 3D
    ],
)
def test_stride1_input_gradient_blocks(monkeypatch, x_shape, k_shape):
    """The stride-1 input gradient (shifted contiguous runs) in blocks of one or two images,
    against a plain per-tap scatter, padded and not."""
    conv_gemm = pytest.importorskip("kerasx_numpy.kernels.conv_gemm")
    from kerasx.ops.conv_geometry import conv_geometry
    from kerasx.ops.convolution import conv_backprop_input

    rng = np.random.default_rng(9)
    k = rng.standard_normal(k_shape)
    nd = len(k_shape) - 2
    for padding in ("valid", "same"):
        geo = conv_geometry(x_shape, k_shape, 1, padding, "channels_last", 1)
        g = rng.standard_normal((x_shape[0], *geo.out_spatial, k_shape[-1]))
        padded = [(n + lo + hi) for n, (lo, hi) in zip(x_shape[1:-1], geo.pads)]
        ref = np.zeros((x_shape[0], *padded, x_shape[-1]))
        for tap in np.ndindex(*k_shape[:nd]):
            sl = tuple(slice(t, t + o) for t, o in zip(tap, geo.out_spatial))
            ref[(slice(None), *sl)] += g @ k[tap].T
        inner = tuple(slice(lo, lo + n) for (lo, _), n in zip(geo.pads, x_shape[1:-1]))
        ref = ref[(slice(None), *inner)]
        for frame_bytes in (1, 2 * np.prod(padded) * k_shape[-1] * 8):
            monkeypatch.setattr(conv_gemm, "_FRAME_BYTES", int(frame_bytes))
            with use_engine("numpy"):
                dx = conv_backprop_input(g, k, x_shape, 1, geo.pads, "channels_last")
            np.testing.assert_allclose(np.asarray(dx), ref, rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    "x_shape,pool,data_format",
    [
        ((5, 8, 6, 3), 2, "channels_last"),
        ((4, 7, 9, 2), (2, 3), "channels_last"),  # rows / columns past the last window
        ((3, 2, 6, 5), 2, "channels_first"),
        ((4, 9, 3), 3, "channels_last"),
        ((2, 4, 5, 4, 2), (2, 2, 2), "channels_last"),
    ],
)
def test_tiled_max_pool_in_chunks(monkeypatch, x_shape, pool, data_format):
    """Tiled max pooling and its gradient in one-image chunks on several workers: the
    window maximum, and the cotangent at the window's first maximum (row-major taps)."""
    conv_pool = pytest.importorskip("kerasx_numpy.kernels.conv_pool")
    monkeypatch.setattr(conv_pool, "_CHUNK", 1)
    monkeypatch.setattr(conv_pool, "_PARALLEL_MIN", 1)
    rng = np.random.default_rng(10)
    x = np.round(rng.standard_normal(x_shape), 0).astype("float32")  # many ties
    x[0] = 0.0
    cl = x if data_format == "channels_last" else np.moveaxis(x, 1, -1)
    nd = cl.ndim - 2
    pool = (pool,) * nd if isinstance(pool, int) else pool
    out = tuple(n // p for n, p in zip(cl.shape[1:-1], pool))
    # windows as (N, *out, C, taps) with taps in row-major order
    crop = cl[(slice(None), *(slice(0, o * p) for o, p in zip(out, pool)))]
    split = crop.reshape(cl.shape[0], *[d for o, p in zip(out, pool) for d in (o, p)], -1)
    order = [0, *range(1, 2 * nd, 2), 2 * nd + 1, *range(2, 2 * nd + 1, 2)]
    windows = split.transpose(order).reshape(cl.shape[0], *out, cl.shape[-1], -1)
    with use_engine("numpy"):
        y = np.asarray(ops.max_pool(x, pool, pool, "valid", data_format))
        g = rng.standard_normal(y.shape).astype("float32")

        def loss(x):
            return ops.sum(ops.multiply(ops.max_pool(x, pool, pool, "valid", data_format), g))

        _, dx = kerasx.value_and_grad(loss)(x)
    y_cl = y if data_format == "channels_last" else np.moveaxis(y, 1, -1)
    np.testing.assert_array_equal(y_cl, windows.max(-1))
    g_cl = g if data_format == "channels_last" else np.moveaxis(g, 1, -1)
    onehot = np.arange(windows.shape[-1]) == windows.argmax(-1)[..., None]
    spread = (onehot * g_cl[..., None]).reshape(cl.shape[0], *out, cl.shape[-1], *pool)
    inverse = [0, *[k for i in range(nd) for k in (1 + i, nd + 2 + i)], nd + 1]
    expected = np.zeros_like(cl)
    expected[(slice(None), *(slice(0, o * p) for o, p in zip(out, pool)))] = spread.transpose(
        inverse
    ).reshape(crop.shape)
    dx_cl = np.asarray(dx) if data_format == "channels_last" else np.moveaxis(np.asarray(dx), 1, -1)
    np.testing.assert_array_equal(dx_cl, expected)


@pytest.mark.parametrize(
    "x_shape,pool,strides,padding,data_format,activation",
    [
        ((6, 8, 6, 5), 2, 2, "valid", "channels_last", "relu"),  # the one-pass path
        ((6, 8, 6, 5), 2, 2, "valid", "channels_last", None),
        ((4, 6, 9, 2), (2, 3), (2, 3), "valid", "channels_last", "relu"),
        ((4, 7, 9, 2), 2, 2, "valid", "channels_last", "relu"),  # rows past the last window
        ((4, 6, 6, 3), 2, 1, "valid", "channels_last", "relu"),  # overlapping windows
        ((4, 3, 6, 6), 2, 2, "valid", "channels_first", "relu"),
        ((3, 5, 5, 2), 2, 2, "same", "channels_last", "relu"),
        ((3, 4, 4, 2), 1, 1, "valid", "channels_last", "relu"),  # one tap per window
    ],
)
def test_max_pool_pre_gradient_is_the_two_kernels_bit_for_bit(
    monkeypatch, x_shape, pool, strides, padding, data_format, activation
):
    """The one-pass pre-gradient of a ReLU convolution whose output is max-pooled equals
    ``_pre_gradient(max_pool_backprop(...))`` bit for bit (values, signs of zeros, the bias
    sums), in small chunks on several workers, with all-zero windows and ties."""
    conv_fused = pytest.importorskip("kerasx_numpy.kernels.conv_fused")
    from kerasx_numpy.kernels.conv_pool import max_pool, max_pool_backprop

    monkeypatch.setattr(conv_fused, "_CHUNK", 40)
    monkeypatch.setattr(conv_fused, "_PARALLEL_MIN", 1)
    rng = np.random.default_rng(12)
    x = np.maximum(np.round(rng.standard_normal(x_shape), 0), 0).astype("float32")
    x[0] = 0.0  # windows whose maximum is 0: no gradient through the ReLU
    args = (pool, strides, padding, data_format)
    g = rng.standard_normal(max_pool(x, *args).shape).astype("float32")
    axis = 1 if data_format == "channels_first" else x.ndim - 1
    want = conv_fused._pre_gradient(max_pool_backprop(x, g, *args), x, axis, activation)
    got = conv_fused._max_pool_pre_gradient(x, g, *args, axis, activation)
    for a, b in zip(got, want):
        np.testing.assert_array_equal(a, b)
        np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
    if activation == "relu":  # and it is the pre-gradient of the pooled ReLU output
        cl = x if data_format == "channels_last" else np.moveaxis(x, 1, -1)
        assert not np.any(np.moveaxis(got[0], axis, -1)[cl == 0])


def test_replay_fuses_max_pool_gradient_into_the_conv_pre_gradient():
    """Under the NumPy jit, a ReLU convolution followed by max pooling differentiates with
    the one-pass kernel; the replayed gradients equal the eager ones bit for bit."""
    from kerasx_numpy.kernels.conv_fused import _max_pool_pre_gradient

    rng = np.random.default_rng(13)
    k = rng.standard_normal((3, 3, 2, 4)).astype("float32")
    b = rng.standard_normal(4).astype("float32")
    w = rng.standard_normal((4 * 4 * 4, 3)).astype("float32")

    def step(k, b, x):
        def loss(k, b):
            y = _conv_bias_activation(x, k, b, activation="relu")
            p = ops.max_pool(y, 2, 2)
            return ops.mean(ops.square(ops.matmul(ops.reshape(p, (x.shape[0], -1)), w)))

        return kerasx.value_and_grad(loss, argnums=(0, 1))(k, b)

    with use_engine("numpy"):
        jf = kerasx.jit(step)
        for _ in range(4):
            x = rng.standard_normal((5, 10, 10, 2)).astype("float32")
            got, want = jf(k, b, x), step(k, b, x)
            for a, r in zip(kerasx.tree.flatten(got), kerasx.tree.flatten(want)):
                np.testing.assert_array_equal(np.asarray(a), np.asarray(r))
        (entry,) = jf.entries.values()
        assert entry.state == "replay"
        assert _max_pool_pre_gradient in entry.replay.__globals__.values()


def _blas_threads():
    from kerasx_numpy.kernels import conv_threads

    set_local = conv_threads._state["set_local"]
    previous = set_local(1)
    set_local(previous)
    return previous


def test_worker_pool_gives_back_the_blas_thread_count():
    """While the convolution workers run, BLAS is single-threaded; afterwards the process has
    its thread count back (OpenBLAS's "local" setter changes the whole process's count)."""
    conv_threads = pytest.importorskip("kerasx_numpy.kernels.conv_threads")
    if conv_threads.workers() < 2:
        pytest.skip("one BLAS thread here: no worker pool")
    set_blas_threads = conv_threads._state["set_local"]
    previous = set_blas_threads(2)  # (tests/conftest.py gives pytest-xdist workers one)
    try:
        a = np.random.default_rng(0).standard_normal((64, 64)).astype("float32")
        seen = conv_threads.run([lambda: (a @ a, _blas_threads())[1] for _ in range(4)])
        assert seen == [1] * 4
        assert _blas_threads() == 2
    finally:
        set_blas_threads(previous)


@pytest.mark.parametrize("shape", [((7, 5), (5, 3)), ((300, 40), (40, 20)), ((9, 33), (33, 2))])
def test_matmul_kernel_in_row_blocks(monkeypatch, shape):
    """The NumPy matmul kernel's large 2-D products, cut into row blocks for the workers
    (forced here on tiny products, three workers run one after the other)."""
    from kerasx_numpy.kernels import conv_threads, products

    monkeypatch.setattr(products, "_PARALLEL_WORK", 1)
    monkeypatch.setattr(conv_threads, "workers", lambda: 3)
    monkeypatch.setattr(conv_threads, "run", lambda tasks: [t() for t in tasks])
    rng = np.random.default_rng(1)
    for dtype in ("float32", "float64"):
        a = rng.standard_normal(shape[0]).astype(dtype)
        b = rng.standard_normal(shape[1]).astype(dtype)
        for x1 in (a, np.asfortranarray(a)):
            got = products.matmul(x1, b)
            assert got.dtype == np.dtype(dtype) and got.flags.c_contiguous
            ref = a.astype("float64") @ b.astype("float64")
            tol = 1e-5 if dtype == "float32" else 1e-12
            np.testing.assert_allclose(got, ref, rtol=tol, atol=tol)
    ints = products.matmul(np.ones((6, 4), "int32"), np.ones((4, 5), "int32"))
    np.testing.assert_array_equal(ints, np.full((6, 5), 4))
    with pytest.raises(ValueError):
        products.matmul(np.ones((6, 4), "float32"), np.ones((5, 5), "float32"))
