"""JAX kernels: element-wise ops (inputs arrive already promoted to one dtype)."""

from __future__ import annotations

import jax.lax as lax
import jax.numpy as jnp


def _square(x):
    if x.dtype == jnp.bool_:
        x = x.astype(jnp.int32)
    return jnp.square(x)


def _conjugate(x):
    return x if x.dtype == jnp.bool_ else jnp.conjugate(x)


def _copy(x):
    return jnp.array(x, copy=True)


KERNELS = {
    "add": jnp.add,
    "subtract": jnp.subtract,
    "multiply": jnp.multiply,
    "true_divide": jnp.true_divide,
    "divide": jnp.true_divide,
    "negative": jnp.negative,
    "exp": jnp.exp,
    "log": jnp.log,
    "sin": jnp.sin,
    "cos": jnp.cos,
    "absolute": jnp.absolute,
    "abs": jnp.absolute,
    "fabs": jnp.fabs,
    "square": _square,
    "sqrt": jnp.sqrt,
    "rsqrt": lax.rsqrt,
    "cbrt": jnp.cbrt,
    "reciprocal": jnp.reciprocal,
    "exp2": jnp.exp2,
    "expm1": jnp.expm1,
    "log10": jnp.log10,
    "log2": jnp.log2,
    "log1p": jnp.log1p,
    "tan": jnp.tan,
    "sinh": jnp.sinh,
    "cosh": jnp.cosh,
    "tanh": jnp.tanh,
    "arcsin": jnp.arcsin,
    "arccos": jnp.arccos,
    "arctan": jnp.arctan,
    "arcsinh": jnp.arcsinh,
    "arccosh": jnp.arccosh,
    "arctanh": jnp.arctanh,
    "deg2rad": jnp.deg2rad,
    "rad2deg": jnp.rad2deg,
    "sinc": jnp.sinc,
    "copy": _copy,
    "real": jnp.real,
    "imag": jnp.imag,
    "conjugate": _conjugate,
    "conj": _conjugate,
    "angle": jnp.angle,
}
