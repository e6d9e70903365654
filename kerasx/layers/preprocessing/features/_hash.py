"""Stable 64-bit string hashes used by the hashing layers, in pure Python.

`fingerprint64` is FarmHash's 64-bit fingerprint (the "na" variant, which is what
TensorFlow's ``Fingerprint64`` and ``to_hash_bucket_fast`` use), `siphash24` is the keyed
SipHash-2-4 (``to_hash_bucket_strong``), and `fingerprint_cat64` combines two fingerprints the
way TensorFlow's hashed feature crossing does. They are written here from the published
algorithm descriptions so that kerasx's `Hashing` and `HashedCrossing` give the same bins as
Keras without TensorFlow.
"""

from __future__ import annotations

from collections.abc import Iterable

_MASK = 0xFFFFFFFFFFFFFFFF
_K0 = 0xC3A5C85C97CB3127
_K1 = 0xB492B66FBE98F273
_K2 = 0x9AE16A3B2F90404F
_CAT_MUL = 0xC6A4A7935BD1E995


def _u64(data: bytes, i: int) -> int:
    return int.from_bytes(data[i : i + 8], "little")


def _u32(data: bytes, i: int) -> int:
    return int.from_bytes(data[i : i + 4], "little")


def _ror(v: int, s: int) -> int:
    return v if s == 0 else ((v >> s) | (v << (64 - s))) & _MASK


def _shift_mix(v: int) -> int:
    return v ^ (v >> 47)


def _mix16(u: int, v: int, mul: int) -> int:
    a = ((u ^ v) * mul) & _MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & _MASK
    b ^= b >> 47
    return (b * mul) & _MASK


def _short(s: bytes) -> int:
    n = len(s)
    if n >= 8:
        mul = (_K2 + n * 2) & _MASK
        a = (_u64(s, 0) + _K2) & _MASK
        b = _u64(s, n - 8)
        c = (_ror(b, 37) * mul + a) & _MASK
        d = ((_ror(a, 25) + b) * mul) & _MASK
        return _mix16(c, d, mul)
    if n >= 4:
        mul = (_K2 + n * 2) & _MASK
        a = _u32(s, 0)
        return _mix16((n + (a << 3)) & _MASK, _u32(s, n - 4), mul)
    if n > 0:
        y = s[0] + (s[n >> 1] << 8)
        z = n + (s[n - 1] << 2)
        return (_shift_mix(((y * _K2) ^ (z * _K0)) & _MASK) * _K2) & _MASK
    return _K2


def _medium(s: bytes) -> int:
    n = len(s)
    mul = (_K2 + n * 2) & _MASK
    a = (_u64(s, 0) * _K1) & _MASK
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _MASK
    d = (_u64(s, n - 16) * _K2) & _MASK
    return _mix16(
        (_ror((a + b) & _MASK, 43) + _ror(c, 30) + d) & _MASK,
        (a + _ror((b + _K2) & _MASK, 18) + c) & _MASK,
        mul,
    )


def _long(s: bytes) -> int:
    n = len(s)
    mul = (_K2 + n * 2) & _MASK
    a = (_u64(s, 0) * _K2) & _MASK
    b = _u64(s, 8)
    c = (_u64(s, n - 8) * mul) & _MASK
    d = (_u64(s, n - 16) * _K2) & _MASK
    y = (_ror((a + b) & _MASK, 43) + _ror(c, 30) + d) & _MASK
    z = _mix16(y, (a + _ror((b + _K2) & _MASK, 18) + c) & _MASK, mul)
    e = (_u64(s, 16) * mul) & _MASK
    f = _u64(s, 24)
    g = ((y + _u64(s, n - 32)) * mul) & _MASK
    h = ((z + _u64(s, n - 24)) * mul) & _MASK
    return _mix16(
        (_ror((e + f) & _MASK, 43) + _ror(g, 30) + h) & _MASK,
        (e + _ror((f + a) & _MASK, 18) + g) & _MASK,
        mul,
    )


def _weak32(s: bytes, i: int, a: int, b: int) -> tuple[int, int]:
    w, x, y, z = _u64(s, i), _u64(s, i + 8), _u64(s, i + 16), _u64(s, i + 24)
    a = (a + w) & _MASK
    b = _ror((b + a + z) & _MASK, 21)
    c = a
    a = (a + x + y) & _MASK
    b = (b + _ror(a, 44)) & _MASK
    return (a + z) & _MASK, (b + c) & _MASK


