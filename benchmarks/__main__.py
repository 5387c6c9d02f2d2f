"""One reproducible benchmark run: ours vs cent 5.2.0 vs the floor.

Usage (from the repository root; ``make bench`` runs the first line)::

    python -m benchmarks                 # everything, about 6-8 minutes
    python -m benchmarks --quick         # every scenario, small, under a minute
    python -m benchmarks --only 'http-*' --only memory
    python -m benchmarks --list          # the scenario names
    python -m benchmarks --profile DIR   # also profile ours, one file per scenario

The run starts its own Centrifugo v5.4.9 on 127.0.0.1 with the test harness
(``cent.testing.server``; usage statistics off, logging at ``error`` so the
server spends nothing on logs), prepares the reference venv (cent 5.2.0, see
``benchmarks/refenv.py``; made once, then reused) and starts one worker in it
(``ref_net.py``). It then measures every scenario of ``benchmarks/_plan.py``
on every side, prints one table and, for a full run (or with ``--out``),
writes ``results.md``, ``results.png`` and ``results.json`` under
``docs/benchmarks/``.

How a scenario is measured: each repetition measures every side once, one
after another, the order rotated each repetition (ours, reference, floor;
then reference, floor, ours; ...). A side runs alone: the parent waits while
the reference worker works, so the clients never share the two cores with
each other, only with the server. Each side sets its client up, warms it up
(connections opened, caches filled), then times a fixed number of calls.
The table shows the median and the interquartile range of the repetitions.
"""

from __future__ import annotations

import argparse
import datetime
import fnmatch
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from benchmarks import _plan, _report, _sides, refenv
from benchmarks._plan import FLOOR, OURS, OURS_AUTO, REFERENCE, Scenario
from benchmarks._table import Timing, render
from benchmarks._workload import floor_batch, floor_publish, time_round, warm_up
from cent.testing.server import CentrifugoServer, binary_version

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "docs" / "benchmarks"
CENTRIFUGO = "5.4.9"
SERVER_ENV = {"CENTRIFUGO_LOG_LEVEL": "error"}

Samples = Dict[str, Dict[str, List[float]]]
Cost = Tuple[float, Optional[float]]  # wall-clock (or bytes), and CPU if apart
Measure = Callable[[Scenario, str], Cost]


def _load() -> str:
    return "/".join(f"{value:.2f}" for value in os.getloadavg())


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the sides -------------------------------------------------------------------


class Sides:
    """Measures one repetition of a scenario on one side; returns its cost."""

    def __init__(self, server: CentrifugoServer, worker: refenv.Worker) -> None:
        self._worker = worker
        self._base: Dict[str, Any] = {
            "api_url": server.api_url,
            "api_key": server.api_key,
            "grpc_host": server.grpc_host,
            "grpc_port": server.grpc_port,
            "grpc_key": server.grpc_key,
        }
        self._cpu_ops: Optional[Dict[str, Any]] = None

    def measure(self, scenario: Scenario, side: str) -> Cost:
        """One repetition's cost and CPU time, per operation or for the whole.

        The CPU time is measured apart only on the network rows; elsewhere
        it is the cost itself (client CPU) or no time at all (memory).
        """
        if scenario.kind == "cpu":
            return self._cpu(scenario, side), None
        if scenario.kind == "memory":
            return self._memory(scenario, side), None
        wall, cpu = self._net(scenario, side)
        ops = scenario.count if scenario.per_op else 1
        return wall / ops, cpu / ops

    def _call(self, command: Dict[str, Any]) -> Dict[str, Any]:
        reply: Dict[str, Any] = self._worker.call(command)
        if "error" in reply:
            raise RuntimeError(f"reference worker: {reply['error']}")
        return reply

    def _net(self, scenario: Scenario, side: str) -> Tuple[float, float]:
        params = {
            **self._base,
            "workload": scenario.workload,
            "count": scenario.count,
            "in_flight": scenario.in_flight,
        }
        if side == REFERENCE:
            reply = self._call({"cmd": "net", **params})
            return float(reply["elapsed_s"]), float(reply["cpu_s"])
        if side == OURS_AUTO:
            return _sides.run(OURS, {**params, "auto_batch": True})
        return _sides.run(side, params)

    def _cpu(self, scenario: Scenario, side: str) -> float:
        if side == REFERENCE:
            command = {"cmd": "cpu", "scenario": scenario.workload}
            return float(self._call({**command, "iters": scenario.count})["per_op_s"])
        return time_round(self.cpu_ops()[side][scenario.workload], scenario.count)

    def cpu_ops(self) -> Dict[str, Any]:
        """Our and the floor's client CPU operations, warmed up once."""
        if self._cpu_ops is None:
            from benchmarks.bench_cpu import our_ops

            ours = our_ops()
            if isinstance(ours, str):
                raise RuntimeError(ours)
            floor = {"publish": floor_publish, "batch1000": floor_batch}
            for name, op in floor.items():
                warm_up(op, batch=name != "publish")
            self._cpu_ops = {OURS: ours, FLOOR: floor}
        return self._cpu_ops

    def _memory(self, scenario: Scenario, side: str) -> float:
        args = (
            side,
            self._base["api_url"],
            self._base["api_key"],
            str(scenario.count),
            "1000",
        )
        script = HERE / "mem_worker.py"
        if side == REFERENCE:
            found = refenv.run_script(script, *args)
        else:
            found = _run_json([sys.executable, str(script), *args])
        return float(found["over_baseline"])


