"""Private ops: the element-wise updates of the common optimizers, each as one op.

These are not part of the ``keras.ops`` surface (their names start with an underscore and the
module's ``__all__`` is empty); `kerasx.optimizers` calls them. Each op is a composite: its body
writes the update with registry ops in exactly the order the optimizer's formula uses, so an
engine without a fused kernel still runs it (and gets the same numbers). The built-in engines
add fused kernels that compute the same float operations in the same order with fewer
temporaries (NumPy) or in one dispatch (JAX), so the results are bit-identical to the body.

Scalar arguments: `alpha`, `learning_rate` and `momentum_rate` are 0-d tensors of the weight's
dtype (computed once per optimizer step); the other coefficients are Python floats, applied as
weakly typed scalars (converted to the weight's dtype), exactly as the optimizers' formulas do.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, rand_pos, randn

__all__: list[str] = []


def _adam_ref(g, w, m, v, alpha, c1, c2, eps):
    m = m + (g - m) * np.float32(c1)
    v = v + (np.square(g) - v) * np.float32(c2)
    return w - (m * alpha) / (np.sqrt(v) + np.float32(eps)), m, v


def _adam_samples(rng: np.random.Generator) -> list[Sample]:
    def case(*shape: int) -> tuple:
        return (
            randn(rng, *shape),
            randn(rng, *shape),
            randn(rng, *shape) * 0.1,
            rand_pos(rng, *shape) * 0.01,
            np.array(0.003),
        )

    return [
        Sample(
            (*case(3, 4), 0.09999999999999998, 0.0010000000000000009, 1e-7), grad=False, keras=False
        ),
        Sample(
            (
                *case(
                    5,
                ),
                0.2,
                0.05,
                1e-4,
            ),
            grad=False,
            keras=False,
        ),
    ]


@defop(
    tensors=("gradient", "variable", "momentum", "velocity", "alpha"),
    composite=True,
    nondiff=True,
    samples=_adam_samples,
    ref=_adam_ref,
    namespaces=(),
)
def _adam_update(
    gradient: Any,
    variable: Any,
    momentum: Any,
    velocity: Any,
    alpha: Any,
    beta_1_complement: float,
    beta_2_complement: float,
    epsilon: float,
) -> Any:
    """One Adam step of a weight, its first moment and its second moment.

    Args:
        gradient: the gradient, in the weight's dtype.
        variable: the weight's current value.
        momentum: the first-moment slot's current value.
        velocity: the second-moment slot's current value.
        alpha: 0-d step size ``lr * sqrt(1 - beta_2**t) / (1 - beta_1**t)``.
        beta_1_complement: ``1 - beta_1`` (a Python float).
        beta_2_complement: ``1 - beta_2`` (a Python float).
        epsilon: added to the square root of the second moment (a Python float).

    Returns:
        ``(new_variable, new_momentum, new_velocity)`` where ``m' = m + (g - m) * (1 -
        beta_1)``, ``v' = v + (g**2 - v) * (1 - beta_2)`` and ``w' = w - (m' * alpha) /
        (sqrt(v') + epsilon)``.
    """
    m = K.add(momentum, K.multiply(K.subtract(gradient, momentum), beta_1_complement))
    v = K.add(velocity, K.multiply(K.subtract(K.square(gradient), velocity), beta_2_complement))
    step = K.divide(K.multiply(m, alpha), K.add(K.sqrt(v), epsilon))
    return K.subtract(variable, step), m, v


def _adam_step_size_ref(learning_rate, step, beta_1, beta_2):
    dt = np.asarray(learning_rate).dtype.type
    b1_t = np.power(dt(beta_1), step)
    b2_t = np.power(dt(beta_2), step)
    return learning_rate * np.sqrt(dt(1) - b2_t) / (dt(1) - b1_t)


def _adam_step_size_samples(rng: np.random.Generator) -> list[Sample]:
    return [
        Sample((np.array(0.001), np.array(1.0), 0.9, 0.999), grad=False, keras=False),
        Sample((np.array(0.01), np.array(4321.0), 0.8, 0.95), grad=False, keras=False),
    ]


@defop(
    tensors=("learning_rate", "step"),
    promote=("learning_rate", "step"),
    composite=True,
    nondiff=True,
    samples=_adam_step_size_samples,
    ref=_adam_step_size_ref,
    namespaces=(),
)
def _adam_step_size(learning_rate: Any, step: Any, beta_1: float, beta_2: float) -> Any:
    """The bias-corrected step size of Adam and its relatives for one step.

    Args:
        learning_rate: 0-d learning rate, in the weights' dtype.
        step: 0-d number of the step being applied (1 for the first), same dtype.
        beta_1: the first moment's decay (a Python float).
        beta_2: the second moment's decay (a Python float).

    Returns:
        ``learning_rate * sqrt(1 - beta_2**step) / (1 - beta_1**step)`` (0-d).
    """
    dtype = learning_rate.dtype
    b1_t = K.power(K.cast(beta_1, dtype), step)
    b2_t = K.power(K.cast(beta_2, dtype), step)
    return K.divide(K.multiply(learning_rate, K.sqrt(K.subtract(1, b2_t))), K.subtract(1, b1_t))


def _sgd_ref(g, w, m, lr, mu, nesterov):
    m = -g * lr + m * mu
    return (w + (-g * lr + m * mu) if nesterov else w + m), m


def _sgd_samples(rng: np.random.Generator) -> list[Sample]:
    def case(*shape: int) -> tuple:
        return (randn(rng, *shape), randn(rng, *shape), randn(rng, *shape) * 0.1, np.array(0.01))

    return [
        Sample((*case(3, 4), np.array(0.9), False), grad=False, keras=False),
        Sample(
            (
                *case(
                    6,
                ),
                np.array(0.7),
                True,
            ),
            grad=False,
            keras=False,
        ),
    ]


@defop(
    tensors=("gradient", "variable", "momentum", "learning_rate", "momentum_rate"),
    composite=True,
    nondiff=True,
    samples=_sgd_samples,
    ref=_sgd_ref,
    namespaces=(),
)
def _sgd_momentum_update(
    gradient: Any,
    variable: Any,
    momentum: Any,
    learning_rate: Any,
    momentum_rate: Any,
    nesterov: bool,
) -> Any:
    """One step of gradient descent with (Nesterov) momentum.

    Args:
        gradient: the gradient, in the weight's dtype.
        variable: the weight's current value.
        momentum: the momentum slot's current value.
        learning_rate: 0-d learning rate in the weight's dtype.
        momentum_rate: 0-d momentum coefficient in the weight's dtype.
        nesterov: use the Nesterov form.

    Returns:
        ``(new_variable, new_momentum)`` where ``m' = -g * lr + m * momentum_rate`` and ``w' =
        w + m'`` (Nesterov: ``w' = w + (-g * lr + m' * momentum_rate)``).
    """
    neg_step = K.multiply(K.negative(gradient), learning_rate)
    m = K.add(neg_step, K.multiply(momentum, momentum_rate))
    if nesterov:
        return K.add(variable, K.add(neg_step, K.multiply(m, momentum_rate))), m
    return K.add(variable, m), m


def _rmsprop_ref(g, w, v, lr, rho, eps):
    v = np.float32(rho) * v + np.float32(1 - rho) * np.square(g)
    return w - lr * g / np.sqrt(v + np.float32(eps)), v


def _rmsprop_samples(rng: np.random.Generator) -> list[Sample]:
    def case(*shape: int) -> tuple:
        return (randn(rng, *shape), randn(rng, *shape), rand_pos(rng, *shape), np.array(0.01))

    return [
        Sample((*case(3, 4), 0.9, 1e-7), grad=False, keras=False),
        Sample(
            (
                *case(
                    7,
                ),
                0.5,
                1e-3,
            ),
            grad=False,
            keras=False,
        ),
    ]


@defop(
    tensors=("gradient", "variable", "velocity", "learning_rate"),
    composite=True,
    nondiff=True,
    samples=_rmsprop_samples,
    ref=_rmsprop_ref,
    namespaces=(),
)
def _rmsprop_update(
    gradient: Any,
    variable: Any,
    velocity: Any,
    learning_rate: Any,
    rho: float,
    epsilon: float,
) -> Any:
    """One RMSprop step (not centered, no momentum) of a weight and its velocity.

    Args:
        gradient: the gradient, in the weight's dtype.
        variable: the weight's current value.
        velocity: the mean-square slot's current value.
        learning_rate: 0-d learning rate in the weight's dtype.
        rho: the decay of the mean square (a Python float).
        epsilon: added to the mean square under the square root (a Python float).

    Returns:
        ``(new_variable, new_velocity)`` where ``v' = rho * v + (1 - rho) * g**2`` and ``w' =
        w - lr * g / sqrt(v' + epsilon)``.
    """
    v = K.add(K.multiply(rho, velocity), K.multiply(1 - rho, K.square(gradient)))
    step = K.divide(K.multiply(learning_rate, gradient), K.sqrt(K.add(v, epsilon)))
    return K.subtract(variable, step), v
