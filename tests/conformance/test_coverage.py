"""Every name of keras.ops and keras.ops.image exists on every installed engine."""

import kerasx  # noqa: F401
from kerasx.testing import conformance as C


def test_coverage_table_is_complete():
    rows = C.coverage()
    table = C.coverage_table()
    print(table)
    gaps = [(r["name"], e, s) for r in rows for e, s in r["engines"].items() if s == "missing"]
    assert not gaps, f"{len(gaps)} ops x engines missing, e.g. {gaps[:20]}"
    for r in rows:
        for e, s in r["engines"].items():
            if s.startswith("unsupported"):
                assert len(s) > len("unsupported: ") + 10, f"{r['name']} on {e}: no reason given"


def test_every_registered_op_has_samples_or_is_documented_higher_order():
    from kerasx.engine.registry import REGISTRY

    without = [
        name
        for name, op in REGISTRY.items()
        if op.samples is None and not op.higher_order and not name.startswith("_test")
    ]
    # Ops that cannot have generic samples are tested by hand in tests/core; list them here.
    allowed = {"is_tensor", "dtype", "shape"}
    assert set(without) <= allowed | set(), sorted(set(without) - allowed)
