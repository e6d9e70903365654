"""Pooling, adaptive pooling, fold/unfold and space/depth ops (the conv family).

Private registry ops for the gradient rules: ``max_pool_backprop``, ``max_pool_select`` and
``average_pool_backprop`` (not in ``__all__``). Re-exported by `kerasx.ops.convolution`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from kerasx import config
from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.engine.symbolic import KerasTensor
from kerasx.ops._helpers import K, Sample, randn, shape_of, zero_rule
from kerasx.ops.conv_geometry import (
    check_rank4,
    fold_output_shape,
    int_tuple,
    pool_geometry,
    spatial_rank,
    split_spatial,
    standardize_data_format,
    unfold_output_shape,
)

# ----------------------------------------------------------------------------- pooling


def _pool_shape(inputs, pool_size, strides, padding, data_format) -> tuple:
    return pool_geometry(inputs, pool_size, strides, padding, data_format).out_shape


def _max_pool_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 1, 5, 5, 2), 2, 2)),
        Sample((randn(rng, 1, 2, 5, 4), (3, 2), (1, 2), "same", "channels_first")),
        Sample((randn(rng, 2, 7, 2), 3, 2, "same")),
        Sample((randn(rng, 1, 3, 4, 3, 1), 2, 1)),
        # strides=None (= pool_size); Keras 3.15 fails on it (bug), so no Keras comparison
        Sample((randn(rng, 1, 4, 4, 1), 2), keras=False),
    ]


@defop(
    tensors=("inputs",),
    shape=_pool_shape,
    vjp={
        "inputs": lambda g, ans, inputs, *a: K.max_pool_backprop(inputs, g, *a),
    },
    samples=_max_pool_samples,
    namespaces=("nn",),
)
def max_pool(
    inputs: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """N-D max pooling (1D, 2D or 3D).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        pool_size: an int or a tuple of one int per spatial dimension.
        strides: an int, a tuple, or None (the pool size).
        padding: "valid" or "same" (padded positions never win the max).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (same dtype as `inputs`).
    """


def _pool_private_samples(rng: Any, kind: str) -> list:
    cases = [
        ((1, 4, 4, 2), 2, 2, "valid", "channels_last"),
        ((1, 2, 5), 3, 2, "same", "channels_first"),
        ((2, 5, 1), 2, 1, "valid", None),
    ]
    out = []
    for x_shape, pool, st, pad, df in cases:
        y_shape = pool_geometry(x_shape, pool, st, pad, df).out_shape
        x = rng.permutation(np.arange(math.prod(x_shape), dtype=np.float64)).reshape(x_shape)
        x = x / 4.0 - 2.0  # distinct values: no ties, no kinks under finite differences
        second = randn(rng, *(y_shape if kind == "backprop" else x_shape))
        out.append(Sample((x, second, pool, st, pad, df)))
    return out


@defop(
    tensors=("inputs", "g"),
    promote=("inputs", "g"),
    shape=lambda inputs, g, *a: tuple(inputs),
    vjp={
        "inputs": zero_rule,
        "g": lambda ct, ans, inputs, g, *a: K.max_pool_select(inputs, ct, *a),
    },
    samples=lambda rng: _pool_private_samples(rng, "backprop"),
    namespaces=(),
)
def max_pool_backprop(
    inputs: Any,
    g: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Gradient of `max_pool` (private): `g` routed to each window's first maximum.

    Args:
        inputs: the pooling's input.
        g: cotangent of the pooling's output.
        pool_size: as for `max_pool`.
        strides: as for `max_pool`.
        padding: as for `max_pool`.
        data_format: as for `max_pool`.

    Returns:
        A tensor shaped like `inputs`.
    """


