"""What ``python -m benchmarks`` measures: its scenarios, their sizes, targets.

A scenario is one workload at one size, measured on each of its sides
(ours, the reference cent 5.2.0, the floor) a number of times; its cost per
operation is seconds per publish (``RATE`` rows, shown as publishes per
second; ``TIME`` rows of the client CPU benchmark), seconds for the whole
workload (the 10,000-publish rows) or bytes (the memory row).

Targets are printed beside the figures and never asserted: the machine the
benchmark runs on decides too much of them.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, replace
from typing import Callable, Dict, List, Optional, Tuple

from benchmarks._table import BYTES, RATE, TIME, Row, Timing, ratio

OURS, OURS_AUTO, REFERENCE, FLOOR = "ours", "ours-auto", "reference", "floor"
ALL_SIDES = (OURS, REFERENCE, FLOOR)
NO_REFERENCE = (OURS, FLOOR)  # cent 5.2.0 has no gRPC client

MIB = 2**20


@dataclass(frozen=True)
class Scenario:
    """One workload at one size.

    Attributes:
        name: What ``--only`` selects it by.
        label_template: The row's text in the table; ``{n}`` stands for
            ``count``.
        kind: ``cpu``, ``net`` (a workload of ``benchmarks._sides``) or
            ``memory``.
        workload: For ``cpu``, the ``bench_cpu`` scenario; for ``net``, the
            ``_sides`` workload.
        unit: How the row shows its cost (see ``benchmarks._table``).
        count: Operations per repetition (iterations for ``cpu``, messages
            for ``memory``).
        reps: Repetitions per side.
        in_flight: Concurrent calls, for the asyncio workloads.
        sides: The sides measured.
        per_op: Whether the cost is the time over ``count`` (else the total).
    """

    name: str
    label_template: str
    kind: str
    workload: str
    unit: str
    count: int
    reps: int = 5
    in_flight: int = 1
    sides: Tuple[str, ...] = ALL_SIDES
    per_op: bool = True

    @property
    def label(self) -> str:
        """The row's text in the table."""
        return self.label_template.format(n=f"{self.count:,}")


TEN_K = 10_000
NET_REPS = 7
MEMORY_MESSAGES = 100_000

SCENARIOS: Tuple[Scenario, ...] = (
    Scenario(
        "cpu-publish",
        "client CPU, 1 publish (no network)",
        "cpu",
        "publish",
        TIME,
        2000,
        reps=11,
    ),
    Scenario(
        "cpu-batch1000",
        "client CPU, batch of 1000 publishes (no network)",
        "cpu",
        "batch1000",
        TIME,
        4,
        reps=11,
    ),
    Scenario(
        "http-sync",
        "sync HTTP, sequential publishes",
        "net",
        "http-sync",
        RATE,
        2000,
        reps=NET_REPS,
    ),
    Scenario(
        "http-async-1",
        "async HTTP, 1 in flight",
        "net",
        "http-async",
        RATE,
        2000,
        reps=NET_REPS,
    ),
    Scenario(
        "http-async-16",
        "async HTTP, 16 in flight",
        "net",
        "http-async",
        RATE,
        3000,
        reps=NET_REPS,
        in_flight=16,
    ),
    Scenario(
        "http-async-64",
        "async HTTP, 64 in flight",
        "net",
        "http-async",
        RATE,
        3000,
        reps=NET_REPS,
        in_flight=64,
    ),
    Scenario(
        "http-async-256",
        "async HTTP, 256 in flight",
        "net",
        "http-async",
        RATE,
        3000,
        reps=NET_REPS,
        in_flight=256,
    ),
    Scenario(
        "grpc-sync",
        "gRPC sync, sequential publishes",
        "net",
        "grpc-sync",
        RATE,
        2000,
        reps=NET_REPS,
        sides=NO_REFERENCE,
    ),
    Scenario(
        "grpc-async-64",
        "gRPC async, 64 in flight",
        "net",
        "grpc-async",
        RATE,
        3000,
        reps=NET_REPS,
        in_flight=64,
        sides=NO_REFERENCE,
    ),
    Scenario(
        "10k-seq",
        "{n} publishes, one at a time (async)",
        "net",
        "seq",
        TIME,
        TEN_K,
        per_op=False,
    ),
    Scenario(
        "10k-batch",
        "{n} publishes, one batch",
        "net",
        "batch",
        TIME,
        TEN_K,
        reps=NET_REPS,
        per_op=False,
    ),
    Scenario(
        "10k-batches",
        "{n} publishes, batches of 1000",
        "net",
        "batches",
        TIME,
        TEN_K,
        reps=NET_REPS,
        per_op=False,
    ),
    Scenario(
        "10k-broadcast",
        "{n} publishes, one broadcast to {n} channels",
        "net",
        "broadcast",
        TIME,
        TEN_K,
        reps=NET_REPS,
        per_op=False,
    ),
    Scenario(
        "memory",
        "peak RSS over baseline, {n} publishes in batches of 1000",
        "memory",
        "memory",
        BYTES,
        MEMORY_MESSAGES,
        reps=3,
        per_op=False,
    ),
)

