"""`Progbar`: the progress bar printed by `fit`, `evaluate`, `predict` and `get_file`.

On a terminal the bar is redrawn in place with the same characters and ANSI colours as Keras
3. When stdout is not a terminal (a log file, a pipe, CI), no control characters are written:
each bar prints one plain line when it is finalized, the text a terminal would end up showing,
for example::

    32/32 ━━━━━━━━━━━━━━━━━━━━ 1s 21ms/step - accuracy: 0.1000 - loss: 2.4593

When interactive logging is disabled (`kerasx.config.disable_interactive_logging`), that same
plain line goes to the ``"kerasx"`` Python logger at INFO level instead of stdout.
"""

from __future__ import annotations

import logging
import math
import re
import sys
import time
from collections.abc import Iterable
from typing import Any

import numpy as np

from kerasx import config

_BOLD = "\x1b[1m"
_GREEN = "\x1b[32m"
_WHITE = "\x1b[37m"
_RESET = "\x1b[0m"
_BAR_CHAR = "\u2501"
_ANSI = re.compile(r"\x1b\[[0-9;]*m")

logger = logging.getLogger("kerasx")


def _stdout_is_terminal() -> bool:
    """Whether stdout shows a bar redrawn in place: a terminal, or the output stream of a
    Jupyter kernel (not a terminal, but notebooks honour carriage returns and backspaces)."""
    if type(sys.stdout).__module__.startswith("ipykernel."):
        return True
    isatty = getattr(sys.stdout, "isatty", None)
    try:
        return bool(isatty and isatty())
    except ValueError:  # a closed stream
        return False


def _draws_live() -> bool:
    """Whether a bar with ``verbose=1`` is redrawn as it advances (stdout is a terminal and
    interactive logging is on); otherwise it prints only its final line."""
    return _stdout_is_terminal() and config.is_interactive_logging_enabled()


def _num_digits(target: Any) -> int:
    return int(math.floor(math.log10(target))) + 1 if target >= 1 else 1


def _format_eta(eta: float) -> str:
    if eta > 3600:
        return f"{int(eta // 3600)}:{int((eta % 3600) // 60):02d}:{int(eta % 60):02d}"
    if eta > 60:
        return f"{int(eta // 60)}:{int(eta % 60):02d}"
    return f"{int(eta)}s"


def _format_time_per_unit(seconds: float, unit_name: str) -> str:
    if seconds >= 1 or seconds == 0:
        return f" {seconds:.0f}s/{unit_name}"
    if seconds >= 1e-3:
        return f" {seconds * 1e3:.0f}ms/{unit_name}"
    return f" {seconds * 1e6:.0f}us/{unit_name}"


def _to_host(value: Any) -> Any:
    """A metric value as a Python/NumPy number (tensors are fetched from the engine)."""
    if isinstance(value, (int, float, str, np.ndarray, np.generic)):
        return value
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        from kerasx import ops

        return np.asarray(ops.convert_to_numpy(value))
    return value


