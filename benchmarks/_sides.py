"""Our SDK and the floor, each running one timed round of a network workload.

``run(side, params)`` sets a client up, warms it up (opens its connections,
fills its caches), times ``params["count"]`` publishes of the workload and
tears the client down; only the middle step is timed. The reference does the
same in its own venv (``ref_net.py``), with the same ``params``.

Workloads (``params["workload"]``):

- ``http-sync``: sequential publishes on the blocking HTTP client.
- ``http-async``: publishes with ``in_flight`` calls at once on the asyncio
  HTTP client (one call at a time when it is 1).
- ``grpc-sync`` / ``grpc-async``: the same two over gRPC.
- ``seq``: ``count`` async publishes one at a time, each to its own channel.
- ``batch``: the same publishes as one batch call.
- ``batches``: the same publishes as batch calls of ``BATCH`` each, one
  after another.
- ``broadcast``: one broadcast into ``count`` channels.

The floor is what any client must do at the least: POST pre-encoded bytes
with the same headers on a bare ``requests.Session`` or
``aiohttp.ClientSession``, check the status and parse the JSON reply; over
gRPC, call the generated ``CentrifugoApiStub`` with a pre-built message and
the same metadata and deadline.
"""

from __future__ import annotations

import asyncio
from functools import partial
from typing import Any, Awaitable, Callable, Coroutine, Dict, List, Optional

import aiohttp
import grpc
import grpc.aio
import requests

from benchmarks._driver import (
    BATCH,
    CHANNEL,
    DATA,
    DATA_BYTES,
    DEFAULT_POOL,
    TIMEOUT,
    AsyncOp,
    Params,
    Timed,
    batch_body,
    broadcast_body,
    channels,
    check_count,
    check_reply,
    chunks,
    publish_body,
    time_async,
    time_sync,
    time_workload,
    warm_count,
)
from cent import (
    AsyncClient,
    BatchRequest,
    Client,
    GrpcClient,
    PublishRequest,
    SyncGrpcClient,
)
from cent._proto import api_pb2
from cent._proto.api_pb2_grpc import CentrifugoApiStub


def run(side: str, params: Params) -> Timed:
    """Run one timed round of ``params["workload"]``; return its seconds."""
    workload = params["workload"]
    if side == "ours":
        return _OURS[workload](params)
    return _FLOOR[workload](params)


def pooled_session(in_flight: int) -> Optional[aiohttp.ClientSession]:
    """A session whose pool fits ``in_flight`` calls, or None if the default does."""
    if in_flight <= DEFAULT_POOL:
        return None
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=in_flight))


def _headers(params: Params) -> Dict[str, str]:
    return {"X-API-Key": params["api_key"], "Content-Type": "application/json"}


def _metadata(params: Params) -> Any:
    return (("authorization", f"apikey {params['grpc_key']}"),)


# --- ours ---------------------------------------------------------------------


def _ours_http_sync(params: Params) -> Timed:
    count = params["count"]
    with Client(params["api_url"], params["api_key"], TIMEOUT) as client:

        def op() -> Any:
            return client.publish(CHANNEL, DATA)

        time_sync(op, warm_count(count))
        return time_sync(op, count)


def _ours_grpc_sync(params: Params) -> Timed:
    count = params["count"]
    host, port = params["grpc_host"], params["grpc_port"]
    key = params["grpc_key"]
    with SyncGrpcClient(host, port, TIMEOUT, api_key=key) as client:

        def op() -> Any:
            return client.publish(CHANNEL, DATA_BYTES)

        time_sync(op, warm_count(count))
        return time_sync(op, count)


async def _ours_http_async(params: Params) -> Timed:
    count, in_flight = params["count"], params["in_flight"]
    session = pooled_session(in_flight)
    # Passed only when asked for, so this runs on a cent without the option.
    extra: Dict[str, Any] = {"auto_batch": True} if params.get("auto_batch") else {}
    client = AsyncClient(
        params["api_url"], params["api_key"], TIMEOUT, session, **extra
    )
    try:

        def op() -> Awaitable[Any]:
            return client.publish(CHANNEL, DATA)

        await time_async(op, warm_count(count), in_flight)
        return await time_async(op, count, in_flight)
    finally:
        await client.close()
        if session is not None:
            await session.close()


async def _ours_grpc_async(params: Params) -> Timed:
    count, in_flight = params["count"], params["in_flight"]
    host, port = params["grpc_host"], params["grpc_port"]
    async with GrpcClient(host, port, TIMEOUT, api_key=params["grpc_key"]) as client:

        def op() -> Awaitable[Any]:
            return client.publish(CHANNEL, DATA_BYTES)

        await time_async(op, warm_count(count), in_flight)
        return await time_async(op, count, in_flight)


def _ours_ten_k(
    make_op: Callable[[AsyncClient, List[str], str], AsyncOp],
) -> Callable[[Params], Coroutine[Any, Any, Timed]]:
    """Time one of the 10,000-publish workloads on our asyncio client."""

    async def measure(params: Params) -> Timed:
        names = channels(params["count"])
        async with AsyncClient(params["api_url"], params["api_key"], TIMEOUT) as client:
            return await time_workload(
                partial(make_op, client), names, params["workload"]
            )

    return measure


def _ours_seq(client: AsyncClient, names: List[str], workload: str) -> AsyncOp:
    each = iter(names)
    return lambda: client.publish(next(each), DATA)


def _ours_batches(client: AsyncClient, names: List[str], workload: str) -> AsyncOp:
    async def op() -> None:
        for part in chunks(names, workload):
            result = await client.send(
                BatchRequest([PublishRequest(name, DATA) for name in part])
            )
            check_count("batch", len(result.replies), len(part))

    return op


