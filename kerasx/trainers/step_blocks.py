"""Blocks of steps: several steps of an epoch in one compiled call, chosen by the trainer.

On JAX, dispatching a compiled call costs tens of microseconds (about 75 with a small MLP's
state donated), a quarter of that model's whole step on the CPU. When nothing can observe the
model between two steps (no callback hooks between batches, or only hooks that are fine with
one call per block, such as the progress bar's) the trainer runs the steps of an epoch in
blocks of up to the engine's ``fused_steps``, one compiled call per block
(`StepRunner._block_size`). Each step is the same step as ever, on the same batch, so the
weights, metrics and logs come out exactly as with one call per step.

The block's call takes the number of steps to run as an argument, so a single compilation
serves full blocks and the shorter last block of an epoch. Batches are copied into aligned,
reused buffers stacked along a new first axis (`StackStager`), which XLA then reads in place.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from kerasx import ops
from kerasx.trainers.batch_staging import StackStager


class StepBlocks:
    """The blocks of one epoch: batches are put in a block until it is full, then run.

    Args:
        fn: the compiled block, ``(state, stacked, n) -> (new_state, logs, token)``.
        stager: the `StackStager` the batches are copied into.
        on_begin: the callbacks' batch-begin hook (or None), called once per block with the
            index of its first batch.
        on_end: the callbacks' batch-end hook (or None), called once per block with the index
            of its last batch and the logs after it.
    """

    def __init__(self, fn: Any, stager: StackStager, on_begin: Any, on_end: Any) -> None:
        self._fn = fn
        self._stager = stager
        self._on_begin = on_begin
        self._on_end = on_end
        self._counts: dict[int, Any] = {}
        self.pending = 0  # batches put in the current block
        self._last = -1  # the index of the last batch put
        # With a batch-end hook the first block is the first step alone, so the hook sees
        # the time after the first step (the progress bar's time per step leaves it out).
        self._full = 1 if on_end is not None else stager.steps

    def put(self, state: Any, step: int, batch: Any) -> bool:
        """Add batch number `step` to the current block and run the block once full. False
        (nothing done) for a batch unlike the ones the blocks were made for (the shorter last
        batch of an epoch, say): the caller runs it on its own, after `flush`."""
        if not self._stager.put(self.pending, batch):
            return False
        self.pending += 1
        self._last = step
        if self.pending == self._full:
            self.flush(state)
            self._full = self._stager.steps
        return True

    def flush(self, state: Any) -> None:
        """Run the batches put so far (if any) as one block on `state`."""
        n = self.pending
        if not n:
            return
        self.pending = 0  # (a block that raises is not run again)
        first = self._last - n + 1
        if self._on_begin is not None:
            self._on_begin(first)
        count = self._counts.get(n)
        if count is None:
            count = self._counts[n] = ops.convert_to_tensor(np.int32(n))
        new, logs, token = self._fn(state.values, self._stager.take(), count)
        self._stager.mark(token)
        state.values = new
        if state.following:
            state.follow()
        if self._on_end is not None:
            self._on_end(self._last, logs)
