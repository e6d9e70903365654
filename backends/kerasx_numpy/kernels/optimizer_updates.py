"""NumPy kernels: fused optimizer updates (see ``kerasx/ops/optimizer_updates.py``).

Each kernel performs the same float operations, in the same order, as the op's composite body,
so its results are bit-identical; it only writes intermediate results into the output arrays it
allocates (``out=``) instead of creating one temporary per operation. The inputs are never
modified. Python-float coefficients are applied as weakly typed scalars (NumPy >= 2 converts
them to the array's dtype), like the body's ops do.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import numpy as np


def _on_scalars(kernel, *args):
    """`kernel` on 0-d arguments (a scalar weight): NumPy turns 0-d results into scalars,
    which cannot take ``out=``; run on shape-(1,) views and hand back 0-d arrays."""
    args = [np.reshape(a, (1,)) if isinstance(a, _ARRAYS) and np.ndim(a) == 0 else a for a in args]
    return tuple(np.reshape(r, ()) for r in kernel(*args))


_ARRAYS = (np.ndarray, np.generic)


def _adam_update(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon):
    if not gradient.ndim:
        return _on_scalars(
            _adam_update, gradient, variable, momentum, velocity, alpha, c1, c2, epsilon
        )
    m = np.subtract(gradient, momentum)
    np.multiply(m, c1, out=m)
    np.add(momentum, m, out=m)
    v = np.square(gradient)
    np.subtract(v, velocity, out=v)
    np.multiply(v, c2, out=v)
    np.add(velocity, v, out=v)
    denom = np.sqrt(v)
    np.add(denom, epsilon, out=denom)
    w = np.multiply(m, alpha)
    np.divide(w, denom, out=w)
    np.subtract(variable, w, out=w)
    return w, m, v


def _first_moment_into(gradient, momentum, c1, work):
    """``momentum += (gradient - momentum) * c1`` as `_adam_update` computes it, in place
    (`work`: scratch; it may be `gradient` itself when nothing reads the gradient after)."""
    np.subtract(gradient, momentum, out=work)
    np.multiply(work, c1, out=work)
    np.add(momentum, work, out=momentum)


def _second_moment_into(gradient, velocity, c2, work):
    """``velocity += (gradient ** 2 - velocity) * c2`` as `_adam_update` computes it, in
    place (`work`: scratch)."""
    np.square(gradient, out=work)
    np.subtract(work, velocity, out=work)
    np.multiply(work, c2, out=work)
    np.add(velocity, work, out=velocity)


def _adam_moments_into(gradient, momentum, velocity, c1, c2, work):
    """`_adam_update`'s two moments, in its order, written in place (`work`: scratch)."""
    _first_moment_into(gradient, momentum, c1, work)
    _second_moment_into(gradient, velocity, c2, work)


def _weight_into(variable, momentum, velocity, alpha, epsilon, work, denom):
    """`_adam_update`'s weight step from the new moments, in place (`work` and `denom`:
    scratch); returns the updated state."""
    np.sqrt(velocity, out=denom)
    np.add(denom, epsilon, out=denom)
    np.multiply(momentum, alpha, out=work)
    np.divide(work, denom, out=work)
    np.subtract(variable, work, out=variable)
    return variable, momentum, velocity


def _adam_into(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon, work, denom):
    """The operations of `_adam_update`, in its order, writing the moments and the weight in
    place; `work` and `denom` are scratch buffers shaped like `variable` (`denom` may be
    `gradient` itself: it is not read after the second moment)."""
    _adam_moments_into(gradient, momentum, velocity, c1, c2, work)
    return _weight_into(variable, momentum, velocity, alpha, epsilon, work, denom)