def _run_json(command: List[str]) -> Any:
    import json

    proc = subprocess.run(
        command, capture_output=True, text=True, timeout=300, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{command[1]} failed ({proc.returncode}):\n{proc.stderr}")
    return json.loads(proc.stdout)


# --- the run ---------------------------------------------------------------------


def measure_all(
    scenarios: List[Scenario], measure: Measure, auto_batch: bool, started: float
) -> Tuple[Samples, Samples]:
    """Every repetition of every scenario, the side order rotated each time.

    Returns:
        The costs, and the CPU times where they were measured apart.
    """
    samples: Samples = {}
    cpu_samples: Samples = {}
    for scenario in scenarios:
        sides = list(_plan.sides_of(scenario, auto_batch))
        found: Dict[str, List[float]] = {side: [] for side in sides}
        cpu_found: Dict[str, List[float]] = {side: [] for side in sides}
        for rep in range(scenario.reps):
            shift = rep % len(sides)
            for side in sides[shift:] + sides[:shift]:
                cost, cpu = measure(scenario, side)
                found[side].append(cost)
                if cpu is not None:
                    cpu_found[side].append(cpu)
        samples[scenario.name] = found
        if any(cpu_found.values()):
            cpu_samples[scenario.name] = cpu_found
        log(
            f"  {scenario.name}: {scenario.reps} x {len(sides)} sides done "
            f"({time.monotonic() - started:.0f} s)"
        )
    return samples, cpu_samples


def _summary(samples: Samples) -> _plan.Timings:
    return {
        name: {side: Timing.of(values) for side, values in found.items() if values}
        for name, found in samples.items()
    }


def select(args: argparse.Namespace) -> List[Scenario]:
    """The scenarios this run measures, at full or quick size."""
    chosen = list(_plan.SCENARIOS)
    if args.only:
        chosen = [
            scenario
            for scenario in chosen
            if any(fnmatch.fnmatch(scenario.name, pattern) for pattern in args.only)
        ]
        if not chosen:
            names = ", ".join(scenario.name for scenario in _plan.SCENARIOS)
            raise SystemExit(f"--only matches no scenario; the names are: {names}")
    if args.quick:
        chosen = [_plan.quick(scenario) for scenario in chosen]
    if args.reps is not None:
        chosen = [replace(scenario, reps=args.reps) for scenario in chosen]
    return chosen


def notes_for(
    timings: _plan.Timings, auto_batch: bool, quick: bool, verdicts: List[bool]
) -> List[str]:
    """What the reader needs to read the table right."""
    notes = []
    if verdicts:
        notes.append(
            f"targets met: {sum(verdicts)} of {len(verdicts)} (printed, never asserted)"
        )
    for grpc, http, what in (
        ("grpc-sync", "http-sync", "sequential, blocking"),
        ("grpc-async-64", "http-async-64", "asyncio, 64 in flight"),
    ):
        ours_grpc = timings.get(grpc, {}).get(OURS)
        ours_http = timings.get(http, {}).get(OURS)
        if ours_grpc and ours_http:
            notes.append(
                f"gRPC vs our HTTP, {what}: {1 / ours_grpc.median:,.0f}/s vs "
                f"{1 / ours_http.median:,.0f}/s, gRPC "
                f"{ours_http.median / ours_grpc.median:.2f}x as fast"
            )
    if not auto_batch:
        notes.append(
            "auto batching rows: not measured, this cent's AsyncClient has no "
            "auto_batch (they switch on by themselves once it does)"
        )
    notes += [
        "ours vs reference: the reference's cost over ours (how many times "
        "faster, or lighter, ours is); ours vs floor: ours' cost over the "
        "floor's (1.10x = 10% slower); cells: median [interquartile range]",
        "ours vs floor, client CPU: in the same runs, the CPU time of the client "
        "process (all its threads, none of the server's) over the floor's: what "
        "the SDK itself adds; the machine's other load moves it less than the "
        "wall clock, though an event loop woken more often spends more per call",
        "floor: bare requests.Session / aiohttp.ClientSession posting "
        "pre-encoded orjson bytes with the same headers and parsing the reply; "
        "over gRPC the generated CentrifugoApiStub with a pre-built message, the "
        "same metadata and deadline; client CPU: bare orjson dumps/loads",
        "all traffic goes to one local Centrifugo on the same machine, sharing "
        "its cores: the server's own cost is in every network figure, which "
        "narrows the gaps between sides; channels are in a namespace without "
        "history or presence, so the server does as little as it can",
        "pools: ours and the reference use their default aiohttp pool (100 "
        "connections) up to 64 in flight; at 256 in flight all three sides get "
        "a 256-connection pool (ours and the reference through session=)",
        "memory: a fresh process per side and repetition; baseline = RSS after "
        "imports, client set-up and one 1-message call; then the peak RSS "
        "counter (VmHWM, what ru_maxrss reads) is reset and the figure is the "
        "peak over the baseline; each side builds its batches as its users "
        "would (the floor: dicts dumped by orjson)",
    ]
    if quick:
        notes.insert(0, "QUICK RUN: small counts, for a smoke test; do not quote")
    return notes


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--quick", action="store_true", help="small counts (smoke)")
    parser.add_argument(
        "--only",
        action="append",
        metavar="SCENARIO",
        help="run only these scenarios (glob patterns, repeatable); see --list",
    )
    parser.add_argument("--list", action="store_true", help="list the scenarios")
    parser.add_argument("--reps", type=int, help="repetitions, for every scenario")
    parser.add_argument(
        "--out",
        type=Path,
        help=f"write the report here (default for a full run: {OUT})",
    )
    parser.add_argument(
        "--profile", type=Path, metavar="DIR", help="also profile ours into DIR"
    )
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> int:
    args = parse_args(argv)
    if args.list:
        for scenario in _plan.SCENARIOS:
            print(f"{scenario.name:16} {scenario.label}")
        return 0

    started = time.monotonic()
    load_before = _load()
    when = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    scenarios = select(args)
    ours = _report.ours_version()
    auto_batch = _plan.auto_batch_available()
    refenv.ensure_venv()

    log(f"starting Centrifugo {CENTRIFUGO} and the reference worker ...")
    with CentrifugoServer(CENTRIFUGO, extra_env=SERVER_ENV) as server:
        with refenv.Worker(HERE / "ref_net.py") as worker:
            sides = Sides(server, worker)
            samples, cpu_samples = measure_all(
                scenarios, sides.measure, auto_batch, started
            )
            ref_versions = worker.call({"cmd": "versions"})
            if args.profile is not None:
                from benchmarks._profile import profile_all

                profile_all(scenarios, sides, args.profile)
        centrifugo = binary_version(server.binary) if server.binary else None

    timings, cpu_timings = _summary(samples), _summary(cpu_samples)
    rows, verdicts = _plan.build_rows(scenarios, timings, cpu_timings)
    notes = notes_for(timings, auto_batch, args.quick, verdicts)
    elapsed = time.monotonic() - started
    load = f"{load_before} at the start, {_load()} at the end"
    notes.append(
        f"load average (1/5/15 min): {load}; the clients and the server share "
        "the machine with whatever else runs, which shows in the spreads"
    )

    print(render(rows))
    print()
    print("\n".join(f"- {note}" for note in notes))
    print(f"\nours: cent {ours}; run took {elapsed:.0f} s")

    out = args.out
    if out is None and not (args.quick or args.only or args.reps):
        out = OUT
    if out is not None:
        samples_all = {"cost": samples, "cpu": cpu_samples}
        versions = _report.versions(
            ours, ref_versions, centrifugo or f"{CENTRIFUGO} (unverified)"
        )
        write_report(out, rows, notes, samples_all, versions, when, elapsed, args)
    return 0


def write_report(
    out: Path,
    rows: Any,
    notes: List[str],
    samples: Dict[str, Samples],
    versions: Dict[str, str],
    when: str,
    elapsed: float,
    args: argparse.Namespace,
) -> None:
    """Write results.md, results.png and results.json into ``out``."""
    out.mkdir(parents=True, exist_ok=True)
    command = "python -m benchmarks" + (" --quick" if args.quick else "")
    command += "".join(f" --only '{pattern}'" for pattern in args.only or ())
    machine = _report.machine()
    about = {
        "run": {"date": when, "command": f"`{command}`", "took": f"{elapsed:.0f} s"},
        "machine": machine,
        "versions": versions,
    }
    title = (
        f"cent benchmarks, {when}; {machine['cores']} cores, {machine['cpu']}, "
        f"Python {machine['python'].split()[-1]}, Centrifugo {versions['Centrifugo']}"
    )
    _report.chart(out / "results.png", rows, title)
    page = _report.markdown(rows, notes, about, "results.png")
    (out / "results.md").write_text(page, encoding="utf-8")
    _report.write_json(out / "results.json", samples, about=about)
    log(f"wrote {out / 'results.md'}, results.png and results.json")


if __name__ == "__main__":
    sys.exit(main())
