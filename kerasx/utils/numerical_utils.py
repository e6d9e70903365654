"""Array helpers: one-hot encoding of class vectors and Lp normalisation."""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops


def to_categorical(x: Any, num_classes: int | None = None) -> Any:
    """One-hot encode a tensor or array of integer class labels.

    A trailing axis of size 1 is dropped first (so labels shaped ``(n, 1)`` give ``(n,
    num_classes)``), then a new last axis of size `num_classes` holds the encoding.

    As in Keras, the result type follows the input: a tensor of the active engine is encoded
    with `kerasx.ops.one_hot` and gives a float32 tensor; anything else (lists, scalars, and
    NumPy arrays when the engine's tensors are not NumPy arrays) is encoded on the host and
    gives a float64 NumPy array. On the NumPy engine a NumPy array counts as a tensor.

    Args:
        x: class labels: integers in ``[0, num_classes)``.
        num_classes: the number of classes; ``None`` uses ``max(x) + 1``.

    Returns:
        The one-hot encoding, of shape ``x.shape + (num_classes,)`` (after dropping a trailing
        axis of size 1).
    """
    if ops.is_tensor(x):
        shape = tuple(x.shape)
        if len(shape) > 1 and shape[-1] == 1:
            x = ops.reshape(x, shape[:-1])
        if num_classes is None:
            num_classes = int(np.max(ops.convert_to_numpy(x))) + 1
        return ops.one_hot(x, num_classes)

    labels = np.array(x, dtype="int64")
    shape = labels.shape
    if len(shape) > 1 and shape[-1] == 1:
        shape = shape[:-1]
    flat = labels.reshape(-1)
    if num_classes is None:
        num_classes = int(np.max(flat)) + 1
    encoded = np.zeros((flat.shape[0], num_classes))
    encoded[np.arange(flat.shape[0]), flat] = 1
    return encoded.reshape(shape + (num_classes,))


def normalize(x: Any, axis: int | tuple | None = -1, order: Any = 2) -> Any:
    """Scale `x` so that its Lp norm along `axis` is 1.

    A NumPy array is normalised on the host with `numpy.linalg.norm` (its dtype is kept
    for float input, and slices whose norm is 0 are left unchanged); as in Keras, a 1-D
    input gives a ``(1, n)`` result. Unlike Keras 3, whose host path divides along the last
    axis whatever `axis` is (wrong numbers or a broadcast error when `axis` is not the last
    axis), the norm is broadcast back along `axis` itself, so ``axis=0`` normalises columns. Any other input (a
    tensor, a list) goes through `kerasx.ops.normalize` and gives a tensor.

    Args:
        x: the array or tensor to normalise.
        axis: the axis (or axes) along which the norm is taken.
        order: the order of the norm (2 for L2, 1 for L1, `numpy.inf`, ...).

    Returns:
        The normalised array (NumPy input) or tensor (other input).
    """
    if not isinstance(x, np.ndarray):
        return ops.normalize(x, axis=axis, order=order)
    if _trailing_axes(axis, x.ndim):
        # Keras's layout: a 1-D input gives a (1, n) result, as in Keras 3.
        norm = np.atleast_1d(np.linalg.norm(x, order, axis))
        norm[norm == 0] = 1
        return x / np.expand_dims(norm, -1 if axis is None else axis)
    norm = np.array(np.linalg.norm(x, order, axis, keepdims=True))
    norm[norm == 0] = 1
    return x / norm


def _trailing_axes(axis: Any, ndim: int) -> bool:
    """Whether `axis` is None or names exactly the last axes of an `ndim`-D array."""
    if axis is None:
        return True
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    if not ndim:
        return False
    got = sorted(int(a) % ndim for a in axes)
    return got == list(range(ndim - len(axes), ndim))
