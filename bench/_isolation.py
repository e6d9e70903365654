"""One competitor at a time: the benchmark drivers stop every other worker process.

Some libraries leave threads busy after their own work (OpenBLAS's threads keep spinning a
while, waiting for more). With the competitors' workers alternating, such threads took a
core from the next competitor: in a full `bench/layers.py` run the JAX LSTM measured about
20% slower than in a run of its own. A worker is therefore stopped (SIGSTOP) whenever
another one is asked to measure, and continued (SIGCONT) when its turn comes. Where those
signals do not exist (Windows) nothing is stopped.
"""

from __future__ import annotations

import os
import signal
import subprocess

_WORKERS: list[list] = []  # [process, stopped?]


def register(proc: subprocess.Popen) -> None:
    """Add a worker process (running) to the set of which only one runs at a time."""
    _WORKERS.append([proc, False])


def run_alone(proc: subprocess.Popen) -> None:
    """Continue `proc` and stop every other registered worker."""
    for entry in _WORKERS:
        _set(entry, stopped=entry[0] is not proc)


def release(proc: subprocess.Popen) -> None:
    """Continue `proc` (so that it can exit) and forget it."""
    for entry in list(_WORKERS):
        if entry[0] is proc:
            _set(entry, stopped=False)
            _WORKERS.remove(entry)


def _set(entry: list, stopped: bool) -> None:
    proc, now = entry
    if now == stopped or not hasattr(signal, "SIGSTOP") or proc.poll() is not None:
        return
    os.kill(proc.pid, signal.SIGSTOP if stopped else signal.SIGCONT)
    entry[1] = stopped
