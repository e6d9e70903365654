"""Focused tests for the signal ops (behaviour the samples do not reach)."""

import warnings

import numpy as np
import pytest

import kerasx
from kerasx import ops
from kerasx.engine import discovery

ENGINES = discovery.installed_engines()
HAS_JAX = "jax" in ENGINES


@pytest.fixture(params=ENGINES)
def engine(request):
    kerasx.config.set_backend(request.param)
    yield request.param
    kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(ops.convert_to_numpy(x))


def _rng():
    return np.random.default_rng(0)


def test_fft_family_matches_numpy(engine):
    rng = _rng()
    re, im = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    z = re + 1j * im
    for fn, ref in ((ops.fft, np.fft.fft), (ops.fft2, np.fft.fft2), (ops.ifft2, np.fft.ifft2)):
        r, i = fn((re, im))
        np.testing.assert_allclose(_np(r) + 1j * _np(i), ref(z), atol=1e-12)
    r, i = ops.rfft(re[0], fft_length=6)
    np.testing.assert_allclose(_np(r) + 1j * _np(i), np.fft.rfft(re[0], n=6), atol=1e-12)
    y = ops.irfft((re[0], im[0]), fft_length=5)
    np.testing.assert_allclose(_np(y), np.fft.irfft(z[0], n=5), atol=1e-12)


def test_fft_input_validation_and_dtypes():
    x = np.ones((2, 4), "int32")
    with pytest.raises(ValueError, match="float"):
        ops.fft((x, x))
    with pytest.raises(ValueError, match="tuple"):
        ops.fft(np.ones((2, 4), "float32"))
    with pytest.raises(TypeError, match="float"):
        ops.stft(np.arange(10, dtype="int32"), 4, 2, 4)
    r, i = ops.rfft(np.arange(6, dtype="int32"))
    assert r.dtype == np.float32 and i.dtype == np.float32
    f32 = np.ones(4, "float32")
    assert ops.fft((f32, f32))[0].dtype == np.float32
    assert ops.view_as_complex(np.ones((3, 2), "float32")).dtype == np.complex64
    assert ops.view_as_complex(np.ones((3, 2), "float64")).dtype == np.complex128
    assert ops.view_as_real(np.ones(3, "complex64")).dtype == np.float32
    with pytest.raises(ValueError, match="size 2"):
        ops.view_as_complex(np.ones((3, 3)))
    with pytest.raises(ValueError, match="mode"):
        ops.correlate(np.ones(3), np.ones(2), mode="bogus")
    with pytest.raises(ValueError, match="sequence_length"):
        ops.extract_sequences(np.ones(3), 4, 1)


def test_stft_istft_round_trip(engine):
    x = _rng().standard_normal((2, 37))
    for kw in ({}, {"window": "hamming"}, {"window": None}):
        spec = ops.stft(x, 8, 2, 8, **kw)
        y = ops.istft(spec, 8, 2, 8, length=37, **kw)
        np.testing.assert_allclose(_np(y), x, atol=1e-10, err_msg=str(kw))


def test_istft_matches_keras_with_hann_windows():
    keras = pytest.importorskip("keras")
    rng = _rng()
    for n_in, length, stride, fft_length, kw in [
        (20, 4, 2, 4, {}),
        (21, 5, 2, 8, {"length": 18}),
        (16, 4, 2, 4, {"center": False}),
    ]:
        x = rng.standard_normal(n_in).astype("float32")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SciPy's NOLA warning inside Keras
            spec = tuple(np.asarray(t) for t in keras.ops.stft(x, length, stride, fft_length))
            ref = np.asarray(keras.ops.istft(spec, length, stride, fft_length, **kw))
        if kw.get("center", True):
            spec = tuple(np.asarray(t) for t in ops.stft(x, length, stride, fft_length))
        else:
            spec = tuple(
                np.asarray(t) for t in ops.stft(x, length, stride, fft_length, center=False)
            )
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                spec_k = keras.ops.stft(x, length, stride, fft_length, center=False)
                ref = np.asarray(keras.ops.istft(tuple(spec_k), length, stride, fft_length, **kw))
        out = _np(ops.istft(spec, length, stride, fft_length, **kw))
        assert out.shape == ref.shape
        np.testing.assert_allclose(out, ref, rtol=1e-4, atol=1e-5)


def test_stft_with_tensor_window_matches_string_window():
    x = _rng().standard_normal(16)
    k = np.arange(6)
    hann = 0.5 - 0.5 * np.cos(2 * np.pi * k / 6)
    a = ops.stft(x, 6, 2, 8, window=hann)
    b = ops.stft(x, 6, 2, 8, window="hann")
    for u, v in zip(a, b):
        np.testing.assert_allclose(_np(u), _np(v), atol=1e-12)
    with pytest.raises(ValueError, match="window"):
        ops.stft(x, 6, 2, 8, window="kaiser")


def test_stft_window_gradient_vs_finite_differences(engine):
    rng = _rng()
    x, w = rng.standard_normal(12), rng.uniform(0.5, 1.5, 4)

    def f(win):
        re, im = ops.stft(x, 4, 2, 4, window=win)
        return ops.add(ops.sum(ops.multiply(re, re)), ops.sum(im))

    g = _np(kerasx.grad(f)(w))
    fd = np.array([(_np(f(w + 1e-6 * e)) - _np(f(w - 1e-6 * e))) / 2e-6 for e in np.eye(4)])
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-7)


@pytest.mark.skipif(not HAS_JAX, reason="JAX is not installed")
def test_complex_view_rules_match_jax_vjp():
    import jax
    import jax.numpy as jnp

    rng = _rng()
    z = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    ct = rng.standard_normal((3, 2))
    _, vjp = jax.vjp(lambda v: jnp.stack([v.real, v.imag], -1), jnp.asarray(z))
    (expected,) = vjp(jnp.asarray(ct))
    rule = ops.view_as_real.opdef.vjp["x"]
    got = _np(rule(ct, None, z))
    np.testing.assert_allclose(got, np.asarray(expected), rtol=1e-12)

    x = rng.standard_normal((3, 2))
    cz = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    _, vjp = jax.vjp(lambda v: jax.lax.complex(v[..., 0], v[..., 1]), jnp.asarray(x))
    (expected,) = vjp(jnp.asarray(cz))
    rule = ops.view_as_complex.opdef.vjp["x"]
    np.testing.assert_allclose(_np(rule(cz, None, x)), np.asarray(expected), rtol=1e-12)


def test_correlate_matches_numpy_all_modes(engine):
    rng = _rng()
    for m, n in ((6, 3), (3, 6), (4, 4), (5, 2)):
        a, v = rng.standard_normal(m), rng.standard_normal(n)
        for mode in ("valid", "same", "full"):
            np.testing.assert_allclose(
                _np(ops.correlate(a, v, mode=mode)), np.correlate(a, v, mode), atol=1e-12
            )


def test_extract_sequences_values_and_int_dtype():
    x = np.arange(1, 7, dtype="int32")
    out = ops.extract_sequences(x, 3, 2)
    np.testing.assert_array_equal(out, [[1, 2, 3], [3, 4, 5]])
    assert out.dtype == np.int32
