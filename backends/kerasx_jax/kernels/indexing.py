"""JAX kernels: indexing, slicing and scattering."""

from __future__ import annotations

import jax
import jax.numpy as jnp
import numpy as np

from kerasx.ops.indexing import normalize_key


def get_item(x, key):
    return x[normalize_key(key)]


def add_at(x, key, updates):
    return x.at[normalize_key(key)].add(updates)


def take(x, indices, axis):
    return jnp.take(x, indices, axis=axis)


def take_along_axis(x, indices, axis):
    if axis is None:
        return jnp.take(jnp.ravel(x), indices)
    a = axis % x.ndim
    xs = list(x.shape)
    ids = list(indices.shape)
    xs[a] = 1
    ids[a] = 1
    b = np.broadcast_shapes(tuple(xs), tuple(ids))
    xt = list(b)
    xt[a] = x.shape[a]
    it = list(b)
    it[a] = indices.shape[a]
    return jnp.take_along_axis(
        jnp.broadcast_to(x, tuple(xt)), jnp.broadcast_to(indices, tuple(it)), axis=a
    )


def _starts(start_indices, n):
    if isinstance(start_indices, (list, tuple)):
        return [jnp.asarray(s, dtype=jnp.int32) for s in start_indices]
    arr = jnp.asarray(start_indices)
    return [arr[i].astype(jnp.int32) for i in range(n)]


def dynamic_slice(inputs, start_indices, shape):
    shape = tuple(shape)
    return jax.lax.dynamic_slice(inputs, _starts(start_indices, len(shape)), shape)


def slice_update(inputs, start_indices, updates):
    return jax.lax.dynamic_update_slice(
        inputs, updates.astype(inputs.dtype), _starts(start_indices, inputs.ndim)
    )


def scatter(indices, values, shape):
    shape = tuple(shape)
    key = tuple(indices[..., i] for i in range(indices.shape[-1]))
    return jnp.zeros(shape, dtype=values.dtype).at[key].add(values)


def scatter_update(inputs, indices, updates, reduction):
    key = tuple(indices[..., i] for i in range(indices.shape[-1]))
    ref = inputs.at[key]
    if reduction is None:
        return ref.set(updates)
    return {"add": ref.add, "max": ref.max, "min": ref.min, "mul": ref.multiply}[reduction](updates)


def unravel_index(indices, shape):
    small = (jnp.int8, jnp.int16, jnp.uint8, jnp.uint16)
    dt = jnp.int32 if indices.dtype in small else indices.dtype
    return tuple(c.astype(dt) for c in jnp.unravel_index(indices, tuple(shape)))


KERNELS = {
    "get_item": get_item,
    "add_at": add_at,
    "take": take,
    "take_along_axis": take_along_axis,
    "slice": dynamic_slice,
    "slice_update": slice_update,
    "scatter": scatter,
    "scatter_update": scatter_update,
    "unravel_index": unravel_index,
}
