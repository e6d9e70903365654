"""Dispatch: route an op call to the symbolic rules, the tape, or the active engine's kernel.

The generated op functions (see `registry`) handle the hot case themselves: every tensor
argument is already a native array of the active engine, so they call the kernel directly.
Everything else comes to `bind`:

1. a `Variable` argument is replaced by its current value;
2. any `KerasTensor` argument -> the shape and dtype rules make new KerasTensors;
3. any tape `Tracer` argument -> the call is recorded on the tape (`tape.record`);
4. otherwise arguments are converted to native arrays, promoted, and the kernel runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kerasx.engine import dtypes as _dt

if TYPE_CHECKING:
    from kerasx.engine.registry import OpDef

# Classes of the active engine's native arrays (learned as they are seen, so tracer classes
# of a JIT join the fast path too). The generated op functions hold this very set object.
FAST_TYPES: set[type] = set()

# Set by discovery.activate.
_engine: Any = None

# Filled in by symbolic.py / tape.py / variables.py at import (avoids import cycles).
_KerasTensor: type = type("_Unset1", (), {})
_Tracer: type = type("_Unset2", (), {})
_Variable: type = type("_Unset3", (), {})
_record: Any = None


class OpNotAvailableError(NotImplementedError):
    """An op has no kernel on the active engine (each such gap carries its reason)."""


def engine() -> Any:
    """The active engine object."""
    if _engine is None:
        from kerasx.engine import discovery

        discovery.ensure_active()
    return _engine


def set_engine(eng: Any) -> None:
    """Make `eng` the active engine: attach its kernels to every registered op."""
    global _engine
    from kerasx.engine.registry import REGISTRY

    _engine = eng
    FAST_TYPES.clear()
    FAST_TYPES.update(eng.native_types)
    for op in REGISTRY.values():
        attach_kernel(op)


def attach_kernel(op: OpDef) -> None:
    """Point `op.kernel` at the active engine's kernel (or at a clear error)."""
    eng = _engine
    if eng is None:
        op.kernel = None if op.composite else _activating(op)
        return
    k = eng.kernels.get(op.name)
    if k is None and not op.composite:
        k = _missing(op, eng)
    op.kernel = k


def _activating(op: OpDef) -> Any:
    """`op`'s kernel while no engine is active yet (an engine package imported before kerasx
    postpones activation to the first use): activates the configured engine, then runs the
    kernel that engine attached. Ops without tensor arguments (``ones``, ``eye``, ...) call
    their kernel without going through `bind`."""

    def kernel(*slots: Any) -> Any:
        engine()
        return op.kernel(*slots)

    return kernel


def _missing(op: OpDef, eng: Any) -> Any:
    reason = op.unsupported.get(eng.name) or eng.unsupported.get(op.name)

    def kernel(*slots: Any) -> Any:
        msg = f"`ops.{op.name}` is not available on the {eng.name!r} engine"
        if reason:
            msg += f": {reason}"
        else:
            msg += " (the engine has no kernel for it)"
        others = ", ".join(n for n in _available_engines() if n != eng.name)
        if others:
            msg += f". Switch engines with kerasx.config.set_backend(...); installed: {others}."
        raise OpNotAvailableError(msg)

    kernel.missing = True
    return kernel


def _available_engines() -> list[str]:
    from kerasx.engine import discovery

    return discovery.installed_engines()


# --------------------------------------------------------------------------- helpers


def call_with_slots(fn: Any, op: OpDef, slots: tuple) -> Any:
    """Call `fn` (with the op's signature) from a slot tuple."""
    if op.signature_plain:
        return fn(*slots)
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for (name, kind), v in zip(op.param_kinds, slots):
        if kind == "var_pos":
            args.extend(v)
        elif kind == "var_kw":
            kwargs.update(v)
        elif kind == "kw_only":
            kwargs[name] = v
        else:
            args.append(v)
    return fn(*args, **kwargs)


