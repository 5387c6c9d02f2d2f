"""Client CPU cost with no network: ours vs cent 5.2.0 vs bare orjson.

Run from the repository root (about 15-30 s; the first run also spends
about 20 s creating the reference venv, see ``benchmarks/refenv.py``)::

    python -m benchmarks.bench_cpu [--rounds 21] [--markdown out.md]

Scenarios, each one full client round trip minus the network:

- ``publish``: build one publish request, encode it to the body bytes,
  decode the canned reply ``{"result":{"offset":1,"epoch":"abc"}}``.
- ``batch1000``: the same for a batch of 1000 publishes and a canned reply
  of 1000 ``{"publish":{"offset":N,"epoch":"abc"}}``.

Sides:

- ours: ``PublishRequest`` / ``BatchRequest`` then
  ``cent._http_codec.encode_http`` and ``decode_http``.
- reference: the PyPI release cent 5.2.0, in its own venv, through the same
  library functions its ``Client`` uses (see ``benchmarks/ref_cpu.py``).
- floor: bare ``orjson``: the dict a user would write by hand, ``dumps``,
  ``loads`` of the canned reply. Nothing can do less work than this.

Fairness. The reference cannot be imported next to ours (both are ``cent``),
so it runs in one long-lived worker process, warmed up once like ours. Every
round measures each side in turn with the same fixed iteration count and the
same timing loop (``benchmarks/_workload.py``); the parent blocks while the
worker runs its round, so the sides never share the CPU, and each round's
order is rotated (ours, reference, floor, worker's floor; then reference,
floor, worker's floor, ours; ...) so that no side always runs first or right
after the allocation-heavy one. Many
short rounds rather than a few long ones make the median robust to bursts
of load from other processes; the table shows it with the interquartile
range.
The worker also times the floor in its own process, to show the
reference-to-floor ratio free of any difference between the two processes.

Targets (stated here, never asserted): ours within 2x of the floor, and at
least 12x (publish) and 60x (batch1000) faster than the reference. The
issue that set them measured the reference about 23x (publish) and 180x
(batch1000) slower than the floor.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Sequence
from importlib.metadata import version
from pathlib import Path
from typing import Any, Callable, Optional

if __package__ in (None, ""):
    # Run as a file: make the repository root (``cent``, ``benchmarks``)
    # importable, as ``python -m`` from the root would.
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import orjson

from benchmarks import refenv
from benchmarks._table import Row, Timing, render, write_markdown
from benchmarks._workload import (
    BATCH_REPLY,
    BATCH_SIZE,
    CHANNEL,
    EXPECTED,
    PUBLISH_REPLY,
    Op,
    batch_channel,
    floor_batch,
    floor_publish,
    summarise,
    time_round,
    warm_up,
)

REF_SCRIPT = Path(__file__).resolve().parent / "ref_cpu.py"
SCENARIOS = ("publish", "batch1000")
TARGETS = {"publish": 12.0, "batch1000": 60.0}
FLOOR_TARGET = 2.0

Measure = Callable[[str, int], float]


def our_ops() -> dict[str, Op] | str:
    """Return our scenario callables, or why they cannot run yet."""
    try:
        from cent import BatchRequest, PublishRequest
        from cent._http_codec import decode_http, encode_http
    except ImportError as err:
        return f"ours not measured: {err}"

    def publish() -> tuple[bytes, Any]:
        request = PublishRequest(CHANNEL, {"input": "hello"})
        _method, body = encode_http(request)
        return body, decode_http(request, 200, PUBLISH_REPLY)

    def batch() -> tuple[bytes, Any]:
        request = BatchRequest(
            [
                PublishRequest(batch_channel(i), {"input": "hello"})
                for i in range(BATCH_SIZE)
            ]
        )
        _method, body = encode_http(request)
        return body, decode_http(request, 200, BATCH_REPLY)

    ops = {"publish": publish, "batch1000": batch}
    try:
        for name, op in ops.items():
            warm_up(op, batch=name != "publish")
    except Exception as err:
        return f"ours not measured: {type(err).__name__}: {err}"
    return ops


def iterations(args: argparse.Namespace, scenario: str) -> int:
    return int(args.publish_iters if scenario == "publish" else args.batch_iters)


def run_rounds(
    args: argparse.Namespace, measures: dict[str, Measure]
) -> dict[str, dict[str, list[float]]]:
    """Measure every scenario on every side, round after round."""
    samples: dict[str, dict[str, list[float]]] = {
        scenario: {side: [] for side in measures} for scenario in SCENARIOS
    }
    sides = list(measures)
    for round_no in range(args.rounds):
        shift = round_no % len(sides)
        order = sides[shift:] + sides[:shift]
        for scenario in SCENARIOS:
            for side in order:
                per_op = measures[side](scenario, iterations(args, scenario))
                samples[scenario][side].append(per_op)
        print(f"  round {round_no + 1}/{args.rounds} done", file=sys.stderr)
    return samples


def output_checks(ours: Optional[dict[str, Op]], ref_sample: Any) -> list[str]:
    """Check each side's body and decoded result against the expected ones.

    Bodies are compared with the floor's as parsed JSON; decoded results
    with the canned reply, through ``summarise``.
    """
    floor_bodies = {"publish": floor_publish()[0], "batch1000": floor_batch()[0]}
    notes = []
    for scenario in SCENARIOS:
        want = orjson.loads(floor_bodies[scenario])
        if ours is not None:
            body, result = ours[scenario]()
            got = orjson.loads(body)
            decoded = summarise(scenario, result)
            notes.append(
                f"{scenario}, ours: body == floor's: {_same(got, want)}; "
                f"decoded {type(result).__name__} "
                f"{_same(decoded, EXPECTED[scenario])}"
            )
        sample = ref_sample[scenario]
        ref = orjson.loads(sample["body"])
        extra = ""
        if isinstance(ref, dict) and ref.get("parallel") is False:
            # cent 5.2.0 always sends the default explicitly.
            del ref["parallel"]
            extra = ' (once its "parallel": false, the default, is dropped)'
        notes.append(
            f"{scenario}, reference: body == floor's: {_same(ref, want)}{extra}; "
            f"decoded {sample['result_type']} "
            f"{_same(sample['decoded'], EXPECTED[scenario])}"
        )
    return notes


def _same(got: Any, want: Any) -> str:
    if got == want:
        return "ok"
    return f"NO: {orjson.dumps(got)[:120]!r} vs {orjson.dumps(want)[:120]!r}"


def _ratio(samples: dict[str, list[float]], top: str, bottom: str) -> float:
    timings = Timing.of(samples[top]), Timing.of(samples[bottom])
    return timings[0].median / timings[1].median


def build_notes(
    samples: dict[str, dict[str, list[float]]], ref_versions: dict[str, str]
) -> list[str]:
    """Targets, the in-process reference/floor ratio and the versions used."""
    notes = [
        f"targets (not asserted): ours within {FLOOR_TARGET:g}x of the floor; "
        f"ours at least {TARGETS['publish']:g}x (publish) and "
        f"{TARGETS['batch1000']:g}x (batch1000) faster than the reference",
    ]
    in_proc = ", ".join(
        f"{_ratio(samples[s], 'reference', 'ref-process floor'):.0f}x ({s})"
        for s in SCENARIOS
    )
    notes.append(
        f"reference vs floor inside the reference process: {in_proc} "
        "(the issue measured about 23x and 180x)"
    )
    ref = ", ".join(f"{name} {ver}" for name, ver in ref_versions.items())
    notes.append(f"reference venv: {ref}")
    notes.append(
        f"ours/floor process: python {platform.python_version()}, "
        f"orjson {version('orjson')}"
    )
    return notes


def parse_args(argv: Optional[Sequence[str]]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21)
    parser.add_argument("--publish-iters", type=int, default=2000)
    parser.add_argument("--batch-iters", type=int, default=4)
    parser.add_argument("--markdown", type=Path, help="also write the table here")
    return parser.parse_args(argv)


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    ours = our_ops()
    floor_ops: dict[str, Op] = {"publish": floor_publish, "batch1000": floor_batch}
    for name, op in floor_ops.items():
        warm_up(op, batch=name != "publish")

    with refenv.Worker(REF_SCRIPT, "--serve") as worker:

        def reference(scenario: str, iters: int) -> float:
            command = {"cmd": "round", "scenario": scenario, "iters": iters}
            return float(worker.call(command)["per_op_s"])

        def ref_floor(scenario: str, iters: int) -> float:
            return reference(f"floor:{scenario}", iters)

        measures: dict[str, Measure] = {}
        if isinstance(ours, dict):
            ops = ours
            measures["ours"] = lambda scenario, iters: time_round(ops[scenario], iters)
        measures["reference"] = reference
        measures["floor"] = lambda scenario, iters: time_round(
            floor_ops[scenario], iters
        )
        measures["ref-process floor"] = ref_floor

        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        print(
            f"bench_cpu: {args.rounds} rounds; iterations per round: "
            f"publish {args.publish_iters}, batch{BATCH_SIZE} {args.batch_iters}; "
            f"load average {load}",
            file=sys.stderr,
        )
        samples = run_rounds(args, measures)
        ref_sample = worker.call({"cmd": "sample"})
        ref_versions = worker.call({"cmd": "versions"})

    def timing(scenario: str, side: str) -> Optional[Timing]:
        found = samples[scenario].get(side)
        return Timing.of(found) if found else None

    rows = [
        Row(
            scenario,
            timing(scenario, "ours"),
            timing(scenario, "reference"),
            timing(scenario, "floor"),
        )
        for scenario in SCENARIOS
    ]
    notes = build_notes(samples, ref_versions)
    notes += output_checks(ours if isinstance(ours, dict) else None, ref_sample)
    if isinstance(ours, str):
        notes.insert(0, ours)

    print(render(rows))
    print()
    print("\n".join(f"- {note}" for note in notes))
    if args.markdown:
        write_markdown(args.markdown, rows, title="Client CPU cost", notes=notes)


if __name__ == "__main__":
    main()
