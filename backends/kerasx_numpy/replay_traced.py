"""What a trace sees: traced arrays and the recording kernels.

While `kerasx_numpy.replay` traces a function, every registry kernel is swapped for a wrapper
that reports the call to the active recorder (`_Hooks`), and the function's input arrays are
`TracedArray` views, so NumPy operations applied to them directly are reported too. Outside a
trace both behave exactly as the plain kernels and arrays do.
"""

from __future__ import annotations

import operator
import threading
from typing import TYPE_CHECKING, Any

import numpy as np

from kerasx.engine import dispatch

if TYPE_CHECKING:
    from kerasx_numpy.replay import _Recorder

# The active trace (one per thread; a jit-ed function called during another trace is inlined).
_local = threading.local()


def _active() -> _Recorder | None:
    return getattr(_local, "recorder", None)


def _plain(v: Any) -> Any:
    """`v` with traced arrays (also inside lists and tuples) turned back into plain ones."""
    if isinstance(v, TracedArray):
        return v.view(np.ndarray)
    if isinstance(v, (list, tuple)) and any(isinstance(t, TracedArray) for t in v):
        items = [_plain(t) for t in v]
        if type(v) is list:
            return items
        return tuple(items) if type(v) is tuple else type(v)(*items)
    return v


def _trace_view(x: Any) -> TracedArray:
    if isinstance(x, TracedArray):
        return x
    if isinstance(x, np.generic):
        x = np.asarray(x)
    return x.view(TracedArray)


# NumPy functions whose results are static facts about shapes and dtypes.
_STATIC_FUNCS = {np.shape, np.ndim, np.size, np.result_type, np.iscomplexobj, np.isrealobj}