def _adam_update_into(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon):
    """`_adam_update` writing its results into `variable`, `momentum` and `velocity` (the
    replay of a jit-ed step uses it when those buffers are donated and dead after the update).
    Bit-identical to `_adam_update`: the same operations on the same operands."""
    if variable.size > _CHUNK and _contiguous(gradient, variable, momentum, velocity):
        return _adam_chunked(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon)
    work = _scratch(variable, 0)
    arrays = (variable, momentum, velocity, work)
    if variable.size <= _CHUNK or not all(a.flags.c_contiguous for a in arrays):
        denom = _scratch(variable, 1)
        return _adam_into(
            gradient, variable, momentum, velocity, alpha, c1, c2, epsilon, work, denom
        )
    # (A large weight with a strided gradient.) One weight-sized scratch buffer: the moments
    # as in `_adam_into`, the denominator then in `work`, and the last three operations
    # chunk by chunk in a small temporary.
    _adam_moments_into(gradient, momentum, velocity, c1, c2, work)
    np.sqrt(velocity, out=work)
    np.add(work, epsilon, out=work)
    w, m, denom = variable.reshape(-1), momentum.reshape(-1), work.reshape(-1)
    # A trace's one call takes small parts (few pages; speed does not matter there).
    chunk = _CHUNK // 8 if getattr(_SCRATCH, "one_off", False) else _CHUNK
    part = np.empty(chunk, dtype=work.dtype)
    for start in range(0, w.size, chunk):
        stop = min(start + chunk, w.size)
        t = part[: stop - start]
        np.multiply(m[start:stop], alpha, out=t)
        np.divide(t, denom[start:stop], out=t)
        np.subtract(w[start:stop], t, out=w[start:stop])
    return variable, momentum, velocity


# Most elements per chunk (256 KiB of float32). Weights larger than one chunk are updated
# chunk by chunk from start to end, in equal parts: the scratch is one or two chunk buffers
# instead of weight-sized ones, which would stay allocated for good (the hand-written loop's
# temporary). Each extra part costs its NumPy calls' overhead (about 15 us per part of an
# Adam update in a training step, measured for a 784x128 kernel), small next to the
# arithmetic of the weights it applies to. Smaller weights are updated array by array.
_CHUNK = 1 << 16


def _contiguous(*arrays: np.ndarray) -> bool:
    return all(a.flags.c_contiguous for a in arrays)


