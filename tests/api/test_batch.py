"""batch against a real server: order, per-command errors, parallel mode."""

from __future__ import annotations

import time
from typing import Any, Callable, List

import pytest

from cent import (
    BatchRequest,
    BatchResult,
    BroadcastRequest,
    BroadcastResult,
    CentAPIError,
    ChannelsRequest,
    ChannelsResult,
    DisconnectRequest,
    DisconnectResult,
    HistoryRemoveRequest,
    HistoryRemoveResult,
    HistoryRequest,
    HistoryResult,
    InfoRequest,
    InfoResult,
    PresenceRequest,
    PresenceResult,
    PresenceStatsRequest,
    PresenceStatsResult,
    PublishRequest,
    PublishResult,
    RefreshRequest,
    RefreshResult,
    RPCRequest,
    SubscribeRequest,
    SubscribeResult,
    UnsubscribeRequest,
    UnsubscribeResult,
)

from .conftest import ApiAdapter, ConnectSubscriber


async def all_data(api: ApiAdapter, channel: str) -> List[Any]:
    history = await api.call("history", channel, limit=-1)
    return [api.loaded(pub.data) for pub in history.publications]


async def test_fluent_batch_runs_in_order(api: ApiAdapter, channel: str) -> None:
    batch = (
        BatchRequest()
        .add(PublishRequest(channel, api.payload(1)))
        .add(PublishRequest(channel, api.payload(2)))
        .add(HistoryRequest(channel, limit=-1))
        .add(PresenceStatsRequest(channel))
        .add(InfoRequest())
    )

    result = await api.send(batch)

    assert isinstance(result, BatchResult)
    first, second, history, stats, info = result.replies
    assert isinstance(first, PublishResult) and isinstance(second, PublishResult)
    assert (first.offset, second.offset) == (1, 2)
    assert isinstance(history, HistoryResult)
    assert [api.loaded(pub.data) for pub in history.publications] == [1, 2]
    assert stats == PresenceStatsResult(0, 0)
    assert isinstance(info, InfoResult) and info.nodes
    assert result.errors == []
    assert result.raise_first_error() is result


async def test_batch_shortcut_takes_a_list(api: ApiAdapter, channel: str) -> None:
    requests = [PublishRequest(channel, api.payload(n)) for n in range(3)]

    result = await api.call("batch", requests)

    assert [reply.offset for reply in result.replies] == [1, 2, 3]
    assert await all_data(api, channel) == [0, 1, 2]


async def test_empty_batch(api: ApiAdapter) -> None:
    result = await api.send(BatchRequest())

    assert result.replies == []


@pytest.mark.parametrize("parallel", [False, True], ids=["sequential", "parallel"])
async def test_failing_command_carries_index_and_request(
    api: ApiAdapter, new_channel: Callable[[str], str], parallel: bool
) -> None:
    # Each publish has its own channel, so the check below holds in any order.
    before, after = new_channel(""), new_channel("")
    failing = PublishRequest(new_channel("unknown:"), api.payload("lost"))
    batch = BatchRequest(
        [
            PublishRequest(before, api.payload("a")),
            failing,
            PublishRequest(after, api.payload("b")),
            HistoryRequest(new_channel("nohist:")),
            RPCRequest("no-such-method", api.payload({})),
        ],
        parallel=parallel,
    )

    result = await api.send(batch)

    first, error, last, not_available, not_found = result.replies
    assert isinstance(first, PublishResult) and isinstance(last, PublishResult)
    assert (first.offset, last.offset) == (1, 1)
    assert isinstance(error, CentAPIError)
    assert (error.code, error.index) == (102, 1)
    assert error.request is failing
    assert isinstance(not_available, CentAPIError)
    assert (not_available.code, not_available.index) == (108, 3)
    assert isinstance(not_found, CentAPIError)
    assert (not_found.code, not_found.index) == (104, 4)
    assert result.errors == [error, not_available, not_found]
    with pytest.raises(CentAPIError) as caught:
        result.raise_first_error()
    assert caught.value is error
    # The commands around the failing one ran.
    assert await all_data(api, before) == ["a"]
    assert await all_data(api, after) == ["b"]


async def test_parallel_batch_keeps_reply_order(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    # Channel i already holds i publications, so its next offset is i + 1:
    # reply i must be the reply of command i, whatever order they ran in.
    channels = [new_channel("") for _ in range(8)]
    setup = BatchRequest()
    for index, name in enumerate(channels):
        for _ in range(index):
            setup.add(PublishRequest(name, api.payload("setup")))
    await api.send(setup)

    batch = BatchRequest(
        [PublishRequest(name, api.payload("x")) for name in channels], parallel=True
    )
    result = await api.send(batch)

    assert [reply.offset for reply in result.replies] == list(range(1, 9))
    fluent = BatchRequest().parallel().add(HistoryRequest(channels[3]))
    [history] = (await api.send(fluent)).replies
    assert history.offset == 4


async def test_broadcast_inside_batch(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    good, bad = new_channel(""), new_channel("unknown:")
    broadcast = BroadcastRequest([good, bad], api.payload({"b": 1}))

    result = await api.send(BatchRequest([broadcast, HistoryRequest(good, limit=-1)]))

    outcome, history = result.replies
    assert isinstance(outcome, BroadcastResult)
    ok, failed = outcome.responses
    assert isinstance(ok, PublishResult) and ok.offset == 1
    assert isinstance(failed, CentAPIError)
    assert (failed.code, failed.index) == (102, 1)
    assert failed.request is broadcast
    # A broadcast item error is not a failed batch command.
    assert result.errors == []
    assert [api.loaded(pub.data) for pub in history.publications] == [{"b": 1}]


async def test_batch_of_empty_results(
    api: ApiAdapter,
    connect_subscriber: ConnectSubscriber,
    channel: str,
    new_channel: Callable[[str], str],
) -> None:
    # Most of these replies are `{"<method>": {}}`; none may read as missing.
    subscriber = await connect_subscriber()
    other = new_channel("")
    commands = [
        PublishRequest(new_channel("nohist:"), api.payload(1)),
        SubscribeRequest(subscriber.user, other),
        UnsubscribeRequest(subscriber.user, other),
        RefreshRequest(subscriber.user, expire_at=int(time.time()) + 3600),
        HistoryRemoveRequest(channel),
        PresenceRequest(channel),
        PresenceStatsRequest(channel),
        ChannelsRequest(f"{channel}-nothing-*"),
        HistoryRequest(channel),
        DisconnectRequest("nobody-with-this-id"),
    ]

    result = await api.send(BatchRequest(commands))

    assert result.errors == []
    assert [type(reply) for reply in result.replies] == [
        PublishResult,
        SubscribeResult,
        UnsubscribeResult,
        RefreshResult,
        HistoryRemoveResult,
        PresenceResult,
        PresenceStatsResult,
        ChannelsResult,
        HistoryResult,
        DisconnectResult,
    ]
    assert result.replies[0] == PublishResult()
    assert result.replies[5] == PresenceResult({})
    assert result.replies[7] == ChannelsResult({})
    assert result.replies[8] == HistoryResult([], 0, result.replies[8].epoch)
    await subscriber.expect("subscribed", other)
    await subscriber.expect("unsubscribed", other)
