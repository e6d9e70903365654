"""JAX kernels: fused optimizer updates (see ``kerasx/ops/optimizer_updates.py``).

Each kernel is the op's formula in ``jax.numpy``, in the same order, with the Python-float
coefficients applied as weakly typed scalars. The kernels are deliberately not wrapped in their
own `jax.jit`: outside a jit, XLA's fused code for the Adam rule rounds differently from the
op-by-op evaluation (and from the composite body), so an eager call runs op by op, exactly like
the body; inside the trainer's jit-compiled step the whole update is compiled either way.
"""

from __future__ import annotations

import jax.numpy as jnp


def _adam_update(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon):
    m = momentum + (gradient - momentum) * c1
    v = velocity + (jnp.square(gradient) - velocity) * c2
    return variable - (m * alpha) / (jnp.sqrt(v) + epsilon), m, v


def _sgd_momentum_update(gradient, variable, momentum, learning_rate, momentum_rate, nesterov):
    neg_step = -gradient * learning_rate
    m = neg_step + momentum * momentum_rate
    if nesterov:
        return variable + (neg_step + m * momentum_rate), m
    return variable + m, m


def _rmsprop_update(gradient, variable, velocity, learning_rate, rho, epsilon):
    v = rho * velocity + (1 - rho) * jnp.square(gradient)
    return variable - learning_rate * gradient / jnp.sqrt(v + epsilon), v


KERNELS = {
    "_adam_update": _adam_update,
    "_sgd_momentum_update": _sgd_momentum_update,
    "_rmsprop_update": _rmsprop_update,
}
