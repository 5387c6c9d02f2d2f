"""The timing loops and the workload every side of the network benchmark shares.

Like ``_workload.py`` this module needs only ``orjson`` and the standard
library, because the reference worker (``ref_net.py``, inside the reference
venv) imports it too, as the top-level module ``_driver``. Every side times
its operations with the same loops, against the same channels, with the same
data, so the sides differ only in the client code under test.
"""

from __future__ import annotations

import asyncio
import gc
import time
from collections.abc import Awaitable
from typing import Any, Callable, Dict, List, Tuple

import orjson

DATA = {"input": "hello"}
DATA_BYTES = orjson.dumps(DATA)  # the same data as gRPC's raw bytes

# The "nohist" namespace of the test server keeps no history and no presence,
# so a publish costs the server as little as it can and the client shows.
CHANNEL = "nohist:bench"
TIMEOUT = 10.0
BATCH = 1000

# aiohttp's default pool holds 100 connections; past that, calls queue for one.
DEFAULT_POOL = 100

Params = Dict[str, Any]
AsyncOp = Callable[[], Awaitable[Any]]
Timed = Tuple[float, float]
"""Seconds of a timed loop: on the wall clock, and of this process's CPU.

The CPU time counts every thread of the process (gRPC's included) and none
of the server's: it is the client's own cost, which the machine's other load
disturbs much less than the wall clock.
"""


def channels(count: int) -> List[str]:
    """Return ``count`` distinct channels, for batches and broadcasts."""
    return [f"nohist:bench-{i}" for i in range(count)]


def chunks(names: List[str], workload: str) -> List[List[str]]:
    """The channels of each batch call: one call for ``batch``, else ``BATCH`` each."""
    size = len(names) if workload == "batch" else BATCH
    return [names[start : start + size] for start in range(0, len(names), size)]


def check_count(kind: str, got: int, want: int) -> None:
    """Stop the run if a batch or broadcast got fewer replies than it sent."""
    if got != want:
        raise RuntimeError(f"{kind}: {got} replies for {want} publishes")


def publish_body(channel: str = CHANNEL) -> bytes:
    """The body of one publish, as a bare client would pre-encode it."""
    return orjson.dumps({"channel": channel, "data": DATA})


def batch_body(names: List[str]) -> bytes:
    """The body of one batch of publishes, one per channel."""
    commands = [{"publish": {"channel": name, "data": DATA}} for name in names]
    return orjson.dumps({"commands": commands})


def broadcast_body(names: List[str]) -> bytes:
    """The body of one broadcast into every channel of ``names``."""
    return orjson.dumps({"channels": names, "data": DATA})


def check_reply(status: int, body: bytes) -> Any:
    """What a bare client must do with a reply: check the status, parse it."""
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {body[:200]!r}")
    reply = orjson.loads(body)
    if "error" in reply:
        raise RuntimeError(f"API error: {reply['error']}")
    return reply


def time_sync(op: Callable[[], Any], count: int) -> Timed:
    """Call ``op`` ``count`` times in a row; return the seconds it took.

    Garbage left by the set-up is collected first, so that no round pays for
    another's; collection stays on while timing, as it would for a caller.
    """
    gc.collect()
    clock, cpu = time.perf_counter, time.process_time
    start, cpu_start = clock(), cpu()
    for _ in range(count):
        op()
    return clock() - start, cpu() - cpu_start


async def time_async(
    op: Callable[[], Awaitable[Any]], count: int, in_flight: int
) -> Timed:
    """Run ``op`` ``count`` times, ``in_flight`` at once; return the seconds.

    ``in_flight`` worker tasks each start the next call as soon as their last
    one has returned, until ``count`` calls have been made; with one worker
    this is a plain sequential loop.
    """
    remaining = count

    async def worker() -> None:
        nonlocal remaining
        while remaining > 0:
            remaining -= 1
            await op()

    gc.collect()
    clock, cpu = time.perf_counter, time.process_time
    start, cpu_start = clock(), cpu()
    await asyncio.gather(*(worker() for _ in range(min(in_flight, count))))
    return clock() - start, cpu() - cpu_start


async def time_workload(
    make_op: Callable[[List[str], str], AsyncOp], names: List[str], workload: str
) -> Timed:
    """Time one many-publish workload, after a warm-up 1/100 of its size.

    ``make_op(names, workload)`` returns the call to time: for ``seq``, one
    publish (called once per channel), else the whole workload (called once).
    """
    warm = make_op(names[: BATCH // 10], workload)
    op = make_op(names, workload)
    if workload == "seq":
        await time_async(warm, BATCH // 10, 1)
        return await time_async(op, len(names), 1)
    await warm()
    return await time_async(op, 1, 1)


def warm_count(count: int) -> int:
    """How many untimed calls open the connections and fill caches first."""
    return max(1, min(200, count // 10))
