"""`python -m benchmarks --quick` still runs end to end (figures are not checked).

It starts its own Centrifugo and the cent 5.2.0 reference virtualenv, so the
benchmark cannot rot unnoticed; speed targets are only printed, never asserted.
"""

from __future__ import annotations

import pathlib
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parent.parent


def test_quick_benchmark_runs_and_prints_every_side() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks", "--quick"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    header = next(line for line in done.stdout.splitlines() if "scenario" in line)
    for column in ("ours", "reference", "floor"):
        assert column in header
    assert "client CPU, 1 publish" in done.stdout
    assert "gRPC async, 64 in flight" in done.stdout
