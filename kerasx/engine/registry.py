"""The op registry: every op is declared once, as an `OpDef`.

An op is declared by decorating a stub whose signature and docstring are the public ones::

    @defop(tensors=("x1", "x2"), promote=("x1", "x2"), shape=broadcast_shapes_rule,
           vjp={"x1": lambda g, ans, x1, x2: unbroadcast(g, x1),
                "x2": lambda g, ans, x1, x2: unbroadcast(g, x2)})
    def add(x1, x2):
        '''Add arguments element-wise. ...'''

`defop` returns the public function (generated from the stub's signature, so the fast path
calls the engine kernel directly) and records the `OpDef` in `REGISTRY`.

Calling convention shared by kernels, rules and samples: every op is called with its
*slots*, the values of its parameters in signature order (a ``*args`` parameter is one slot
holding a tuple, a ``**kwargs`` parameter one slot holding a dict). A kernel is
``kernel(*slots)``; a VJP rule is ``rule(g, ans, *slots)``; a shape rule receives the slots
with every tensor replaced by its shape; a dtype rule receives them with every tensor
replaced by its dtype name (Python scalars are passed through, so promotion stays weak).
"""

from __future__ import annotations

import dataclasses
import inspect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

from kerasx.engine import dispatch


class _Registry(dict):
    """The name -> `OpDef` table. Op families are imported on demand (``kerasx.ops`` loads
    lazily), so a lookup of a name that is not registered yet, a membership test, ``len`` and
    iteration over names first import every op family. ``values()`` and ``items()`` see the
    ops registered so far (the engine attaches its kernels through them; ops registered later
    get their kernel in `defop`). A hit costs what a plain dict lookup costs.
    """

    def __missing__(self, name: str) -> OpDef:
        if _load_all_ops():
            return dict.__getitem__(self, name)
        raise KeyError(name)

    def __contains__(self, name: object) -> bool:
        return dict.__contains__(self, name) or (_load_all_ops() and dict.__contains__(self, name))

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def __iter__(self) -> Iterator[str]:
        _load_all_ops()
        return dict.__iter__(self)

    def keys(self) -> Any:
        _load_all_ops()
        return dict.keys(self)

    def __len__(self) -> int:
        _load_all_ops()
        return dict.__len__(self)


_all_loaded = False


def _load_all_ops() -> bool:
    """Import every op family once (see `kerasx.ops`); True if that registered anything new."""
    global _all_loaded
    if _all_loaded:
        return False
    import kerasx.ops

    before = dict.__len__(REGISTRY)
    _all_loaded = kerasx.ops._load_all()
    return dict.__len__(REGISTRY) != before


REGISTRY: dict[str, OpDef] = _Registry()


