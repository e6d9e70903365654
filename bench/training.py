"""Training benchmarks of issue 3: kerasx vs Keras 3, hand-written JAX, NumPy and PyTorch.

Run: python bench/training.py [--quick] [--markdown] [--only NAME,NAME] [--shuffle]
     python bench/training.py --memory-only [--only kerasx-numpy,hand-numpy]
     python bench/training.py --profile numpy|jax [--workload w1|w3|predict]

Workloads (see bench/README.md):
- W1: MLP 784 -> Dense(128, relu) -> Dense(10, softmax), Adam(1e-3), sparse categorical
  cross-entropy, batch 128, one epoch over 60,000 synthetic float32 samples;
- W1-predict: predict 60,000 samples at batch 1024;
- W3: the same MLP at batch 32 over 2,000 samples, time per step (also
  steps_per_execution=10 for kerasx on JAX and Keras 3);
- import: `import kerasx` (NumPy engine) and import + first op, in fresh processes;
- memory: peak RSS of one W1 `fit` over the process's RSS before it, in fresh processes.

Every competitor lives in its own long-running worker process (so Keras can fix its backend
and kerasx's JAX engine cannot change JAX flags under the hand-written JAX loop). The driver
sends the workers one measurement at a time, alternating the competitors in rounds whose order
rotates, and reports medians and ratios. Warm-up (and compile) runs happen before the rounds
and are reported separately.

This script is the entry point (options, and the worker and memory children it starts, which
run this script again); the parts live beside it: `_training_common` (sizes, data, the
children's protocol and environment), `_training_timing` (workers, rounds, ``--profile``),
`_training_memory`, `_training_import_time` and `_training_report` (text, targets, markdown).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

# The `name as name` imports re-export names that stayed importable from `training` after the
# split into the _training_* modules.
from _competitors import COMPETITORS  # noqa: E402
from _training_common import MARK as MARK  # noqa: E402
from _training_common import THREADS, make_data  # noqa: E402
from _training_common import load_data as load_data  # noqa: E402
from _training_common import wide_init as wide_init  # noqa: E402
from _training_import_time import run_imports  # noqa: E402
from _training_memory import _memory_env as _memory_env  # noqa: E402
from _training_memory import _proc_status_kb as _proc_status_kb  # noqa: E402
from _training_memory import memory_main, run_memory  # noqa: E402
from _training_report import (  # noqa: E402
    extra_rows,
    machine_info,
    print_extra,
    print_markdown,
    print_text,
    summarize,
)
from _training_timing import (  # noqa: E402
    _thread_env_for_profile,
    available,
    profile_main,
    run_training,
    worker_main,
)

# =========================================================================== main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats (about a minute)")
    parser.add_argument("--markdown", action="store_true", help="also print README tables")
    parser.add_argument("--only", help="comma-separated competitors (default: all available)")
    parser.add_argument("--rounds", type=int, help="timed rounds (default 5, quick 3)")
    parser.add_argument("--shuffle", action="store_true", help="shuffle every epoch (all)")
    parser.add_argument(
        "--fresh-workers",
        action="store_true",
        help="new worker processes for every round (medians over processes; slower)",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="BLAS/OpenMP/XLA threads per competitor (default 1; 0 = library defaults)",
    )
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--skip-memory", action="store_true")
    parser.add_argument(
        "--memory-only",
        action="store_true",
        help="only the memory measurements (no timing; they do not depend on the machine's load)",
    )
    parser.add_argument("--profile", choices=["numpy", "jax"], help="cProfile kerasx's fit")
    parser.add_argument("--workload", choices=["w1", "w3", "predict"], default="w1")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    parser.add_argument("--memory", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--data", help=argparse.SUPPRESS)
    parser.add_argument("--hidden", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        return worker_main(args.worker, args.data)
    if args.memory:
        return memory_main(args.memory, args.data, args.tracemalloc, args.hidden)
    if args.profile:
        env = _thread_env_for_profile(args.threads)
        if env is not None:  # thread limits must be in place before NumPy loads BLAS
            os.execve(sys.executable, [sys.executable, *sys.argv], env)
        return profile_main(args.profile, args.workload)

    THREADS["n"] = args.threads
    rounds = args.rounds or (3 if args.quick else 5)
    w3_epochs = 2 if args.quick else 3
    wanted = args.only.split(",") if args.only else list(COMPETITORS)
    unknown = [n for n in wanted if n not in COMPETITORS]
    if unknown:
        parser.error(f"unknown competitors {unknown}; expected some of {list(COMPETITORS)}")
    names, skipped = available(wanted)
    if args.memory_only:
        with tempfile.TemporaryDirectory(prefix="kerasx-bench-") as folder:
            make_data(folder)
            memory = run_memory(names, folder, 1 if args.quick else 2, not args.quick)
        print_extra(extra_rows({}, memory))
        return None
    load_before = tuple(round(v, 2) for v in os.getloadavg())
    info = machine_info()
    info["threads"] = f"{args.threads} per competitor" if args.threads else "library defaults"
    info["workers"] = "new processes every round" if args.fresh_workers else "one per competitor"
    print(f"load average before: {load_before}; {info['cpus']} CPUs", flush=True)
    with tempfile.TemporaryDirectory(prefix="kerasx-bench-") as folder:
        make_data(folder)
        print("training workloads ...", flush=True)
        setups, times, losses, failed = run_training(
            names, folder, rounds, w3_epochs, args.shuffle, args.fresh_workers
        )
        skipped.update(failed)
        imports, import_raw = {}, {}
        if not args.skip_import:
            print("import times ...", flush=True)
            imports, import_raw = run_imports(3 if args.quick else 7)
        memory = {}
        if not args.skip_memory:
            print("memory ...", flush=True)
            mem_names = [n for n in setups]
            memory = run_memory(mem_names, folder, 1 if args.quick else 2, not args.quick)
    load_after = tuple(round(v, 2) for v in os.getloadavg())
    med, cpu, rows = summarize(times)
    extra = extra_rows(imports, memory)
    print_text(
        info,
        (load_before, load_after),
        setups,
        times,
        losses,
        imports,
        import_raw,
        memory,
        med,
        cpu,
        rows,
        skipped,
    )
    print_extra(extra)
    if args.markdown:
        print_markdown(rows, extra, med, (load_before, load_after), info)


if __name__ == "__main__":
    main()
