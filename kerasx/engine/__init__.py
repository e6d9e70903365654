"""The engine layer: op registry, dispatch, tape, symbolic tensors, variables, discovery."""

from kerasx.engine import symbolic as _symbolic  # noqa: F401  (registers KerasTensor)
from kerasx.engine import tape as _tape  # noqa: F401  (registers Tracer)
from kerasx.engine import variables as _variables  # noqa: F401  (registers Variable)
