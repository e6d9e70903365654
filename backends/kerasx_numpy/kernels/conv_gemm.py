"""Blocked im2col matrix products for ungrouped convolutions (NumPy engine helpers).

A convolution over a channels_last input is one matrix product between its im2col matrix
(one row per output position, one column per kernel tap and input channel) and the kernel.
Materialising the whole im2col matrix costs a large fresh allocation and a trip through main
memory; here it is built block by block (a few images, or a few output rows of one image, at
a time) into a reused buffer of about a megabyte, so each block is still in cache when the
matrix product reads it. Each block is one BLAS call; Python loops only over the blocks (and,
for the strided input gradient, over the kernel taps). The blocks are shared among the
workers of `conv_threads`.

The input gradient of a stride-1 convolution is itself a convolution (of the zero-padded
output gradient with the spatially flipped, channel-transposed kernel), so it reuses the
forward routine; strided ones scatter-add one product per kernel tap (col2im).
"""

from __future__ import annotations

import functools
import math

import numpy as np
from numpy.lib.stride_tricks import as_strided

from kerasx_numpy.kernels import conv_threads

# Bytes of im2col rows per block (about a core's L2 cache) and the fewest rows a block may
# have (so that a large kernel matrix is reused over enough rows).
_BLOCK_BYTES = 3 << 19
_MIN_ROWS = 256
# Inputs with at most this many channels are copied into im2col blocks tap by tap.
_FEW_CHANNELS = 4
# Bytes of zero-padded cotangent rows per block of the stride-1 input gradient.
_FRAME_BYTES = 3 << 18


def windows(xp: np.ndarray, ksize: tuple, out: tuple, strides: tuple, dil: tuple) -> np.ndarray:
    """Read-only view (N, *out, *ksize, C) of the sliding windows of a channels_last array."""
    st = xp.strides
    sp = st[1:-1]
    shape = (xp.shape[0], *out, *ksize, xp.shape[-1])
    steps = (
        st[0],
        *(a * s for a, s in zip(sp, strides)),
        *(a * d for a, d in zip(sp, dil)),
        st[-1],
    )
    return as_strided(xp, shape, steps, writeable=False)


