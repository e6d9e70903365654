"""kerasx.utils.Progbar against Keras 3's Progbar, driven by scripted updates on a fake clock.

On a terminal kerasx must write exactly Keras's bytes. Off a terminal it writes, for each
finalized bar, the plain line a terminal ends up showing (checked by replaying Keras's output
through a tiny terminal emulator), with no control characters.
"""

import io
import logging
import random
import re
import sys
import time

import numpy as np
import pytest

from kerasx import config
from kerasx.engine.discovery import installed_engines
from kerasx.utils.progbar import Progbar

keras = pytest.importorskip("keras")

CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f\x7f]")


@pytest.fixture(params=installed_engines())
def engine(request):
    config.set_backend(request.param)
    yield request.param
    config.set_backend("numpy")


class _Terminal(io.StringIO):
    def isatty(self):
        return True


class _File(io.StringIO):
    def isatty(self):
        return False


class _NotebookStream(io.StringIO):
    """Looks like a Jupyter kernel's stdout (ipykernel's `OutStream`): not a terminal."""

    def isatty(self):
        return False


_NotebookStream.__module__ = "ipykernel.iostream"


class _Clock:
    def __init__(self, start=1000.0):
        self.now = start

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    c = _Clock()
    monkeypatch.setattr(time, "time", c)
    return c


def emulate(raw):
    """What a terminal shows after `raw` (ANSI colours dropped, \\r and \\b honoured)."""
    lines = [[]]
    col = 0
    for ch in re.sub(r"\x1b\[[0-9;]*m", "", raw):
        line = lines[-1]
        if ch == "\r":
            col = 0
        elif ch == "\b":
            col = max(col - 1, 0)
        elif ch == "\n":
            lines.append([])
            col = 0
        else:
            if col < len(line):
                line[col] = ch
            else:
                line.append(ch)
            col += 1
    return ["".join(line).rstrip() for line in lines]


def finished_lines(raw):
    """The lines a terminal shows that were ended by a newline."""
    return emulate(raw)[:-1]


def replay(cls, clock, monkeypatch, stream, ctor, script):
    """Run `script` ([(dt, method, args, kwargs)]) on a fresh `cls(**ctor)`; return stdout."""
    clock.now = 1000.0
    monkeypatch.setattr(sys, "stdout", stream)
    bar = cls(**ctor)
    for dt, method, args, kwargs in script:
        clock.now += dt
        getattr(bar, method)(*args, **kwargs)
    monkeypatch.setattr(sys, "stdout", sys.__stdout__)
    return stream.getvalue()


def compare(clock, monkeypatch, ctor, script):
    want = replay(keras.utils.Progbar, clock, monkeypatch, io.StringIO(), ctor, script)
    got_tty = replay(Progbar, clock, monkeypatch, _Terminal(), ctor, script)
    got_file = replay(Progbar, clock, monkeypatch, _File(), ctor, script)
    return want, got_tty, got_file


def _steps(n, dt, values, finalize_last=None):
    script = [(dt, "update", (i, values(i)), {}) for i in range(1, n + 1)]
    if finalize_last is not None:
        script[-1] = (dt, "update", (n, values(n)), {"finalize": finalize_last})
    return script


