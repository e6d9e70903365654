"""Memory of `fit` in bench/training.py: the peak memory of one W1 `fit` epoch (and of the MLP
with `WIDE` hidden units), each in a fresh process.

Child side (`memory_main`, run by ``training.py --memory NAME``): load the data, build and
compile the model (the baseline), reset the kernel's peak-RSS mark, run one epoch and read the
new peak; optionally count the allocations under `tracemalloc` instead. Driver side
(`run_memory`): the children, with Python's bytecode cache on (`_memory_env`), and the medians
of their answers. bench/README.md ("Memory") explains the method.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from _competitors import factory
from _training_common import (
    BATCH_W1,
    ENTRY,
    MARK,
    REPO,
    WIDE,
    _env_for,
    answer_channel,
    load_data,
    wide_init,
)

# =========================================================================== child side


def _proc_status_kb(field: str) -> int | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _release_free_heap() -> None:
    """Give memory the C heap holds free back to the system (glibc `malloc_trim`), so that a
    fit's growth is counted in full: otherwise what the set-up freed (a large temporary
    raises glibc's mmap threshold, and later frees then stay in the heap) is reused by the fit
    without showing in RSS, by chance and by different amounts per competitor."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.malloc_trim(0)
    except (OSError, AttributeError):
        pass


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark (Linux: clear_refs 5); False where unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def memory_main(name: str, folder: str, use_tracemalloc: bool, hidden: int | None = None) -> None:
    """Peak memory of one W1 fit epoch (or of the MLP with `hidden` units), in this fresh
    process; prints one JSON line."""
    import gc
    import resource

    answers = answer_channel()
    x, y, init = load_data(folder)
    if hidden:
        init = wide_init(hidden)
    trainer = factory(name)(init)  # import and build: part of the baseline
    gc.collect()
    _release_free_heap()
    setup_peak_kb = _proc_status_kb("VmHWM") or 0
    reset = _reset_peak()
    base_kb = _proc_status_kb("VmRSS") or 0
    # ru_maxrss of a child started by a big parent includes the parent's RSS at fork time,
    # so it is used only where the kernel's peak mark cannot be reset.
    base_maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out: dict = {"peak_reset": reset, "base_mb": base_kb / 1024}
    if use_tracemalloc:
        import tracemalloc

        tracemalloc.start()
        loss = trainer.fit_epoch(x, y, BATCH_W1)
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out.update(traced_peak_mb=peak / 2**20, traced_end_mb=current / 2**20, loss=loss)
    else:
        loss = trainer.fit_epoch(x, y, BATCH_W1)
        hwm = _proc_status_kb("VmHWM")
        if reset and hwm is not None:
            out["first_fit_mb"] = (hwm - base_kb) / 1024
            out["total_peak_mb"] = max(hwm, setup_peak_kb) / 1024
        else:
            maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            out["first_fit_mb"] = max(0, maxrss - max(base_maxrss, base_kb)) / 1024
        out["after_fit_mb"] = (_proc_status_kb("VmRSS") or 0) / 1024
        gc.collect()
        if _reset_peak():
            base2 = _proc_status_kb("VmRSS") or 0
            trainer.fit_epoch(x, y, BATCH_W1)
            out["second_fit_mb"] = ((_proc_status_kb("VmHWM") or 0) - base2) / 1024
        out["loss"] = loss
    answers.write(MARK + json.dumps(out) + "\n")


# =========================================================================== driver side


def _memory_env(name: str, pyc_cache: str) -> dict:
    """The environment of a memory child: as for timing, and with Python's bytecode cache on
    (in `pyc_cache`). Installed packages come with compiled bytecode; where the environment
    turns writing it off (PYTHONDONTWRITEBYTECODE), every module a `fit` imports for the first
    time would be compiled from source inside the measured window, and the compiler's
    memory (about 2 MiB for one large module) would be counted as the fit's."""
    env = _env_for(name)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = pyc_cache
    return env


def run_memory(names: list[str], folder: str, repeats: int, traced: bool) -> dict:
    """Memory of `fit` per competitor (W1), and of the wide MLP for the NumPy competitors
    (under the key ``"<name> wide"``)."""
    results: dict[str, dict] = {}
    jobs = [(n, False, None) for n in names]
    jobs += [(n, True, None) for n in names if traced and "numpy" in n]
    jobs += [(n, False, WIDE) for n in names if n in ("kerasx-numpy", "hand-numpy")]
    pyc_cache = os.path.join(folder, "pyc-cache")

    def command(name: str, use_tm: bool, hidden: int | None) -> list[str]:
        cmd = [sys.executable, ENTRY, "--memory", name, "--data", folder]
        if use_tm:
            cmd.append("--tracemalloc")
        if hidden:
            cmd += ["--hidden", str(hidden)]
        return cmd

    for name in names:  # a first run per competitor fills the bytecode cache (not counted)
        env = _memory_env(name, pyc_cache)
        subprocess.run(command(name, False, None), capture_output=True, env=env, cwd=REPO)
    for r in range(repeats):
        for name, use_tm, hidden in jobs[r % len(jobs) :] + jobs[: r % len(jobs)]:
            if use_tm and r > 0:
                continue  # tracemalloc counts allocations exactly; once is enough
            env = _memory_env(name, pyc_cache)
            out = subprocess.run(
                command(name, use_tm, hidden), capture_output=True, text=True, env=env, cwd=REPO
            )
            lines = [ln for ln in out.stdout.splitlines() if ln.startswith(MARK)]
            if out.returncode != 0 or not lines:
                print(f"  memory {name} failed: {out.stderr[-1500:]}", flush=True)
                continue
            answer = json.loads(lines[-1][len(MARK) :])
            slot = results.setdefault(f"{name} wide" if hidden else name, {})
            for key, value in answer.items():
                slot.setdefault(key, []).append(value)
    return {
        name: {
            k: (
                statistics.median(v)
                if isinstance(v[0], (int, float)) and not isinstance(v[0], bool)
                else v[0]
            )
            for k, v in d.items()
        }
        for name, d in results.items()
    }
