"""Staging host batches in aligned, reused buffers for engines that can read them in place.

XLA on the CPU takes a NumPy array as a step's argument without copying it when its data is
aligned (64 bytes); otherwise every call copies it into freshly allocated memory, which costs
about as much as a small MLP's whole backward pass. Batches sliced from a user's array are
rarely aligned (NumPy aligns to 16 bytes). `BatchStager` copies each batch into one of a few
aligned buffers it owns and reuses: one warm copy instead of a copy into new pages, and the
engine then reads the buffer directly.

Reusing a buffer is safe once the step that read it has finished: each staged batch is marked
with a result of its step (`mark`), and a buffer is refilled only after waiting for the mark
left on it `depth` steps earlier (with asynchronous dispatch the Python loop then runs at most
`depth` steps ahead of the engine, which is already the case in practice).

An engine opts in with two members: ``host_batch_alignment`` (bytes; None or 0 when arrays
must be copied anyway, e.g. to a GPU) and ``wait(tree)`` (block until the arrays are computed).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx.engine import tree

# The most bytes of batches a `StackStager` slot stacks (two slots are kept): blocks of steps
# pay off for steps short enough that a call's dispatch matters, which go with small batches.
MAX_STACKED_BYTES = 1 << 22

# Smaller arrays are left alone: the engine's own copy of them lands in memory the allocator
# recycles (no fresh pages), and staging measured slower than that (MLP at batch 32: +3%).
MIN_STAGED_BYTES = 1 << 17


def aligned_empty(shape: tuple, dtype: Any, alignment: int) -> np.ndarray:
    """An uninitialised C-contiguous array whose data starts at a multiple of `alignment`."""
    dtype = np.dtype(dtype)
    nbytes = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    raw = np.empty(nbytes + alignment, dtype=np.uint8)
    offset = (-raw.ctypes.data) % alignment
    return raw[offset : offset + nbytes].view(dtype).reshape(shape)


class _SlotRing:
    """A ring of `depth` slots of buffers the engine reads in place: a slot is refilled only
    after waiting for the result marked on it by the call that read it (`mark`)."""

    def __init__(self, engine: Any, alignment: int, depth: int) -> None:
        self._engine = engine
        self._alignment = alignment
        self._marks: list[Any] = [None] * depth
        self._slot = 0

    def _free_slot(self) -> int:
        """The current slot, once the call that read its buffers is done."""
        slot = self._slot
        mark = self._marks[slot]
        if mark is not None:
            self._engine.wait(mark)
            self._marks[slot] = None
        return slot

    def mark(self, result: Any) -> None:
        """Record a result of the call that reads this slot's buffers, and move on to the
        next slot."""
        self._marks[self._slot] = result
        self._slot = (self._slot + 1) % len(self._marks)


class BatchStager(_SlotRing):
    """A ring of `depth` slots of aligned buffers for flat batches of NumPy arrays."""

    def __init__(self, engine: Any, alignment: int, depth: int = 4) -> None:
        super().__init__(engine, alignment, depth)
        self._buffers: list[dict[int, np.ndarray]] = [{} for _ in range(depth)]

    @staticmethod
    def applies(batch: Any) -> bool:
        """Whether batches like `batch` have an array large enough to be staged (decided once
        per pass, so that small batches pay nothing per step)."""
        return type(batch) is tuple and any(
            type(a) is np.ndarray and a.nbytes >= MIN_STAGED_BYTES for a in batch
        )

    def stage(self, batch: Any) -> Any:
        """`batch` (a tuple of NumPy arrays and None) with every unaligned array copied into
        this slot's buffers; anything else is returned unchanged."""
        if type(batch) is not tuple:
            return batch
        slot = self._slot
        out = []
        for i, a in enumerate(batch):
            if a is None:
                out.append(None)
                continue
            if type(a) is not np.ndarray or a.dtype.kind not in "biuf" or a.ndim == 0:
                return batch
            if a.nbytes < MIN_STAGED_BYTES or (
                a.flags.c_contiguous and a.ctypes.data % self._alignment == 0
            ):
                out.append(a)  # small (copied cheaply into recycled memory) or aligned already
                continue
            slot = self._free_slot()
            buf = self._buffers[slot].get(i)
            if buf is None or buf.shape != a.shape or buf.dtype != a.dtype:
                buf = self._buffers[slot][i] = aligned_empty(a.shape, a.dtype, self._alignment)
            np.copyto(buf, a)
            out.append(buf)
        return tuple(out)