def _shapes_text(op: OpDef, slots: tuple) -> str:
    parts = []
    for idx, kind in op.tensors.items():
        v = slots[idx]
        name = op.slot_names[idx]
        if kind == "seq":
            try:
                parts.append(f"{name}=[{', '.join(str(_shape_of(t)) for t in v)}]")
            except TypeError:
                parts.append(f"{name}={type(v).__name__}")
        else:
            parts.append(f"{name}.shape={_shape_of(v)}")
    return ", ".join(parts)


def _shape_of(v: Any) -> Any:
    s = getattr(v, "shape", None)
    if s is not None:
        return tuple(s)
    if isinstance(v, (int, float, bool, complex)):
        return ()
    if isinstance(v, (list, tuple)):
        import numpy as np

        try:
            return np.shape(v)
        except ValueError:
            return "ragged"
    return type(v).__name__


def explain_failure(op: OpDef, slots: tuple, e: BaseException) -> BaseException:
    """Turn a kernel's error into one that names the op and the argument shapes."""
    if getattr(e, "_kerasx_explained", False):
        return e
    msg = str(e)
    text = f"Invalid arguments for `ops.{op.name}`: {msg}. Received: {_shapes_text(op, slots)}."
    if isinstance(e, TypeError) and "shape" not in msg.lower():
        err: BaseException = TypeError(text)
    elif isinstance(e, IndexError) and not isinstance(e, ValueError):
        err = IndexError(text)
    else:
        err = ValueError(text)
    err._kerasx_explained = True  # type: ignore[attr-defined]
    return err


# --------------------------------------------------------------------------- bind


def bind(op: OpDef, slots: tuple) -> Any:
    """Run `op` on `slots` (the slow, general path)."""
    if _engine is None:  # activation waited for the first use (see discovery.ensure_active)
        engine()
    has_kt = False
    has_tracer = False
    changed = False
    new = None
    KT, TR, VAR = _KerasTensor, _Tracer, _Variable
    for idx, kind in op.tensors.items():
        v = slots[idx]
        if kind == "tensor":
            cls = v.__class__
            if cls is TR:
                has_tracer = True
                continue
            if cls in FAST_TYPES:
                continue
            if isinstance(v, VAR):
                v = v.value
                if new is None:
                    new = list(slots)
                new[idx] = v
                changed = True
                cls = v.__class__
                if cls is TR:
                    has_tracer = True
                    continue
                if cls in FAST_TYPES:
                    continue
            if isinstance(v, KT):
                has_kt = True
            elif isinstance(v, TR):
                has_tracer = True
        elif v is not None:
            if isinstance(v, (list, tuple)):
                items = list(v)
                seq_changed = False
                for j, t in enumerate(items):
                    if isinstance(t, VAR):
                        items[j] = t.value
                        t = items[j]
                        seq_changed = True
                    if isinstance(t, KT):
                        has_kt = True
                    elif isinstance(t, TR):
                        has_tracer = True
                if seq_changed:
                    if new is None:
                        new = list(slots)
                    new[idx] = type(v)(items) if isinstance(v, tuple) else items
                    changed = True
    if changed:
        slots = tuple(new)
    if op.higher_order:
        if has_kt and op.shape is not None:
            return call_with_slots(op.shape, op, slots)
        return op.kernel(*slots) if op.kernel is not None else call_with_slots(op.stub, op, slots)
    if has_kt:
        from kerasx.engine.symbolic import symbolic_call

        return symbolic_call(op, slots)
    if has_tracer:
        return _record(op, slots)
    if op.kernel is None:  # composite without a fused kernel
        return call_with_slots(op.stub, op, slots)
    return eager(op, slots)


# op -> (indices of its single-tensor slots that are not promoted, of its sequence slots
# that are not promoted), computed once per op for `eager`.
_PLANS: dict = {}


def _plan(op: OpDef) -> tuple:
    plan = _PLANS.get(op)
    if plan is None:
        promote = op.promote
        single = tuple(i for i, k in op.tensors.items() if i not in promote and k == "tensor")
        seqs = tuple(i for i, k in op.tensors.items() if i not in promote and k != "tensor")
        plan = _PLANS[op] = (single, seqs)
    return plan