@dataclasses.dataclass(eq=False)
class OpDef:
    """One op: its public signature plus everything engines and autodiff need.

    Attributes:
        name: the `keras.ops` name.
        stub: the decorated function (signature, docstring; the body for composites).
        tensors: slot index -> "tensor" | "seq" for the tensor-valued parameters ("seq" is a
            list/tuple of tensors, or a ``*args`` slot).
        promote: slot indices whose tensors are promoted to one dtype before the kernel runs.
        to_float: the promoted dtype is made floating (ints -> floatx) first.
        shape: shape rule (None: inferred by evaluating the NumPy kernel on probe arrays).
        dtype: dtype rule, a dtype name, or None (the promoted dtype; else the first
            tensor's dtype).
        vjp: slot name -> rule ``rule(g, ans, *slots)`` giving that argument's cotangent.
        nondiff: outputs are not differentiable (integer, boolean or piecewise-constant).
        composite: the stub's body implements the op in registry ops (no kernel required).
        higher_order: the op takes Python callables (control flow); its kernel sees tracers.
        samples: ``samples(rng) -> list[Sample]`` for the conformance suite.
        ref: optional independent NumPy/SciPy reference, called like the op.
        unsupported: engine name -> reason the op is deliberately not available there.
        namespaces: public namespaces besides ``ops`` ("numpy", "nn", "linalg", "image",
            "math", "core").
        scalar_dtype_slot: index of the parameter naming the dtype that a Python number in a
            tensor slot is converted to (None: the usual weakly typed conversion).
        vjp_reads: the values the gradient rules read, as slot names and ``"ans"`` (None:
            all of them). The tape keeps only the shape and dtype of the others, so a
            forward value nothing needs for the backward pass is freed as soon as the
            forward pass lets go of it.
    """

    name: str
    stub: Callable[..., Any]
    signature: inspect.Signature
    slot_names: tuple[str, ...]
    tensors: dict[int, str]
    promote: tuple[int, ...] = ()
    to_float: bool = False
    shape: Callable[..., Any] | None = None
    dtype: Callable[..., Any] | str | None = None
    vjp: dict[str, Callable[..., Any]] = dataclasses.field(default_factory=dict)
    nondiff: bool = False
    composite: bool = False
    higher_order: bool = False
    samples: Callable[..., Any] | None = None
    ref: Callable[..., Any] | None = None
    unsupported: dict[str, str] = dataclasses.field(default_factory=dict)
    namespaces: tuple[str, ...] = ()
    scalar_dtype_slot: int | None = None
    # Set by the active engine (None when the engine has no kernel for this op).
    kernel: Callable[..., Any] | None = None
    fn: Callable[..., Any] | None = None
    param_kinds: tuple[tuple[str, str], ...] = ()
    signature_plain: bool = True
    # Indices of the tensor slots when none is a sequence (the tape's fast path), else None.
    tensor_index: tuple[int, ...] | None = None
    vjp_reads: tuple[str, ...] | None = None
    # From `vjp_reads`: the single-tensor slots the tape saves as shape and dtype only, and
    # whether it saves the result itself.
    tape_shape_only: tuple[int, ...] = ()
    tape_keeps_ans: bool = True

    def __repr__(self) -> str:
        return f"<OpDef {self.name}>"

    @property
    def is_primitive(self) -> bool:
        """True when every engine must provide a kernel."""
        return not self.composite

    def run(self, slots: tuple) -> Any:
        """Call the public op with a slot tuple."""
        if self.signature_plain:
            return self.fn(*slots)
        return dispatch.call_with_slots(self.fn, self, slots)

    def slots_of(self, args: tuple, kwargs: dict) -> tuple:
        """Bind a call's arguments to this op's slots (slow; used by tests and tools)."""
        bound = self.signature.bind(*args, **kwargs)
        bound.apply_defaults()
        return tuple(bound.arguments[n] for n in self.slot_names)


@dataclasses.dataclass
class Sample:
    """One conformance-test input: the call's positional and keyword arguments.

    Attributes:
        args: positional arguments (NumPy arrays, Python scalars, static values).
        kwargs: keyword arguments.
        grad: whether gradient checks apply to this sample (float inputs, smooth point).
        rtol: relative tolerance for float32 forward comparisons.
        atol: absolute tolerance for float32 forward comparisons.
        keras: whether real Keras 3 is a valid reference for this sample.
        canonical: for an op whose result is unique only up to a choice the backing library
            makes (the signs of singular vectors or eigenvectors), a function written with
            registry ops that maps a result to the same values whatever the choice; the
            checks compare and differentiate ``canonical(result)``. None: the raw result.
    """

    args: tuple = ()
    kwargs: dict = dataclasses.field(default_factory=dict)
    grad: bool = True
    rtol: float = 1e-5
    atol: float = 1e-6
    keras: bool = True
    canonical: Callable[[Any], Any] | None = None


def _slot_names(sig: inspect.Signature) -> tuple[str, ...]:
    return tuple(sig.parameters)


_KINDS = {
    inspect.Parameter.POSITIONAL_ONLY: "pos",
    inspect.Parameter.POSITIONAL_OR_KEYWORD: "pos",
    inspect.Parameter.VAR_POSITIONAL: "var_pos",
    inspect.Parameter.KEYWORD_ONLY: "kw_only",
    inspect.Parameter.VAR_KEYWORD: "var_kw",
}


def _call_source(sig: inspect.Signature) -> str:
    """Source of a call forwarding the wrapper's own parameters to a same-signature function."""
    parts = []
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            parts.append(f"*{p.name}")
        elif p.kind is p.VAR_KEYWORD:
            parts.append(f"**{p.name}")
        elif p.kind is p.KEYWORD_ONLY:
            parts.append(f"{p.name}={p.name}")
        else:
            parts.append(p.name)
    return ", ".join(parts)


