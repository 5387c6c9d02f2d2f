"""The CPU workload shared by every side of the benchmark, and its timer.

This module needs only ``orjson`` and the standard library, because it is
imported both here (``benchmarks._workload``) and by ``ref_cpu.py`` inside the
reference venv (as the top-level module ``_workload``). Keeping the canned
replies, the floor and the timing loop in one place means every side does
exactly the same work and is timed the same way.
"""

from __future__ import annotations

import gc
import time
from typing import Any, Callable

import orjson

BATCH_SIZE = 1000
CHANNEL = "channel"
PUBLISH_REPLY = b'{"result":{"offset":1,"epoch":"abc"}}'
BATCH_REPLY = orjson.dumps(
    {
        "replies": [
            {"publish": {"offset": i + 1, "epoch": "abc"}} for i in range(BATCH_SIZE)
        ]
    }
)

Op = Callable[[], "tuple[bytes, Any]"]


def batch_channel(i: int) -> str:
    """Return the channel of the ``i``-th publish in a batch."""
    return f"channel-{i}"


def floor_publish() -> tuple[bytes, Any]:
    """Do one publish by hand: the dict a user would write, dumps, loads."""
    body = orjson.dumps({"channel": CHANNEL, "data": {"input": "hello"}})
    return body, orjson.loads(PUBLISH_REPLY)


def floor_batch() -> tuple[bytes, Any]:
    """Do one batch of ``BATCH_SIZE`` publishes by hand with bare orjson."""
    commands = [
        {"publish": {"channel": batch_channel(i), "data": {"input": "hello"}}}
        for i in range(BATCH_SIZE)
    ]
    body = orjson.dumps({"commands": commands})
    return body, orjson.loads(BATCH_REPLY)


def summarise(scenario: str, result: Any) -> list[Any]:
    """Reduce a decoded result to plain values that every side must agree on.

    Both SDKs expose ``offset`` and ``epoch`` on a publish result and a
    ``replies`` sequence on a batch result.
    """
    if scenario == "publish":
        return [result.offset, result.epoch]
    replies = result.replies
    return [len(replies), replies[0].offset, replies[-1].offset]


EXPECTED = {"publish": [1, "abc"], "batch1000": [BATCH_SIZE, 1, BATCH_SIZE]}


def time_round(op: Op, iters: int) -> float:
    """Run ``op`` ``iters`` times and return the mean seconds per operation.

    Garbage left by the previous round is collected first so that no round
    pays for another's; collection stays enabled during the round, since a
    real caller pays for the garbage its own calls make.
    """
    gc.collect()
    clock = time.perf_counter
    start = clock()
    for _ in range(iters):
        op()
    return (clock() - start) / iters


def warm_up(op: Op, *, batch: bool) -> None:
    """Call ``op`` enough times to fill lazy caches (schemas, generics)."""
    for _ in range(3 if batch else 300):
        op()
