"""kerasx.initializers.STFT: closed-form DFT kernels, and parity with Keras's STFT."""

from __future__ import annotations

import numpy as np
import pytest

import kerasx
from kerasx import initializers as I
from kerasx.engine.discovery import installed_engines


@pytest.fixture(params=installed_engines())
def engine(request):
    kerasx.config.set_backend(request.param)
    try:
        yield request.param
    finally:
        kerasx.config.set_backend("numpy")


def _np(x):
    return np.asarray(kerasx.ops.convert_to_numpy(x))


def test_rectangular_kernels_are_the_dft_basis(engine):
    frame, channels, bins = 12, 3, 7
    fft = 2 * (bins - 1)
    n = np.arange(frame)[:, None, None]
    k = np.arange(bins)[None, None, :]
    real = _np(I.STFT("real", window=None, scaling=None)((frame, channels, bins)))
    imag = _np(I.STFT("imag", window=None, scaling=None)((frame, channels, bins)))
    assert real.shape == imag.shape == (frame, channels, bins) and real.dtype == np.float32
    full = (frame, channels, bins)
    np.testing.assert_allclose(
        real, np.broadcast_to(np.cos(2 * np.pi * n * k / fft), full), atol=1e-6
    )
    np.testing.assert_allclose(
        imag, np.broadcast_to(-np.sin(2 * np.pi * n * k / fft), full), atol=1e-6
    )
    # a window multiplies every basis function; "density" gives the window unit energy
    w = np.hanning(frame)  # the symmetric Hann window
    hann = _np(I.STFT("real", window="hann", scaling="density")((frame, 1, bins), "float64"))
    np.testing.assert_allclose(hann[:, 0, 0], w / np.sqrt(np.sum(w * w)), atol=1e-12)
    spec = _np(I.STFT("real", window=w, scaling="spectrum")((frame, 1, bins), "float64"))
    np.testing.assert_allclose(spec[:, 0, 0], w / np.sum(w), atol=1e-12)


def test_config_aliases_and_errors():
    init = I.STFT(side="imag", window="hamming", scaling="spectrum", periodic=True)
    assert init.get_config() == {
        "side": "imag",
        "window": "hamming",
        "periodic": True,
        "scaling": "spectrum",
    }
    again = I.deserialize(I.serialize(init))
    np.testing.assert_array_equal(_np(again((8, 1, 5))), _np(init((8, 1, 5))))
    assert I.STFTInitializer is I.STFT and I.stft is I.STFT
    assert isinstance(I.get("stft"), I.STFT)
    with pytest.raises(ValueError, match="side"):
        I.STFT(side="complex")
    with pytest.raises(ValueError, match="scaling"):
        I.STFT(scaling="l2")
    with pytest.raises(ValueError, match="bins >= 2"):
        I.STFT()((8, 1, 1))
    with pytest.raises(ValueError, match="bins >= 2"):
        I.STFT()((8, 9))
    with pytest.raises(ValueError, match="window"):
        I.STFT(window=np.ones(3))((8, 1, 5))


def test_matches_keras(engine):
    keras = pytest.importorskip("keras")
    for shape in [(16, 1, 9), (10, 1, 9), (16, 2, 5), (7, 3, 4)]:
        for side in ("real", "imag"):
            for window, periodic, scaling in [
                ("hann", False, "density"),
                ("hamming", True, "spectrum"),
                (None, False, None),
                ("hann", False, None),
            ]:
                ours = _np(I.STFT(side, window, scaling, periodic)(shape))
                theirs = np.asarray(keras.initializers.STFT(side, window, scaling, periodic)(shape))
                # Keras returns one channel whatever `shape` asks for (kerasx: the shape
                # asked for, every channel alike); it computes the phases in float32, kerasx
                # in float64: they agree to ~2e-6.
                assert ours.shape == shape and theirs.shape == (shape[0], 1, shape[2])
                np.testing.assert_allclose(
                    ours, np.broadcast_to(theirs, shape), rtol=1e-5, atol=5e-6
                )
