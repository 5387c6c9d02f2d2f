"""Code a user writes; `mypy --strict` must accept it and infer these types."""

from __future__ import annotations

import asyncio

from typing_extensions import assert_type

from cent import (
    AsyncClient,
    BatchRequest,
    BatchResult,
    BroadcastResult,
    CentAPIError,
    Client,
    GrpcClient,
    HistoryRequest,
    HistoryResult,
    InfoResult,
    PublishRequest,
    PublishResult,
    SyncGrpcClient,
)


def sync_user(client: Client, grpc: SyncGrpcClient) -> None:
    assert_type(client.send(PublishRequest("c", {"a": 1})), PublishResult)
    chained = PublishRequest("c").data({"a": 1}).tags({"k": "v"}).delta()
    assert_type(chained, PublishRequest)
    assert_type(client.send(chained), PublishResult)
    assert_type(client.history("c", limit=-1), HistoryResult)
    assert_type(client.send(HistoryRequest("c").limit(5).reverse()), HistoryResult)
    assert_type(client.broadcast(["a", "b"], 1), BroadcastResult)
    batch = BatchRequest().add(PublishRequest("c", 1)).parallel()
    assert_type(client.send(batch), BatchResult)
    assert_type(grpc.info(), InfoResult)
    with client as same:
        assert_type(same, Client)


async def async_user(client: AsyncClient, grpc: GrpcClient) -> None:
    assert_type(await client.publish("c", {"a": 1}), PublishResult)
    assert_type(await grpc.send(PublishRequest("c", b"{}")), PublishResult)
    result = await client.batch([PublishRequest("c", 1)])
    for reply in result.replies:
        if isinstance(reply, CentAPIError):
            assert_type(reply.code, int)
    async with grpc as same:
        assert_type(same, GrpcClient)


if __name__ == "__main__":
    asyncio.run(async_user(AsyncClient("http://x/api", "k"), GrpcClient("x", 1)))