def _part_size(n: int) -> int:
    """Elements per part when `n` elements are cut into the fewest equal parts of at most
    `_CHUNK` elements (the last part may be smaller)."""
    return -(-n // -(-n // _CHUNK))


def _in_parts(body, tensors: tuple, scalars: tuple, n_scratch: int) -> None:
    """``body(*tensor_parts, *scalars, *scratch_parts)`` over equal parts of at most `_CHUNK`
    elements of the C-contiguous, same-sized `tensors` (an elementwise update written in
    place: each element goes through the same operations in the same order as in one call
    on the whole arrays, so the result is bit-identical). The scratch is `n_scratch` chunk
    buffers of the dtype of ``tensors[1]`` (the variable); in a trace's one call (`one_off_scratch`) a missing buffer beyond the first is
    a small temporary, and the parts are then small too."""
    flat = [t.reshape(-1) for t in tensors]
    n = flat[0].size
    size = _part_size(n)
    dtype = tensors[1].dtype
    scratch = [_chunk_buffer(dtype, k, size) for k in range(n_scratch)]
    size = min([size, *(b.size for b in scratch)])  # smaller when a temporary (one-off)
    for start in range(0, n, size):
        stop = min(start + size, n)
        parts = [t[start:stop] for t in flat]
        body(*parts, *scalars, *(b[: stop - start] for b in scratch))


def _adam_chunked(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon):
    """`_adam_into` on C-contiguous arrays, in parts (`_in_parts`): two chunk buffers."""
    tensors = (gradient, variable, momentum, velocity)
    _in_parts(_adam_into, tensors, (alpha, c1, c2, epsilon), 2)
    return variable, momentum, velocity


def _adam_into_gradient_in_parts(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon):
    """`_adam_into_gradient` on C-contiguous arrays with one chunk buffer as scratch: only the
    operations that need scratch beside the gradient's buffer run in parts (the second
    moment, and the weight step once the denominator is in the gradient's buffer); the first
    moment and the denominator run on whole arrays. 19 NumPy calls instead of 24 for two
    parts of everything (each part's calls cost about 15 us more than their arithmetic in a
    training step). Bit-identical: the same operations per element, in the same order."""
    g, w, m, v = (a.reshape(-1) for a in (gradient, variable, momentum, velocity))
    n = w.size
    size = _part_size(n)
    work = _chunk_buffer(variable.dtype, 0, size)
    for start in range(0, n, size):
        stop = min(start + size, n)
        _second_moment_into(g[start:stop], v[start:stop], c2, work[: stop - start])
    _first_moment_into(g, m, c1, g)
    np.sqrt(v, out=g)
    np.add(g, epsilon, out=g)  # the denominator
    for start in range(0, n, size):
        stop = min(start + size, n)
        t = work[: stop - start]
        np.multiply(m[start:stop], alpha, out=t)
        np.divide(t, g[start:stop], out=t)
        np.subtract(w[start:stop], t, out=w[start:stop])
    return variable, momentum, velocity


def _adam_update_into_reusing_gradient(
    gradient, variable, momentum, velocity, alpha, c1, c2, epsilon
):
    """`_adam_update_into` that also uses `gradient`'s buffer as scratch once it is dead (see
    `_adam_into_gradient`): one scratch buffer instead of two, so a large weight's update
    touches five arrays instead of six (it then fits the CPU's L2 cache more often).
    Bit-identical."""
    if variable.size > _CHUNK and _contiguous(gradient, variable, momentum, velocity):
        return _adam_into_gradient_in_parts(
            gradient, variable, momentum, velocity, alpha, c1, c2, epsilon
        )
    work = _scratch(variable, 0)
    return _adam_into_gradient(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon, work)


def _adam_into_gradient(gradient, variable, momentum, velocity, alpha, c1, c2, epsilon, work):
    """The operations of `_adam_update` written in place, with `gradient` as scratch once it
    is read for the last time: the second moment first (it reads the gradient's square), then
    the first moment computed in the gradient's buffer (``g - m`` reads two arrays and writes
    one of them instead of a third: the fastest of the update's operations to change), then
    the denominator there too. Each element goes through the same operations as in
    `_adam_update` (the moments do not depend on each other), so the result is
    bit-identical."""
    _second_moment_into(gradient, velocity, c2, work)
    _first_moment_into(gradient, momentum, c1, gradient)
    return _weight_into(variable, momentum, velocity, alpha, epsilon, work, gradient)


_adam_update.inplace = (_adam_update_into, (1, 2, 3))
# (variant, written arguments, scratch argument): used when the gradient is a fresh array that
# nothing reads after the update (the replay of a jit-ed step knows).
_adam_update.inplace_scratch = (_adam_update_into_reusing_gradient, (1, 2, 3), 0)
# (variant, number of tensor arguments): the update is elementwise over its first 4 arguments
# (gradient, then the written state, returned in order) with the rest shared, so the replay
# may update several small variables at once, on flat buffers holding them side by side
# (`kerasx_numpy.replay_codegen._FlatGroup`); the variant may use argument 0 as scratch.
_adam_update.flat = (_adam_update_into_reusing_gradient, 4)

_SCRATCH = threading.local()


def _scratch(like: np.ndarray, k: int) -> np.ndarray:
    """Reusable temporary buffer `k` shaped like `like` (one flat buffer per dtype and `k`,
    per thread, as large as the largest request): in-place updates then allocate nothing
    (fresh large allocations cost page faults on every step)."""
    cache = getattr(_SCRATCH, "buffers", None)
    if cache is None:
        cache = _SCRATCH.buffers = {}
    key = (like.dtype.str, k)
    buf = cache.get(key)
    if buf is None or buf.size < like.size:
        if k and getattr(_SCRATCH, "one_off", False):
            return np.empty(like.shape, dtype=like.dtype)  # freed after the call
        buf = cache[key] = np.empty(like.size, dtype=like.dtype)
    return buf[: like.size].reshape(like.shape)


def _chunk_buffer(dtype: np.dtype, k: int, size: int) -> np.ndarray:
    """Flat scratch buffer `k` of `dtype` with at least `size` (at most `_CHUNK`) elements,
    kept per thread as `_scratch`'s (as large as the largest request): in a trace's call
    (`one_off_scratch`) a missing or smaller buffer `k` >= 1 is instead a temporary of at
    most an eighth of a chunk (the caller then works in smaller parts)."""
    cache = getattr(_SCRATCH, "chunks", None)
    if cache is None:
        cache = _SCRATCH.chunks = {}
    key = (np.dtype(dtype).str, k)
    buf = cache.get(key)
    if buf is None or buf.size < size:
        if k and getattr(_SCRATCH, "one_off", False):
            return np.empty(min(size, _CHUNK // 8), dtype=dtype)
        buf = cache[key] = np.empty(size, dtype=dtype)
    return buf


@contextlib.contextmanager
def one_off_scratch() -> Iterator[None]:
    """In the block, in-place updates take missing scratch buffers as temporaries instead
    of growing the cache: for calls made once (a trace's eager call), whose buffers would
    otherwise stay allocated for good although the replay that follows needs fewer."""
    previous = getattr(_SCRATCH, "one_off", False)
    _SCRATCH.one_off = True
    try:
        yield
    finally:
        _SCRATCH.one_off = previous


def _sgd_momentum_update(gradient, variable, momentum, learning_rate, momentum_rate, nesterov):
    if not gradient.ndim:
        return _on_scalars(
            _sgd_momentum_update,
            gradient,
            variable,
            momentum,
            learning_rate,
            momentum_rate,
            nesterov,
        )
    m = np.negative(gradient)
    np.multiply(m, learning_rate, out=m)
    w = np.multiply(momentum, momentum_rate)
    np.add(m, w, out=m)
    if nesterov:
        np.negative(gradient, out=w)
        np.multiply(w, learning_rate, out=w)
        tmp = np.multiply(m, momentum_rate)
        np.add(w, tmp, out=w)
        np.add(variable, w, out=w)
    else:
        np.add(variable, m, out=w)
    return w, m


def _rmsprop_update(gradient, variable, velocity, learning_rate, rho, epsilon):
    if not gradient.ndim:
        return _on_scalars(
            _rmsprop_update, gradient, variable, velocity, learning_rate, rho, epsilon
        )
    v = np.multiply(velocity, rho)
    w = np.square(gradient)
    np.multiply(w, 1 - rho, out=w)
    np.add(v, w, out=v)
    denom = np.add(v, epsilon)
    np.sqrt(denom, out=denom)
    np.multiply(learning_rate, gradient, out=w)
    np.divide(w, denom, out=w)
    np.subtract(variable, w, out=w)
    return w, v


def _sgd_momentum_into(
    gradient, variable, momentum, learning_rate, momentum_rate, nesterov, *scratch
):
    """`_sgd_momentum_update`'s operations, in its order, writing the weight and the momentum
    in place (`scratch`: one buffer shaped like them, two with `nesterov`)."""
    step = scratch[0]
    np.negative(gradient, out=step)
    np.multiply(step, learning_rate, out=step)  # -g * lr
    np.multiply(momentum, momentum_rate, out=momentum)
    np.add(step, momentum, out=momentum)  # the new momentum
    if nesterov:
        ahead = scratch[1]
        np.multiply(momentum, momentum_rate, out=ahead)
        np.add(step, ahead, out=step)
        np.add(variable, step, out=variable)
    else:
        np.add(variable, momentum, out=variable)


def _sgd_momentum_update_into(gradient, variable, momentum, learning_rate, momentum_rate, nesterov):
    """`_sgd_momentum_update` writing the weight and the momentum in place (the replay uses
    it for donated buffers that are dead after the update). Bit-identical: the same
    operations on the same operands; a weight larger than a chunk is updated in parts."""
    args = (learning_rate, momentum_rate, nesterov)
    n_scratch = 2 if nesterov else 1
    if variable.size > _CHUNK and _contiguous(gradient, variable, momentum):
        _in_parts(_sgd_momentum_into, (gradient, variable, momentum), args, n_scratch)
    else:
        scratch = [_scratch(variable, k) for k in range(n_scratch)]
        _sgd_momentum_into(gradient, variable, momentum, *args, *scratch)
    return variable, momentum


def _rmsprop_into(gradient, variable, velocity, learning_rate, rho, epsilon, work, denom):
    """`_rmsprop_update`'s operations, in its order, writing the weight and the velocity in
    place (`work`, `denom`: scratch shaped like them)."""
    np.multiply(velocity, rho, out=velocity)
    np.square(gradient, out=work)
    np.multiply(work, 1 - rho, out=work)
    np.add(velocity, work, out=velocity)
    np.add(velocity, epsilon, out=denom)
    np.sqrt(denom, out=denom)
    np.multiply(learning_rate, gradient, out=work)
    np.divide(work, denom, out=work)
    np.subtract(variable, work, out=variable)


def _rmsprop_update_into(gradient, variable, velocity, learning_rate, rho, epsilon):
    """`_rmsprop_update` writing the weight and the velocity in place. Bit-identical; a
    weight larger than a chunk is updated in parts."""
    args = (learning_rate, rho, epsilon)
    if variable.size > _CHUNK and _contiguous(gradient, variable, velocity):
        _in_parts(_rmsprop_into, (gradient, variable, velocity), args, 2)
    else:
        _rmsprop_into(
            gradient, variable, velocity, *args, _scratch(variable, 0), _scratch(variable, 1)
        )
    return variable, velocity


# In-place and flat forms (see `_adam_update`'s attributes above).
_sgd_momentum_update.inplace = (_sgd_momentum_update_into, (1, 2))
_sgd_momentum_update.flat = (_sgd_momentum_update_into, 3)
_rmsprop_update.inplace = (_rmsprop_update_into, (1, 2))
_rmsprop_update.flat = (_rmsprop_update_into, 3)


def _adam_step_size(learning_rate, step, beta_1, beta_2):
    # The composite's operations, without a kernel dispatch for each (this runs every step;
    # the weak Python scalars take the learning rate's dtype, as there). For float32 and
    # float64, NumPy scalars do the same IEEE operations as 0-d arrays at a third of the cost.
    dt = learning_rate.dtype.type
    one = dt(1)
    if (
        learning_rate.dtype in _SCALAR_MATH
        and np.ndim(step) == 0
        and getattr(step, "dtype", learning_rate.dtype) == learning_rate.dtype  # no promotion
    ):
        s = dt(step)
        size = dt(learning_rate) * np.sqrt(one - dt(beta_2) ** s) / (one - dt(beta_1) ** s)
        return np.asarray(size)
    b1_t = np.power(dt(beta_1), step)
    b2_t = np.power(dt(beta_2), step)
    size = np.divide(np.multiply(learning_rate, np.sqrt(np.subtract(one, b2_t))), one - b1_t)
    return np.asarray(size)


_SCALAR_MATH = (np.dtype(np.float32), np.dtype(np.float64))


KERNELS = {
    "_adam_step_size": _adam_step_size,
    "_adam_update": _adam_update,
    "_sgd_momentum_update": _sgd_momentum_update,
    "_rmsprop_update": _rmsprop_update,
}
