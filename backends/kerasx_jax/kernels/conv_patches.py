"""JAX kernel: convolution as a product with the input's patches, for XLA's CPU backend.

XLA's CPU convolutions compute a training step's kernel gradient (the correlation of the
input with the output's cotangent) several times slower than a matrix product of the same
size: on a small CNN (28x28 images, 3x3 kernels, batch 128, 2 cores) that gradient took
three quarters of the step. Here the convolution is the product of the input's patches
(``im2col``: the kernel-sized windows laid side by side, one row per output position) with
the kernel reshaped to a matrix, and its derivative (a `jax.custom_jvp`) is

- in the kernel: the same patches times the kernel's tangent, whose transpose (what reverse
  mode computes) is one matrix product, ``patches^T @ cotangent``;
- in the input: XLA's own convolution of the tangent, whose transpose is XLA's input
  gradient (a forward-style convolution, fast on the CPU).

Forward mode, reverse mode and higher orders all follow from the rule. The patches are kept
for the backward pass (they are what the kernel gradient multiplies), so the path is taken
only while they stay below `MAX_PATCH_BYTES`; larger convolutions, grouped ones,
``channels_first``, low-precision floats and other platforms (cuDNN and friends are fast)
use XLA's convolution directly. The step of that CNN runs about 4x faster than with XLA's
convolution; values differ from it only in rounding (the sums run in another order).
"""

from __future__ import annotations

import functools
import itertools
import math

import jax
import jax.numpy as jnp
from jax import lax
from jax.custom_derivatives import SymbolicZero

# The patches of one convolution, kept from the forward to the backward pass, at most this
# large (bytes); beyond it the memory would matter more than the speed.
MAX_PATCH_BYTES = 256 << 20


def uses_patches(x, kernel, geo) -> bool:
    """Whether convolution `geo` of `x` with `kernel` runs as a patch product here."""
    if geo.groups != 1 or geo.data_format != "channels_last":
        return False
    if x.dtype not in (jnp.float32, jnp.float64) or kernel.dtype != x.dtype:
        return False
    if any(d is None for d in x.shape) or any(o is None for o in geo.out_spatial):
        return False
    if any(p < 0 for pair in geo.pads for p in pair):  # cropping (gradients' private convs)
        return False
    if jax.default_backend() != "cpu":
        return False
    window = math.prod(kernel.shape[:-1])  # kernel size x input channels
    rows = x.shape[0] * math.prod(geo.out_spatial)
    return rows * window * x.dtype.itemsize <= MAX_PATCH_BYTES


def _patches(x, kernel_size, geo):
    """``(rows, window)``: row r holds output position r's window of the padded input, in the
    kernel's order (kernel offsets row-major, then input channels)."""
    xp = jnp.pad(x, ((0, 0), *geo.pads, (0, 0)))
    n, c = x.shape[0], x.shape[-1]
    pieces = []
    for offset in itertools.product(*(range(k) for k in kernel_size)):
        start = [0] + [o * d for o, d in zip(offset, geo.dilation)] + [0]
        stop = (
            [n]
            + [s + (m - 1) * st + 1 for s, m, st in zip(start[1:], geo.out_spatial, geo.strides)]
            + [c]
        )
        pieces.append(lax.slice(xp, start, stop, (1, *geo.strides, 1)))
    cols = pieces[0] if len(pieces) == 1 else jnp.concatenate(pieces, axis=-1)
    return jnp.reshape(cols, (-1, cols.shape[-1]))


@functools.lru_cache(maxsize=256)
def _patch_conv(geo, xla_conv):
    """The custom-derivative convolution for one geometry (`xla_conv(x, k, geo)` is XLA's)."""

    def out_shape(x, kernel):
        return (x.shape[0], *geo.out_spatial, kernel.shape[-1])

    def product(cols, kernel, x):
        matrix = jnp.reshape(kernel, (-1, kernel.shape[-1]))
        return jnp.reshape(jnp.matmul(cols, matrix), out_shape(x, kernel))

    @jax.custom_jvp
    def conv(x, kernel):
        return product(_patches(x, kernel.shape[:-2], geo), kernel, x)

    def conv_jvp(primals, tangents):
        x, kernel = primals
        x_dot, kernel_dot = tangents
        cols = _patches(x, kernel.shape[:-2], geo)
        y = product(cols, kernel, x)
        y_dot = None
        if not isinstance(x_dot, SymbolicZero):
            y_dot = xla_conv(x_dot, kernel, geo)
        if not isinstance(kernel_dot, SymbolicZero):
            term = product(cols, kernel_dot, x)
            y_dot = term if y_dot is None else y_dot + term
        return y, (jnp.zeros_like(y) if y_dot is None else y_dot)

    conv.defjvp(conv_jvp, symbolic_zeros=True)
    # Compiled as one program: called eagerly, the patches' slices (one per kernel offset)
    # would otherwise each be compiled and dispatched on their own. Under an outer trace the
    # call is inlined.
    return jax.jit(conv)


def patch_conv(x, kernel, geo, xla_conv):
    """Convolution `geo` of `x` with `kernel` as a patch product (see the module docstring)."""
    return _patch_conv(geo, xla_conv)(x, kernel)
