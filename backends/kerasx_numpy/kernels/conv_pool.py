"""NumPy kernels: max and average pooling, their gradients (helpers of conv.py's family).

Pooling loops over the few window taps only, each step a vectorised operation over the whole
batch. When the windows tile the input (strides equal to the pool size, no padding), max
pooling and its gradient work through cache-sized chunks of images shared among the
`conv_threads` workers: the taps of a chunk are first copied into one contiguous array
(NumPy's ufuncs are several times slower on strided operands than a strided copy is), then
compared and combined contiguously; the gradient's per-tap products are copied back into
the tap positions. The average-pooling gradient is one copy through a tiled view.
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from kerasx.ops.conv_geometry import average_pool_counts, pool_geometry
from kerasx_numpy.kernels import conv_threads
from kerasx_numpy.kernels.conv import _back, _cl, _cl_shape, _extract, _lowest, _pad_cl, _tap_slices

# Inputs smaller than this (elements) are pooled in the calling thread only.
_PARALLEL_MIN = 1 << 16
# Input elements per chunk of images in the tiled max pooling (its buffers stay in cache).
_CHUNK = 1 << 17


def _tileable(geo) -> bool:
    """Whether the windows tile the input: strides equal to the pool size, no padding."""
    return (
        geo.strides == geo.pool and all(p == (0, 0) for p in geo.pads) and 0 not in geo.out_spatial
    )


def _tiles(x, geo, writeable=False):
    """View (N, o1, p1, o2, p2, ..., C) of the windows of a channels_last `x`.

    Only for `_tileable` geometries; rows and columns past the last window are left out.
    """
    shape, steps = [x.shape[0]], [x.strides[0]]
    for o, p, st in zip(geo.out_spatial, geo.pool, x.strides[1:-1]):
        shape += [o, p]
        steps += [st * p, st]
    shape.append(x.shape[-1])
    steps.append(x.strides[-1])
    return as_strided(x, tuple(shape), tuple(steps), writeable=writeable)


def _spread(y, nd):
    """(N, o1, o2, ..., C) -> (N, o1, 1, o2, 1, ..., C): broadcastable against the tiles."""
    shape = [y.shape[0]]
    for o in y.shape[1:-1]:
        shape += [o, 1]
    shape.append(y.shape[-1])
    return y.reshape(shape)


def _tiled_output(x_shape, dtype, geo):
    """A channels_last array of `x_shape` and its writable tiled view.

    Entries outside the windows (past the last one) are zero; the rest are left for the
    caller to fill through the view.
    """
    covered = all(o * p == n for o, p, n in zip(geo.out_spatial, geo.pool, x_shape[1:-1]))
    dx = (np.empty if covered else np.zeros)(x_shape, dtype)
    return dx, _tiles(dx, geo, writeable=True)


def _pool_setup(inputs, pool_size, strides, padding, data_format):
    geo = pool_geometry(inputs.shape, pool_size, strides, padding, data_format)
    return geo, _cl(inputs, geo.data_format)


def _first_max_masks(xp, geo):
    """For each window tap: its slices and where it holds the window's first maximum.

    The first maximum in row-major tap order wins ties, as in JAX's max-pool gradient.
    """
    ones = (1,) * geo.nd
    slices = [sl for _, sl in _tap_slices(geo.pool, geo.out_spatial, geo.strides, ones)]
    best = xp[slices[0]].copy()
    for sl in slices[1:]:
        np.maximum(best, xp[sl], out=best)
    taken = None
    for t, sl in enumerate(slices):
        mask = xp[sl] == best
        if taken is None:
            taken = mask.copy() if t + 1 < len(slices) else None
        else:
            mask &= ~taken
            if t + 1 < len(slices):
                taken |= mask
        yield sl, mask


def _empty_pool(geo, dtype):
    return np.zeros(geo.out_shape, dtype)


def _max_over_taps(x, geo):
    """Max pooling of a channels_last array (C-contiguous result)."""
    xp = _pad_cl(x, geo.pads, _lowest(x.dtype))
    out = None
    for _, sl in _tap_slices(geo.pool, geo.out_spatial, geo.strides, (1,) * geo.nd):
        out = np.array(xp[sl]) if out is None else np.maximum(out, xp[sl], out=out)
    return out


def _by_images(fn, n: int, size: int) -> None:
    """Call ``fn(start, stop)`` on ranges of images, in parallel when the work is large."""
    parts = conv_threads.split(list(range(n))) if size >= _PARALLEL_MIN else [range(n)]
    conv_threads.run([functools.partial(fn, r[0], r[-1] + 1) for r in parts if len(r)])


def _tap_views(x, geo) -> list:
    """For a tileable geometry: per window tap (row-major), the (N, *out, C) strided view of
    the input elements it reads (rows and columns past the last window left out)."""
    return [
        x[(slice(None), *(slice(t, o * p, p) for t, o, p in zip(tap, geo.out_spatial, geo.pool)))]
        for tap in np.ndindex(*geo.pool)
    ]


def _chunks(a: int, b: int, per_image: int) -> list[tuple[int, int]]:
    step = max(1, _CHUNK // max(per_image, 1))
    return [(s, min(s + step, b)) for s in range(a, b, step)]


def _deinterleave(taps: list, s: int, e: int, buf: np.ndarray) -> np.ndarray:
    """Images [s, e) of every tap view copied into `buf` as one contiguous (taps, ...) array.

    NumPy's ufuncs are several times slower on strided operands than on contiguous ones,
    while a strided copy is fast: the window taps are gathered once, then compared and
    combined contiguously.
    """
    out = buf[:, : e - s]
    for t, view in enumerate(taps):
        np.copyto(out[t], view[s:e])
    return out


def _tiled_max(x, geo, out, a: int, b: int) -> None:
    """Max pooling of images [a, b) of a tileable channels_last `x` into `out`."""
    taps = _tap_views(x, geo)
    per_image = math.prod(x.shape[1:])
    chunks = _chunks(a, b, per_image)
    big = max(e - s for s, e in chunks)
    buf = np.empty((len(taps), big, *out.shape[1:]), x.dtype)
    for s, e in chunks:
        t = _deinterleave(taps, s, e, buf)
        o = out[s:e]
        if len(taps) == 1:
            np.copyto(o, t[0])
            continue
        np.maximum(t[0], t[1], out=o)
        for i in range(2, len(taps)):
            np.maximum(o, t[i], out=o)


def _tiled_max_grad(x, gc, dx, geo, a: int, b: int, relu=False, chunks=None, after=None):
    """Max-pool gradient of images [a, b) (tileable geometry): per window, the cotangent goes
    to the first maximum in row-major tap order.

    With `relu`, each window's cotangent is first multiplied by ``maximum > 0`` (the ReLU
    mask of a pooled ReLU output at the tap that takes the cotangent; the other taps get
    zeros of the cotangent's sign either way). `chunks` overrides the ranges of images
    worked on together; ``after(s, e)`` is called once images [s, e) of `dx` are written."""
    taps = _tap_views(x, geo)
    dx_taps = _tap_views(dx, geo)
    if chunks is None:
        chunks = _chunks(a, b, math.prod(x.shape[1:]))
    big = max(e - s for s, e in chunks)
    shape = (big, *gc.shape[1:])
    buf = np.empty((len(taps), *shape), x.dtype)
    best_buf, prod_buf = np.empty(shape, x.dtype), np.empty(shape, gc.dtype)
    masked_buf = np.empty(shape, gc.dtype) if relu else None
    hit_buf, taken_buf = np.empty(shape, bool), np.empty(shape, bool)
    last = len(taps) - 1
    for s, e in chunks:
        n = e - s
        t = _deinterleave(taps, s, e, buf)
        g = gc[s:e]
        if last == 0:
            np.copyto(dx_taps[0][s:e], np.multiply(g, t[0] > 0) if relu else g)
        else:
            best, prod, hit, taken = best_buf[:n], prod_buf[:n], hit_buf[:n], taken_buf[:n]
            np.maximum(t[0], t[1], out=best)
            for i in range(2, len(taps)):
                np.maximum(best, t[i], out=best)
            if relu:
                np.greater(best, 0, out=hit)
                g = np.multiply(g, hit, out=masked_buf[:n])
            for i in range(len(taps)):
                if i == 0:
                    np.equal(t[0], best, out=taken)
                    mask = taken
                else:
                    np.equal(t[i], best, out=hit)
                    np.greater(hit, taken, out=hit)  # a maximum, and no earlier tap held one
                    mask = hit
                np.multiply(g, mask, out=prod)
                np.copyto(dx_taps[i][s:e], prod)
                if 0 < i < last:
                    np.logical_or(taken, hit, out=taken)
        if after is not None:
            after(s, e)


def max_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    geo, x = _pool_setup(inputs, pool_size, strides, padding, data_format)
    if 0 in geo.out_spatial or x.size == 0:
        return _empty_pool(geo, inputs.dtype)
    if not _tileable(geo):
        return _back(_max_over_taps(x, geo), geo.data_format)
    out = np.empty(_cl_shape(geo.out_shape, geo.data_format), x.dtype)
    _by_images(functools.partial(_tiled_max, x, geo, out), x.shape[0], x.size)
    return _back(out, geo.data_format)


def max_pool_backprop(inputs, g, pool_size, strides=None, padding="valid", data_format=None):
    geo, x = _pool_setup(inputs, pool_size, strides, padding, data_format)
    df = geo.data_format
    if x.size and _tileable(geo):
        gc = _cl(g, df)
        covered = all(o * p == n for o, p, n in zip(geo.out_spatial, geo.pool, x.shape[1:-1]))
        dx = (np.empty if covered else np.zeros)(x.shape, g.dtype)
        _by_images(functools.partial(_tiled_max_grad, x, gc, dx, geo), x.shape[0], x.size)
        return _back(dx, df)
    xp = _pad_cl(x, geo.pads, _lowest(x.dtype))
    dxp = np.zeros(xp.shape, g.dtype)
    if 0 not in geo.out_spatial and x.size:
        gc = _cl(g, df)
        overlap = any(s < p for s, p in zip(geo.strides, geo.pool))
        for sl, mask in _first_max_masks(xp, geo):
            view = dxp[sl]
            if overlap:  # (a multiply by the mask is much faster than a masked copy)
                view += gc * mask
            else:
                np.multiply(gc, mask, out=view)
    dx = _extract(dxp, tuple(lo for lo, _ in geo.pads), x.shape[1:-1])
    return _back(dx, df)


def max_pool_select(inputs, values, pool_size, strides=None, padding="valid", data_format=None):
    geo, x = _pool_setup(inputs, pool_size, strides, padding, data_format)
    if 0 in geo.out_spatial or x.size == 0:
        return _empty_pool(geo, values.dtype)
    xp = _pad_cl(x, geo.pads, _lowest(x.dtype))
    vp = _pad_cl(_cl(values, geo.data_format), geo.pads)
    out = None
    for sl, mask in _first_max_masks(xp, geo):
        if out is None:
            out = np.zeros(mask.shape, values.dtype)
        np.copyto(out, vp[sl], where=mask)
    return _back(out, geo.data_format)


def _counts(geo, spatial, dtype):
    """Divisor of each output window of an average pooling (channels_last broadcastable)."""
    if all(p == (0, 0) for p in geo.pads):
        return dtype.type(math.prod(geo.pool))
    total = np.ones((), np.float64)
    for i, (n, p, s, pads, o) in enumerate(
        zip(spatial, geo.pool, geo.strides, geo.pads, geo.out_spatial)
    ):
        c = np.asarray(average_pool_counts(n, p, s, pads, o), np.float64)
        shape = [1] * geo.nd
        shape[i] = o
        total = total * c.reshape(shape)
    return total.reshape(1, *geo.out_spatial, 1).astype(dtype)


def average_pool(inputs, pool_size, strides=None, padding="valid", data_format=None):
    geo, x = _pool_setup(inputs, pool_size, strides, padding, data_format)
    if 0 in geo.out_spatial or x.size == 0:
        return _empty_pool(geo, inputs.dtype)
    xp = _pad_cl(x, geo.pads)
    out = None
    for _, sl in _tap_slices(geo.pool, geo.out_spatial, geo.strides, (1,) * geo.nd):
        out = xp[sl].copy() if out is None else np.add(out, xp[sl], out=out)
    out /= _counts(geo, x.shape[1:-1], out.dtype)
    return _back(out, geo.data_format)


def average_pool_backprop(
    g, input_shape, pool_size, strides=None, padding="valid", data_format=None
):
    input_shape = tuple(int(d) for d in input_shape)
    geo = pool_geometry(input_shape, pool_size, strides, padding, data_format)
    df = geo.data_format
    x_shape = _cl_shape(input_shape, df)
    if math.prod(x_shape) and _tileable(geo):
        gg = _cl(g, df) / _counts(geo, x_shape[1:-1], g.dtype)
        dx, dx_tiles = _tiled_output(x_shape, g.dtype, geo)
        np.copyto(dx_tiles, _spread(gg, geo.nd))
        return _back(dx, df)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x_shape[1:-1], geo.pads))
    dxp = np.zeros((x_shape[0], *padded, x_shape[-1]), g.dtype)
    if 0 not in geo.out_spatial and dxp.size:
        gg = _cl(g, df) / _counts(geo, x_shape[1:-1], g.dtype)
        for _, sl in _tap_slices(geo.pool, geo.out_spatial, geo.strides, (1,) * geo.nd):
            dxp[sl] += gg
    dx = _extract(dxp, tuple(lo for lo, _ in geo.pads), x_shape[1:-1])
    return _back(dx, df)


KERNELS = {
    "average_pool": average_pool,
    "average_pool_backprop": average_pool_backprop,
    "max_pool": max_pool,
    "max_pool_backprop": max_pool_backprop,
    "max_pool_select": max_pool_select,
}
