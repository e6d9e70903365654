"""Testing helpers for kerasx and for third-party engines (the conformance suite)."""

from kerasx.testing import conformance as conformance
