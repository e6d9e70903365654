"""Products: matmul, dot, tensordot, einsum, inner, outer, kron, cross, vdot, trace."""

from __future__ import annotations

from typing import Any

from kerasx.engine.registry import defop
from kerasx.engine.shapes import broadcast_shapes
from kerasx.ops._helpers import K, Sample, randn, shape_of, unbroadcast


def _matmul_shape(x1: tuple, x2: tuple) -> tuple:
    if len(x1) == 0 or len(x2) == 0:
        raise ValueError("matmul does not accept scalars (0-d tensors)")
    a = (1,) + x1 if len(x1) == 1 else x1
    b = x2 + (1,) if len(x2) == 1 else x2
    if a[-1] is not None and b[-2] is not None and a[-1] != b[-2]:
        raise ValueError(
            f"the last dimension of x1 ({a[-1]}) must equal the second to last of x2 ({b[-2]}); "
            f"shapes {x1} and {x2} are incompatible"
        )
    batch = broadcast_shapes(a[:-2], b[:-2])
    out = batch + (a[-2], b[-1])
    if len(x1) == 1:
        out = out[:-2] + out[-1:]
    if len(x2) == 1:
        out = out[:-1]
    return out


def _swap_last(x: Any) -> Any:
    n = len(shape_of(x))
    perm = list(range(n))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return K.transpose(x, perm)


def _as_matrices(g: Any, x1: Any, x2: Any) -> tuple[Any, Any, Any]:
    """View 1-D operands as matrices (and `g` accordingly), as NumPy's matmul does."""
    s1, s2 = shape_of(x1), shape_of(x2)
    a = K.reshape(x1, (1, s1[0])) if len(s1) == 1 else x1
    b = K.reshape(x2, (s2[0], 1)) if len(s2) == 1 else x2
    g = K.reshape(g, _matmul_shape(shape_of(a), shape_of(b)))
    return g, a, b


def _matmul_vjp_x1(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    g, a, b = _as_matrices(g, x1, x2)
    return K.reshape(unbroadcast(K.matmul(g, _swap_last(b)), a), shape_of(x1))


def _matmul_vjp_x2(g: Any, ans: Any, x1: Any, x2: Any) -> Any:
    g, a, b = _as_matrices(g, x1, x2)
    return K.reshape(unbroadcast(K.matmul(_swap_last(a), g), b), shape_of(x2))


@defop(
    tensors=("x1", "x2"),
    promote=("x1", "x2"),
    shape=_matmul_shape,
    vjp={"x1": _matmul_vjp_x1, "x2": _matmul_vjp_x2},
    samples=lambda rng: [
        Sample((randn(rng, 2, 3), randn(rng, 3, 4))),
        Sample((randn(rng, 5, 2, 3), randn(rng, 3, 4))),
        Sample((randn(rng, 2, 1, 2, 3), randn(rng, 4, 3, 2))),
        Sample((randn(rng, 3), randn(rng, 3, 4))),
        Sample((randn(rng, 2, 3), randn(rng, 3))),
        Sample((randn(rng, 3), randn(rng, 3))),
    ],
)
def matmul(x1: Any, x2: Any) -> Any:
    """Matrix product of two tensors (NumPy ``matmul`` semantics, batched).

    Args:
        x1: first tensor.
        x2: second tensor.

    Returns:
        The matrix product.
    """


__all__ = ["matmul"]
