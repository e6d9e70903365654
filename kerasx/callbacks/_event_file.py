"""TensorBoard event files written by hand: TFRecord framing plus a few protobuf messages.

TensorBoard reads a run directory's ``events.out.tfevents.*`` files. Each file is a sequence
of TFRecords; each record's payload is a serialized ``tensorflow.Event`` protobuf. Neither
TensorFlow nor protobuf is needed to write one: this module encodes the handful of messages
and fields we use directly.

Record framing (little-endian)::

    uint64 length | uint32 masked_crc32c(length bytes) | payload | uint32 masked_crc32c(payload)

where ``masked(crc) = (((crc >> 15) | (crc << 17)) + 0xA282EAD8) mod 2**32``.

Messages and field numbers used (``event.proto``, ``summary.proto``, ``tensor.proto``):

- ``Event``: wall_time = 1 (double), step = 2 (int64), file_version = 3 (string),
  summary = 5 (Summary).
- ``Summary``: value = 1 (repeated Value).
- ``Summary.Value``: tag = 1 (string), simple_value = 2 (float), histo = 5 (HistogramProto),
  tensor = 8 (TensorProto), metadata = 9 (SummaryMetadata).
- ``HistogramProto``: min = 1, max = 2, num = 3, sum = 4, sum_squares = 5 (doubles),
  bucket_limit = 6, bucket = 7 (packed repeated doubles).
- ``SummaryMetadata``: plugin_data = 1 (PluginData: plugin_name = 1, content = 2).
- ``TensorProto``: dtype = 1 (enum; DT_STRING = 7), tensor_shape = 2 (empty = scalar),
  string_val = 8 (repeated bytes).
"""

from __future__ import annotations

import itertools
import os
import socket
import struct
import time
from typing import Any

import numpy as np

# --------------------------------------------------------------------------- CRC-32C

_CRC32C_POLY = 0x82F63B78  # Castagnoli polynomial, bit-reflected


def _make_crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ _CRC32C_POLY if crc & 1 else crc >> 1
        table.append(crc)
    return tuple(table)


_CRC_TABLE = _make_crc_table()


