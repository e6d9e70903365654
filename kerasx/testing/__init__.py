"""Testing helpers for kerasx and for third-party engines (the conformance suite) and layers."""

from kerasx.testing import conformance as conformance
from kerasx.testing.layers import run_layer_test as run_layer_test
