"""JAX kernels: sorting, searching, unique values and segment reductions."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.ops._checks_sorting import _check_kth, _check_segments, _check_top_k


def sort(x, axis=-1):
    return jnp.sort(x, axis=axis, stable=True)


def argsort(x, axis=-1):
    return jnp.argsort(x, axis=axis, stable=True).astype(jnp.int32)


def argpartition(x, kth, axis=-1):
    # Same canonical layout as the NumPy kernel (see there).
    n, kth = _check_kth(x, kth, axis)
    moved = jnp.moveaxis(x, axis, -1)
    low = jnp.argsort(moved, axis=-1, stable=True)[..., : kth + 1]
    positions = jnp.arange(n, dtype=jnp.int32)
    taken = jnp.any(low[..., :, None] == positions, axis=-2)
    rest = jnp.argsort(taken, axis=-1, stable=True)[..., : n - kth - 1]
    out = jnp.concatenate([low, rest], axis=-1).astype(jnp.int32)
    return jnp.moveaxis(out, -1, axis)


def top_k(x, k, sorted=True):  # noqa: A002
    _check_top_k(x, k)
    values, idx = jax.lax.top_k(x, k)
    return values, idx.astype(jnp.int32)


def in_top_k(targets, predictions, k):
    target_score = jnp.take_along_axis(predictions, targets.astype(jnp.int32)[:, None], axis=-1)
    better = jnp.sum(predictions > target_score, axis=-1)
    return (better < k) & jnp.isfinite(target_score[:, 0])


def unique(
    x,
    sorted=True,
    return_index=False,
    return_inverse=False,  # noqa: A002
    return_counts=False,
    axis=None,
    size=None,
    fill_value=None,
):
    values, index, inverse, counts = jnp.unique(
        x,
        return_index=True,
        return_inverse=True,
        return_counts=True,
        axis=axis,
        size=size,
        fill_value=fill_value,
    )
    inverse = inverse.reshape(x.shape) if axis is None else inverse.reshape(-1)
    out = [values]
    if return_index:
        out.append(index.astype(jnp.int32))
    if return_inverse:
        out.append(inverse.astype(jnp.int32))
    if return_counts:
        out.append(counts.astype(jnp.int32))
    return tuple(out) if len(out) > 1 else values


def nonzero(x):
    return tuple(i.astype(jnp.int32) for i in jnp.nonzero(x))


def _num_segments(segment_ids, num_segments):
    if num_segments is None:
        # Data dependent: only possible eagerly (not under jit).
        return int(np.asarray(jnp.max(segment_ids))) + 1 if segment_ids.size else 0
    return num_segments


def _segment(fn):
    def kernel(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
        _check_segments(data, segment_ids, num_segments)
        ids = segment_ids.astype(jnp.int32)
        n = _num_segments(ids, num_segments)
        return fn(data, ids, num_segments=n, indices_are_sorted=bool(sorted))

    return kernel


def segment_prod(data, segment_ids, num_segments=None, sorted=False):  # noqa: A002
    # jax.ops.segment_prod has no gradient for repeated ids; a masked product does.
    _check_segments(data, segment_ids, num_segments)
    ids = segment_ids.astype(jnp.int32)
    n = _num_segments(ids, num_segments)
    member = ids[None, :] == jnp.arange(n, dtype=jnp.int32)[:, None]
    member = member.reshape(member.shape + (1,) * (data.ndim - 1))
    return jnp.prod(jnp.where(member, data[None], jnp.ones((), dtype=data.dtype)), axis=1)


KERNELS = {
    "sort": sort,
    "argsort": argsort,
    "argpartition": argpartition,
    "top_k": top_k,
    "in_top_k": in_top_k,
    "unique": unique,
    "nonzero": nonzero,
    "segment_sum": _segment(jax.ops.segment_sum),
    "segment_max": _segment(jax.ops.segment_max),
    "segment_min": _segment(jax.ops.segment_min),
    "segment_prod": segment_prod,
}
