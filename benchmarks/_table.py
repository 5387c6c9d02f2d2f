"""The comparison table every benchmark prints: ours, the reference, the floor.

One row per scenario. Each time cell shows the median per-operation time and,
in brackets, its spread over the repetitions as the interquartile range (the
middle half of the repetitions; on a shared machine min-max mostly shows the
noisiest moment); the two ratio columns are taken from the medians. The same
rows render as aligned plain text for a terminal or as a Markdown table for a
report.
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
MISSING = "n/a"


@dataclass(frozen=True)
class Timing:
    """Per-operation seconds over the repetitions of one measurement.

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
        """Summarise per-operation times, one per repetition."""
        values = sorted(samples)
        if len(values) < 2:
            return cls(values[0], values[0], values[0])
        low, median, high = statistics.quantiles(values, n=4, method="inclusive")
        return cls(median, low, high)


@dataclass(frozen=True)
class Row:
    """One scenario; a side that could not be measured is ``None``."""

    scenario: str
    ours: Optional[Timing]
    reference: Optional[Timing]
    floor: Optional[Timing]


def format_seconds(seconds: float) -> str:
    """Format a duration with a unit that keeps 3 significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("us", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def _time_cell(timing: Optional[Timing]) -> str:
    if timing is None:
        return MISSING
    low, high = format_seconds(timing.low), format_seconds(timing.high)
    return f"{format_seconds(timing.median)} [{low} - {high}]"


def _ratio_cell(numerator: Optional[Timing], denominator: Optional[Timing]) -> str:
    if numerator is None or denominator is None or denominator.median <= 0:
        return MISSING
    return f"{numerator.median / denominator.median:.1f}x"


def cells(row: Row) -> tuple[str, ...]:
    """Return the text of each column for one row."""
    return (
        row.scenario,
        _time_cell(row.ours),
        _time_cell(row.reference),
        _time_cell(row.floor),
        _ratio_cell(row.reference, row.ours),
        _ratio_cell(row.ours, row.floor),
    )


def render(rows: Sequence[Row], *, markdown: bool = False) -> str:
    """Render the rows as an aligned text table, or as Markdown."""
    body = [cells(row) for row in rows]
    if markdown:
        lines = [HEADERS, ("---",) + ("--:",) * (len(HEADERS) - 1), *body]
        return "\n".join("| " + " | ".join(line) + " |" for line in lines)

    widths = [
        max(len(line[i]) for line in (HEADERS, *body)) for i in range(len(HEADERS))
    ]

    def line(values: Sequence[str]) -> str:
        first = values[0].ljust(widths[0])
        rest = (value.rjust(width) for value, width in zip(values[1:], widths[1:]))
        return " | ".join((first, *rest))

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(HEADERS), rule, *(line(values) for values in body)])


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
