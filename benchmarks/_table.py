"""The comparison table every benchmark prints: ours, the reference, the floor.

One row per scenario. A row measures a cost per operation on each side:
seconds, shown as a duration or as a rate (operations per second), or bytes.
Each cell shows the median over the repetitions and, in brackets, its spread
as the interquartile range (the middle half of the repetitions; on a shared
machine min-max mostly shows the noisiest moment). The two ratio columns are
taken from the medians: "ours vs reference" is the reference's cost over
ours (12x: ours is 12 times faster, or lighter), "ours vs floor" is ours'
cost over the floor's (1.10x: ours costs 10% more). Optional columns give
ours' CPU time over the floor's, where it was measured apart from the wall
clock, and name the row's target and whether it was met. The same rows render as
aligned plain text for a terminal or as a Markdown table for a report.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

HEADERS = (
    "scenario",
    "ours",
    "reference",
    "floor",
    "ours vs reference (x faster)",
    "ours vs floor (x)",
)
CPU_HEADER = "ours vs floor, client CPU (x)"
TARGET_HEADER = "target"
MISSING = "n/a"

# How a row's cost shows: a duration, a rate, or an amount of memory.
TIME, RATE, BYTES = "time", "rate", "bytes"


@dataclass(frozen=True)
class Timing:
    """A cost per operation over the repetitions of one measurement.

    Attributes:
        median: The median repetition.
        low: The first quartile.
        high: The third quartile.
    """

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, samples: Iterable[float]) -> Timing:
        """Summarise per-operation costs, one per repetition."""
        values = sorted(samples)
        if len(values) < 2:
            return cls(values[0], values[0], values[0])
        low, median, high = statistics.quantiles(values, n=4, method="inclusive")
        return cls(median, low, high)


@dataclass(frozen=True)
class Row:
    """One scenario; a side that could not be measured is ``None``.

    Attributes:
        unit: ``TIME`` (seconds per operation), ``RATE`` (the same seconds,
            shown as operations per second) or ``BYTES``.
        target: The row's target and verdict, e.g. ``"<= 1.10x floor: met"``.
        cpu_ratio: Ours' CPU time over the floor's, where it was measured
            apart from the wall clock (the network rows).
    """

    scenario: str
    ours: Optional[Timing]
    reference: Optional[Timing]
    floor: Optional[Timing]
    unit: str = TIME
    target: str = ""
    cpu_ratio: Optional[float] = None


def format_seconds(seconds: float) -> str:
    """Format a duration with a unit that keeps 3 significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def format_rate(per_second: float) -> str:
    """Format operations per second, e.g. ``1.23k/s``."""
    if per_second >= 1000:
        return f"{per_second / 1000:.3g}k/s"
    return f"{per_second:.3g}/s"


def format_bytes(size: float) -> str:
    """Format an amount of memory in MiB (KiB when small)."""
    if abs(size) < 2**20:
        return f"{size / 2**10:.0f} KiB"
    return f"{size / 2**20:.1f} MiB"


def _time_cell(timing: Optional[Timing], unit: str) -> str:
    if timing is None:
        return MISSING
    if unit == RATE:
        # A lower cost is a higher rate: the quartiles swap places.
        median = format_rate(1 / timing.median)
        return (
            f"{median} [{format_rate(1 / timing.high)} - {format_rate(1 / timing.low)}]"
        )
    show = format_bytes if unit == BYTES else format_seconds
    return f"{show(timing.median)} [{show(timing.low)} - {show(timing.high)}]"


def ratio(
    numerator: Optional[Timing], denominator: Optional[Timing]
) -> Optional[float]:
    """The ratio of two medians, or None if either is missing."""
    if numerator is None or denominator is None or denominator.median <= 0:
        return None
    return numerator.median / denominator.median


def _ratio_cell(numerator: Optional[Timing], denominator: Optional[Timing]) -> str:
    return format_ratio(ratio(numerator, denominator))


def format_ratio(found: Optional[float]) -> str:
    """Format a ratio: ``1.07x``, ``12x``, or ``n/a``."""
    if found is None:
        return MISSING
    return f"{found:.2f}x" if found < 10 else f"{found:.0f}x"


def cells(row: Row) -> tuple[str, ...]:
    """Return the text of each column for one row."""
    return (
        row.scenario,
        _time_cell(row.ours, row.unit),
        _time_cell(row.reference, row.unit),
        _time_cell(row.floor, row.unit),
        _ratio_cell(row.reference, row.ours),
        _ratio_cell(row.ours, row.floor),
    )


def render(rows: Sequence[Row], *, markdown: bool = False) -> str:
    """Render the rows as an aligned text table, or as Markdown."""
    headers: tuple[str, ...] = HEADERS
    body = [cells(row) for row in rows]
    numbers = len(HEADERS)  # right-aligned columns end here
    if any(row.cpu_ratio is not None for row in rows):
        headers += (CPU_HEADER,)
        body = [
            (*line, "-" if row.cpu_ratio is None else format_ratio(row.cpu_ratio))
            for line, row in zip(body, rows)
        ]
        numbers += 1
    if any(row.target for row in rows):
        headers += (TARGET_HEADER,)
        body = [(*line, row.target or "-") for line, row in zip(body, rows)]
    if markdown:
        aligns = ("---",) + ("--:",) * (numbers - 1) + ("---",)
        lines = [headers, aligns[: len(headers)], *body]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)

    widths = [
        max(len(line[i]) for line in (headers, *body)) for i in range(len(headers))
    ]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        middle = (
            value.rjust(width) for value, width in zip(values[1:numbers], widths[1:])
        )
        last = [values[-1].ljust(widths[-1])] if len(values) > numbers else []
        return " | ".join((first, *middle, *last)).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(headers), rule, *(line(values) for values in body)])


def write_markdown(
    path: Path | str,
    rows: Sequence[Row],
    *,
    title: Optional[str] = None,
    notes: Sequence[str] = (),
) -> None:
    """Write the table as a Markdown file, with an optional title and notes."""
    parts = [f"# {title}\n"] if title else []
    parts.append(render(rows, markdown=True) + "\n")
    if notes:
        parts.append("\n".join(f"- {note}" for note in notes) + "\n")
    Path(path).write_text("\n".join(parts), encoding="utf-8")
