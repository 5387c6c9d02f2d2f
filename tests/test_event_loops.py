"""An asyncio client made once keeps working across event loops."""

from __future__ import annotations

import asyncio

from cent import AsyncClient, GrpcClient, PublishResult
from cent.testing.server import CentrifugoServer


def test_async_clients_survive_a_second_asyncio_run(
    centrifugo: CentrifugoServer,
) -> None:
    http = AsyncClient(centrifugo.api_url, centrifugo.api_key)
    grpc = GrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, api_key=centrifugo.grpc_key
    )

    async def publish_both() -> list[PublishResult]:
        return [await http.publish("loops", 1), await grpc.publish("loops", b"1")]

    first = asyncio.run(publish_both())
    second = asyncio.run(publish_both())

    async def close_both() -> None:
        await http.close()
        await grpc.close()

    asyncio.run(close_both())
    assert [r.offset for r in first + second] == [1, 2, 3, 4]
