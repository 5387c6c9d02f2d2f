"""info and rpc against a real server."""

from __future__ import annotations

import pytest

from cent import CentAPIError, InfoRequest, InfoResult, NodeResult, RPCRequest
from cent.testing.server import CentrifugoServer

from .conftest import ApiAdapter, ConnectSubscriber


async def test_info_reports_the_node(
    api: ApiAdapter,
    centrifugo: CentrifugoServer,
    connect_subscriber: ConnectSubscriber,
    channel: str,
) -> None:
    await connect_subscriber(channels=[channel])

    result = await api.send(InfoRequest())

    assert isinstance(result, InfoResult)
    [node] = result.nodes
    assert isinstance(node, NodeResult)
    assert node.uid and node.name
    # v5.4.9 reports "5.4.9", v6.9.1 "6.9.1 OSS".
    assert node.version.split()[0] == centrifugo.version
    # The counts come from node stats refreshed every few seconds: the
    # subscriber above may not be counted yet.
    counts = (node.num_clients, node.num_users, node.num_channels, node.num_subs)
    assert all(type(count) is int and count >= 0 for count in counts)
    assert type(node.uptime) is int and node.uptime >= 0
    if node.metrics is not None:
        assert node.metrics.interval > 0
        assert all(isinstance(v, (int, float)) for v in node.metrics.items.values())
    if node.process is not None:
        assert node.process.rss >= 0


async def test_info_shortcut(api: ApiAdapter) -> None:
    result = await api.call("info")

    assert len(result.nodes) == 1


@pytest.mark.parametrize("with_params", [False, True])
async def test_rpc_is_not_found_on_oss(api: ApiAdapter, with_params: bool) -> None:
    request = RPCRequest("anything")
    if with_params:
        request.params(api.payload({"x": 1}))

    with pytest.raises(CentAPIError) as caught:
        await api.send(request)

    assert caught.value.code == 104
    with pytest.raises(CentAPIError) as caught:
        await api.call("rpc", "other", api.payload([1]))
    assert caught.value.code == 104
