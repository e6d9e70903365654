"""`PyDataset`: a Python object that serves batches by index, optionally in parallel."""

from __future__ import annotations

import collections
import itertools
import os
import random
import warnings
import weakref
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import concurrent.futures


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


# ---------------------------------------------------------------------------------------------
# Adapter: reads a PyDataset batch by batch, in order, optionally with parallel workers
# ---------------------------------------------------------------------------------------------

# In a worker process: the snapshot file last loaded and the dataset read from it.
_WORKER_STATE: dict[str, Any] = {"path": None, "dataset": None}


def _worker_getitem(path: str, index: int) -> Any:
    """Fetch batch `index` of the dataset snapshot pickled at `path` (loaded once per pass)."""
    import pickle

    if _WORKER_STATE["path"] != path:
        with open(path, "rb") as f:
            _WORKER_STATE["dataset"] = pickle.load(f)
        _WORKER_STATE["path"] = path
    return _WORKER_STATE["dataset"][index]


def _process_context() -> Any:
    """The start method for worker processes: forkserver where it exists, else spawn.

    Both start workers from a fresh single-threaded process, so they are safe next to JAX's
    threads (forking a multi-threaded process may deadlock the child).
    """
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _snapshot(dataset: PyDataset) -> str:
    """Pickle `dataset` to a temporary file (one per pass) and return its path."""
    import pickle
    import tempfile

    try:
        payload = pickle.dumps(dataset, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as e:
        raise ValueError(
            f"`use_multiprocessing=True` needs a picklable PyDataset, but pickling "
            f"{type(dataset).__name__} failed: {e}. Define the class at the top level of an "
            "importable module and keep only picklable attributes, or use threads "
            "(`use_multiprocessing=False`)."
        ) from e
    fd, path = tempfile.mkstemp(prefix="kerasx_pydataset_", suffix=".pkl")
    with os.fdopen(fd, "wb") as f:
        f.write(payload)
    return path


class PyDatasetAdapter:
    """Hands out the batches of a `PyDataset`, in index order (or shuffled indices).

    With `workers > 1` (or `use_multiprocessing=True`) a pool of threads (or processes)
    fetches up to `max_queue_size` batches ahead; the batches still come out in order, and a
    worker's exception is raised in the caller. A batch that is not a tuple is wrapped as
    `(batch,)`; a list becomes a tuple.

    Args:
        dataset: The `PyDataset`.
        y: Must be `None` (targets come from the dataset).
        sample_weight: Must be `None` (weights come from the dataset).
        shuffle: Whether to visit the batch indices in a new random order (Python's
            `random.shuffle`) every pass. Ignored for an endless dataset.
        class_weight: Optional dict from class index to weight, applied to each `(x, y)` batch.
    """

    def __init__(
        self,
        dataset: PyDataset,
        y: Any = None,
        sample_weight: Any = None,
        shuffle: bool | str = False,
        class_weight: dict | None = None,
    ) -> None:
        from kerasx.trainers.data_adapters import utils

        if y is not None:
            raise ValueError(
                "When providing `x` as a PyDataset, `y` should not be passed. Instead, the "
                "targets should be included as part of the PyDataset (return `(x, y)` from "
                "`__getitem__`)."
            )
        if sample_weight is not None:
            raise ValueError(
                "When providing `x` as a PyDataset, `sample_weights` should not be passed. "
                "Instead, the sample weights should be included as part of the PyDataset "
                "(return `(x, y, sample_weight)` from `__getitem__`)."
            )
        utils.check_class_weight(class_weight)
        self._dataset = dataset
        self._shuffle = bool(shuffle)
        self._class_weight = class_weight
        # Read once, so a subclass that forgot super().__init__() is warned about here.
        self._workers = dataset.workers
        self._use_multiprocessing = dataset.use_multiprocessing
        self._max_queue_size = dataset.max_queue_size
        self._pool: concurrent.futures.Executor | None = None

    @property
    def num_batches(self) -> int | None:
        """The dataset's `num_batches` (`None` for an endless dataset)."""
        return self._dataset.num_batches

    @property
    def batch_size(self) -> None:
        """Always `None`: the dataset decides the size of each batch."""
        return None

    def on_epoch_begin(self) -> None:
        """Forward to the dataset's `on_epoch_begin`."""
        self._dataset.on_epoch_begin()

    def on_epoch_end(self) -> None:
        """Forward to the dataset's `on_epoch_end`."""
        self._dataset.on_epoch_end()

    def _indices(self) -> Iterator[int]:
        n = self.num_batches
        if n is None:
            return itertools.count()
        order = list(range(n))
        if self._shuffle:
            random.shuffle(order)
        return iter(order)

    def _standardize(self, batch: Any) -> tuple:
        from kerasx.trainers.data_adapters import utils

        if isinstance(batch, list):
            batch = tuple(batch)
        elif not isinstance(batch, tuple):
            batch = (batch,)
        if self._class_weight is not None and len(batch) >= 2:
            if len(batch) == 3 and batch[2] is not None:
                raise ValueError(
                    "You cannot specify `class_weight` and `sample_weight` at the same time: "
                    "the PyDataset returns `(x, y, sample_weight)` batches."
                )
            weights = utils.class_weight_to_sample_weights(batch[1], self._class_weight)
            batch = (batch[0], batch[1], weights)
        return batch

    def begin_pass(self) -> Iterator[tuple]:
        """Start one pass over the dataset's batch indices.

        Returns:
            An iterator of batches as tuples `(x,)`, `(x, y)` or `(x, y, sample_weight)`.
        """
        parallel = self._workers > 1 or (self._use_multiprocessing and self._workers > 0)
        if not parallel:
            return (self._standardize(self._dataset[i]) for i in self._indices())
        return self._iterate_parallel()

    def _executor(self) -> concurrent.futures.Executor:
        """The worker pool, started on first use and kept for later passes."""
        import concurrent.futures

        if self._pool is None:
            if self._use_multiprocessing:
                self._pool = concurrent.futures.ProcessPoolExecutor(
                    max_workers=self._workers, mp_context=_process_context()
                )
            else:
                self._pool = concurrent.futures.ThreadPoolExecutor(
                    max_workers=self._workers, thread_name_prefix="kerasx_pydataset"
                )
            weakref.finalize(self, self._pool.shutdown, wait=False, cancel_futures=True)
        return self._pool

    def _iterate_parallel(self) -> Iterator[tuple]:
        import concurrent.futures

        # Processes read a fresh snapshot of the dataset each pass, so state changed by
        # `on_epoch_end` (e.g. a reshuffled file list) reaches them as it reaches threads.
        path = _snapshot(self._dataset) if self._use_multiprocessing else None
        executor = self._executor()

        def submit(index: int) -> concurrent.futures.Future:
            if path is None:
                return executor.submit(self._dataset.__getitem__, index)
            return executor.submit(_worker_getitem, path, index)

        ahead = max(int(self._max_queue_size), self._workers, 1)
        pending: collections.deque = collections.deque()
        indices = self._indices()
        try:
            for index in itertools.islice(indices, ahead):
                pending.append(submit(index))
            while pending:
                batch = pending.popleft().result()
                for index in itertools.islice(indices, 1):
                    pending.append(submit(index))
                yield self._standardize(batch)
        finally:
            for future in pending:
                future.cancel()
            if path is not None:
                concurrent.futures.wait(pending)
                os.remove(path)
