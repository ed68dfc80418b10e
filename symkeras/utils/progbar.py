"""Keras's text progress bar: a dynamic single line (verbose=1) or one line at the end (verbose=2)."""
from __future__ import annotations

import sys
import time
from collections import OrderedDict
from typing import Iterable, Optional, Sequence, Tuple

import numpy as np

Values = Optional[Sequence[Tuple[str, float]]]


def _format_duration(seconds: float) -> str:
    """An ETA as Keras prints it: ``1:02:03``, ``2:03`` or ``45s``."""
    if seconds > 3600:
        return "%d:%02d:%02d" % (seconds // 3600, (seconds % 3600) // 60, seconds % 60)
    if seconds > 60:
        return "%d:%02d" % (seconds // 60, seconds % 60)
    return "%ds" % seconds


def _format_time_per_unit(seconds: float) -> str:
    """Time per step in the largest unit that keeps it at least 1: ``2s/step``, ``15ms/step``, ``80us/step``."""
    if seconds >= 1:
        return " %.0fs/step" % seconds
    if seconds >= 1e-3:
        return " %.0fms/step" % (seconds * 1e3)
    return " %.0fus/step" % (seconds * 1e6)


class Progbar:
    """Displays a progress bar.

    # Arguments
        target: Total number of steps expected, None if unknown.
        width: Progress bar width on screen.
        verbose: Verbosity mode, 0 (silent), 1 (verbose), 2 (semi-verbose)
        stateful_metrics: Iterable of string names of metrics that
            should *not* be averaged over time. Metrics in this list
            will be displayed as-is. All others will be averaged
            by the progbar before display.
        interval: Minimum visual progress update interval (in seconds).

    # Example
    ```python
        bar = Progbar(100)
        for i in range(10):
            bar.add(10, values=[("loss", 0.5)])
    ```
    """

    def __init__(self, target: Optional[int], width: int = 30, verbose: int = 1, interval: float = 0.05,
                 stateful_metrics: Optional[Iterable[str]] = None):
        self.target = target
        self.width = width
        self.verbose = verbose
        self.interval = interval
        self.stateful_metrics = set(stateful_metrics) if stateful_metrics else set()
        self._dynamic_display = (hasattr(sys.stdout, "isatty") and sys.stdout.isatty()) or "ipykernel" in sys.modules
        self._total_width = 0
        self._seen_so_far = 0
        self._values: "OrderedDict[str, object]" = OrderedDict()
        self._start = time.time()
        self._last_update = 0.0

    def update(self, current: int, values: Values = None) -> None:
        """Updates the progress bar.

        # Arguments
            current: Index of current step.
            values: List of tuples: `(name, value_for_last_step)`.
                If `name` is in `stateful_metrics`, `value_for_last_step`
                will be displayed as-is. Else, an average of the metric
                over time will be displayed.
        """
        self._accumulate(current, values or [])
        now = time.time()
        if self.verbose == 1:
            if now - self._last_update < self.interval and self.target is not None and current < self.target:
                return
            self._write_dynamic(current, now)
        elif self.verbose == 2 and (self.target is None or current >= self.target):
            sys.stdout.write(" - %.0fs" % (now - self._start) + self._metrics_text() + "\n")
            sys.stdout.flush()
        self._last_update = now

    def add(self, n: int, values: Values = None) -> None:
        """Advances the bar by `n` steps, with `values` as in `update`."""
        self.update(self._seen_so_far + n, values)

    def _accumulate(self, current: int, values: Sequence[Tuple[str, float]]) -> None:
        """Weights each value by the steps since the last update (stateful values are kept as they come)."""
        steps = current - self._seen_so_far
        for name, value in values:
            if name in self.stateful_metrics:
                self._values[name] = value
            elif name in self._values:
                self._values[name][0] += value * steps
                self._values[name][1] += steps
            else:
                self._values[name] = [value * steps, steps]
        self._seen_so_far = current

    def _metrics_text(self) -> str:
        """`` - loss: 0.1234 - acc: 0.9700``: running averages, or stateful values as they are."""
        text = ""
        for name, value in self._values.items():
            text += " - %s:" % name
            if isinstance(value, list):
                average = np.mean(value[0] / max(1, value[1]))
                text += " %.4f" % average if abs(average) > 1e-3 else " %.4e" % average
            else:
                text += " %s" % value
        return text

    def _bar_text(self, current: int) -> str:
        """`` 640/6000 [==>...........................]``, or ``    640/Unknown`` without a target."""
        if self.target is None:
            return "%7d/Unknown" % current
        digits = int(np.floor(np.log10(self.target))) + 1 if self.target > 0 else 1
        bar = ("%%%dd/%d [" % (digits, self.target)) % current
        filled = int(self.width * float(current) / self.target) if self.target > 0 else self.width
        if filled > 0:
            bar += "=" * (filled - 1) + (">" if current < self.target else "=")
        return bar + "." * (self.width - filled) + "]"

    def _write_dynamic(self, current: int, now: float) -> None:
        """Rewrites the current line (a terminal) or starts a new one (a log file)."""
        previous_width = self._total_width
        sys.stdout.write("\b" * previous_width + "\r" if self._dynamic_display else "\n")
        bar = self._bar_text(current)
        self._total_width = len(bar)
        sys.stdout.write(bar)
        time_per_unit = (now - self._start) / current if current else 0.0
        if self.target is not None and current < self.target:
            info = " - ETA: %s" % _format_duration(time_per_unit * (self.target - current))
        else:
            info = " - %.0fs" % (now - self._start) + _format_time_per_unit(time_per_unit)
        info += self._metrics_text()
        self._total_width += len(info)
        if previous_width > self._total_width:
            info += " " * (previous_width - self._total_width)
        if self.target is not None and current >= self.target:
            info += "\n"
        sys.stdout.write(info)
        sys.stdout.flush()
