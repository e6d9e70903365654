"""NumPy kernels: CTC loss (log-space forward recursion) and CTC decoding.

The functions below take the array module as `xp` only where it keeps them readable; every
loop runs over time steps, never over batch items or elements.
"""

from __future__ import annotations

import numpy as np

LOG_ZERO = -1e5
_HASH_MUL = 1_000_003
_HASH_MOD = 2_147_483_647


def _rules():
    from kerasx.ops import nn_ctc

    return nn_ctc


def _log_softmax(x):
    shifted = x - np.max(x, axis=-1, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=-1, keepdims=True))


def _shift_right(a, k, fill):
    out = np.full_like(a, fill)
    if k < a.shape[1]:
        out[:, k:] = a[:, : a.shape[1] - k]
    return out


def _lse3(a, b, c):
    m = np.maximum(np.maximum(a, b), c)
    return m + np.log(np.exp(a - m) + np.exp(b - m) + np.exp(c - m))


def ctc_loss(target, output, target_length, output_length, mask_index):
    _rules().ctc_loss_shape(
        target.shape, output.shape, target_length.shape, output_length.shape, mask_index
    )
    dtype = output.dtype
    x = output if dtype in (np.float32, np.float64) else output.astype(np.float32)
    b, t_max, _ = x.shape
    n_lab = target.shape[1]
    s = 2 * n_lab + 1
    ext = np.full((b, s), mask_index, dtype=np.int64)
    ext[:, 1::2] = target
    prev2 = _shift_right(ext, 2, -1)
    skip = ext != prev2  # blank positions always equal their s-2 neighbour
    logp = _log_softmax(x)
    em = np.take_along_axis(logp, np.broadcast_to(ext[:, None, :], (b, t_max, s)), axis=2)
    pos = np.arange(s)[None, :]
    alpha = np.where(pos < 2, em[:, 0, :], LOG_ZERO).astype(x.dtype)
    ol = np.asarray(output_length).reshape(b, 1)
    for t in range(1, t_max):
        a2 = np.where(skip, _shift_right(alpha, 2, LOG_ZERO), LOG_ZERO)
        new = _lse3(alpha, _shift_right(alpha, 1, LOG_ZERO), a2) + em[:, t, :]
        alpha = np.where(ol > t, new, alpha)
    tl = np.asarray(target_length).reshape(b, 1)
    is_end = (pos == 2 * tl) | ((pos == 2 * tl - 1) & (tl > 0))
    ends = np.where(is_end, alpha, LOG_ZERO)
    m = np.max(ends, axis=1)
    ll = m + np.log(np.sum(np.exp(ends - m[:, None]), axis=1))
    out = -ll
    want = dtype if dtype.kind == "f" else np.dtype(np.float32)
    return out.astype(want, copy=False)


# ------------------------------------------------------------------------------ decoding


def _compact(labels, keep, fill=-1):
    """Move the kept labels of each row to the front (order preserved); pad with `fill`."""
    order = np.argsort(~keep, axis=1, kind="stable")
    moved = np.take_along_axis(labels, order, axis=1)
    count = np.sum(keep, axis=1, keepdims=True)
    return np.where(np.arange(labels.shape[1])[None, :] < count, moved, fill)


def _greedy(inputs, lengths, merge_repeated, mask_index):
    b, t_max, _ = inputs.shape
    best = np.argmax(inputs, axis=-1).astype(np.int32)
    valid = np.arange(t_max)[None, :] < lengths.reshape(b, 1)
    keep = valid & (best != mask_index)
    if merge_repeated:
        prev = np.concatenate([np.full((b, 1), -1, dtype=np.int32), best[:, :-1]], axis=1)
        keep &= best != prev
    decoded = _compact(best, keep).astype(np.int32)
    score = -np.sum(np.where(valid, np.max(inputs, axis=-1), 0.0), axis=1)
    return decoded[None], score[:, None].astype(inputs.dtype)