# Smaller sizes for a smoke run (``--quick``): every code path, in seconds.
QUICK: Dict[str, Dict[str, int]] = {
    "cpu-publish": {"count": 300, "reps": 3},
    "cpu-batch1000": {"count": 1, "reps": 3},
    "10k-seq": {"count": 1000, "reps": 2},
    "10k-batch": {"count": 1000, "reps": 2},
    "10k-batches": {"count": 1000, "reps": 2},
    "10k-broadcast": {"count": 1000, "reps": 2},
    "memory": {"count": 10_000, "reps": 1},
}
QUICK_NET = {"count": 300, "reps": 2}

# The rows "with auto batching" measure this extra side on these scenarios.
AUTO_BATCH_SCENARIOS = ("http-async-1", "http-async-64", "http-async-256")


def auto_batch_available() -> bool:
    """Tell whether our ``AsyncClient`` takes ``auto_batch``.

    The rows "with auto batching" are measured only when it does: they switch
    themselves on once the option exists, with nothing to edit here.
    """
    from cent import AsyncClient

    return "auto_batch" in inspect.signature(AsyncClient).parameters


def quick(scenario: Scenario) -> Scenario:
    """The smoke-run size of a scenario."""
    sizes = QUICK.get(scenario.name)
    if sizes is None and scenario.kind == "net":
        sizes = QUICK_NET
    if not sizes:
        return scenario
    return replace(scenario, count=sizes["count"], reps=sizes["reps"])


def sides_of(scenario: Scenario, auto_batch: bool) -> Tuple[str, ...]:
    """The sides a scenario measures in this run."""
    if auto_batch and scenario.name in AUTO_BATCH_SCENARIOS:
        return (OURS, OURS_AUTO, *scenario.sides[1:])
    return scenario.sides


# --- targets --------------------------------------------------------------------

Timings = Dict[str, Dict[str, Timing]]  # scenario name -> side -> timing
Check = Callable[[Timings], Tuple[str, Optional[bool]]]


def _verdict(text: str, met: Optional[bool]) -> Tuple[str, Optional[bool]]:
    if met is None:
        return f"{text}: n/a", None
    return f"{text}: {'met' if met else 'MISSED'}", met


def _get(timings: Timings, name: str, side: str) -> Optional[Timing]:
    return timings.get(name, {}).get(side)


def within_floor(name: str, limit: float, side: str = OURS) -> Check:
    """Ours costs at most ``limit`` times the floor."""

    def check(timings: Timings) -> Tuple[str, Optional[bool]]:
        found = ratio(_get(timings, name, side), _get(timings, name, FLOOR))
        met = None if found is None else found <= limit
        return _verdict(f"<= {limit:g}x floor", met)

    return check


def faster_than_reference(name: str, times: float) -> Check:
    """Ours is at least ``times`` faster than the reference."""

    def check(timings: Timings) -> Tuple[str, Optional[bool]]:
        found = ratio(_get(timings, name, REFERENCE), _get(timings, name, OURS))
        met = None if found is None else found >= times
        return _verdict(f">= {times:g}x reference", met)

    return check