def crc32c(data: bytes) -> int:
    """The CRC-32C (Castagnoli) checksum of `data`, as an unsigned 32-bit integer."""
    crc = 0xFFFFFFFF
    table = _CRC_TABLE
    for byte in data:
        crc = table[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    """The TFRecord "masked" CRC-32C of `data` (rotate right by 15, add a constant)."""
    crc = crc32c(data)
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def tfrecord(payload: bytes) -> bytes:
    """Frame `payload` as one TFRecord (length, its masked CRC, payload, payload's CRC)."""
    header = struct.pack("<Q", len(payload))
    return (
        header
        + struct.pack("<I", masked_crc32c(header))
        + payload
        + struct.pack("<I", masked_crc32c(payload))
    )


# --------------------------------------------------------------------------- protobuf

_VARINT, _FIXED64, _LEN, _FIXED32 = 0, 1, 2, 5


def varint(value: int) -> bytes:
    """Protobuf base-128 varint of an integer (negatives as 64-bit two's complement)."""
    if value < 0:
        value += 1 << 64
    out = bytearray()
    while True:
        low = value & 0x7F
        value >>= 7
        if value:
            out.append(low | 0x80)
        else:
            out.append(low)
            return bytes(out)


def _key(field: int, wire_type: int) -> bytes:
    return varint((field << 3) | wire_type)


def field_varint(field: int, value: int) -> bytes:
    """An integer (int32/int64/enum) field."""
    return _key(field, _VARINT) + varint(int(value))


def field_double(field: int, value: float) -> bytes:
    """A ``double`` field (8 bytes, little-endian)."""
    return _key(field, _FIXED64) + struct.pack("<d", float(value))


def field_float(field: int, value: float) -> bytes:
    """A ``float`` field (4 bytes, little-endian; the value is rounded to float32)."""
    return _key(field, _FIXED32) + struct.pack("<f", float(value))


def field_bytes(field: int, value: bytes | str) -> bytes:
    """A length-delimited field: a string (UTF-8 encoded), bytes or an encoded message."""
    if isinstance(value, str):
        value = value.encode("utf-8")
    return _key(field, _LEN) + varint(len(value)) + bytes(value)


def field_packed_doubles(field: int, values: Any) -> bytes:
    """A packed ``repeated double`` field."""
    data = np.asarray(values, dtype="<f8").tobytes()
    return field_bytes(field, data)


# --------------------------------------------------------------------------- messages


def event(
    wall_time: float,
    step: int = 0,
    *,
    file_version: str | None = None,
    summary: bytes | None = None,
) -> bytes:
    """An encoded ``Event`` (fields at their default values are left out, as protobuf does)."""
    out = field_double(1, wall_time)
    if step:
        out += field_varint(2, step)
    if file_version is not None:
        out += field_bytes(3, file_version)
    if summary is not None:
        out += field_bytes(5, summary)
    return out


def summary_value(
    tag: str,
    *,
    simple_value: float | None = None,
    histo: bytes | None = None,
    tensor: bytes | None = None,
    metadata: bytes | None = None,
) -> bytes:
    """An encoded ``Summary.Value`` holding one of `simple_value`, `histo` or `tensor`."""
    out = field_bytes(1, tag)
    if simple_value is not None:
        out += field_float(2, simple_value)
    if histo is not None:
        out += field_bytes(5, histo)
    if tensor is not None:
        out += field_bytes(8, tensor)
    if metadata is not None:
        out += field_bytes(9, metadata)
    return out


def summary(*values: bytes) -> bytes:
    """An encoded ``Summary`` made of encoded ``Summary.Value``s."""
    return b"".join(field_bytes(1, v) for v in values)


def histogram_proto(values: Any, bucket_count: int = 30) -> bytes:
    """An encoded ``HistogramProto`` of `values` with equal-width buckets.

    The buckets split ``[min, max]`` into `bucket_count` equal parts (one bucket when all
    values are equal); ``bucket_limit`` holds each bucket's right edge, the last one being
    the maximum. Non-finite values count in ``num`` but in no bucket.
    """
    flat = np.asarray(values, dtype=np.float64).reshape(-1)
    out = field_double(3, flat.size)
    if flat.size == 0:
        return out
    finite = flat[np.isfinite(flat)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    out = (
        field_double(1, float(flat.min()))
        + field_double(2, float(flat.max()))
        + out
        + field_double(4, float(flat.sum()))
        + field_double(5, float(np.dot(flat, flat)))
    )
    if hi > lo:
        counts, edges = np.histogram(finite, bins=bucket_count, range=(lo, hi))
        limits = edges[1:]
    else:
        counts, limits = np.array([finite.size]), np.array([hi])
    return out + field_packed_doubles(6, limits) + field_packed_doubles(7, counts)


def plugin_metadata(plugin_name: str, content: bytes = b"") -> bytes:
    """An encoded ``SummaryMetadata`` naming the TensorBoard plugin that shows a value."""
    plugin_data = field_bytes(1, plugin_name)
    if content:
        plugin_data += field_bytes(2, content)
    return field_bytes(1, plugin_data)


def string_tensor(text: str | bytes) -> bytes:
    """An encoded scalar ``TensorProto`` of dtype string."""
    return field_varint(1, 7) + field_bytes(2, b"") + field_bytes(8, text)


# --------------------------------------------------------------------------- writer

_file_counter = itertools.count()


class EventFileWriter:
    """Appends events to a new ``events.out.tfevents.*`` file in `logdir`.

    The file is created (with its ``brain.Event:2`` version record) when the writer is
    made. Writes are buffered; `flush` pushes them to disk and `close` ends the file.

    Args:
        logdir: the run directory (created if missing).
        filename_suffix: appended to the file name.
    """

    def __init__(self, logdir: str | os.PathLike, filename_suffix: str = ".v2") -> None:
        self.logdir = os.fspath(logdir)
        os.makedirs(self.logdir, exist_ok=True)
        stamp, host, pid = int(time.time()), socket.gethostname(), os.getpid()
        name = f"events.out.tfevents.{stamp:010d}.{host}.{pid}.{next(_file_counter)}"
        name += filename_suffix
        self.path = os.path.join(self.logdir, name)
        self._file: Any = open(self.path, "wb")  # noqa: SIM115 (closed in close())
        self._write(event(time.time(), 0, file_version="brain.Event:2"))
        self.flush()

    @property
    def closed(self) -> bool:
        """Whether `close` has been called."""
        return self._file is None

    def _write(self, payload: bytes) -> None:
        if self._file is None:
            raise RuntimeError(f"The event file {self.path!r} is closed; it cannot be written.")
        self._file.write(tfrecord(payload))

    def add_summary(self, summary_bytes: bytes, step: int) -> None:
        """Write one ``Event`` holding an encoded ``Summary`` at `step`."""
        self._write(event(time.time(), int(step), summary=summary_bytes))

    def add_scalar(self, tag: str, value: float, step: int) -> None:
        """Write a scalar (stored as a float32 ``simple_value``) under `tag` at `step`."""
        self.add_summary(summary(summary_value(tag, simple_value=value)), step)

    def add_histogram(self, tag: str, values: Any, step: int) -> None:
        """Write a histogram of `values` under `tag` at `step`."""
        self.add_summary(summary(summary_value(tag, histo=histogram_proto(values))), step)

    def flush(self) -> None:
        """Push buffered events to disk."""
        if self._file is not None:
            self._file.flush()

    def close(self) -> None:
        """Flush and close the file (closing twice is harmless)."""
        if self._file is not None:
            self._file.close()
            self._file = None
