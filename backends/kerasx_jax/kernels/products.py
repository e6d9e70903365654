"""JAX kernels: matrix and tensor products."""

from __future__ import annotations

import jax.numpy as jnp

from kerasx.engine import dtypes as _dt
from kerasx.ops._checks_products import _check_cross_vectors, _cross_axes


def einsum(subscripts, operands, kwargs):
    operands = [jnp.asarray(o) for o in operands]
    target = _dt.result_type(*[o.dtype for o in operands]) if operands else "float32"
    if target == "int8":
        target = "int32"
    dt = jnp.dtype(target)
    operands = [o if o.dtype == dt else o.astype(dt) for o in operands]
    return jnp.einsum(subscripts, *operands)


def _pad3(v):
    if v.shape[-1] == 3:
        return v
    return jnp.concatenate([v, jnp.zeros(v.shape[:-1] + (1,), dtype=v.dtype)], axis=-1)


def cross(x1, x2, axisa=-1, axisb=-1, axisc=-1, axis=None):
    axisa, axisb, axisc = _cross_axes(axisa, axisb, axisc, axis)
    a = jnp.moveaxis(x1, axisa, -1)
    b = jnp.moveaxis(x2, axisb, -1)
    _check_cross_vectors(a, b)
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        return a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0]
    a, b = _pad3(a), _pad3(b)
    c = jnp.stack(
        [
            a[..., 1] * b[..., 2] - a[..., 2] * b[..., 1],
            a[..., 2] * b[..., 0] - a[..., 0] * b[..., 2],
            a[..., 0] * b[..., 1] - a[..., 1] * b[..., 0],
        ],
        axis=-1,
    )
    return jnp.moveaxis(c, -1, axisc)


def trace(x, offset, axis1, axis2):
    name = str(x.dtype)
    if name in ("bool", "int8", "int16"):
        dt = jnp.int32
    elif name in ("uint8", "uint16"):
        dt = jnp.uint32
    else:
        dt = x.dtype
    return jnp.trace(x, offset=offset, axis1=axis1, axis2=axis2, dtype=dt)


def tensordot(x1, x2, axes):
    if isinstance(axes, int) and not 0 <= axes <= min(jnp.ndim(x1), jnp.ndim(x2)):
        raise ValueError(
            f"Received an invalid value for `axes`, expected an int in "
            f"[0, {min(jnp.ndim(x1), jnp.ndim(x2))}]. Received: axes={axes}"
        )
    if not isinstance(axes, int):
        a, b = axes
        if (1 if isinstance(a, int) else len(a)) != (1 if isinstance(b, int) else len(b)):
            raise ValueError(
                "Received an invalid value for `axes`, expected two lists of the same length. "
                f"Received: axes={axes!r}"
            )
        axes = (
            [a] if isinstance(a, int) else list(a),
            [b] if isinstance(b, int) else list(b),
        )
    return jnp.tensordot(x1, x2, axes)


KERNELS = {
    "matmul": jnp.matmul,
    "tensordot": tensordot,
    "einsum": einsum,
    "cross": cross,
    "trace": trace,
}
