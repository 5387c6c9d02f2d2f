"""The reference SDK, cent 5.2.0, running the workloads of ``benchmarks._sides``.

This file runs INSIDE the reference venv (see ``benchmarks/refenv.py``) as a
plain script, as a worker for ``python -m benchmarks``: it prints one JSON
line when ready, then answers each JSON command line on stdin with one JSON
line on stdout. From this repository it imports only ``_driver``,
``_workload`` and ``ref_cpu`` (found next to it), never our ``cent``.

Commands:

- ``{"cmd": "net", "workload": ..., "count": ..., ...}``: one timed round of
  a network workload, with the same parameters and the same steps as ours
  (set up, warm up, time, tear down); answers ``{"elapsed_s": ...,
  "cpu_s": ...}`` (wall-clock and CPU seconds of the timed loop).
- ``{"cmd": "cpu", "scenario": "publish" | "batch1000", "iters": N}``: one
  round of the client CPU benchmark (``ref_cpu.py``); answers
  ``{"per_op_s": ...}``.
- ``{"cmd": "versions"}``: the versions of the packages in this venv.

cent 5.2.0 takes request models (``PublishRequest(channel=..., data=...)``)
where ours takes arguments; each call below is what its README shows.
"""

from __future__ import annotations

import asyncio
import json
import platform
import sys
from functools import partial
from importlib.metadata import version
from typing import Any, Awaitable, Dict, List

from _driver import (
    CHANNEL,
    DATA,
    DEFAULT_POOL,
    TIMEOUT,
    AsyncOp,
    Params,
    Timed,
    channels,
    check_count,
    chunks,
    time_async,
    time_sync,
    time_workload,
    warm_count,
)
from _workload import time_round, warm_up
from aiohttp import ClientSession, TCPConnector
from ref_cpu import make_ops

from cent import AsyncClient, BatchRequest, BroadcastRequest, Client, PublishRequest


def http_sync(params: Params) -> Timed:
    count = params["count"]
    client = Client(params["api_url"], params["api_key"], TIMEOUT)
    try:

        def op() -> Any:
            return client.publish(PublishRequest(channel=CHANNEL, data=DATA))

        time_sync(op, warm_count(count))
        return time_sync(op, count)
    finally:
        client._session.close()  # 5.2.0's Client has no close()


async def http_async(params: Params) -> Timed:
    count, in_flight = params["count"], params["in_flight"]
    session = None
    if in_flight > DEFAULT_POOL:  # the same pool size as ours and the floor
        session = ClientSession(connector=TCPConnector(limit=in_flight))
    client = AsyncClient(params["api_url"], params["api_key"], TIMEOUT, session)
    try:

        def op() -> Awaitable[Any]:
            return client.publish(PublishRequest(channel=CHANNEL, data=DATA))

        await time_async(op, warm_count(count), in_flight)
        return await time_async(op, count, in_flight)
    finally:
        await client.close()


def _seq(client: AsyncClient, names: List[str], workload: str) -> AsyncOp:
    each = iter(names)
    return lambda: client.publish(PublishRequest(channel=next(each), data=DATA))


def _batches(client: AsyncClient, names: List[str], workload: str) -> AsyncOp:
    async def op() -> None:
        for part in chunks(names, workload):
            requests = [PublishRequest(channel=name, data=DATA) for name in part]
            result = await client.batch(BatchRequest(requests=requests))
            check_count("batch", len(result.replies), len(part))

    return op


def _broadcast(client: AsyncClient, names: List[str], workload: str) -> AsyncOp:
    async def op() -> None:
        request = BroadcastRequest(channels=names, data=DATA)
        result = await client.broadcast(request)
        check_count("broadcast", len(result.responses), len(names))

    return op


_TEN_K = {"seq": _seq, "batch": _batches, "batches": _batches, "broadcast": _broadcast}


async def ten_k(params: Params) -> Timed:
    names = channels(params["count"])
    client = AsyncClient(params["api_url"], params["api_key"], TIMEOUT)
    make_op = partial(_TEN_K[params["workload"]], client)
    try:
        return await time_workload(make_op, names, params["workload"])
    finally:
        await client.close()


def run(params: Params) -> Timed:
    workload = params["workload"]
    if workload == "http-sync":
        return http_sync(params)
    if workload == "http-async":
        return asyncio.run(http_async(params))
    return asyncio.run(ten_k(params))


def versions() -> Dict[str, str]:
    names = ("cent", "pydantic", "requests", "aiohttp", "orjson")
    found = {name: version(name) for name in names}
    found["python"] = platform.python_version()
    return found


def serve() -> None:
    """Answer commands from stdin, one JSON line in, one JSON line out."""
    cpu_ops = make_ops()
    for name, cpu_op in cpu_ops.items():
        warm_up(cpu_op, batch="batch" in name)
    sys.stdout.write(json.dumps({"ready": True}) + "\n")
    sys.stdout.flush()

    for line in sys.stdin:
        command = json.loads(line)
        kind = command.pop("cmd")
        reply: Any
        try:
            if kind == "net":
                wall, cpu = run(command)
                reply = {"elapsed_s": wall, "cpu_s": cpu}
            elif kind == "cpu":
                op = cpu_ops[command["scenario"]]
                reply = {"per_op_s": time_round(op, command["iters"])}
            elif kind == "versions":
                reply = versions()
            else:
                reply = {"error": f"unknown command {kind!r}"}
        except Exception as err:  # reported to the parent, which stops
            reply = {"error": f"{type(err).__name__}: {err}"[:500]}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    serve()