def faster_than(
    name: str,
    side: str,
    other: str,
    other_side: str,
    times: Optional[float],
    text: str,
) -> Check:
    """``side`` of ``name`` is ``times`` faster than ``other_side`` of ``other``.

    With ``times`` None the check only shows the ratio: it is no target.
    """

    def check(timings: Timings) -> Tuple[str, Optional[bool]]:
        found = ratio(_get(timings, other, other_side), _get(timings, name, side))
        if found is None:
            return _verdict(text, None)
        if times is None:
            return f"{text}: {found:.2f}x", None
        return _verdict(f"{text} ({found:.2f}x)", found >= times)

    return check


def memory_below(name: str, limit_mib: float) -> Check:
    """Ours' peak memory over its baseline stays below ``limit_mib``."""

    def check(timings: Timings) -> Tuple[str, Optional[bool]]:
        found = _get(timings, name, OURS)
        met = None if found is None else found.median < limit_mib * MIB
        return _verdict(f"< {limit_mib:g} MiB", met)

    return check


TARGETS: Dict[str, List[Check]] = {
    "cpu-publish": [
        within_floor("cpu-publish", 2),
        faster_than_reference("cpu-publish", 12),
    ],
    "cpu-batch1000": [
        within_floor("cpu-batch1000", 2),
        faster_than_reference("cpu-batch1000", 60),
    ],
    "http-sync": [within_floor("http-sync", 1.10)],
    "http-async-64": [within_floor("http-async-64", 1.15)],
    "grpc-sync": [
        within_floor("grpc-sync", 1.15),
        faster_than("grpc-sync", OURS, "http-sync", OURS, 1, "ahead of our HTTP"),
    ],
    "grpc-async-64": [
        within_floor("grpc-async-64", 1.15),
        faster_than(
            "grpc-async-64", OURS, "http-async-64", OURS, 1, "ahead of our HTTP"
        ),
    ],
    "10k-batch": [
        faster_than("10k-batch", OURS, "10k-seq", OURS, 30, ">= 30x one at a time")
    ],
    "memory": [memory_below("memory", 80)],
}

AUTO_TARGETS: Dict[str, List[Check]] = {
    "http-async-1": [
        faster_than("http-async-1", OURS_AUTO, "http-async-1", OURS, None, "vs without")
    ],
    "http-async-64": [
        faster_than(
            "http-async-64", OURS_AUTO, "http-async-64", OURS, None, "vs without"
        )
    ],
    "http-async-256": [
        faster_than(
            "http-async-256", OURS_AUTO, "http-async-256", OURS, 5, ">= 5x without"
        )
    ],
}


def _target(checks: List[Check], timings: Timings) -> Tuple[str, List[bool]]:
    texts, verdicts = [], []
    for check in checks:
        text, met = check(timings)
        texts.append(text)
        if met is not None:
            verdicts.append(met)
    return "; ".join(texts), verdicts


def build_rows(
    scenarios: List[Scenario], timings: Timings, cpu_timings: Timings
) -> Tuple[List[Row], List[bool]]:
    """The table's rows, and every target verdict that could be reached."""
    rows, verdicts = [], []
    for scenario in scenarios:
        found = timings.get(scenario.name, {})
        cpu = cpu_timings.get(scenario.name, {})
        text, met = _target(TARGETS.get(scenario.name, []), timings)
        verdicts += met
        rows.append(
            Row(
                scenario.label,
                found.get(OURS),
                found.get(REFERENCE),
                found.get(FLOOR),
                scenario.unit,
                text,
                ratio(cpu.get(OURS), cpu.get(FLOOR)),
            )
        )
        if OURS_AUTO in found:
            text, met = _target(AUTO_TARGETS.get(scenario.name, []), timings)
            verdicts += met
            rows.append(
                Row(
                    f"{scenario.label}, ours with auto batching",
                    found[OURS_AUTO],
                    found.get(REFERENCE),
                    found.get(FLOOR),
                    scenario.unit,
                    text,
                    ratio(cpu.get(OURS_AUTO), cpu.get(FLOOR)),
                )
            )
    return rows, verdicts