def _ours_broadcast(client: AsyncClient, names: List[str], workload: str) -> AsyncOp:
    async def op() -> None:
        result = await client.broadcast(names, DATA)
        check_count("broadcast", len(result.responses), len(names))

    return op


# --- the floor ------------------------------------------------------------------


def _floor_http_sync(params: Params) -> Timed:
    count = params["count"]
    url, body, headers = (
        params["api_url"] + "/publish",
        publish_body(),
        _headers(params),
    )
    with requests.Session() as session:

        def op() -> Any:
            reply = session.post(url, data=body, headers=headers, timeout=TIMEOUT)
            return check_reply(reply.status_code, reply.content)

        time_sync(op, warm_count(count))
        return time_sync(op, count)


def _floor_grpc_sync(params: Params) -> Timed:
    count = params["count"]
    target = f"{params['grpc_host']}:{params['grpc_port']}"
    message = api_pb2.PublishRequest(channel=CHANNEL, data=DATA_BYTES)
    metadata = _metadata(params)
    with grpc.insecure_channel(target) as channel:
        stub = CentrifugoApiStub(channel)  # type: ignore[no-untyped-call]

        def op() -> Any:
            reply = stub.Publish(message, timeout=TIMEOUT, metadata=metadata)
            if reply.HasField("error"):
                raise RuntimeError(f"API error: {reply.error}")
            return reply

        time_sync(op, warm_count(count))
        return time_sync(op, count)


def _floor_session(in_flight: int = 1) -> aiohttp.ClientSession:
    limit = max(DEFAULT_POOL, in_flight)
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=limit))


def _floor_post(
    session: aiohttp.ClientSession, url: str, headers: Dict[str, str]
) -> Callable[[bytes], Awaitable[Any]]:
    timeout = aiohttp.ClientTimeout(total=TIMEOUT)

    async def post(body: bytes) -> Any:
        async with session.post(
            url, data=body, headers=headers, timeout=timeout
        ) as reply:
            return check_reply(reply.status, await reply.read())

    return post


async def _floor_http_async(params: Params) -> Timed:
    count, in_flight = params["count"], params["in_flight"]
    body = publish_body()
    async with _floor_session(in_flight) as session:
        post = _floor_post(session, params["api_url"] + "/publish", _headers(params))

        def op() -> Awaitable[Any]:
            return post(body)

        await time_async(op, warm_count(count), in_flight)
        return await time_async(op, count, in_flight)


async def _floor_grpc_async(params: Params) -> Timed:
    count, in_flight = params["count"], params["in_flight"]
    target = f"{params['grpc_host']}:{params['grpc_port']}"
    message = api_pb2.PublishRequest(channel=CHANNEL, data=DATA_BYTES)
    metadata = _metadata(params)
    async with grpc.aio.insecure_channel(target) as channel:
        stub = CentrifugoApiStub(channel)  # type: ignore[no-untyped-call]

        async def op() -> Any:
            reply = await stub.Publish(message, timeout=TIMEOUT, metadata=metadata)
            if reply.HasField("error"):
                raise RuntimeError(f"API error: {reply.error}")
            return reply

        await time_async(op, warm_count(count), in_flight)
        return await time_async(op, count, in_flight)


async def _floor_ten_k(params: Params) -> Timed:
    """Time one 10,000-publish workload with pre-encoded bodies on aiohttp."""
    workload, names = params["workload"], channels(params["count"])
    api_url, headers = params["api_url"], _headers(params)
    async with _floor_session() as session:
        if workload == "seq":
            post = _floor_post(session, api_url + "/publish", headers)
            each = iter([publish_body(name) for name in names])
            warm_body = publish_body()
            await time_async(lambda: post(warm_body), BATCH // 10, 1)
            return await time_async(lambda: post(next(each)), len(names), 1)

        warm_names = names[: BATCH // 10]
        if workload == "broadcast":
            post = _floor_post(session, api_url + "/broadcast", headers)
            parts, warm = [names], broadcast_body(warm_names)
            bodies = [broadcast_body(names)]
        else:
            post = _floor_post(session, api_url + "/batch", headers)
            parts, warm = chunks(names, workload), batch_body(warm_names)
            bodies = [batch_body(part) for part in parts]

        async def op() -> None:
            for part, body in zip(parts, bodies):
                reply = await post(body)
                if workload == "broadcast":
                    reply = reply["result"]["responses"]
                else:
                    reply = reply["replies"]
                check_count(workload, len(reply), len(part))

        await post(warm)
        return await time_async(op, 1, 1)


def _in_loop(
    measure: Callable[[Params], Coroutine[Any, Any, Timed]],
) -> Callable[[Params], Timed]:
    return lambda params: asyncio.run(measure(params))


_OURS: Dict[str, Callable[[Params], Timed]] = {
    "http-sync": _ours_http_sync,
    "http-async": _in_loop(_ours_http_async),
    "grpc-sync": _ours_grpc_sync,
    "grpc-async": _in_loop(_ours_grpc_async),
    "seq": _in_loop(_ours_ten_k(_ours_seq)),
    "batch": _in_loop(_ours_ten_k(_ours_batches)),
    "batches": _in_loop(_ours_ten_k(_ours_batches)),
    "broadcast": _in_loop(_ours_ten_k(_ours_broadcast)),
}

_FLOOR: Dict[str, Callable[[Params], Timed]] = {
    "http-sync": _floor_http_sync,
    "http-async": _in_loop(_floor_http_async),
    "grpc-sync": _floor_grpc_sync,
    "grpc-async": _in_loop(_floor_grpc_async),
    "seq": _in_loop(_floor_ten_k),
    "batch": _in_loop(_floor_ten_k),
    "batches": _in_loop(_floor_ten_k),
    "broadcast": _in_loop(_floor_ten_k),
}