def _beam_search(inputs, lengths, beam_width, top_paths, mask_index):
    b, t_max, c = inputs.shape
    x = inputs if inputs.dtype in (np.float32, np.float64) else inputs.astype(np.float32)
    logp = _log_softmax(x)
    w = int(beam_width)
    chars = np.array([k for k in range(c) if k != mask_index], dtype=np.int64)
    c1 = chars.size
    neg = -np.inf
    prefix = np.full((b, w, t_max), -1, dtype=np.int32)
    plen = np.zeros((b, w), dtype=np.int64)
    last = np.full((b, w), -1, dtype=np.int64)
    hsh = np.zeros((b, w), dtype=np.int64)
    pb = np.full((b, w), neg, dtype=x.dtype)
    pb[:, 0] = 0.0
    pnb = np.full((b, w), neg, dtype=x.dtype)
    rows = np.arange(b)[:, None]
    steps = np.arange(t_max)
    for t in range(t_max):
        lp = logp[:, t, :]
        tot = np.logaddexp(pb, pnb)
        valid = tot > neg
        same_pb = tot + lp[:, mask_index][:, None]
        lp_last = np.take_along_axis(lp, np.maximum(last, 0), axis=1)
        same_pnb = np.where(last >= 0, pnb + lp_last, neg)
        lp_c = lp[:, chars][:, None, :]
        is_last = chars[None, None, :] == last[:, :, None]
        ext_pnb = np.where(is_last, pb[:, :, None], tot[:, :, None]) + lp_c
        ext_hash = (hsh[:, :, None] * _HASH_MUL + (chars[None, None, :] + 1)) % _HASH_MOD
        match = (
            (ext_hash[..., None] == hsh[:, None, None, :])
            & valid[:, None, None, :]
            & (plen[:, None, None, :] == plen[:, :, None, None] + 1)
        )
        into = np.where(match, ext_pnb[..., None], neg)  # (B, W, C1, W')
        m = np.max(into, axis=(1, 2))
        finite = m > neg
        m_safe = np.where(finite, m, 0.0)
        add = np.where(
            finite,
            m_safe + np.log(np.sum(np.exp(into - m_safe[:, None, None, :]), axis=(1, 2))),
            neg,
        )
        same_pnb = np.logaddexp(same_pnb, add)
        ext_pnb = np.where(np.any(match, axis=-1), neg, ext_pnb)
        scores = np.concatenate(
            [np.logaddexp(same_pb, same_pnb), ext_pnb.reshape(b, w * c1)], axis=1
        )
        pick = np.argsort(-scores, axis=1, kind="stable")[:, :w]
        is_ext = pick >= w
        j = np.where(is_ext, pick - w, 0)
        parent = np.where(is_ext, j // c1, pick)
        new_char = chars[j % c1] if c1 else np.zeros_like(j)
        par_prefix = prefix[rows, parent]
        par_len = plen[rows, parent]
        written = np.where(
            is_ext[:, :, None] & (steps[None, None, :] == par_len[:, :, None]),
            new_char[:, :, None],
            par_prefix,
        )
        n_prefix = written.astype(np.int32)
        n_plen = par_len + is_ext
        n_last = np.where(is_ext, new_char, last[rows, parent])
        n_hsh = np.where(is_ext, ext_hash.reshape(b, w * c1)[rows, j], hsh[rows, parent])
        n_pb = np.where(is_ext, neg, same_pb[rows, parent])
        n_pnb = np.where(is_ext, ext_pnb.reshape(b, w * c1)[rows, j], same_pnb[rows, parent])
        live = (t < lengths).reshape(b, 1)
        prefix = np.where(live[:, :, None], n_prefix, prefix)
        plen = np.where(live, n_plen, plen)
        last = np.where(live, n_last, last)
        hsh = np.where(live, n_hsh, hsh)
        pb = np.where(live, n_pb, pb)
        pnb = np.where(live, n_pnb, pnb)
    final = np.logaddexp(pb, pnb)
    order = np.argsort(-final, axis=1, kind="stable")[:, :top_paths]
    decoded = np.transpose(prefix[rows, order], (1, 0, 2))
    return decoded.astype(np.int32), final[rows, order].astype(inputs.dtype)


def ctc_decode(
    inputs, sequence_lengths, strategy, beam_width, top_paths, merge_repeated, mask_index
):
    _rules().check_decode_args(strategy, beam_width, top_paths, mask_index)
    if inputs.dtype.kind != "f":
        inputs = inputs.astype(np.float32)
    lengths = np.asarray(sequence_lengths).astype(np.int64)
    if strategy == "greedy":
        return _greedy(inputs, lengths, merge_repeated, mask_index)
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _beam_search(inputs, lengths, beam_width, top_paths, mask_index)


KERNELS = {
    "ctc_loss": ctc_loss,
    "ctc_decode": ctc_decode,
}
