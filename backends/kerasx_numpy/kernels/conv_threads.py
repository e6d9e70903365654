"""A small worker pool for the convolution kernels: independent blocks run in parallel.

NumPy releases the GIL inside large copies, ufunc loops and BLAS calls, so a few Python
threads can each work on their own part of a convolution (a range of images, or of im2col
blocks). While tasks run on the workers, OpenBLAS is asked to stay single-threaded
(``openblas_set_num_threads_local``, OpenBLAS >= 0.3.27): the parallelism then comes from the
workers, which keeps the memory-bound steps around the matrix products (im2col copies,
scatter-adds, pooling masks) parallel too and avoids OpenBLAS's busy-waiting worker threads,
which cost a lot on a loaded machine when a kernel makes many mid-sized BLAS calls. Despite
its name, that call sets the thread count of the whole process in the OpenBLAS builds NumPy
ships (0.3.31): `run` restores the previous count when the last running batch of tasks ends,
so matrix products outside the convolution kernels (a Dense layer's, the user's own) keep
every BLAS thread.

Without that OpenBLAS entry point (another BLAS, an older OpenBLAS, a non-Linux build whose
library cannot be found), or with one BLAS thread configured (``OPENBLAS_NUM_THREADS=1``),
`run` simply runs the tasks one after the other in the calling thread.
"""

from __future__ import annotations

import ctypes
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

_lock = threading.Lock()
_state: dict[str, Any] = {"pool": None, "workers": None, "set_local": None}
# Batches of tasks running on the workers, and the BLAS thread count to restore after them.
_blas = {"running": 0, "restore": None}


def _openblas() -> Any:
    """The OpenBLAS library NumPy has loaded, if it offers thread-local thread counts."""
    try:
        with open("/proc/self/maps") as f:
            paths = {line.split()[-1] for line in f if "openblas" in line.lower()}
    except OSError:
        return None
    for path in sorted(paths):
        if not os.path.isfile(path):
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads_local"):
            return lib
    return None


def _blas_threads(lib: Any) -> int:
    for name in (
        "openblas_get_num_threads",
        "scipy_openblas_get_num_threads64_",
        "openblas_get_num_threads64_",
    ):
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = ctypes.c_int
            return int(fn())
    return 1


def _init_pool() -> None:
    lib = _openblas()
    workers = min(_blas_threads(lib), os.cpu_count() or 1) if lib is not None else 1
    _state["workers"] = workers
    if workers > 1:
        set_local = lib.openblas_set_num_threads_local
        set_local.argtypes = [ctypes.c_int]
        set_local.restype = ctypes.c_int
        _state["set_local"] = set_local
        # (where the call is really per thread, this keeps each worker single-threaded)
        _state["pool"] = ThreadPoolExecutor(
            workers, thread_name_prefix="kerasx-conv", initializer=lambda: set_local(1)
        )


def workers() -> int:
    """How many parts `run` works on at once (1: everything runs in the calling thread)."""
    if _state["workers"] is None:
        with _lock:
            if _state["workers"] is None:
                _init_pool()
    return _state["workers"]


def run(tasks: list[Callable[[], Any]]) -> list:
    """Run independent tasks (in parallel when a pool exists) and return their results."""
    if len(tasks) <= 1 or workers() <= 1:
        return [task() for task in tasks]
    set_local = _state["set_local"]
    with _lock:
        _blas["running"] += 1
        if _blas["running"] == 1:
            _blas["restore"] = set_local(1)
    try:
        futures = [_state["pool"].submit(task) for task in tasks]
        return [f.result() for f in futures]
    finally:
        with _lock:
            _blas["running"] -= 1
            if _blas["running"] == 0:
                set_local(_blas["restore"])


def split(items: list, parts: int | None = None) -> list[list]:
    """`items` cut into at most `parts` (default: `workers()`) contiguous, non-empty runs."""
    parts = max(1, min(parts or workers(), len(items)))
    size, extra = divmod(len(items), parts)
    out, start = [], 0
    for i in range(parts):
        stop = start + size + (i < extra)
        out.append(items[start:stop])
        start = stop
    return [p for p in out if p]


def _reset_after_fork() -> None:
    # a forked child has none of the parent's threads: start a fresh pool when needed
    _state["pool"] = None
    _state["workers"] = None
    _blas["running"] = 0


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)
