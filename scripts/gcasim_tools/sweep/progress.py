"""The sweep's progress line on a terminal: points done of the total, rate and time left, on
stderr, redrawn in place; the same line as the platforms draw (platforms/common/progress.h). Only
when stderr is a terminal and --quiet was not given: a pipe or a log gets no byte of it."""

import sys
import time

REDRAW_INTERVAL_S = 0.2


def progress_wanted(quiet, stream=None):
    stream = stream or sys.stderr
    return not quiet and stream.isatty()


def clock_text(seconds):
    """'0:07', '12:30', '1:02:03'."""
    s = int(max(0.0, seconds) + 0.5)  # halves up, as the platforms' line rounds them
    if s >= 3600:
        return f"{s // 3600}:{s // 60 % 60:02d}:{s % 60:02d}"
    return f"{s // 60}:{s % 60:02d}"


def rate_text(per_second):
    return f"{per_second:.0f}" if per_second >= 100 else f"{per_second:.1f}" if per_second >= 10 else f"{per_second:.2f}"


def progress_line(label, done, total, unit, elapsed_s, finished):
    line = f"{label}: {done}/{total} {unit}  {100 * done / total:3.0f} %" if total else f"{label}: {done} {unit}"
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    if rate > 0:
        line += f"  {rate_text(rate)} {unit}/s"
    if finished:
        line += f"  in {clock_text(elapsed_s)}"
    elif total > done and rate > 0:
        line += f"  {clock_text((total - done) / rate)} left"
    return line


class Progress:
    """`advance()` per unit done; `finish()` (or leaving a `with` block, an exception included)
    draws the closing line and ends it. `clear()` takes the line off the screen before other output
    is printed (the next draw puts it back)."""

    def __init__(self, label, total, unit, shown, stream=None):
        self.label, self.total, self.unit, self.shown = label, total, unit, shown
        self.stream = stream or sys.stderr
        self.done, self.finished, self.width = 0, False, 0
        self.start = self.last_draw = time.monotonic()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.finish()

    def advance(self, n=1):
        self.update(self.done + n)

    def update(self, done):
        first = self.done == 0
        self.done = done
        if self.shown and not self.finished and done > 0 and (
                first or self.width == 0 or time.monotonic() - self.last_draw >= REDRAW_INTERVAL_S):
            self._draw(False)

    def clear(self):
        if self.shown and self.width:
            self.stream.write("\r" + " " * self.width + "\r")
            self.stream.flush()
            self.width = 0

    def finish(self):
        if self.finished:
            return
        self.finished = True
        if self.shown and self.done > 0:
            self._draw(True)
            self.stream.write("\n")
            self.stream.flush()
            self.width = 0

    def _draw(self, finished):
        self.last_draw = time.monotonic()
        line = progress_line(self.label, self.done, self.total, self.unit, self.last_draw - self.start, finished)
        self.stream.write("\r" + line + " " * max(0, self.width - len(line)))
        self.stream.flush()
        self.width = len(line)
