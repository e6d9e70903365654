"""The JAX engine's patch-product convolution on the CPU (backends/kerasx_jax/kernels/
conv_patches.py) against XLA's own convolution: values, reverse-mode gradients in the input
and the kernel, forward mode, second order, and which convolutions take the path."""

import itertools

import numpy as np
import pytest

jax = pytest.importorskip("jax")
jnp = pytest.importorskip("jax.numpy")

from kerasx.ops.conv_geometry import conv_geometry  # noqa: E402

conv_kernels = pytest.importorskip("kerasx_jax.kernels.conv")
patches = pytest.importorskip("kerasx_jax.kernels.conv_patches")

pytestmark = pytest.mark.skipif(jax.default_backend() != "cpu", reason="CPU-only path")

CASES = [
    # (nd, spatial, kernel, strides, padding, dilation)
    (1, (9,), (3,), 1, "valid", 1),
    (1, (10,), (4,), 2, "same", 1),
    (2, (7, 8), (3, 3), 1, "valid", 1),
    (2, (8, 7), (3, 2), (2, 1), "same", 1),
    (2, (9, 9), (3, 3), 1, "same", (2, 1)),
    (3, (5, 6, 4), (2, 3, 2), (1, 2, 1), "valid", 1),
]


def _case(nd, spatial, ksize, strides, padding, dilation, dtype):
    rng = np.random.default_rng(nd)
    x = rng.standard_normal((3, *spatial, 4)).astype(dtype)
    k = rng.standard_normal((*ksize, 4, 5)).astype(dtype)
    geo = conv_geometry(x.shape, k.shape, strides, padding, "channels_last", dilation)
    return jnp.asarray(x), jnp.asarray(k), geo


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_values_and_derivatives_match_xla_convolution(case, dtype):
    x, k, geo = _case(*case, dtype)
    assert patches.uses_patches(x, k, geo)
    fast = jax.jit(lambda x, k: conv_kernels._conv(x, k, geo))
    xla = jax.jit(lambda x, k: conv_kernels._xla_conv(x, k, geo))
    tol = dict(rtol=1e-12, atol=1e-12) if dtype == "float64" else dict(rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(fast(x, k), xla(x, k), **tol)
    ct = jnp.asarray(np.random.default_rng(1).standard_normal(geo.out_shape).astype(dtype))
    got = jax.vjp(fast, x, k)[1](ct)
    want = jax.vjp(xla, x, k)[1](ct)
    for g, w in zip(got, want):
        np.testing.assert_allclose(g, w, **tol)
    # forward mode, and the second order (gradient of a gradient's norm)
    tx, tk = jnp.ones_like(x) * 0.5, jnp.full_like(k, -0.25)
    np.testing.assert_allclose(
        jax.jvp(fast, (x, k), (tx, tk))[1], jax.jvp(xla, (x, k), (tx, tk))[1], **tol
    )

    def second(conv):
        inner = jax.grad(lambda x, k: jnp.sum(jnp.tanh(conv(x, k))), argnums=(0, 1))
        return jax.grad(lambda x, k: sum(jnp.sum(g**2) for g in inner(x, k)), argnums=(0, 1))

    for g, w in zip(second(fast)(x, k), second(xla)(x, k)):
        # float32: sums of large terms that cancel; the tolerance follows their scale
        scale = float(np.max(np.abs(w)))
        np.testing.assert_allclose(g, w, rtol=tol["rtol"], atol=tol["atol"] * max(scale, 1.0))


def test_only_the_kernel_gradient_when_the_input_is_constant():
    # the input's tangent is a symbolic zero: no convolution for it (and the same numbers)
    x, k, geo = _case(*CASES[2], "float64")
    fast = jax.grad(lambda k: jnp.sum(conv_kernels._conv(x, k, geo) ** 2))(k)
    xla = jax.grad(lambda k: jnp.sum(conv_kernels._xla_conv(x, k, geo) ** 2))(k)
    np.testing.assert_allclose(fast, xla, rtol=1e-12)
    jaxpr = str(jax.make_jaxpr(jax.grad(lambda k: jnp.sum(conv_kernels._conv(x, k, geo))))(k))
    assert "conv_general_dilated" not in jaxpr


def test_which_convolutions_take_the_path(monkeypatch):
    x, k, geo = _case(*CASES[2], "float32")
    assert patches.uses_patches(x, k, geo)
    assert not patches.uses_patches(x.astype("float16"), k.astype("float16"), geo)
    kg = jnp.ones((3, 3, 2, 6), k.dtype)
    grouped = conv_geometry(x.shape, kg.shape, 1, "valid", "channels_last", 1)
    assert grouped.groups == 2 and not patches.uses_patches(x, kg, grouped)
    cropping = conv_geometry(x.shape, k.shape, 1, ((-1, 0), (0, 0)), "channels_last", 1, True)
    assert not patches.uses_patches(x, k, cropping)
    xt = jnp.moveaxis(x, -1, 1)
    first = conv_geometry(xt.shape, k.shape, 1, "valid", "channels_first", 1)
    assert not patches.uses_patches(xt, k, first)
    rows, window = 3 * np.prod(geo.out_spatial), np.prod(k.shape[:-1])
    monkeypatch.setattr(patches, "MAX_PATCH_BYTES", int(rows * window * 4) - 1)
    assert not patches.uses_patches(x, k, geo)
    monkeypatch.setattr(jax, "default_backend", lambda: "gpu")
    monkeypatch.setattr(patches, "MAX_PATCH_BYTES", 1 << 30)
    assert not patches.uses_patches(x, k, geo)


def test_conv_layer_trains_the_same_on_both_paths(monkeypatch):
    # a Conv2D training step through kerasx on JAX, with and without the path
    import kerasx
    from kerasx.testing.conformance import use_engine

    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 8, 8, 2)).astype("float32")
    y = rng.standard_normal((4, 6, 6, 3)).astype("float32")
    results = []
    for limit in (patches.MAX_PATCH_BYTES, 0):
        monkeypatch.setattr(patches, "MAX_PATCH_BYTES", limit)
        with use_engine("jax"):
            kerasx.utils.set_random_seed(1)
            model = kerasx.Sequential([kerasx.Input((8, 8, 2)), kerasx.layers.Conv2D(3, 3)])
            model.compile("sgd", "mse")
            model.fit(x, y, batch_size=2, epochs=2, verbose=0)
            results.append([np.asarray(w) for w in model.get_weights()])
    for a, b in itertools.zip_longest(*results):
        np.testing.assert_allclose(a, b, rtol=2e-5, atol=2e-6)
