"""`MelSpectrogram`: audio signals to (log-)mel spectrograms, written in `kerasx.ops`."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import ops
from kerasx.layers.layer import Layer
from kerasx.layers.preprocessing.features._utils import is_int


def _hz_to_mel(f: np.ndarray) -> np.ndarray:
    return 1127.0 * np.log1p(f / 700.0)


def mel_weight_matrix(
    num_mel_bins: int, num_spectrogram_bins: int, sampling_rate: float, low: float, high: float
) -> np.ndarray:
    """The ``(num_spectrogram_bins, num_mel_bins)`` matrix of triangular mel filters (HTK mel
    scale, bands equally spaced in mel between `low` and `high` Hz; the DC bin gets no weight).
    """
    nyquist = sampling_rate / 2.0
    freqs = np.linspace(0.0, nyquist, num_spectrogram_bins)[1:]
    mel = _hz_to_mel(freqs)[:, None]
    edges = np.linspace(_hz_to_mel(np.float64(low)), _hz_to_mel(np.float64(high)), num_mel_bins + 2)
    lower, center, upper = edges[:-2], edges[1:-1], edges[2:]
    rising = (mel - lower) / (center - lower)
    falling = (upper - mel) / (upper - center)
    weights = np.maximum(0.0, np.minimum(rising, falling))
    return np.pad(weights, [[1, 0], [0, 0]])


class MelSpectrogram(Layer):
    """Compute mel spectrograms of audio: STFT magnitudes, raised to `mag_exp`, projected on
    `num_mel_bins` triangular mel filters, optionally converted to decibels.

    Inputs are ``(batch, samples)`` (or ``(samples,)``) signals; outputs are
    ``(batch, num_mel_bins, frames)``, with ``frames = 1 + samples // sequence_stride``
    (the signal is centre-padded).

    Args:
        fft_length: the FFT size (frequency bins: ``fft_length // 2 + 1``).
        sequence_stride: the hop between frames, in samples.
        sequence_length: the window length (default `fft_length`).
        window: the window name (``"hann"``, ``"hamming"``) or None.
        sampling_rate: the signal's sampling rate in Hz.
        num_mel_bins: the number of mel bands.
        min_freq: the lowest band edge in Hz.
        max_freq: the highest band edge in Hz (default ``sampling_rate / 2``).
        power_to_db: convert the mel power to decibels.
        top_db: with `power_to_db`, floor the decibels at ``max - top_db`` (None: no floor).
        mag_exp: the exponent applied to the STFT magnitude (2: power).
        min_power: the smallest power before taking the logarithm.
        ref_power: the power that maps to 0 dB.
        **kwargs: base `Layer` arguments (name, dtype, ...).
    """

    _auto_config = False

    def __init__(
        self,
        fft_length: int = 2048,
        sequence_stride: int = 512,
        sequence_length: int | None = None,
        window: str | None = "hann",
        sampling_rate: int = 16000,
        num_mel_bins: int = 128,
        min_freq: float = 20.0,
        max_freq: float | None = None,
        power_to_db: bool = True,
        top_db: float | None = 80.0,
        mag_exp: float = 2.0,
        min_power: float = 1e-10,
        ref_power: float = 1.0,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        for arg, value in (
            ("fft_length", fft_length),
            ("sequence_stride", sequence_stride),
            ("num_mel_bins", num_mel_bins),
            ("sampling_rate", sampling_rate),
        ):
            if not is_int(value) or value <= 0:
                raise ValueError(
                    f"Received an invalid value for `{arg}`, expected a positive integer. "
                    f"Received: {arg}={value!r}"
                )
        if sequence_length is not None and (not is_int(sequence_length) or sequence_length <= 0):
            raise ValueError(
                "Received an invalid value for `sequence_length`, expected a positive integer "
                f"or None. Received: sequence_length={sequence_length!r}"
            )
        self.fft_length = int(fft_length)
        self.sequence_stride = int(sequence_stride)
        self.sequence_length = int(sequence_length or fft_length)
        self.window = window
        self.sampling_rate = int(sampling_rate)
        self.num_mel_bins = int(num_mel_bins)
        self.min_freq = min_freq
        self.max_freq = max_freq if max_freq is not None else self.sampling_rate // 2
        if not 0 <= self.min_freq < self.max_freq:
            raise ValueError(
                "`min_freq` must be in [0, max_freq). Received: "
                f"min_freq={min_freq}, max_freq={self.max_freq}"
            )
        self.power_to_db = bool(power_to_db)
        self.top_db = top_db
        self.mag_exp = mag_exp
        self.min_power = min_power
        self.ref_power = ref_power
        self._mel = mel_weight_matrix(
            self.num_mel_bins,
            self.fft_length // 2 + 1,
            self.sampling_rate,
            float(self.min_freq),
            float(self.max_freq),
        ).astype("float32")
        self.built = True

    def call(self, inputs: Any) -> Any:
        """The mel spectrogram of `inputs` (see the class docstring)."""
        dtype = self.compute_dtype
        x = ops.cast(inputs, dtype)
        real, imag = ops.stft(
            x,
            sequence_length=self.sequence_length,
            sequence_stride=self.sequence_stride,
            fft_length=self.fft_length,
            window=self.window,
            center=True,
        )
        magnitude = ops.sqrt(ops.square(real) + ops.square(imag))
        power = magnitude if self.mag_exp == 1 else ops.power(magnitude, self.mag_exp)
        mel = ops.matmul(power, ops.cast(self._mel, dtype))
        mel = ops.swapaxes(mel, -1, -2)
        if self.power_to_db:
            mel = self._to_db(mel)
        return mel

    def _to_db(self, x: Any) -> Any:
        dtype = self.compute_dtype
        ten_over_ln10 = 10.0 / math.log(10.0)
        floor = ops.cast(self.min_power, dtype)
        db = ten_over_ln10 * ops.log(ops.maximum(x, floor))
        db = db - 10.0 * math.log10(max(self.min_power, self.ref_power))
        if self.top_db is not None:
            db = ops.maximum(db, ops.max(db) - self.top_db)
        return db

    def compute_output_shape(self, input_shape: Any) -> tuple:
        """``(*batch, num_mel_bins, frames)``."""
        shape = tuple(input_shape)
        n = shape[-1]
        frames = None if n is None else 1 + n // self.sequence_stride
        return (*shape[:-1], self.num_mel_bins, frames)

    def get_config(self) -> dict:
        """The base config plus the spectrogram arguments (as Keras)."""
        config = super().get_config()
        config.update(
            {
                "fft_length": self.fft_length,
                "sequence_stride": self.sequence_stride,
                "sequence_length": self.sequence_length,
                "window": self.window,
                "sampling_rate": self.sampling_rate,
                "num_mel_bins": self.num_mel_bins,
                "min_freq": self.min_freq,
                "max_freq": self.max_freq,
                "power_to_db": self.power_to_db,
                "top_db": self.top_db,
                "mag_exp": self.mag_exp,
                "min_power": self.min_power,
                "ref_power": self.ref_power,
            }
        )
        return config