class Progbar:
    """A text progress bar with a running summary of metrics.

    Args:
        target: the total number of steps expected, or ``None`` if unknown.
        width: the width of the bar, in characters.
        verbose: ``0`` (silent), ``1`` (a bar redrawn as it advances) or ``2`` (one line per
            finalized bar).
        interval: the minimum time, in seconds, between two redraws of the bar (verbose 1).
        stateful_metrics: names of metrics whose values are shown as given (not averaged
            over steps); every other metric is averaged. Give this or `stateless_metrics`,
            not both.
        stateless_metrics: names of metrics to average over steps; when given, every other
            metric is shown as given.
        unit_name: the name of one step in the time-per-step display (``"step"``).

    Metric values passed to `update` are averaged, weighted by how many steps each update
    covers, unless they are stateful (see above). The values passed in a finalizing update
    are shown as given: they are the final logs of the epoch.
    """

    def __init__(
        self,
        target: int | None,
        width: int = 20,
        verbose: int = 1,
        interval: float = 0.05,
        stateful_metrics: Iterable[str] | None = None,
        stateless_metrics: Iterable[str] | None = None,
        unit_name: str = "step",
    ) -> None:
        if stateful_metrics and stateless_metrics:
            raise ValueError(
                "Only one of `stateful_metrics` or `stateless_metrics` can be provided. "
                "`stateful_metrics` lists the metrics shown as given (all others are "
                "averaged); `stateless_metrics` lists the metrics averaged (all others are "
                f"shown as given). Received: stateful_metrics={stateful_metrics}, "
                f"stateless_metrics={stateless_metrics}"
            )
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.unit_name = unit_name
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self.stateless_metrics = set(stateless_metrics) if stateless_metrics else set()
        self._dynamic_display = _stdout_is_terminal()
        self._seen_so_far = 0
        self._values: dict[str, list] = {}
        self._values_order: list[str] = []
        self._start = time.time()
        self._last_update = 0.0
        self._time_after_first_step: float | None = None
        self._prev_total_width = 0

    @property
    def seen_so_far(self) -> int:
        """The last `current` passed to `update`."""
        return self._seen_so_far

    def _shown_as_given(self, name: str) -> bool:
        if self.stateless_metrics:
            return name not in self.stateless_metrics
        return name in self.stateful_metrics

    def update(
        self,
        current: int,
        values: Iterable[tuple[str, Any]] | None = None,
        finalize: bool | None = None,
    ) -> None:
        """Advance the bar to step `current` and record metric values.

        Args:
            current: the index of the current step (the number of steps done).
            values: ``(name, value)`` pairs; values may be numbers, arrays or tensors
                (arrays are shown as their mean).
            finalize: whether this is the last update of the bar. ``None`` means
                ``current >= target`` (never, when the target is unknown).
        """
        if finalize is None:
            finalize = self.target is not None and current >= self.target
        for name, value in values or ():
            value = _to_host(value)
            if name not in self._values_order:
                self._values_order.append(name)
            if finalize or isinstance(value, str) or self._shown_as_given(name):
                self._values[name] = [value, 1]
            else:
                steps = max(current - self._seen_so_far, 1)
                if name not in self._values:
                    self._values[name] = [value * steps, steps]
                else:
                    self._values[name][0] = self._values[name][0] + value * steps
                    self._values[name][1] += steps
        self._seen_so_far = current

        now = time.time()
        time_per_unit = self._estimate_step_duration(current, now)
        if self.verbose == 1:
            if now - self._last_update < self.interval and not finalize:
                return
            self._draw(current, now, time_per_unit, finalize)
        elif self.verbose == 2 and finalize:
            self._emit(self._summary_line(current, now, time_per_unit) + "\n")
        self._last_update = now

    def add(self, n: int, values: Iterable[tuple[str, Any]] | None = None) -> None:
        """Advance the bar by `n` steps (see `update`)."""
        self.update(self._seen_so_far + n, values)

    # -- rendering ---------------------------------------------------------------------------

    def _metric_text(self, name: str, signed_threshold: bool = False) -> str:
        total, count = self._values[name]
        if isinstance(total, str):
            return f" {total}"
        avg = float(np.mean(total / max(1, count)))
        big = avg > 1e-3 if signed_threshold else abs(avg) > 1e-3
        return f" {avg:.4f}" if big else f" {avg:.4e}"

    def _draw(self, current: int, now: float, time_per_unit: float, finalize: bool) -> None:
        if self.target is not None:
            digits = _num_digits(self.target)
            bar = f"{_BOLD}{current:{digits}d}/{self.target}{_RESET} "
            filled = int(self.width * (current / self.target))
            if filled > 0:
                bar += f"{_GREEN}{_BAR_CHAR * filled}{_RESET}"
            bar += f"{_WHITE}{_BAR_CHAR * (self.width - filled)}{_RESET}"
        else:
            bar = f"{current:7d}/Unknown"
        if self.target is not None and not finalize:
            clock = _format_eta(time_per_unit * (self.target - current))
        else:
            clock = f"{now - self._start:.0f}s"
        info = f" {_BOLD}{clock}{_RESET}"
        info += _format_time_per_unit(time_per_unit, self.unit_name)
        for name in self._values_order:
            info += f" - {name}:" + self._metric_text(name)
        text = bar + info

        if not self._dynamic_display or not config.is_interactive_logging_enabled():
            if finalize:
                self._emit(_ANSI.sub("", text) + "\n")
            return
        width = len(_ANSI.sub("", text))
        padding = " " * max(self._prev_total_width - width, 0)
        message = "\b" * self._prev_total_width + "\r" + text + padding
        if finalize:
            message += "\n"
        self._prev_total_width = width
        self._emit(message)

    def _summary_line(self, current: int, now: float, time_per_unit: float) -> str:
        if self.target is not None:
            count = f"{current:{_num_digits(self.target)}d}/{self.target}"
        else:
            count = f"{current}/Unknown"
        line = f"{count} - {now - self._start:.0f}s -"
        line += _format_time_per_unit(time_per_unit, self.unit_name)
        for name in self._values_order:
            line += f" - {name}:" + self._metric_text(name, signed_threshold=True)
        return line

    def _emit(self, message: str) -> None:
        if config.is_interactive_logging_enabled():
            sys.stdout.write(message)
            sys.stdout.flush()
        else:
            logger.info(message.rstrip("\n"))

    def _estimate_step_duration(self, current: int, now: float) -> float:
        if not current:
            return 0
        if self._time_after_first_step is not None and current > 1:
            per_unit = (now - self._time_after_first_step) / (current - 1)
        else:
            per_unit = (now - self._start) / current
        if current == 1:
            self._time_after_first_step = now
        return per_unit
