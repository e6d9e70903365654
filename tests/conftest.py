import os

os.environ.setdefault("KERAS_BACKEND", "numpy")
# XLA's CPU compiler set to compile fast: no LLVM optimisation passes and the older elemental
# emitters instead of the fusion emitters. The suite compiles thousands of small programs
# (every conformance case, and JAX's eager mode compiles each primitive); compiling took far
# longer than running them (the suite took 1339 s on 2 cores with XLA's defaults, 671 s with
# these). XLA's HLO passes are unchanged, so the programs compute the same operations
# (machine-code choices such as fused multiply-adds can still move a result by an ulp).
# Subprocesses that run long convolutions drop it (tests/test_cnn_example.py).
SUITE_XLA_FLAGS = "--xla_backend_optimization_level=0 --xla_cpu_use_fusion_emitters=false"
os.environ.setdefault("XLA_FLAGS", SUITE_XLA_FLAGS)


def _one_blas_thread_per_worker_process() -> None:
    """Under ``pytest -n N`` the N worker processes share the machine's cores: each keeps
    kerasx's convolution worker pool (sized from the BLAS thread count, so its threaded code
    paths are tested) but runs its own BLAS products on one thread. With several BLAS threads
    per process, OpenBLAS's busy-waiting threads compete across processes (the suite then
    took 30% longer on 2 cores)."""
    if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) < 2:
        return
    try:
        from kerasx_numpy.kernels import conv_threads
    except ImportError:
        return
    conv_threads.workers()  # the pool, sized now
    set_blas_threads = conv_threads._state.get("set_local")
    if set_blas_threads is not None:
        set_blas_threads(1)


_one_blas_thread_per_worker_process()