SCRIPTS = [
    # the `fit` capture of output_conventions.md 5b: 32 steps of 21 ms
    (
        {"target": 32},
        _steps(32, 0.021, lambda i: [("accuracy", 0.1), ("loss", 2.5 - i * 0.003)]),
    ),
    ({"target": 32, "verbose": 2}, _steps(32, 0.021, lambda i: [("loss", 2.5 - i * 0.003)])),
    ({"target": 5}, _steps(5, 0.5, lambda i: [("a", float(i)), ("b", 10.0 * i)])),
    ({"target": 5, "stateful_metrics": ["a"]}, _steps(5, 0.5, lambda i: [("a", i), ("b", i)])),
    ({"target": 5, "stateless_metrics": ["a"]}, _steps(5, 0.5, lambda i: [("a", i), ("b", i)])),
    ({"target": 10000}, _steps(3, 100.0, lambda i: [])),
    ({"target": 100}, _steps(3, 3.0, lambda i: [("tiny", 1e-5), ("neg", -0.0005)])),
    ({"target": 100, "verbose": 2}, _steps(100, 0.01, lambda i: [("neg", -0.5)])),
    ({"target": 10, "unit_name": "sample"}, _steps(10, 5e-7, lambda i: [])),
    ({"target": 10}, _steps(10, 0.0, lambda i: [("x", 1.0)])),
    ({"target": None}, _steps(4, 0.5, lambda i: [("loss", 1.0 / i)], finalize_last=True)),
    (
        {"target": 6},
        [
            (1, "update", (1, [("a", 1.0), ("b", 10.0)]), {}),
            (1, "update", (3, [("a", 3.0)]), {}),
            (1, "update", (4, [("a", 5.0), ("c", 30.0)]), {"finalize": True}),
            (1, "update", (5, [("a", 7.0)]), {"finalize": False}),
            (1, "update", (8, [("a", 9.0)]), {}),
            (1, "add", (1, [("a", 2.0)]), {}),
        ],
    ),
    (
        {"target": 6, "width": 7, "interval": 2.0},
        [(0.7, "add", (1, [("m", np.array([1.0, 2.0]))]), {}) for _ in range(6)],
    ),
    (
        {"target": 4, "verbose": 0},
        [(1, "update", (i, [("a", 1.0)]), {}) for i in range(1, 5)],
    ),
]


@pytest.mark.parametrize("case", range(len(SCRIPTS)))
def test_scripted_updates_match_keras(clock, monkeypatch, case):
    ctor, script = SCRIPTS[case]
    want, got_tty, got_file = compare(clock, monkeypatch, ctor, script)
    assert got_tty == want
    assert emulate(got_tty) == emulate(want)
    assert not CONTROL.search(got_file.replace("\n", ""))
    assert "\x1b" not in got_file
    expected = "".join(line + "\n" for line in finished_lines(want))
    assert got_file == expected


def _random_script(rng):
    target = rng.choice([None, 1, 7, 32, 100, 1234])
    verbose = 1 if target is None else rng.choice([1, 2])
    ctor = {"target": target, "verbose": verbose, "interval": rng.choice([0.0, 0.05, 0.5])}
    if rng.random() < 0.3:
        ctor["width"] = rng.choice([5, 30])
    kind = rng.random()
    if kind < 0.25:
        ctor["stateful_metrics"] = ["a"]
    elif kind < 0.5:
        ctor["stateless_metrics"] = ["b"]
    names = ["a", "b", "c"]
    script = []
    current = 0
    for _ in range(rng.randint(1, 25)):
        dt = rng.choice([0.0, 1e-6, 3e-4, 0.02, 0.3, 1.7, 75.0, 4000.0])
        values = [(n, rng.choice([rng.uniform(-3, 3), 1e-4, -2e-4, 0.0])) for n in names]
        values = values[: rng.randint(0, 3)]
        if rng.random() < 0.2:
            script.append((dt, "add", (rng.randint(1, 4), values), {}))
            current += script[-1][2][0]
            continue
        current += rng.choice([0, 1, 1, 1, 2, 5])
        finalize = rng.choice([None, None, None, False, True])
        script.append((dt, "update", (current, values), {"finalize": finalize}))
    return ctor, script


@pytest.mark.parametrize("seed", range(40))
def test_random_update_sequences_match_keras(clock, monkeypatch, seed):
    ctor, script = _random_script(random.Random(seed))
    want, got_tty, got_file = compare(clock, monkeypatch, ctor, script)
    assert got_tty == want
    assert not CONTROL.search(got_file.replace("\n", ""))
    assert got_file == "".join(line + "\n" for line in finished_lines(want))