class StackStager(_SlotRing):
    """A ring of `depth` slots, each holding aligned buffers for `steps` batches stacked along
    a new first axis: the input of a compiled call that runs several steps (see
    kerasx/trainers/step_blocks.py). Batches are tuples of NumPy arrays (and None), or
    nested tuples, lists and dicts of them (a model with several inputs); the first batch put
    decides the structure, shapes and dtypes of all."""

    def __init__(self, engine: Any, alignment: int, steps: int, depth: int = 2) -> None:
        super().__init__(engine, alignment, depth)
        self.steps = steps
        self._buffers: list[tuple | None] = [None] * depth
        self._stacked: list[Any] = [None] * depth  # the buffers in the batches' structure
        self._form: tuple | None = None  # the first batch's structure and leaf specs

    @staticmethod
    def _split(batch: Any) -> tuple[Any, tuple] | None:
        """``(structure, leaves)`` of a batch (None for anything but tuples, lists, dicts)."""
        if type(batch) is tuple and all(a is None or type(a) is np.ndarray for a in batch):
            return "flat", batch  # the usual (x, y, sample_weight): no flattening
        if isinstance(batch, (tuple, list, dict)):
            return _structure_of(batch), tuple(tree.flatten(batch))
        return None

    @staticmethod
    def _stackable(leaves: tuple) -> bool:
        return any(a is not None for a in leaves) and all(
            a is None or (type(a) is np.ndarray and a.ndim > 0 and a.dtype.kind in "biuf")
            for a in leaves
        )

    @classmethod
    def steps_for(cls, batch: Any) -> int:
        """How many batches like `batch` a slot may stack (0 when they cannot be stacked)."""
        split = cls._split(batch)
        if split is None or not cls._stackable(split[1]):
            return 0
        nbytes = sum(a.nbytes for a in split[1] if a is not None)
        return MAX_STACKED_BYTES // max(nbytes, 1)

    def put(self, j: int, batch: Any) -> bool:
        """Copy `batch` into place `j` of this slot's buffers; False (copying nothing) when
        its structure, shapes or dtypes are not the first batch's."""
        split = self._split(batch)
        if split is None:
            return False
        structure, leaves = split
        form = (structure, tuple(_spec(a) for a in leaves))
        if self._form is None:
            if not self._stackable(leaves):
                return False
            self._form = form
        elif form != self._form:
            return False
        slot = self._free_slot() if j == 0 else self._slot
        bufs = self._buffers[slot]
        if bufs is None:
            bufs = self._buffers[slot] = tuple(
                None
                if spec is None
                else aligned_empty((self.steps, *spec[0]), spec[1], self._alignment)
                for spec in form[1]
            )
            self._stacked[slot] = (
                bufs if structure == "flat" else tree.pack_sequence_as(batch, list(bufs))
            )
        for a, buf in zip(leaves, bufs):
            if a is not None:
                np.copyto(buf[j], a)
        return True

    def take(self) -> Any:
        """This slot's stacked buffers, in the batches' structure (the batches put so far in
        the leading places)."""
        return self._stacked[self._slot]


def _spec(leaf: Any) -> Any:
    """What must match between batches stacked together: an array's shape and dtype."""
    if leaf is None:
        return None
    if type(leaf) is np.ndarray:
        return (leaf.shape, leaf.dtype)
    return type(leaf)  # (not stackable: the first batch's form never holds one)


def _structure_of(batch: Any) -> Any:
    """A comparable description of a nested batch's containers (types, lengths, dict keys)."""
    if isinstance(batch, dict):
        return (type(batch), tuple((k, _structure_of(v)) for k, v in sorted(batch.items())))
    if isinstance(batch, (tuple, list)):
        return (type(batch), tuple(_structure_of(v) for v in batch))
    return None