def _param_source(sig: inspect.Signature) -> tuple[str, str]:
    """Return (parameter list source, slot-tuple source) for the generated wrapper."""
    params = []
    slots = []
    seen_kwonly = False
    for p in sig.parameters.values():
        if p.kind is p.VAR_POSITIONAL:
            params.append(f"*{p.name}")
            seen_kwonly = True
        elif p.kind is p.VAR_KEYWORD:
            params.append(f"**{p.name}")
        else:
            if p.kind is p.KEYWORD_ONLY and not seen_kwonly:
                params.append("*")
                seen_kwonly = True
            if p.default is p.empty:
                params.append(p.name)
            else:
                params.append(f"{p.name}=_d_{p.name}")
        slots.append(p.name)
    slot_src = "(" + "".join(f"{s}, " for s in slots) + ")"
    return ", ".join(params), slot_src


_WRAPPER_CODE: dict[str, Any] = {}


def _renamed(code: Any, name: str) -> Any:
    """`code` under the op's name, so tracebacks read ``File "<kerasx op add>", in add``."""
    changes = {"co_name": name, "co_filename": f"<kerasx op {name}>"}
    if hasattr(code, "co_qualname"):  # Python >= 3.11
        changes["co_qualname"] = name
    return code.replace(**changes)


def _make_wrapper(op: OpDef) -> Callable[..., Any]:
    """Generate the public function for `op` with the stub's exact signature."""
    sig = op.signature
    params_src, slots_src = _param_source(sig)
    namespace: dict[str, Any] = {
        "_op": op,
        "_F": dispatch.FAST_TYPES,
        "_bind": dispatch.bind,
        "_explain": dispatch.explain_failure,
        "_E": (ValueError, TypeError, IndexError),
        "_stub": op.stub,
    }
    for p in sig.parameters.values():
        if p.default is not p.empty:
            namespace[f"_d_{p.name}"] = p.default

    # The fast path: every tensor argument is already a native array of the active engine
    # and the promoted ones already share one dtype. It calls the kernel directly.
    conds = []
    simple = not op.composite and not op.higher_order
    for idx, kind in op.tensors.items():
        if kind != "tensor":
            simple = False
            break
        conds.append(f"{op.slot_names[idx]}.__class__ in _F")
    if simple and op.promote:
        first = op.slot_names[op.promote[0]]
        for idx in op.promote[1:]:
            conds.append(f"{op.slot_names[idx]}.dtype == {first}.dtype")
        if op.to_float:
            conds.append(f"{first}.dtype.kind in 'fc'")
    lines = [f"def _wrapper({params_src}):"]
    if op.composite:
        lines.append(f"    if _op.kernel is None:\n        return _stub({_call_source(sig)})")
    if simple:
        cond = " and ".join(conds) if conds else "True"
        lines += [
            f"    if {cond}:",
            "        try:",
            f"            return _op.kernel(*{slots_src})",
            "        except _E as e:",
            f"            raise _explain(_op, {slots_src}, e) from e",
        ]
    lines.append(f"    return _bind(_op, {slots_src})")
    src = "\n".join(lines) + "\n"
    # Many ops share one wrapper text (same parameters, same fast-path test): compile each
    # text once, and give every op its own function, globals, name and filename.
    code = _WRAPPER_CODE.get(src)
    if code is None:
        code = _WRAPPER_CODE[src] = compile(src, "<kerasx op>", "exec")
    exec(code, namespace)  # noqa: S102
    fn = namespace["_wrapper"]
    fn.__code__ = _renamed(fn.__code__, op.name)
    fn.__doc__ = op.stub.__doc__
    fn.__module__ = op.stub.__module__
    fn.__qualname__ = op.stub.__qualname__
    fn.__wrapped__ = op.stub
    fn.__signature__ = sig
    fn.__annotations__ = dict(getattr(op.stub, "__annotations__", {}))
    fn.opdef = op
    return fn