@defop(
    tensors=("inputs", "values"),
    promote=("inputs", "values"),
    shape=lambda inputs, values, *a: _pool_shape(inputs, *a),
    vjp={
        "inputs": zero_rule,
        "values": lambda ct, ans, inputs, values, *a: K.max_pool_backprop(inputs, ct, *a),
    },
    samples=lambda rng: _pool_private_samples(rng, "select"),
    namespaces=(),
)
def max_pool_select(
    inputs: Any,
    values: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Pick `values` where `inputs` has its max in each pooling window (private).

    The transpose of `max_pool_backprop` in its cotangent argument.

    Args:
        inputs: tensor whose window maxima choose the positions.
        values: tensor shaped like `inputs` to pick from.
        pool_size: as for `max_pool`.
        strides: as for `max_pool`.
        padding: as for `max_pool`.
        data_format: as for `max_pool`.

    Returns:
        A tensor shaped like `max_pool(inputs, ...)`.
    """


def _average_pool_samples(rng: Any) -> list:
    return [
        Sample((randn(rng, 1, 5, 5, 2), 2, 2)),
        Sample((randn(rng, 1, 2, 5, 4), (3, 2), (1, 2), "same", "channels_first")),
        Sample((randn(rng, 2, 7, 2), 3, 2, "same")),
        Sample((randn(rng, 1, 3, 4, 3, 1), 2, 1, "same")),
        Sample((randn(rng, 1, 4, 4, 1), 2), keras=False),  # strides=None: Keras 3.15 bug
    ]


@defop(
    tensors=("inputs",),
    promote=("inputs",),
    to_float=True,
    shape=_pool_shape,
    vjp={
        "inputs": lambda g, ans, inputs, *a: K.average_pool_backprop(g, shape_of(inputs), *a),
    },
    samples=_average_pool_samples,
    namespaces=("nn",),
)
def average_pool(
    inputs: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """N-D average pooling (1D, 2D or 3D).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        pool_size: an int or a tuple of one int per spatial dimension.
        strides: an int, a tuple, or None (the pool size).
        padding: "valid" or "same" ("same" averages only the real, unpadded elements).
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (integer inputs give floatx).
    """


@defop(
    tensors=("g",),
    shape=lambda g, input_shape, *a: tuple(input_shape),
    vjp={"g": lambda ct, ans, g, input_shape, *a: K.average_pool(ct, *a)},
    samples=lambda rng: [
        Sample((randn(rng, 1, 2, 2, 2), (1, 5, 5, 2), 2, 2)),
        Sample((randn(rng, 1, 2, 3), (1, 2, 5), 3, 2, "same", "channels_first")),
        Sample((randn(rng, 1, 3, 3, 1), (1, 3, 3, 1), 2, 1, "same")),
    ],
    namespaces=(),
)
def average_pool_backprop(
    g: Any,
    input_shape: Any,
    pool_size: Any,
    strides: Any = None,
    padding: str = "valid",
    data_format: str | None = None,
) -> Any:
    """Gradient of `average_pool` with respect to its input (private).

    Args:
        g: cotangent of the pooling's output.
        input_shape: full shape of the pooling's input.
        pool_size: as for `average_pool`.
        strides: as for `average_pool`.
        padding: as for `average_pool`.
        data_format: as for `average_pool`.

    Returns:
        A tensor of shape `input_shape`.
    """


def _adaptive_setup(inputs: Any, output_size: Any, data_format: Any, dtype: str) -> tuple:
    """(output sizes, input spatial sizes, first spatial axis, symbolic result or None)."""
    shape = shape_of(inputs)
    df = standardize_data_format(data_format)
    nd = spatial_rank(shape)
    out = int_tuple(output_size, nd, "output_size")
    spatial, chans = split_spatial(shape, df)
    first = 1 if df == "channels_last" else 2
    if any(s is None for s in spatial):
        if isinstance(inputs, KerasTensor):  # the output shape needs no input sizes
            res = (shape[0], *out, chans) if df == "channels_last" else (shape[0], chans, *out)
            return out, spatial, first, KerasTensor(res, dtype)
        raise ValueError(
            "Adaptive pooling needs known spatial dimensions. "
            f"Received: inputs.shape={tuple(shape)}"
        )
    return out, spatial, first, None


def _adaptive_windows(size: int, out: int) -> list[tuple[int, int]]:
    """[start, end) of each output window along one dim (floor / ceil boundaries)."""
    return [((o * size) // out, -(-((o + 1) * size) // out)) for o in range(out)]


def _along_axis(x: Any, matrix: np.ndarray, axis: int) -> Any:
    """Contract axis `axis` of `x` with `matrix` (out, size): a pooling matrix product."""
    ndim = len(shape_of(x))
    dtype = _dt.standardize_dtype(x.dtype)
    if axis == ndim - 1:
        return K.matmul(x, K.cast(np.ascontiguousarray(matrix.T), dtype))
    m = K.cast(matrix, dtype)
    if axis == ndim - 2:
        return K.matmul(m, x)
    perm = list(range(ndim))
    perm[axis], perm[-2] = perm[-2], perm[axis]
    return K.transpose(K.matmul(m, K.transpose(x, perm)), perm)


@defop(
    tensors=("inputs",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 5, 7, 2), (2, 3))),
        Sample((randn(rng, 2, 2, 7), 3, "channels_first")),
        Sample((randn(rng, 1, 3, 4, 2, 1), (2, 3, 3))),  # 3D; 2 -> 3 upsamples
    ],
    namespaces=("nn",),
)
def adaptive_average_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Any:
    """Adaptive average pooling: average over windows that tile the input to `output_size`.

    Output position `o` of a dimension of length `n` averages the input range
    [floor(o * n / out), ceil((o + 1) * n / out)).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        output_size: an int or a tuple of one int per spatial dimension.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (integer inputs give floatx).
    """
    dtype = _dt.standardize_dtype(inputs.dtype)
    if not _dt.is_float_dtype(dtype):
        dtype = config.floatx()
    out, spatial, first, symbolic = _adaptive_setup(inputs, output_size, data_format, dtype)
    if symbolic is not None:
        return symbolic
    x = K.cast(inputs, dtype) if dtype != _dt.standardize_dtype(inputs.dtype) else inputs
    for i, (n, o) in enumerate(zip(spatial, out)):
        if n == o:
            continue
        matrix = np.zeros((o, n))
        for row, (a, b) in enumerate(_adaptive_windows(n, o)):
            matrix[row, a:b] = 1.0 / (b - a)
        x = _along_axis(x, matrix, first + i)
    return x


@defop(
    tensors=("inputs",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 5, 7, 2), (2, 3))),
        Sample((randn(rng, 2, 2, 7), 3, "channels_first")),
        Sample((randn(rng, 1, 3, 4, 2, 1), (2, 3, 3))),
    ],
    namespaces=("nn",),
)
def adaptive_max_pool(inputs: Any, output_size: Any, data_format: str | None = None) -> Any:
    """Adaptive max pooling: maximum over windows that tile the input to `output_size`.

    Output position `o` of a dimension of length `n` takes the max of the input range
    [floor(o * n / out), ceil((o + 1) * n / out)).

    Args:
        inputs: a 3D, 4D or 5D tensor, "channels_last" or "channels_first".
        output_size: an int or a tuple of one int per spatial dimension.
        data_format: "channels_last" or "channels_first"; None uses
            `kerasx.config.image_data_format()`.

    Returns:
        The pooled tensor (same dtype as `inputs`).
    """
    dtype = _dt.standardize_dtype(inputs.dtype)
    out, spatial, first, symbolic = _adaptive_setup(inputs, output_size, data_format, dtype)
    if symbolic is not None:
        return symbolic
    x = inputs
    for i, (n, o) in enumerate(zip(spatial, out)):
        if n == o:
            continue
        windows = _adaptive_windows(n, o)
        longest = max(b - a for a, b in windows)
        result = None
        for j in range(longest):  # one gather per window offset (windows are short)
            idx = np.array([min(a + j, b - 1) for a, b in windows], dtype=np.int32)
            part = K.take(x, idx, axis=first + i)
            result = part if result is None else K.maximum(result, part)
        x = result
    return x


# ------------------------------------------------------------------------ fold, unfold


@defop(
    shape=unfold_output_shape,
    vjp={
        "x": lambda g, ans, x, *a: K.fold(g, tuple(shape_of(x)[2:]), *a),
    },
    samples=lambda rng: [
        Sample((randn(rng, 1, 2, 3, 4), 2)),
        Sample((randn(rng, 2, 1, 4, 5), (2, 3), 1, 1, 2)),
        Sample((randn(rng, 1, 1, 5, 5), 2, 2, (1, 0), 1)),
    ],
    namespaces=("nn",),
)
def unfold(x: Any, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1) -> Any:
    """Extract sliding blocks (patches) of a batched image, as columns (im2col).

    Args:
        x: a 4D tensor (batch, channels, height, width).
        kernel_size: block size, an int or a pair.
        dilation: spacing between a block's elements, an int or a pair.
        padding: zero padding added on both sides of each spatial dim, an int or a pair.
        stride: step between blocks, an int or a pair.

    Returns:
        A tensor of shape (batch, channels * kh * kw, number of blocks); the middle axis is
        ordered channel first, then the block's rows and columns.
    """


@defop(
    shape=fold_output_shape,
    vjp={
        "x": lambda g, ans, x, output_size, *a: K.unfold(g, *a),
    },
    samples=lambda rng: [
        Sample((randn(rng, 1, 8, 6), (3, 4), 2)),
        Sample((randn(rng, 2, 6, 9), (4, 5), (2, 3), 1, 1, 2)),
        Sample((randn(rng, 1, 4, 15), (5, 5), 2, 2, (1, 0), 1)),
    ],
    namespaces=("nn",),
)
def fold(
    x: Any,
    output_size: Any,
    kernel_size: Any,
    dilation: Any = 1,
    padding: Any = 0,
    stride: Any = 1,
) -> Any:
    """Combine sliding blocks into a batched image, summing overlaps (col2im).

    The transpose of `unfold`.

    Args:
        x: a 3D tensor (batch, channels * kh * kw, number of blocks).
        output_size: the image's (height, width), an int or a pair.
        kernel_size: block size, an int or a pair.
        dilation: spacing between a block's elements, an int or a pair.
        padding: padding of the image that the blocks cover (cropped away), int or pair.
        stride: step between blocks, an int or a pair.

    Returns:
        A tensor of shape (batch, channels, height, width).
    """


# ------------------------------------------------------------------- space <-> depth


def _block_args(x: Any, block_size: Any, data_format: Any) -> tuple:
    shape = shape_of(x)
    check_rank4(shape, "x")
    df = str(data_format).lower()
    if df not in ("channels_last", "channels_first"):
        raise ValueError(
            "Received an invalid value for `data_format`, expected 'channels_last' or "
            f"'channels_first'. Received: data_format={data_format!r}"
        )
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)):
        raise TypeError(
            f"Received an invalid value for `block_size`, expected an int >= 2. "
            f"Received: block_size={block_size!r}"
        )
    if block_size < 2:
        raise ValueError(
            f"Received an invalid value for `block_size`, expected an int >= 2. "
            f"Received: block_size={block_size!r}"
        )
    if df == "channels_last":
        n, h, w, c = shape
    else:
        n, c, h, w = shape
    return df, int(block_size), n, h, w, c


@defop(
    tensors=("x",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 2, 3, 8), 2)),
        Sample((randn(rng, 2, 8, 1, 2), 2, "channels_first")),
        Sample((randn(rng, 1, 1, 1, 18), 3)),
    ],
    namespaces=("nn",),
)
def depth_to_space(x: Any, block_size: Any, data_format: str = "channels_last") -> Any:
    """Move channel data into spatial blocks (the inverse of `space_to_depth`).

    Each pixel's channels are spread over a `block_size` x `block_size` block: with
    "channels_last" the channel index is (row in block, column in block, channel); with
    "channels_first" it is (channel, row in block, column in block).

    Args:
        x: a 4D tensor.
        block_size: the block side, an int >= 2; channels must be a multiple of its square.
        data_format: "channels_last" or "channels_first".

    Returns:
        A tensor with height and width multiplied by `block_size` and channels divided by
        its square.
    """
    df, b, n, h, w, c = _block_args(x, block_size, data_format)
    if c is not None and c % (b * b):
        raise ValueError(
            f"The number of channels must be a multiple of block_size**2 = {b * b}. "
            f"Received: x.shape={shape_of(x)}, block_size={block_size}"
        )
    oc = None if c is None else c // (b * b)
    h2 = None if h is None else h * b
    w2 = None if w is None else w * b

    def known(*dims: Any) -> tuple:
        return tuple(-1 if d is None else d for d in dims)

    if df == "channels_last":
        y = K.reshape(x, known(n, h, w, b, b, oc))
        y = K.transpose(y, (0, 1, 3, 2, 4, 5))
        return K.reshape(y, known(n, h2, w2, oc))
    y = K.reshape(x, known(n, oc, b, b, h, w))
    y = K.transpose(y, (0, 1, 4, 2, 5, 3))
    return K.reshape(y, known(n, oc, h2, w2))


@defop(
    tensors=("x",),
    composite=True,
    samples=lambda rng: [
        Sample((randn(rng, 1, 4, 6, 1), 2)),
        Sample((randn(rng, 2, 2, 2, 4), 2, "channels_first")),
        Sample((randn(rng, 1, 3, 3, 2), 3)),
    ],
    namespaces=("nn",),
)
def space_to_depth(x: Any, block_size: Any, data_format: str = "channels_last") -> Any:
    """Move spatial blocks into channels (the inverse of `depth_to_space`).

    Args:
        x: a 4D tensor.
        block_size: the block side, an int >= 2; height and width must be multiples of it.
        data_format: "channels_last" or "channels_first".

    Returns:
        A tensor with height and width divided by `block_size` and channels multiplied by
        its square.
    """
    df, b, n, h, w, c = _block_args(x, block_size, data_format)
    if (h is not None and h % b) or (w is not None and w % b):
        raise ValueError(
            f"Height and width must be multiples of block_size={block_size}. "
            f"Received: x.shape={shape_of(x)}"
        )
    h2 = None if h is None else h // b
    w2 = None if w is None else w // b
    oc = None if c is None else c * b * b

    def known(*dims: Any) -> tuple:
        return tuple(-1 if d is None else d for d in dims)

    if df == "channels_last":
        y = K.reshape(x, known(n, h2, b, w2, b, c))
        y = K.transpose(y, (0, 1, 3, 2, 4, 5))
        return K.reshape(y, known(n, h2, w2, oc))
    y = K.reshape(x, known(n, c, h2, b, w2, b))
    y = K.transpose(y, (0, 1, 3, 5, 2, 4))
    return K.reshape(y, known(n, oc, h2, w2))


__all__ = [
    "adaptive_average_pool",
    "adaptive_max_pool",
    "average_pool",
    "depth_to_space",
    "fold",
    "max_pool",
    "space_to_depth",
    "unfold",
]