def test_fit_capture_lines(clock, monkeypatch):
    """The exact epoch line of output_conventions.md 5b, on a terminal and in a file."""
    values = [("accuracy", 0.1), ("loss", 2.4593)]
    script = [(0.629, "update", (1, values), {"finalize": False})]
    script += [(0.019, "update", (i, values), {"finalize": False}) for i in range(2, 33)]
    script += [(0.053, "update", (32, values), {"finalize": True})]
    line = "32/32 " + "\u2501" * 20 + " 1s 21ms/step - accuracy: 0.1000 - loss: 2.4593"
    _, got_tty, got_file = compare(clock, monkeypatch, {"target": 32}, script)
    assert emulate(got_tty)[-2] == line
    assert got_file == line + "\n"
    _, _, got_file2 = compare(clock, monkeypatch, {"target": 32, "verbose": 2}, script)
    assert got_file2 == "32/32 - 1s - 21ms/step - accuracy: 0.1000 - loss: 2.4593\n"


def test_tensor_metric_values(engine, clock, monkeypatch):
    from kerasx import ops

    script = [
        (0.5, "update", (1, [("loss", ops.convert_to_tensor(np.float32(2.0)))]), {}),
        (0.5, "update", (2, [("loss", ops.convert_to_tensor(np.array([1.0, 2.0])))]), {}),
        (0.5, "update", (4, [("loss", ops.convert_to_tensor(np.float32(0.25)))]), {}),
    ]
    got = replay(Progbar, clock, monkeypatch, _File(), {"target": 3}, script[:2])
    assert got == ""
    got = replay(Progbar, clock, monkeypatch, _Terminal(), {"target": 5}, script)
    # step-weighted: (2 + [1, 2] + 2 * 0.25) / 4 = [0.875, 1.125], shown as the mean
    assert emulate(got)[-1].endswith(" - loss: 1.0000")
    got = replay(Progbar, clock, monkeypatch, _File(), {"target": 4}, script)
    assert got.endswith(" - loss: 0.2500\n")


def test_unknown_target_verbose2_prints_a_line(clock, monkeypatch):
    # Keras 3 prints nothing here; kerasx prints the epoch line with "Unknown".
    script = [(0.5, "update", (i, [("loss", 1.0)]), {}) for i in range(1, 4)]
    script.append((0.5, "update", (3, []), {"finalize": True}))
    got = replay(Progbar, clock, monkeypatch, _File(), {"target": None, "verbose": 2}, script)
    assert got == "3/Unknown - 2s - 750ms/step - loss: 1.0000\n"


def test_disabled_interactive_logging_goes_to_logger(clock, monkeypatch, caplog):
    script = [(0.5, "update", (i, [("loss", 1.0)]), {}) for i in range(1, 4)]
    config.disable_interactive_logging()
    try:
        with caplog.at_level(logging.INFO, logger="kerasx"):
            got = replay(Progbar, clock, monkeypatch, _Terminal(), {"target": 3}, script)
    finally:
        config.enable_interactive_logging()
    assert got == ""
    assert [r.getMessage() for r in caplog.records] == [
        "3/3 " + "\u2501" * 20 + " 2s 500ms/step - loss: 1.0000"
    ]


def test_both_metric_lists_is_an_error():
    with pytest.raises(ValueError, match="Only one of `stateful_metrics` or `stateless"):
        Progbar(3, stateful_metrics=["a"], stateless_metrics=["b"])


def test_seen_so_far_and_add(clock, monkeypatch):
    monkeypatch.setattr(sys, "stdout", _File())
    bar = Progbar(10, verbose=0)
    bar.add(3)
    bar.add(4)
    assert bar.seen_so_far == 7


def test_a_notebook_gets_the_live_bar(clock, monkeypatch):
    # Jupyter's stdout is no terminal, but notebooks redraw the line as Keras's bar expects
    ctor, script = SCRIPTS[0]
    want, got_tty, _ = compare(clock, monkeypatch, ctor, script)
    got_notebook = replay(Progbar, clock, monkeypatch, _NotebookStream(), ctor, script)
    assert got_notebook == got_tty == want
    assert "\r" in got_notebook