def blocks(start: int, stop: int, out: tuple, row_bytes: int) -> list[tuple[slice, slice]]:
    """Cover images [start, stop) x (first output dim) with blocks of ~`_BLOCK_BYTES` of rows.

    Returns (batch slice, first-output-dim slice) pairs. A block is either whole images or
    consecutive output rows of one image, so the matching block of a C-contiguous
    (N, *out, channels) array is itself contiguous.
    """
    if stop <= start or math.prod(out) == 0:
        return []
    rows_wanted = max(_MIN_ROWS, _BLOCK_BYTES // max(row_bytes, 1))
    per_image = math.prod(out)
    if per_image <= rows_wanted:
        step = max(1, rows_wanted // per_image)
        return [(slice(s, min(s + step, stop)), slice(0, out[0])) for s in range(start, stop, step)]
    step = max(1, rows_wanted // max(math.prod(out[1:]), 1))
    return [
        (slice(i, i + 1), slice(a, min(a + step, out[0])))
        for i in range(start, stop)
        for a in range(0, out[0], step)
    ]


def _buffer(plan: list, out: tuple, per_row: int, dtype: np.dtype) -> np.ndarray:
    """A flat buffer for the largest block of `plan` (`per_row` elements per row)."""
    rest = math.prod(out[1:])
    size = max((b.stop - b.start) * (r.stop - r.start) for b, r in plan) * rest * per_row
    return np.empty(size, dtype)


def _rows_view(buf: np.ndarray, shape: tuple) -> np.ndarray:
    """The first prod(shape) elements of a flat buffer, viewed with `shape`."""
    return buf[: math.prod(shape)].reshape(shape)


def _im2col(src: np.ndarray, buf: np.ndarray, depth: int, nd: int) -> np.ndarray:
    """Copy a block of windows (b, *out, *ksize, C) into `buf`: the (rows, depth) matrix.

    With few channels (a window row then is only a few elements long) the matrix is built
    transposed, one contiguous (tap, channel) row at a time from long strided runs, and a
    transposed view of it is returned (BLAS reads either layout).
    """
    c = src.shape[-1]
    if c > _FEW_CHANNELS:
        cols = _rows_view(buf, src.shape)
        np.copyto(cols, src)
        return cols.reshape(-1, depth)
    lead = src.shape[: nd + 1]
    cols_t = _rows_view(buf, (depth, *lead))
    ksize = src.shape[nd + 1 : 2 * nd + 1]
    for t, tap in enumerate(np.ndindex(*ksize)):
        for ch in range(c):
            np.copyto(cols_t[t * c + ch], src[(Ellipsis, *tap, ch)])
    return cols_t.reshape(depth, -1).T


# ------------------------------------------------------------------------------ forward


def _forward_part(w, kmat, y, plan, depth, dtype, bias, relu):
    buf = _buffer(plan, y.shape[1:-1], depth, dtype)
    cout = kmat.shape[1]
    zero = np.zeros((), dtype)
    nd = y.ndim - 2
    for nsl, osl in plan:
        cols = _im2col(w[nsl, osl], buf, depth, nd)
        block = y[nsl, osl].reshape(-1, cout)
        np.matmul(cols, kmat, out=block)
        # the epilogue works on the block while it is still in cache
        if bias is not None:
            np.add(block, bias, out=block)
        if relu:
            np.maximum(block, zero, out=block)


def conv_forward(
    xp: np.ndarray,
    k: np.ndarray,
    out: tuple,
    strides: tuple,
    dil: tuple,
    bias: np.ndarray | None = None,
    relu: bool = False,
) -> np.ndarray:
    """Ungrouped convolution of an already padded channels_last input.

    Args:
        xp: the padded input (N, *spatial, C).
        k: the kernel (*ksize, C, Cout).
        out: the output's spatial shape.
        strides: one stride per spatial dim.
        dil: one dilation per spatial dim.
        bias: optional (Cout,) vector added to the output (the same rounding as a separate
            addition: the product is rounded to the output dtype first).
        relu: apply ``max(y, 0)`` after the bias.

    Returns:
        The output (N, *out, Cout), C-contiguous.
    """
    nd = len(out)
    ksize = k.shape[:nd]
    n, c, cout = xp.shape[0], xp.shape[-1], k.shape[-1]
    depth = math.prod(ksize) * c
    dtype = np.result_type(xp, k)
    kmat = np.ascontiguousarray(k.reshape(depth, cout), dtype)
    y = np.empty((n, *out, cout), dtype)
    w = windows(xp, ksize, out, strides, dil)
    # a block's im2col rows and its output rows both stay about cache-sized
    plan = blocks(0, n, out, max(depth, cout) * dtype.itemsize)
    conv_threads.run(
        [
            functools.partial(_forward_part, w, kmat, y, part, depth, dtype, bias, relu)
            for part in conv_threads.split(plan)
        ]
    )
    return y


# ------------------------------------------------------------------------ kernel gradient


def _kernel_grad_part(w, g, plan, depth, dtype):
    cout = g.shape[-1]
    acc = np.zeros((depth, cout), dtype)
    tmp = np.empty_like(acc)
    buf = _buffer(plan, g.shape[1:-1], depth, dtype)
    nd = g.ndim - 2
    for i, (nsl, osl) in enumerate(plan):
        cols = _im2col(w[nsl, osl], buf, depth, nd)
        gb = g[nsl, osl].reshape(-1, cout)
        if i == 0:
            np.matmul(cols.T, gb, out=acc)
        else:
            np.matmul(cols.T, gb, out=tmp)
            acc += tmp
    return acc


def conv_kernel_grad(
    xp: np.ndarray, g: np.ndarray, ksize: tuple, strides: tuple, dil: tuple
) -> np.ndarray:
    """Kernel gradient (*ksize, C, Cout) of `conv_forward` for the output cotangent `g`."""
    g = np.ascontiguousarray(g)
    out = g.shape[1:-1]
    n, c, cout = xp.shape[0], xp.shape[-1], g.shape[-1]
    depth = math.prod(ksize) * c
    dtype = np.result_type(xp, g)
    w = windows(xp, ksize, out, strides, dil)
    plan = blocks(0, n, out, depth * dtype.itemsize)
    if not plan:
        return np.zeros((*ksize, c, cout), dtype)
    parts = conv_threads.run(
        [
            functools.partial(_kernel_grad_part, w, g, part, depth, dtype)
            for part in conv_threads.split(plan)
        ]
    )
    acc = parts[0]
    for p in parts[1:]:
        acc += p
    return acc.reshape(*ksize, c, cout)


# ------------------------------------------------------------------------- input gradient


def _pad_parallel(g: np.ndarray, lo: tuple, hi: tuple) -> np.ndarray:
    """Zero-pad the spatial dims of a channels_last array, the copy shared by the workers."""
    shape = (g.shape[0], *(s + a + b for s, a, b in zip(g.shape[1:-1], lo, hi)), g.shape[-1])
    gp = np.zeros(shape, g.dtype)
    inner = tuple(slice(a, a + s) for a, s in zip(lo, g.shape[1:-1]))

    def fill(a: int, b: int) -> None:
        gp[(slice(a, b), *inner)] = g[a:b]

    ranges = conv_threads.split(list(range(g.shape[0])))
    conv_threads.run([functools.partial(fill, r[0], r[-1] + 1) for r in ranges])
    return gp


def _scatter_part(g, kt, dxp, plan, tap_list, strides, dil, per_tap):
    """col2im for the blocks of `plan`: one product per block (or per tap), then adds.

    `kt` is (taps, Cout, C) when `per_tap`, else (Cout, taps * C).
    """
    nd = g.ndim - 2
    out = g.shape[1:-1]
    cout, c = g.shape[-1], dxp.shape[-1]
    taps = len(tap_list)
    width = c if per_tap else taps * c
    buf = _buffer(plan, out, width, dxp.dtype)
    inner = (slice(None),) * (nd - 1)
    for nsl, osl in plan:
        gb = g[nsl, osl].reshape(-1, cout)
        b, r = nsl.stop - nsl.start, osl.stop - osl.start
        z = _rows_view(buf, (gb.shape[0], width))
        if not per_tap:
            np.matmul(gb, kt, out=z)
            z = z.reshape(b, r, *out[1:], taps, c)
        for t, tap in enumerate(tap_list):
            start = osl.start * strides[0] + tap[0] * dil[0]
            rows = slice(start, start + (r - 1) * strides[0] + 1, strides[0])
            rest = tuple(
                slice(tp * d, tp * d + (o - 1) * s + 1, s)
                for tp, o, s, d in zip(tap[1:], out[1:], strides[1:], dil[1:])
            )
            if per_tap:
                np.matmul(gb, kt[t], out=z)
                part = z.reshape(b, r, *out[1:], c)
            else:
                part = z[(slice(None), slice(None), *inner, t)]
            dxp[(nsl, rows, *rest)] += part


def _frames_part(g, kts, shifts, dx_flat, a, b, step, cover):
    """Stride-1 input gradient of images [a, b), `step` images at a time (see `_frames`).

    The cotangent block sits zero-padded on the input's grid (`cover`), so a kernel tap
    moves its product by a fixed number of grid rows. For each tap of the outer spatial
    dims and each residue `q` of the rows modulo the last kernel width `kw`, one product
    (the rows q, q + kw, ... of the block times the kernel's (Cout, kw * C) slice for that
    tap) gives, row after row, `kw` consecutive grid rows of contributions: laid end to end
    they are one contiguous run of the gradient, added in one pass.
    """
    n_out = g.shape[1:-1]
    cout = g.shape[-1]
    c = dx_flat.shape[0] // (g.shape[0] * math.prod(cover))
    kw = kts[0].shape[1] // c
    grid = math.prod(cover)
    gp = np.zeros((step * grid, cout), dx_flat.dtype)  # the padding rows stay zero
    z = np.empty((-(-step * grid // kw), kw * c), dx_flat.dtype)
    inner = (slice(None), *(slice(0, o) for o in n_out))
    for s in range(a, b, step):
        e = min(s + step, b)
        rows = (e - s) * grid
        np.copyto(gp[:rows].reshape(e - s, *cover, cout)[inner], g[s:e])
        d = dx_flat[s * grid * c : e * grid * c]
        first = True
        for kt, shift in zip(kts, shifts):
            for q in range(kw):
                src = gp[q:rows:kw]
                zz = z[: src.shape[0]]
                np.matmul(src, kt, out=zz)
                start = (shift + q) * c
                length = min(zz.size, rows * c - start)
                if length <= 0:
                    continue
                seg = d[start : start + length]
                if first:  # tap 0, residue 0: covers the whole block
                    np.copyto(seg, zz.reshape(-1)[:length])
                    first = False
                else:
                    np.add(seg, zz.reshape(-1)[:length], out=seg)


def _frames(g: np.ndarray, k: np.ndarray, cover: tuple, dtype: np.dtype) -> np.ndarray:
    """Input gradient of a stride-1, undilated convolution without an im2col copy.

    Products of the zero-padded cotangent rows with kernel slices, added as contiguous
    shifted runs (`_frames_part`); the images are shared among the workers.
    """
    nd = k.ndim - 2
    ksize = k.shape[:nd]
    n, c, cout = g.shape[0], k.shape[-2], k.shape[-1]
    kw = ksize[-1]
    kts, shifts = [], []
    for tap in np.ndindex(*ksize[:-1]):
        kts.append(np.ascontiguousarray(k[tap].reshape(kw * c, cout).T, dtype))
        shifts.append(sum(t * math.prod(cover[i + 1 :]) for i, t in enumerate(tap)))
    dx = np.empty((n, *cover, c), dtype)
    grid = math.prod(cover)
    step = max(1, _FRAME_BYTES // max(grid * cout * dtype.itemsize, 1))
    tasks = [
        functools.partial(
            _frames_part, g, kts, shifts, dx.reshape(-1), r[0], r[-1] + 1, step, cover
        )
        for r in conv_threads.split(list(range(n)))
    ]
    conv_threads.run(tasks)
    return dx


def conv_input_grad(
    g: np.ndarray, k: np.ndarray, cover: tuple, strides: tuple, dil: tuple
) -> np.ndarray:
    """Input gradient of `conv_forward` over the extent its windows cover (col2im).

    Args:
        g: the output cotangent (N, *out, Cout).
        k: the kernel (*ksize, C, Cout).
        cover: the spatial shape the windows span: ``(out - 1) * stride + k_eff`` per dim.
        strides: one stride per spatial dim.
        dil: one dilation per spatial dim.

    Returns:
        The gradient (N, *cover, C) of the covered part of the (padded) input.
    """
    nd = k.ndim - 2
    ksize = k.shape[:nd]
    out = g.shape[1:-1]
    n, c, cout = g.shape[0], k.shape[-2], k.shape[-1]
    taps = math.prod(ksize)
    dtype = np.result_type(g, k)
    if n == 0 or math.prod(cover) == 0 or c == 0:
        return np.zeros((n, *cover, c), dtype)
    if all(s == 1 for s in strides) and all(d == 1 for d in dil):
        return _frames(g, k, cover, dtype)
    if all(s == 1 for s in strides) and math.prod(cover) <= 1.5 * math.prod(out):
        # a 'full' convolution of the padded cotangent with the flipped kernel
        reach = tuple((kk - 1) * d for kk, d in zip(ksize, dil))
        gp = _pad_parallel(np.asarray(g, dtype), reach, reach)
        flipped = k[(slice(None, None, -1),) * nd]
        kf = np.ascontiguousarray(np.swapaxes(flipped, -1, -2), dtype)
        return conv_forward(gp, kf, cover, strides, dil)
    g = np.ascontiguousarray(g)
    dxp = np.zeros((n, *cover, c), dtype)
    per_tap = c >= 32  # a product per tap gives contiguous results when channels are many
    if per_tap:
        kt = np.ascontiguousarray(np.swapaxes(k.reshape(taps, c, cout), 1, 2), dtype)
    else:
        kt = np.ascontiguousarray(k.reshape(taps * c, cout).T, dtype)
    row_bytes = (c if per_tap else taps * c) * dtype.itemsize
    tap_list = list(np.ndindex(*ksize))
    # workers own disjoint images: the taps of neighbouring blocks of one image overlap
    tasks = [
        functools.partial(
            _scatter_part,
            g,
            kt,
            dxp,
            blocks(r[0], r[-1] + 1, out, row_bytes),
            tap_list,
            strides,
            dil,
            per_tap,
        )
        for r in conv_threads.split(list(range(n)))
    ]
    conv_threads.run(tasks)
    return dxp