def _fast_target(op: OpDef, slots: tuple) -> Any:
    """The promoted dtype of the promoted slots when it is obvious, else None.

    Obvious: every promoted slot is a native array of one dtype, or a Python ``int`` /
    ``float`` (weakly typed) next to floating or complex arrays of one dtype. Then the
    promotion gives that dtype (the same answer as `promoted_dtype`, without the lattice).
    Returns ``(dtype name, whether some slot is a Python scalar)``.
    """
    first = None
    scalars = False
    for i in op.promote:
        v = slots[i]
        cls = v.__class__
        if cls in FAST_TYPES:
            d = v.dtype
            if first is None:
                first = d
            elif d != first:
                return None
        elif cls is float or cls is int:
            scalars = True
        elif v is not None:
            return None
    if first is None:
        return None
    if scalars or op.to_float:
        if getattr(first, "kind", "") not in ("f", "c"):
            return None
    return _dt.standardize_dtype(first), scalars


def eager(op: OpDef, slots: tuple) -> Any:
    """Convert and promote the tensor slots, then run the kernel."""
    eng = _engine if _engine is not None else engine()
    convert = eng.convert_to_tensor
    new = None
    promote = op.promote
    if promote:
        fast = _fast_target(op, slots)
        if fast is None:
            target = promoted_dtype(op, [slots[i] for i in promote])
            new = list(slots)
            for i in promote:
                v = slots[i]
                if v is None:
                    continue
                if v.__class__ in FAST_TYPES and _dt.standardize_dtype(v.dtype) == target:
                    continue
                new[i] = convert(v, target)
        elif fast[1]:
            # Native arrays of the target dtype stay; the Python scalars are converted.
            target = fast[0]
            new = list(slots)
            for i in promote:
                v = slots[i]
                cls = v.__class__
                if cls is float or cls is int:
                    new[i] = convert(v, target)
    single, seqs = _plan(op)
    for i in single:
        v = slots[i] if new is None else new[i]
        if v is not None and v.__class__ not in FAST_TYPES:
            if new is None:
                new = list(slots)
            if op.scalar_dtype_slot is not None and v.__class__ in _NUMBERS:
                new[i] = convert(v, _dt.standardize_dtype(slots[op.scalar_dtype_slot]))
            else:
                new[i] = _convert_learning(eng, v)
    for i in seqs:
        v = slots[i] if new is None else new[i]
        if isinstance(v, (list, tuple)):
            if new is None:
                new = list(slots)
            new[i] = [t if t.__class__ in FAST_TYPES else _convert_learning(eng, t) for t in v]
    if new is not None:
        slots = tuple(new)
    try:
        return op.kernel(*slots)
    except (ValueError, TypeError, IndexError) as e:
        raise explain_failure(op, slots, e) from e


_NUMBERS = (bool, int, float, complex)


def _convert_learning(eng: Any, v: Any) -> Any:
    if eng.is_native(v):
        FAST_TYPES.add(v.__class__)
        return v
    return eng.convert_to_tensor(v)


def dtype_of(v: Any) -> Any:
    """The dtype name of a tensor-like, or the Python scalar itself (weak type)."""
    if v is None:
        return None
    if isinstance(v, (bool, int, float, complex)):
        return v
    d = getattr(v, "dtype", None)
    if d is not None:
        return _dt.standardize_dtype(d)
    eng = engine()
    return _dt.standardize_dtype(eng.convert_to_tensor(v).dtype)


def promoted_dtype(op: OpDef, vals: list) -> str:
    """The dtype the promoted slots of `op` are cast to."""
    dts = [dtype_of(v) for v in vals if v is not None]
    target = _dt.result_type(*dts) if dts else _dt.standardize_dtype(None)
    if op.to_float:
        target = _dt.float_result(target)
    return target
