"""`PyDataset`: a Python object that serves batches by index, optionally in parallel."""

from __future__ import annotations

import warnings
from typing import Any


class PyDataset:
    """Base class for datasets that hand out whole batches by index.

    Subclass it, call `super().__init__(**kwargs)` in your constructor, and implement
    `__getitem__(index)` (return one batch: `x`, `(x,)`, `(x, y)` or `(x, y, sample_weight)`)
    and either `__len__` or the `num_batches` property (the number of batches per epoch, or
    `None` for an endless dataset). `fit`, `evaluate` and `predict` accept an instance
    directly; `on_epoch_begin` / `on_epoch_end` run around each epoch.

    Args:
        workers: How many workers fetch batches at the same time. With `1` (the default)
            batches are fetched one by one in the calling thread.
        use_multiprocessing: Fetch batches in worker processes instead of threads. The
            dataset must then be picklable.
        max_queue_size: How many fetched batches may wait in the queue ahead of the model.
    """

    def __init__(
        self, workers: int = 1, use_multiprocessing: bool = False, max_queue_size: int = 10
    ) -> None:
        self._workers = workers
        self._use_multiprocessing = use_multiprocessing
        self._max_queue_size = max_queue_size

    def _check_super_called(self) -> None:
        if not hasattr(self, "_workers"):
            warnings.warn(
                "Your `PyDataset` subclass should call `super().__init__(**kwargs)` in its "
                "constructor; `**kwargs` may hold `workers`, `use_multiprocessing` and "
                "`max_queue_size`. Passing these arguments to `fit()` has no effect.",
                stacklevel=3,
            )
            self._workers = 1
            self._use_multiprocessing = False
            self._max_queue_size = 10

    @property
    def workers(self) -> int:
        """Number of parallel workers used to fetch batches."""
        self._check_super_called()
        return self._workers

    @workers.setter
    def workers(self, value: int) -> None:
        self._workers = value

    @property
    def use_multiprocessing(self) -> bool:
        """Whether workers are processes (`True`) or threads (`False`)."""
        self._check_super_called()
        return self._use_multiprocessing

    @use_multiprocessing.setter
    def use_multiprocessing(self, value: bool) -> None:
        self._use_multiprocessing = value

    @property
    def max_queue_size(self) -> int:
        """Maximum number of batches fetched ahead of their use."""
        self._check_super_called()
        return self._max_queue_size

    @max_queue_size.setter
    def max_queue_size(self, value: int) -> None:
        self._max_queue_size = value

    def __getitem__(self, index: int) -> Any:
        """Return the batch at position `index` (an int in `[0, num_batches)`)."""
        raise NotImplementedError

    @property
    def num_batches(self) -> int | None:
        """Number of batches in one epoch; `None` means the dataset never ends.

        The default uses `__len__`; override this property instead for an endless dataset.
        """
        if hasattr(self, "__len__"):
            return len(self)
        raise NotImplementedError(
            "Your `PyDataset` subclass must say how many batches it has: implement "
            "`__len__` or the `num_batches` property, e.g.\n\n"
            "@property\ndef num_batches(self):\n    return ...  # an int, or None if endless"
        )

    def on_epoch_begin(self) -> None:
        """Called at the start of every epoch. Override to prepare per-epoch state."""

    def on_epoch_end(self) -> None:
        """Called at the end of every epoch. Override to e.g. reshuffle your data."""