def fingerprint64(data: bytes) -> int:
    """FarmHash's 64-bit fingerprint of `data` (an unsigned 64-bit integer).

    Args:
        data: the bytes to hash.

    Returns:
        The fingerprint, ``0 <= h < 2**64``.
    """
    n = len(data)
    if n <= 16:
        return _short(data)
    if n <= 32:
        return _medium(data)
    if n <= 64:
        return _long(data)
    s = data
    seed = 81
    x = seed
    y = (seed * _K1 + 113) & _MASK
    z = (_shift_mix((y * _K2 + 113) & _MASK) * _K2) & _MASK
    v0 = v1 = w0 = w1 = 0
    x = (x * _K2 + _u64(s, 0)) & _MASK
    end = ((n - 1) // 64) * 64
    last = n - 64
    i = 0
    while True:
        x = (_ror((x + y + v0 + _u64(s, i + 8)) & _MASK, 37) * _K1) & _MASK
        y = (_ror((y + v1 + _u64(s, i + 48)) & _MASK, 42) * _K1) & _MASK
        x ^= w1
        y = (y + v0 + _u64(s, i + 40)) & _MASK
        z = (_ror((z + w0) & _MASK, 33) * _K1) & _MASK
        v0, v1 = _weak32(s, i, (v1 * _K1) & _MASK, (x + w0) & _MASK)
        w0, w1 = _weak32(s, i + 32, (z + w1) & _MASK, (y + _u64(s, i + 16)) & _MASK)
        z, x = x, z
        i += 64
        if i == end:
            break
    mul = (_K1 + ((z & 0xFF) << 1)) & _MASK
    i = last
    w0 = (w0 + ((n - 1) & 63)) & _MASK
    v0 = (v0 + w0) & _MASK
    w0 = (w0 + v0) & _MASK
    x = (_ror((x + y + v0 + _u64(s, i + 8)) & _MASK, 37) * mul) & _MASK
    y = (_ror((y + v1 + _u64(s, i + 48)) & _MASK, 42) * mul) & _MASK
    x ^= (w1 * 9) & _MASK
    y = (y + v0 * 9 + _u64(s, i + 40)) & _MASK
    z = (_ror((z + w0) & _MASK, 33) * mul) & _MASK
    v0, v1 = _weak32(s, i, (v1 * mul) & _MASK, (x + w0) & _MASK)
    w0, w1 = _weak32(s, i + 32, (z + w1) & _MASK, (y + _u64(s, i + 16)) & _MASK)
    z, x = x, z
    return _mix16(
        (_mix16(v0, w0, mul) + _shift_mix(y) * _K0 + z) & _MASK,
        (_mix16(v1, w1, mul) + x) & _MASK,
        mul,
    )


def _rotl(v: int, s: int) -> int:
    return ((v << s) | (v >> (64 - s))) & _MASK


def siphash24(data: bytes, k0: int, k1: int) -> int:
    """SipHash-2-4 of `data` under the 128-bit key ``(k0, k1)`` (two 64-bit words).

    Args:
        data: the bytes to hash.
        k0: the key's first 64-bit word.
        k1: the key's second 64-bit word.

    Returns:
        The 64-bit hash.
    """
    k0 &= _MASK
    k1 &= _MASK
    v0 = k0 ^ 0x736F6D6570736575
    v1 = k1 ^ 0x646F72616E646F6D
    v2 = k0 ^ 0x6C7967656E657261
    v3 = k1 ^ 0x7465646279746573

    def rounds(v0: int, v1: int, v2: int, v3: int, n: int) -> tuple[int, int, int, int]:
        for _ in range(n):
            v0 = (v0 + v1) & _MASK
            v1 = _rotl(v1, 13) ^ v0
            v0 = _rotl(v0, 32)
            v2 = (v2 + v3) & _MASK
            v3 = _rotl(v3, 16) ^ v2
            v0 = (v0 + v3) & _MASK
            v3 = _rotl(v3, 21) ^ v0
            v2 = (v2 + v1) & _MASK
            v1 = _rotl(v1, 17) ^ v2
            v2 = _rotl(v2, 32)
        return v0, v1, v2, v3

    n = len(data)
    full = n - n % 8
    for i in range(0, full, 8):
        m = _u64(data, i)
        v3 ^= m
        v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
        v0 ^= m
    last = ((n & 0xFF) << 56) | int.from_bytes(data[full:], "little")
    v3 ^= last
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 2)
    v0 ^= last
    v2 ^= 0xFF
    v0, v1, v2, v3 = rounds(v0, v1, v2, v3, 4)
    return v0 ^ v1 ^ v2 ^ v3


def fingerprint_cat64(fp1: int, fp2: int) -> int:
    """Combine two 64-bit fingerprints into one (order matters), as feature crossing does.

    Args:
        fp1: the running fingerprint.
        fp2: the next feature's fingerprint.

    Returns:
        The combined 64-bit fingerprint.
    """
    result = (fp1 ^ _CAT_MUL) & _MASK
    result ^= (_shift_mix((fp2 * _CAT_MUL) & _MASK) * _CAT_MUL) & _MASK
    result = (result * _CAT_MUL) & _MASK
    result = (_shift_mix(result) * _CAT_MUL) & _MASK
    return _shift_mix(result)


def to_bytes(value: object) -> bytes:
    """The bytes a value is hashed as: UTF-8 for text, decimal digits for integers."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return str(int(value)).encode("ascii")  # type: ignore[call-overload]


def hash_values(values: Iterable, salt: tuple[int, int] | None = None) -> list[int]:
    """64-bit hashes of `values`: FarmHash fingerprints, or SipHash-2-4 when `salt` is given.

    Args:
        values: strings, bytes or integers.
        salt: the SipHash key words, or None for FarmHash.

    Returns:
        One unsigned 64-bit integer per value.
    """
    cache: dict = {}
    out = []
    for v in values:
        key = v if isinstance(v, (str, bytes)) else int(v)
        h = cache.get(key)
        if h is None:
            data = to_bytes(key)
            h = fingerprint64(data) if salt is None else siphash24(data, salt[0], salt[1])
            cache[key] = h
        out.append(h)
    return out