class TracedArray(np.ndarray):
    """A NumPy array seen during a trace: NumPy operations applied to it directly (operators,
    ufuncs, NumPy functions, the usual methods) are recorded like kernel calls, so code that
    does arithmetic on raw arrays is replayed too. Converting one to a Python value (`float`,
    `bool`, `item`, ...) depends on the data, so it abandons the trace."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        fn = ufunc if method == "__call__" else getattr(ufunc, method)
        rec = _active()
        if "out" in kwargs:
            if rec is not None:
                rec.abandon(f"an in-place NumPy operation (`{ufunc.__name__}` with out=)")
            kwargs["out"] = tuple(_plain(o) for o in kwargs["out"])
            return fn(*(_plain(v) for v in inputs), **kwargs)
        if rec is None:
            return fn(*(_plain(v) for v in inputs), **kwargs)
        return rec.call(fn, inputs, kwargs)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        rec = _active()
        if rec is None or func in _STATIC_FUNCS:
            return func(*(_plain(v) for v in args), **{k: _plain(v) for k, v in kwargs.items()})
        if "out" in kwargs and kwargs["out"] is not None:
            rec.abandon(f"an in-place NumPy operation (`{func.__name__}` with out=)")
        out = rec.call(func, args, kwargs)
        if isinstance(out, (bool, int, float, complex)) and not rec.depth:
            rec.abandon(f"`numpy.{func.__name__}` turned an array into a Python value")
        return out

    def _to_python(self, what: str) -> None:
        rec = _active()
        if rec is not None and not rec.depth:
            rec.abandon(f"a traced array was converted to a Python value ({what})")

    def __float__(self) -> float:
        self._to_python("float")
        return float(self.view(np.ndarray))

    def __int__(self) -> int:
        self._to_python("int")
        return int(self.view(np.ndarray))

    def __index__(self) -> int:
        self._to_python("index")
        return self.view(np.ndarray).__index__()

    def __bool__(self) -> bool:
        self._to_python("bool")
        return bool(self.view(np.ndarray))

    def __complex__(self) -> complex:
        self._to_python("complex")
        return complex(self.view(np.ndarray))

    def item(self, *args: Any) -> Any:
        self._to_python("item")
        return self.view(np.ndarray).item(*args)

    def tolist(self) -> Any:
        self._to_python("tolist")
        return self.view(np.ndarray).tolist()

    def __setitem__(self, key: Any, value: Any) -> None:
        rec = _active()
        if rec is not None:
            rec.abandon("an in-place NumPy assignment (x[...] = ...)")
        self.view(np.ndarray)[_plain(key)] = _plain(value)

    def __repr__(self) -> str:
        return repr(self.view(np.ndarray))


def _method(name: str) -> Any:
    def call(x: Any, *args: Any, **kwargs: Any) -> Any:
        return getattr(x, name)(*args, **kwargs)

    call.__name__ = f"ndarray.{name}"
    return call


def _recorded_method(name: str) -> Any:
    fn = operator.getitem if name == "__getitem__" else _method(name)

    def method(self: TracedArray, *args: Any, **kwargs: Any) -> Any:
        rec = _active()
        if rec is None:
            return fn(self.view(np.ndarray), *(_plain(a) for a in args), **kwargs)
        return rec.call(fn, (self, *args), kwargs)

    method.__name__ = name
    return method


for _name in (
    "__getitem__",
    "astype",
    "reshape",
    "transpose",
    "copy",
    "ravel",
    "flatten",
    "squeeze",
    "swapaxes",
    "argmax",
    "argmin",
    "argsort",
    "clip",
    "round",
    "dot",
    "cumsum",
    "cumprod",
    "nonzero",
    "repeat",
    "take",
    "diagonal",
    "trace",
    "conj",
    "conjugate",
    "searchsorted",
):
    setattr(TracedArray, _name, _recorded_method(_name))
for _name in ("fill", "sort", "partition", "resize", "put", "itemset", "setfield"):

    def _inplace(self: TracedArray, *args: Any, _n: str = _name, **kwargs: Any) -> Any:
        rec = _active()
        if rec is not None:
            rec.abandon(f"an in-place NumPy method (`ndarray.{_n}`)")
        return getattr(self.view(np.ndarray), _n)(*(_plain(a) for a in args), **kwargs)

    setattr(TracedArray, _name, _inplace)
for _name in ("T", "real", "imag"):

    def _prop(self: TracedArray, _n: str = _name) -> Any:
        rec = _active()
        fn = _getattr_fn(_n)
        if rec is None:
            return fn(self.view(np.ndarray))
        return rec.call(fn, (self,), {})

    setattr(TracedArray, _name, property(_prop))


def _getattr_fn(name: str) -> Any:
    fn = _ATTR_FNS.get(name)
    if fn is None:

        def fn(x: Any) -> Any:
            return getattr(x, name)

        fn.__name__ = f"ndarray.{name}"
        _ATTR_FNS[name] = fn
    return fn


_ATTR_FNS: dict[str, Any] = {}


def _recording(kernel: Any) -> Any:
    """The recording form of `kernel` (made once per kernel: every trace swaps in the same
    wrappers instead of allocating hundreds of new ones)."""
    wrapper = _RECORDING.get(kernel)
    if wrapper is None:
        wrapper = _RECORDING[kernel] = _RecordingKernel(kernel)
    return wrapper


_RECORDING: dict[Any, Any] = {}
_ABANDONING: dict[Any, Any] = {}


class _RecordingKernel:
    """A kernel that reports its calls to the active recorder (and runs plainly outside a
    trace). One small object per kernel of the registry: a slotted instance instead of a
    closure with an attribute dictionary, since every kernel gets one on the first trace."""

    __slots__ = ("__wrapped__",)

    def __init__(self, kernel: Any) -> None:
        self.__wrapped__ = kernel

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        rec = _active()
        if rec is None:
            return self.__wrapped__(*args, **kwargs)
        return rec.call(self.__wrapped__, args, kwargs)

    def __getattr__(self, name: str) -> Any:
        # One-pass gradient kernels attached to the kernel (`vjp_output`, `vjp_x`, ...) are
        # recorded too; other attributes are the plain kernel's business.
        if name.startswith("vjp_"):
            return _recording(getattr(self.__wrapped__, name))
        raise AttributeError(name)


def _abandoning(kernel: Any, name: str) -> Any:
    wrapper = _ABANDONING.get(kernel)
    if wrapper is None:
        wrapper = _ABANDONING[kernel] = _AbandoningKernel(kernel, name)
    return wrapper


class _AbandoningKernel:
    """A higher-order kernel (its control flow depends on values): calling it during a trace
    abandons the trace; it runs plainly."""

    __slots__ = ("__wrapped__", "name")

    def __init__(self, kernel: Any, name: str) -> None:
        self.__wrapped__ = kernel
        self.name = name

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        rec = _active()
        if rec is not None and not rec.depth and rec.abandoned is None:
            rec.abandoned = (
                f"the higher-order op `{self.name}` (its control flow depends on values)"
            )
        return self.__wrapped__(*args, **kwargs)


_HOOKS = (_RecordingKernel, _AbandoningKernel)


def _hooked(op: Any) -> Any:
    """The wrapper that stands in for `op`'s kernel during a trace (None: left alone)."""
    k = op.kernel
    if k is None or type(k) in _HOOKS or getattr(k, "missing", False):
        return None
    return _abandoning(k, op.name) if op.higher_order else _recording(k)


def make_hooks(engine: Any) -> None:
    """Make the wrappers of every registered kernel and of `engine`'s random kernels now
    (`load_compiler`: when a model is compiled) rather than during the first trace; they are
    kept for the process."""
    from kerasx.engine.registry import REGISTRY

    for op in REGISTRY.values():
        _hooked(op)
    for name in [n for n in engine.kernels if n.startswith("random_")]:
        _recording(engine.kernels[name])


class _Hooks:
    """Swaps every kernel for a recording one while a trace runs (and back). The wrappers are
    made once per kernel, and a trace allocates nothing to swap them."""

    def __init__(self, engine: Any) -> None:
        self.engine = engine
        self.saved_kernels: dict = {}

    def __enter__(self) -> None:
        from kerasx.engine.registry import REGISTRY, _load_all_ops

        _load_all_ops()  # an op family imported mid-trace would get an unhooked kernel
        for op in REGISTRY.values():
            hooked = _hooked(op)
            if hooked is not None:
                op.kernel = hooked
        dispatch.FAST_TYPES.add(TracedArray)
        kernels = self.engine.kernels
        for name in [n for n in kernels if n.startswith("random_")]:
            k = self.saved_kernels[name] = kernels[name]
            kernels[name] = _recording(k)

    def __exit__(self, *exc: Any) -> None:
        from kerasx.engine.registry import REGISTRY

        for op in REGISTRY.values():
            k = op.kernel
            if type(k) in _HOOKS:
                op.kernel = k.__wrapped__
        self.engine.kernels.update(self.saved_kernels)
        dispatch.FAST_TYPES.discard(TracedArray)
