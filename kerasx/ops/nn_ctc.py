"""Neural-network ops: connectionist temporal classification (CTC) loss and decoding.

`ctc_loss` runs the forward (alpha) recursion in log space, vectorised over the batch, with
a loop over time. It is a composite (the body below, in registry ops, serves engines without
a fused kernel) with fused NumPy and JAX kernels, so it carries a VJP rule: the rule runs the
alpha and beta recursions in registry ops and returns ``softmax(output) - posteriors``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import dtypes as _dt
from kerasx.engine.registry import defop
from kerasx.ops._helpers import K, Sample, randn, shape_of
from kerasx.ops.nn_activations import log_softmax, softmax

# The log-space "zero" of the recursions (as in Keras: an unreachable alignment costs 1e5).
LOG_ZERO = -1e5


def _int_arg(value: Any, name: str, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < low:
        raise ValueError(
            f"Received an invalid value for `{name}`, expected an int >= {low}. "
            f"Received: {name}={value!r}"
        )
    return int(value)


def ctc_loss_shape(
    target: tuple, output: tuple, target_length: tuple, output_length: tuple, mask_index: Any = 0
) -> tuple:
    """Shape rule of `ctc_loss` (also used by the engine kernels)."""
    _int_arg(mask_index, "mask_index")
    if len(target) != 2 or len(output) != 3:
        raise ValueError(
            "`ctc_loss` expects `target` of shape (batch, max_label_length) and `output` of "
            f"shape (batch, max_time, num_classes). Received: target.shape={tuple(target)}, "
            f"output.shape={tuple(output)}"
        )
    b = output[0] if output[0] is not None else target[0]
    for name, s in (("target_length", target_length), ("output_length", output_length)):
        if len(s) != 1 or (s[0] is not None and b is not None and s[0] != b):
            raise ValueError(
                f"`{name}` must have shape (batch,) = ({b},). Received: {name}.shape={tuple(s)}"
            )
    if target[0] is not None and output[0] is not None and target[0] != output[0]:
        raise ValueError(
            "`target` and `output` must have the same batch size. Received: "
            f"target.shape={tuple(target)}, output.shape={tuple(output)}"
        )
    return (b,)


# --------------------------------------------------------- recursions in registry ops


def _lse3(a: Any, b: Any, c: Any) -> Any:
    m = K.stop_gradient(K.maximum(K.maximum(a, b), c))
    s = K.add(K.add(K.exp(K.subtract(a, m)), K.exp(K.subtract(b, m))), K.exp(K.subtract(c, m)))
    return K.add(m, K.log(s))


def _shift_right(a: Any, k: int) -> Any:
    """Shift (B, S) right by `k` along S, filling with LOG_ZERO."""
    s = shape_of(a)[1]
    pad = K.full_like(a[:, : min(k, s)], LOG_ZERO)
    return K.concatenate([pad, a[:, : max(s - k, 0)]], axis=1)[:, :s]


def _shift_left(a: Any, k: int) -> Any:
    s = shape_of(a)[1]
    pad = K.full_like(a[:, : min(k, s)], LOG_ZERO)
    return K.concatenate([a[:, min(k, s) :], pad], axis=1)[:, :s]


class _Setup:
    """Extended labels, skip masks and emissions of one CTC problem (registry ops)."""

    def __init__(self, target: Any, logp: Any, target_length: Any, mask_index: int) -> None:
        b, t, c = shape_of(logp)
        n_lab = shape_of(target)[1]
        s = 2 * n_lab + 1
        target = K.cast(target, "int32")
        blanks = K.full_like(target, mask_index)
        ext = K.reshape(K.stack([blanks, target], axis=-1), (b, 2 * n_lab))
        ext = K.concatenate([ext, K.full((b, 1), mask_index, dtype="int32")], axis=1)
        prev2 = _shift_right(K.cast(ext, "float32"), 2)  # LOG_ZERO never equals a label
        # A skip over s-1 is allowed where the label differs from the one at s-2 (blank
        # positions always equal theirs).
        self.skip = K.not_equal(K.cast(ext, "float32"), prev2)
        self.ext = ext
        self.em = K.take_along_axis(logp, K.broadcast_to(K.expand_dims(ext, 1), (b, t, s)), axis=2)
        tl = K.cast(target_length, "int32")
        pos = K.expand_dims(K.arange(s, dtype="int32"), 0)
        last = K.expand_dims(K.multiply(tl, 2), 1)
        self.is_end = K.logical_or(
            K.equal(pos, last),
            K.logical_and(K.equal(pos, K.subtract(last, 1)), K.greater(K.expand_dims(tl, 1), 0)),
        )
        self.first = K.less(pos, 2)
        self.shape = (b, t, c, s)


def _alphas(st: _Setup, output_length: Any) -> tuple[list, Any]:
    """Forward recursion: the list of alpha_t (B, S) and the log-likelihood (B,)."""
    b, t_max, _, _ = st.shape
    ol = K.expand_dims(K.cast(output_length, "int32"), 1)
    alpha = K.where(st.first, st.em[:, 0, :], LOG_ZERO)
    alphas = [alpha]
    for t in range(1, t_max):
        skip2 = K.where(st.skip, _shift_right(alpha, 2), LOG_ZERO)
        new = K.add(_lse3(alpha, _shift_right(alpha, 1), skip2), st.em[:, t, :])
        alpha = K.where(K.greater(ol, t), new, alpha)
        alphas.append(alpha)
    ends = K.where(st.is_end, alpha, LOG_ZERO)
    return alphas, K.logsumexp(ends, axis=1)


def _ctc_vjp_output(
    g: Any,
    ans: Any,
    target: Any,
    output: Any,
    target_length: Any,
    output_length: Any,
    mask_index: Any,
) -> Any:
    dt = _dt.standardize_dtype(output.dtype)
    x = K.cast(output, "float32") if dt in ("float16", "bfloat16") else output
    logp = log_softmax(x, axis=-1)
    st = _Setup(target, logp, target_length, int(mask_index))
    b, t_max, c, s = st.shape
    alphas, ll = _alphas(st, output_length)
    ol = K.expand_dims(K.cast(output_length, "int32"), 1)
    skip_next = _shift_left(K.cast(st.skip, x.dtype), 2)
    beta = K.full_like(alphas[0], LOG_ZERO)
    posts = [None] * t_max
    ll_col = K.expand_dims(ll, 1)
    for t in range(t_max - 1, -1, -1):
        em_t = st.em[:, t, :]
        init = K.where(st.is_end, em_t, LOG_ZERO)
        b2 = K.where(K.greater(skip_next, 0), _shift_left(beta, 2), LOG_ZERO)
        rec = K.add(_lse3(beta, _shift_left(beta, 1), b2), em_t)
        beta = K.where(K.equal(ol, t + 1), init, K.where(K.greater(ol, t + 1), rec, LOG_ZERO))
        logpost = K.subtract(K.subtract(K.add(alphas[t], beta), em_t), ll_col)
        posts[t] = K.where(K.greater(ol, t), K.exp(logpost), 0.0)
    post = K.stack(posts, axis=1)  # (B, T, S)
    occupancy = K.einsum("bts,bsc->btc", post, K.one_hot(st.ext, c, dtype=x.dtype))
    valid = K.cast(
        K.less(K.reshape(K.arange(t_max, dtype="int32"), (1, t_max, 1)), K.expand_dims(ol, 2)),
        x.dtype,
    )
    grad = K.multiply(K.subtract(softmax(x, axis=-1), occupancy), valid)
    grad = K.multiply(grad, K.reshape(g, (b, 1, 1)))
    return K.cast(grad, dt) if dt != _dt.standardize_dtype(grad.dtype) else grad


def _ctc_samples(rng: Any) -> list:
    return [
        Sample(
            (
                np.array([[1, 2, 2], [3, 1, 0]], dtype=np.int32),
                randn(rng, 2, 5, 4),
                np.array([3, 2], dtype=np.int32),
                np.array([5, 4], dtype=np.int32),
            )
        ),
        Sample(
            (
                np.array([[1, 0], [2, 1], [0, 0]], dtype=np.int32),
                randn(rng, 3, 4, 3) * 2.0,
                np.array([2, 2, 0], dtype=np.int32),
                np.array([4, 3, 2], dtype=np.int32),
            ),
            {"mask_index": 2},
        ),
    ]


@defop(
    tensors=("target", "output", "target_length", "output_length"),
    promote=("output",),
    to_float=True,
    shape=ctc_loss_shape,
    composite=True,
    vjp={
        "output": _ctc_vjp_output,
        "target": lambda *a: None,
        "target_length": lambda *a: None,
        "output_length": lambda *a: None,
    },
    samples=_ctc_samples,
    namespaces=("nn",),
)
def ctc_loss(
    target: Any, output: Any, target_length: Any, output_length: Any, mask_index: int = 0
) -> Any:
    """CTC loss: the negative log-likelihood of each label sequence under the per-frame class
    distributions ``softmax(output)``, summed over all alignments.

    Args:
        target: ``(batch, max_label_length)`` integer labels (entries past `target_length`
            are ignored).
        output: ``(batch, max_time, num_classes)`` logits.
        target_length: ``(batch,)`` label sequence lengths.
        output_length: ``(batch,)`` numbers of valid frames.
        mask_index: the class index of the CTC blank.

    Returns:
        ``(batch,)`` losses. An impossible alignment costs about 1e5 (the log-space zero).
    """
    mask_index = _int_arg(mask_index, "mask_index")
    output = K.convert_to_tensor(output)
    dt = _dt.standardize_dtype(output.dtype)
    x = output if dt in ("float32", "float64") else K.cast(output, "float32")
    ctc_loss_shape(
        shape_of(target),
        shape_of(x),
        shape_of(target_length),
        shape_of(output_length),
        mask_index,
    )
    st = _Setup(target, log_softmax(x, axis=-1), target_length, mask_index)
    _, ll = _alphas(st, output_length)
    out = K.negative(ll)
    want = dt if _dt.is_float_dtype(dt) else _dt.float_result(dt)
    return K.cast(out, want) if want != _dt.standardize_dtype(out.dtype) else out


# ------------------------------------------------------------------------ ctc_decode


def _ctc_decode_shape(
    inputs: tuple,
    sequence_lengths: tuple,
    strategy: Any = "greedy",
    beam_width: Any = 100,
    top_paths: Any = 1,
    merge_repeated: Any = True,
    mask_index: Any = 0,
) -> list:
    check_decode_args(strategy, beam_width, top_paths, mask_index)
    if len(inputs) != 3:
        raise ValueError(
            "`ctc_decode` expects `inputs` of shape (batch, max_time, num_classes). "
            f"Received: inputs.shape={tuple(inputs)}"
        )
    b, t, _ = inputs
    paths = 1 if strategy == "greedy" else int(top_paths)
    return [(paths, b, t), (b, paths)]


def check_decode_args(strategy: Any, beam_width: Any, top_paths: Any, mask_index: Any) -> None:
    """Validate the static arguments of `ctc_decode`."""
    if strategy not in ("greedy", "beam_search"):
        raise ValueError(
            "Received an invalid value for `strategy`, expected 'greedy' or 'beam_search'. "
            f"Received: strategy={strategy!r}"
        )
    _int_arg(mask_index, "mask_index")
    if strategy == "beam_search":
        _int_arg(beam_width, "beam_width", 1)
        _int_arg(top_paths, "top_paths", 1)
        if top_paths > beam_width:
            raise ValueError(
                "`top_paths` cannot exceed `beam_width`. Received: "
                f"top_paths={top_paths}, beam_width={beam_width}"
            )


def _decode_dtype(inputs: str, *args: Any) -> list:
    f = inputs if _dt.is_float_dtype(inputs) else _dt.float_result(inputs)
    return ["int32", f]


def _decode_samples(rng: Any) -> list:
    x = randn(rng, 2, 6, 4)
    lengths = np.array([6, 4], dtype=np.int32)
    # Keras 3's NumPy beam search takes log(0) and warns (an error under pytest's settings);
    # tests/core/test_ops_nn.py compares the beam search with Keras, warnings silenced.
    return [
        Sample((x, lengths), grad=False),
        Sample((x, lengths), {"merge_repeated": False, "mask_index": 2}, grad=False),
        Sample(
            (x, lengths),
            {"strategy": "beam_search", "beam_width": 5, "top_paths": 3},
            grad=False,
            keras=False,
        ),
        Sample(
            (randn(rng, 3, 5, 3) * 2.0, np.array([5, 2, 4], dtype=np.int32)),
            {"strategy": "beam_search", "beam_width": 4, "top_paths": 2, "mask_index": 1},
            grad=False,
            keras=False,
        ),
    ]


@defop(
    tensors=("inputs", "sequence_lengths"),
    shape=_ctc_decode_shape,
    dtype=_decode_dtype,
    nondiff=True,
    samples=_decode_samples,
    namespaces=("nn",),
)
def ctc_decode(
    inputs: Any,
    sequence_lengths: Any,
    strategy: str = "greedy",
    beam_width: int = 100,
    top_paths: int = 1,
    merge_repeated: bool = True,
    mask_index: int = 0,
) -> Any:
    """Decode CTC outputs into label sequences.

    Args:
        inputs: ``(batch, max_time, num_classes)`` logits or scores.
        sequence_lengths: ``(batch,)`` numbers of valid frames.
        strategy: ``"greedy"`` (best class per frame, then collapse) or ``"beam_search"``
            (prefix beam search over ``log_softmax(inputs)``).
        beam_width: number of prefixes kept per step (beam search).
        top_paths: number of best sequences returned (beam search; greedy returns one).
        merge_repeated: greedy decoding: merge repeated classes before dropping blanks.
        mask_index: the class index of the CTC blank.

    Returns:
        A tuple ``(decoded, log_probs)``: `decoded` is ``(top_paths, batch, max_time)`` int32
        labels padded with -1; `log_probs` is ``(batch, top_paths)`` scores (greedy: minus the
        sum over frames of the best input value, as Keras reports it; beam search: the
        log-probability of each returned prefix).
    """


__all__ = ["ctc_decode", "ctc_loss"]
