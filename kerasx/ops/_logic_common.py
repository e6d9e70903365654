"""Shared helpers of the logic family (`kerasx.ops.logic` and its siblings).

Many logic ops share one signature, so they are declared through small stub factories: each
op still gets its own name, signature and docstring. The docstring builders write the
Args/Returns sections those stubs carry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__: list[str] = []


def _named(stub: Callable[..., Any], name: str, doc: str, module: str) -> Callable[..., Any]:
    """Give a stub the op's name and docstring, and the declaring module as its home.

    `module` is the declaring module's ``__name__``: the public function reports it as its
    ``__module__``, and `tools/gen_namespaces.py` imports the op from there.
    """
    stub.__name__ = stub.__qualname__ = name
    stub.__doc__ = doc
    stub.__module__ = module
    return stub


def _stub_x1x2(name: str, doc: str, module: str) -> Callable[..., Any]:
    def stub(x1: Any, x2: Any) -> Any:
        pass

    return _named(stub, name, doc, module)


def _stub_xy(name: str, doc: str, module: str) -> Callable[..., Any]:
    def stub(x: Any, y: Any) -> Any:
        pass

    return _named(stub, name, doc, module)


def _stub_x(name: str, doc: str, module: str) -> Callable[..., Any]:
    def stub(x: Any) -> Any:
        pass

    return _named(stub, name, doc, module)


def _binary_doc(summary: str, a: str, b: str, returns: str) -> str:
    return (
        f"{summary}\n\n"
        "    Args:\n"
        f"        {a}: first tensor.\n"
        f"        {b}: second tensor (broadcast against `{a}`).\n\n"
        "    Returns:\n"
        f"        {returns}\n"
    )


def _unary_doc(summary: str, returns: str) -> str:
    return f"{summary}\n\n    Args:\n        x: input tensor.\n\n    Returns:\n        {returns}\n"
