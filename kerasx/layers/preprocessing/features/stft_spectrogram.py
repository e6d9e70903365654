"""`STFTSpectrogram`: short-time Fourier spectrograms computed as a strided convolution with
(trainable) windowed-DFT kernels, written in `kerasx.ops`."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from kerasx import config, ops
from kerasx.engine import dtypes as _dt
from kerasx.engine.symbolic import KerasTensor
from kerasx.layers.input_spec import InputSpec
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features._utils import is_int

MODES = ("log", "magnitude", "psd", "real", "imag", "angle", "stft")
SCALINGS = (None, "density", "spectrum")
PADDINGS = ("valid", "same")

# Generalized cosine windows: w[n] = sum_k (-1)^k a_k cos(2 pi k n / (M - 1)).
_COSINE_WINDOWS = {
    "hann": (0.5, 0.5),
    "hamming": (0.54, 0.46),
    "blackman": (0.42, 0.5, 0.08),
}
_BOXCAR_NAMES = ("boxcar", "box", "ones", "rect", "rectangular")


def _named_window(window: Any, length: int, periodic: bool) -> np.ndarray:
    """The float64 window called `window` (a name, or a ``(name, *params)`` tuple) of
    `length` samples; periodic windows are the first `length` samples of a symmetric window
    one sample longer (the DFT-even form)."""
    name = window
    if isinstance(name, str) and (
        name in _COSINE_WINDOWS or name in _BOXCAR_NAMES or name == "bartlett"
    ):
        if name in _BOXCAR_NAMES or length == 1:
            return np.ones(length)
        m = length + 1 if periodic else length
        n = np.arange(m, dtype="float64")
        if name == "bartlett":
            w = 1.0 - np.abs(2.0 * n / (m - 1) - 1.0)
        else:
            w = np.zeros(m)
            for k, a in enumerate(_COSINE_WINDOWS[name]):
                w += (-1) ** k * a * np.cos(2.0 * np.pi * k * n / (m - 1))
        return w[:length]
    try:  # every other window SciPy knows (optional: SciPy is not a kerasx dependency)
        from scipy.signal import get_window
    except ImportError:
        get_window = None
    if get_window is not None:
        try:
            return np.asarray(get_window(window, length, fftbins=bool(periodic)), "float64")
        except (ValueError, TypeError) as e:
            raise ValueError(
                f"Received an invalid value for `window`: {e} Expected 'hann', 'hamming', "
                f"another window name known to scipy.signal.get_window, an array of "
                f"frame_length={length} values, or None. Received: window={window!r}"
            ) from None
    raise ValueError(
        "Received an invalid value for `window`, expected one of 'hann', 'hamming', "
        "'blackman', 'bartlett', 'boxcar' (other names need SciPy), an array of "
        f"frame_length={length} values, or None. Received: window={window!r}"
    )


def stft_kernels(
    frame_length: int, fft_length: int, window: Any, periodic: bool, scaling: str | None
) -> tuple[np.ndarray, np.ndarray]:
    """The real and imaginary STFT kernels, each ``(frame_length, 1, fft_length // 2 + 1)``
    float64: the window (scaled by `scaling`) times ``cos`` and ``-sin`` of the DFT phases.

    A window of None is a rectangular window and is never scaled.
    """
    if window is None:
        w = np.ones(frame_length)
    else:
        if isinstance(window, str) or (
            isinstance(window, tuple) and window and isinstance(window[0], str)
        ):
            w = _named_window(window, frame_length, periodic)
        else:
            w = np.asarray(window, dtype="float64")
            if w.shape != (frame_length,):
                raise ValueError(
                    "Received an invalid value for `window`: an array window must have shape "
                    f"(frame_length,) = ({frame_length},). Received: window shape={w.shape}"
                )
        if scaling == "density":
            w = w / np.sqrt(np.sum(np.square(w)))
        elif scaling == "spectrum":
            w = w / np.sum(w)
    bins = fft_length // 2 + 1
    phase = 2.0 * np.pi * np.outer(np.arange(frame_length), np.arange(bins)) / fft_length
    real = (w[:, None] * np.cos(phase))[:, None, :]
    imag = (-w[:, None] * np.sin(phase))[:, None, :]
    return real, imag


class STFTSpectrogram(Layer):
    """Spectrograms of 1-D signals by the short-time Fourier transform.

    Each input channel is cut into frames of `frame_length` samples, `frame_step` apart; every
    frame is multiplied by the window and transformed with an `fft_length`-point DFT
    (``fft_length // 2 + 1`` frequency bins). The transform is a strided convolution whose
    kernels (``real_kernel`` and ``imag_kernel``, shape ``(frame_length, 1, bins)``) hold the
    windowed DFT basis; they are ordinary weights, so they can be fine-tuned (pass
    ``trainable=False`` to keep the exact transform). The same kernels apply to every channel.

    Inputs are ``(batch, time, channels)`` (``channels_last``) or ``(batch, channels, time)``
    (``channels_first``). Outputs are ``(batch, frames, channels * bins)`` or
    ``(batch, channels * bins, frames)``; with `expand_dims`, ``(batch, frames, bins,
    channels)`` or ``(batch, channels, frames, bins)``. In ``"stft"`` mode each channel's
    block holds the real parts followed by the imaginary parts (``2 * bins`` values).

    Args:
        mode: what to output: ``"log"`` (natural log of the magnitude, floored at
            ``sqrt(epsilon)``), ``"magnitude"``, ``"psd"`` (one-sided power: the squared
            magnitude, doubled for every bin but the first and the last), ``"real"``,
            ``"imag"``, ``"angle"`` (the phase, in radians) or ``"stft"`` (real and
            imaginary parts).
        frame_length: the window length in samples (a positive integer).
        frame_step: the hop between frames in samples, at most `frame_length`
            (default ``frame_length // 2``).
        fft_length: the DFT size, at least `frame_length` (default: the smallest power of two
            not below `frame_length`); other than a power of two it warns.
        window: a window name (``"hann"``, ``"hamming"``, ``"blackman"``, ``"bartlett"``,
            ``"boxcar"``, or, with SciPy installed, any name or ``(name, *params)`` tuple of
            ``scipy.signal.get_window``), an array of `frame_length` values, or None (a
            rectangular window, never scaled).
        periodic: use the periodic (DFT-even) form of a named window instead of the
            symmetric one.
        scaling: how the window is normalised: ``"density"`` (unit energy), ``"spectrum"``
            (unit sum) or None.
        padding: ``"valid"`` (only whole frames) or ``"same"`` (zero-pad so that there are
            ``ceil(time / frame_step)`` frames).
        expand_dims: give the output a separate frequency axis (an image-like 4-D tensor).
        data_format: ``"channels_last"`` or ``"channels_first"`` (default: the global image
            data format).
        **kwargs: base `Layer` arguments (name, dtype, trainable, ...).
    """

    _auto_config = False

    def __init__(
        self,
        mode: str = "log",
        frame_length: int = 256,
        frame_step: int | None = None,
        fft_length: int | None = None,
        window: Any = "hann",
        periodic: bool = False,
        scaling: str | None = "density",
        padding: str = "valid",
        expand_dims: bool = False,
        data_format: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if mode not in MODES:
            raise ValueError(
                f"Received an invalid value for `mode`, expected one of {MODES}. "
                f"Received: mode={mode!r}"
            )
        if scaling not in SCALINGS:
            raise ValueError(
                f"Received an invalid value for `scaling`, expected one of {SCALINGS}. "
                f"Received: scaling={scaling!r}"
            )
        if padding not in PADDINGS:
            raise ValueError(
                f"Received an invalid value for `padding`, expected one of {PADDINGS}. "
                f"Received: padding={padding!r}"
            )
        if not is_int(frame_length) or frame_length <= 0:
            raise ValueError(
                "Received an invalid value for `frame_length`, expected a positive integer. "
                f"Received: frame_length={frame_length!r}"
            )
        step = max(frame_length // 2, 1) if frame_step is None else frame_step
        if not is_int(step) or not 0 < step <= frame_length:
            raise ValueError(
                "Received an invalid value for `frame_step`, expected a positive integer not "
                f"greater than frame_length={frame_length}. Received: frame_step={frame_step!r}"
            )
        if fft_length is None:
            fft = 1 << (int(frame_length) - 1).bit_length()
        else:
            if not is_int(fft_length) or fft_length < frame_length:
                raise ValueError(
                    "Received an invalid value for `fft_length`, expected an integer not less "
                    f"than frame_length={frame_length}. Received: fft_length={fft_length!r}"
                )
            fft = int(fft_length)
            if fft & (fft - 1):
                warnings.warn(
                    f"`fft_length` is recommended to be a power of two. Received fft_length={fft}",
                    stacklevel=2,
                )
        self.mode = mode
        self.frame_length = frame_length
        self.frame_step = frame_step
        self.fft_length = fft_length
        self.window = window
        self.periodic = periodic
        self.scaling = scaling
        self.padding = padding
        self.expand_dims = expand_dims
        self.data_format = config.standardize_data_format(data_format)
        self._step = int(step)
        self._fft = fft
        self._bins = fft // 2 + 1
        # Built (and validated) now, so a bad window fails at construction.
        self._real_init, self._imag_init = stft_kernels(
            int(frame_length), fft, window, bool(periodic), scaling
        )
        self.input_spec = InputSpec(ndim=3)

    def build(self, input_shape: Any = None) -> None:
        """Create ``real_kernel`` and/or ``imag_kernel`` (the mode decides which)."""
        shape = (self.frame_length, 1, self._bins)
        if self.mode != "imag":
            self.real_kernel = self.add_weight(
                shape=shape, initializer=_ConstantArray(self._real_init), name="real_kernel"
            )
        if self.mode != "real":
            self.imag_kernel = self.add_weight(
                shape=shape, initializer=_ConstantArray(self._imag_init), name="imag_kernel"
            )
        self.built = True

    def _kernel(self, dtype: str) -> Any:
        if self.mode == "real":
            kernel = self.real_kernel
        elif self.mode == "imag":
            kernel = self.imag_kernel
        else:
            kernel = ops.concatenate([self.real_kernel, self.imag_kernel], axis=-1)
        return ops.cast(kernel, dtype)

    def call(self, inputs: Any) -> Any:
        """The spectrogram of `inputs` (see the class docstring)."""
        dtype = _dt.standardize_dtype(inputs.dtype)
        if dtype not in ("float16", "bfloat16", "float32", "float64"):
            raise TypeError(
                "Invalid input type. Expected `float16`, `float32` or `float64`. "
                f"Received: input type={dtype}"
            )
        channels_last = self.data_format == "channels_last"
        x = ops.transpose(inputs, (0, 2, 1)) if channels_last else inputs
        channels, time = x.shape[1], x.shape[2]
        # Every channel is a separate one-channel signal: (batch * channels, time, 1).
        frames = ops.conv(
            ops.reshape(x, (-1, time, 1)),
            self._kernel(dtype),
            strides=self._step,
            padding=self.padding,
            data_format="channels_last",
        )
        y = self._apply_mode(frames)
        y = ops.reshape(y, (-1, channels, y.shape[1], y.shape[2]))  # (B, C, frames, bins)
        if channels_last:
            if self.expand_dims:
                return ops.transpose(y, (0, 2, 3, 1))
            y = ops.transpose(y, (0, 2, 1, 3))
            return ops.reshape(y, (-1, y.shape[1], y.shape[2] * y.shape[3]))
        if self.expand_dims:
            return y
        y = ops.transpose(y, (0, 1, 3, 2))
        return ops.reshape(y, (-1, y.shape[1] * y.shape[2], y.shape[3]))

    def _apply_mode(self, frames: Any) -> Any:
        mode = self.mode
        if mode in ("real", "imag", "stft"):
            return frames
        bins = self._bins
        real, imag = frames[..., :bins], frames[..., bins:]
        if mode == "angle":
            return ops.arctan2(imag, real)
        power = ops.square(real) + ops.square(imag)
        if mode == "magnitude":
            return ops.sqrt(power)
        if mode == "log":
            return 0.5 * ops.log(ops.maximum(power, config.epsilon()))
        # One-sided power spectral density: the negative frequencies fold onto the positive.
        fold = np.full((bins,), 2.0)
        fold[0] = fold[-1] = 1.0
        return power * ops.cast(fold, power.dtype)

    def _output_shape(self, input_shape: tuple) -> tuple:
        batch = input_shape[0]
        if self.data_format == "channels_last":
            time, channels = input_shape[1], input_shape[2]
        else:
            channels, time = input_shape[1], input_shape[2]
        if time is None:
            frames = None
        elif self.padding == "same":
            frames = -(-time // self._step)
        else:
            frames = max((time - self.frame_length) // self._step + 1, 0)
        bins = 2 * self._bins if self.mode == "stft" else self._bins
        if self.data_format == "channels_last":
            if self.expand_dims:
                return (batch, frames, bins, channels)
            return (batch, frames, None if channels is None else channels * bins)
        if self.expand_dims:
            return (batch, channels, frames, bins)
        return (batch, None if channels is None else channels * bins, frames)

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """The output shape for `input_shape` (see the class docstring)."""
        return self._output_shape(tuple(input_shape))

    def compute_output_spec(self, inputs: Any) -> Any:
        """A symbolic output of the right shape, in the compute dtype."""
        return KerasTensor(self._output_shape(tuple(inputs.shape)), self.compute_dtype)

    def get_config(self) -> dict:
        """The base config plus the spectrogram arguments (as Keras; an array window is
        stored as a list)."""
        config_ = super().get_config()
        window = self.window
        if isinstance(window, np.ndarray):
            window = window.tolist()
        config_.update(
            {
                "mode": self.mode,
                "frame_length": self.frame_length,
                "frame_step": self.frame_step,
                "fft_length": self.fft_length,
                "window": window,
                "periodic": self.periodic,
                "scaling": self.scaling,
                "padding": self.padding,
                "data_format": self.data_format,
                "expand_dims": self.expand_dims,
            }
        )
        return config_


class _ConstantArray:
    """An initializer that returns a fixed host array (the precomputed STFT kernels)."""

    def __init__(self, value: np.ndarray) -> None:
        self.value = value

    def __call__(self, shape: Any, dtype: Any = None) -> Any:
        if tuple(shape) != self.value.shape:
            raise ValueError(
                f"The STFT kernel has shape {self.value.shape}; received shape={tuple(shape)}"
            )
        return ops.convert_to_tensor(self.value.astype(dtype or "float32"), dtype)
