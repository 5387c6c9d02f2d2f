"""Automatic batching against real Centrifugo servers, over HTTP and gRPC."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from cent import AsyncClient, AutoBatching, CentAPIError, GrpcClient, PublishResult
from cent.testing.server import CentrifugoServer

CALLERS = 300


def _client(kind: str, server: CentrifugoServer) -> Any:
    batching = AutoBatching(max_size=100, max_delay=0.005)
    if kind == "http":
        return AsyncClient(server.api_url, server.api_key, auto_batch=batching)
    return GrpcClient(
        server.grpc_host, server.grpc_port, api_key=server.grpc_key, auto_batch=batching
    )


def _data(kind: str, n: int) -> Any:
    return {"n": n} if kind == "http" else b'{"n": %d}' % n


@pytest.mark.parametrize("kind", ["http", "grpc"])
async def test_concurrent_publishes_each_get_their_own_outcome(
    kind: str, centrifugo: CentrifugoServer
) -> None:
    channel = f"auto-{uuid.uuid4().hex}"
    batches_before = centrifugo.log_text().count('"/api/batch"')
    client = _client(kind, centrifugo)

    calls = [client.publish(channel, _data(kind, n)) for n in range(CALLERS)]
    calls.append(client.publish(f"unknown:{channel}", _data(kind, -1)))
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    history = await client.history(channel, limit=-1)
    await client.close()

    published, failed = outcomes[:-1], outcomes[-1]
    assert all(isinstance(item, PublishResult) for item in published)
    assert sorted(item.offset for item in published) == list(range(1, CALLERS + 1))
    assert isinstance(failed, CentAPIError)
    assert (failed.code, failed.index) == (102, None)
    # The stream keeps the last 100 (the test servers' history size).
    assert history.offset == CALLERS
    assert [p.offset for p in history.publications] == list(range(201, 301))
    if kind == "http":
        # 301 calls: three full batches of 100; the last call goes alone.
        await asyncio.sleep(0.2)
        batches = centrifugo.log_text().count('"/api/batch"') - batches_before
        assert batches == 3
