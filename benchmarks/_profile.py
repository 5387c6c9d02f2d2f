"""Profiles of ours (and the floor, to compare) for each scenario of a run.

``python -m benchmarks --profile DIR`` runs one more repetition of each
selected scenario on our side and on the floor's, under ``cProfile`` (the
functions that cost the most time of their own) and, when it is installed,
``pyinstrument`` (where the wall-clock time goes, as a call tree). Each lands
in ``DIR/<scenario>.<side>.txt``; the top of each cProfile list is also
printed. Profilers slow Python code down unevenly, so read these for where
the time goes, never for how much there is.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
from pathlib import Path
from typing import Any, List

from benchmarks._plan import FLOOR, OURS, Scenario

TOP = 25
SHOWN = 8


def _cprofile(run: Any) -> str:
    profiler = cProfile.Profile()
    profiler.enable()
    try:
        run()
    finally:
        profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out)
    stats.strip_dirs().sort_stats("tottime").print_stats(TOP)
    stats.sort_stats("cumulative").print_stats(TOP)
    return out.getvalue()


def _pyinstrument(run: Any) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "(pyinstrument is not installed)\n"
    profiler = Profiler(interval=0.0002, async_mode="disabled")
    profiler.start()
    try:
        run()
    finally:
        profiler.stop()
    return str(profiler.output_text(unicode=False, color=False))


def _top_lines(report: str) -> List[str]:
    """The first rows of the tottime list of a pstats report."""
    lines = report.splitlines()
    for index, line in enumerate(lines):
        if line.lstrip().startswith("ncalls"):
            return [row for row in lines[index + 1 : index + 1 + SHOWN] if row]
    return []


def profile_all(scenarios: List[Scenario], sides: Any, folder: Path) -> None:
    """Profile ours and the floor on every scenario but the memory one."""
    folder.mkdir(parents=True, exist_ok=True)
    for scenario in scenarios:
        if scenario.kind == "memory":
            continue
        for side in (OURS, FLOOR):

            def run() -> None:
                sides.measure(scenario, side)  # noqa: B023 (called right away)

            report = _cprofile(run)
            tree = _pyinstrument(run)
            path = folder / f"{scenario.name}.{side}.txt"
            path.write_text(f"# cProfile\n{report}\n# pyinstrument\n{tree}")
            print(f"--- {scenario.name}, {side} ({path})", file=sys.stderr)
            print("\n".join(_top_lines(report)), file=sys.stderr)