def defop(
    *,
    tensors: Sequence[str] = ("x",),
    seq: Sequence[str] = (),
    promote: Sequence[str] = (),
    to_float: bool = False,
    shape: Callable[..., Any] | None = None,
    dtype: Callable[..., Any] | str | None = None,
    vjp: dict[str, Callable[..., Any]] | None = None,
    nondiff: bool = False,
    composite: bool = False,
    higher_order: bool = False,
    samples: Callable[..., Any] | None = None,
    ref: Callable[..., Any] | None = None,
    unsupported: dict[str, str] | None = None,
    namespaces: Sequence[str] = ("numpy",),
    name: str | None = None,
    scalar_dtype: str | None = None,
    vjp_reads: Sequence[str] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare an op. See the module docstring and ``kerasx/ops/README.md``.

    Args:
        tensors: names of parameters that take a single tensor.
        seq: names of parameters that take a list/tuple of tensors (or ``*args``).
        promote: parameters promoted together to one dtype before the kernel runs.
        to_float: make the promoted dtype floating (int -> floatx).
        shape: shape rule; None infers it from the NumPy kernel on probe arrays.
        dtype: dtype rule (callable), a fixed dtype name, or None (promoted/first dtype).
        vjp: parameter name -> gradient rule ``rule(g, ans, *slots)``.
        nondiff: the op has no gradient (its outputs are constants to autodiff).
        composite: the stub's body implements the op with registry ops.
        higher_order: the op takes callables (control flow).
        samples: ``samples(rng) -> list[Sample]`` for the conformance suite.
        ref: independent reference implementation (NumPy/SciPy), called like the op.
        unsupported: engine name -> reason the op is deliberately missing there.
        namespaces: extra public namespaces ("numpy", "nn", "linalg", "image", "math", "core").
        name: registry name when it differs from the stub's ``__name__``.
        scalar_dtype: the parameter whose value is the dtype that Python numbers passed as
            tensors are converted to directly (`cast`: ``cast(0.9, "float64")`` is 0.9 in
            float64, not a float32 0.9 widened; ``cast(2**40, "float64")`` works).
        vjp_reads: the values the `vjp` rules read: parameter names and ``"ans"`` (the
            result). Any other tensor argument is read for its shape and dtype only, and
            the tape keeps no more of it. None (the default): the rules may read anything.

    Returns:
        A decorator that turns the stub into the public op function.
    """

    def decorate(stub: Callable[..., Any]) -> Callable[..., Any]:
        op_name = name or stub.__name__
        sig = inspect.signature(stub)
        slot_names = _slot_names(sig)
        index = {n: i for i, n in enumerate(slot_names)}
        tensor_map: dict[int, str] = {}
        for n in tensors:
            if n not in index:
                raise TypeError(f"defop({op_name}): tensor parameter {n!r} not in signature")
            kind = "seq" if sig.parameters[n].kind is inspect.Parameter.VAR_POSITIONAL else "tensor"
            tensor_map[index[n]] = kind
        for n in seq:
            if n not in index:
                raise TypeError(f"defop({op_name}): seq parameter {n!r} not in signature")
            tensor_map[index[n]] = "seq"
        for n in vjp or {}:
            if n not in index or index[n] not in tensor_map:
                raise TypeError(f"defop({op_name}): vjp rule for unknown tensor {n!r}")
        reads = None if vjp_reads is None else tuple(vjp_reads)
        for n in reads or ():
            if n != "ans" and (n not in index or index[n] not in tensor_map):
                raise TypeError(f"defop({op_name}): vjp_reads names unknown tensor {n!r}")
        op = OpDef(
            name=op_name,
            stub=stub,
            signature=sig,
            slot_names=slot_names,
            tensors=dict(sorted(tensor_map.items())),
            promote=tuple(index[n] for n in promote),
            to_float=to_float,
            shape=shape,
            dtype=dtype,
            vjp=dict(vjp or {}),
            nondiff=nondiff,
            composite=composite,
            higher_order=higher_order,
            samples=samples,
            ref=ref,
            unsupported=dict(unsupported or {}),
            namespaces=tuple(namespaces),
            scalar_dtype_slot=None if scalar_dtype is None else index[scalar_dtype],
            param_kinds=tuple((p.name, _KINDS[p.kind]) for p in sig.parameters.values()),
            signature_plain=all(
                p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
                for p in sig.parameters.values()
            ),
        )
        if all(kind == "tensor" for kind in op.tensors.values()):
            op.tensor_index = tuple(op.tensors)
        if reads is not None:
            op.vjp_reads = reads
            op.tape_shape_only = tuple(
                i
                for i, kind in op.tensors.items()
                if kind == "tensor" and slot_names[i] not in reads
            )
            op.tape_keeps_ans = "ans" in reads
        if dict.__contains__(REGISTRY, op_name):
            raise ValueError(f"Op {op_name!r} is already registered.")
        REGISTRY[op_name] = op
        op.fn = _make_wrapper(op)
        dispatch.attach_kernel(op)
        return op.fn

    return decorate


def get_op(name: str) -> OpDef:
    """Return the OpDef registered under `name` (raises KeyError with the known names)."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"No op named {name!r} is registered in kerasx.") from None
