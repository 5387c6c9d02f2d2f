"""The API's effect on live connections, seen by a real WebSocket client."""

from __future__ import annotations

import asyncio
import time
from typing import Awaitable, Callable, Set

import pytest

from cent import (
    BroadcastRequest,
    CentAPIError,
    ChannelInfo,
    ClientInfo,
    Disconnect,
    DisconnectRequest,
    PresenceResult,
    PresenceStatsResult,
    PublishRequest,
    RefreshRequest,
    StreamPosition,
    SubscribeOverride,
    SubscribeRequest,
    UnsubscribeRequest,
)

from .conftest import ApiAdapter, ConnectSubscriber
from .subscriber import WAIT, Event, Subscriber


async def presence_clients(api: ApiAdapter, channel: str) -> Set[str]:
    return set((await api.call("presence", channel)).presence)


async def wait_presence(api: ApiAdapter, channel: str, expected: Set[str]) -> None:
    """Poll presence until it lists exactly `expected` client IDs."""
    deadline = time.monotonic() + WAIT
    while (found := await presence_clients(api, channel)) != expected:
        assert time.monotonic() < deadline, f"presence {found}, wanted {expected}"
        await asyncio.sleep(0.05)


# --- delivery ---------------------------------------------------------------


async def test_published_data_arrives_exactly(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str
) -> None:
    subscriber = await connect_subscriber()
    await subscriber.subscribe(channel)
    data = {"text": "héllo ✓", "n": [1, 2.5, None, True], "big": 2**53 + 1}

    result = await api.call("publish", channel, api.payload(data), tags={"k": "v"})
    await api.send(PublishRequest(channel, api.payload(None)))

    received = await subscriber.expect_publication(channel)
    assert received.data == data
    assert received.tags == {"k": "v"}
    assert received.offset == result.offset
    assert (await subscriber.expect_publication(channel)).data is None


async def test_broadcast_arrives_in_every_channel(
    api: ApiAdapter,
    connect_subscriber: ConnectSubscriber,
    new_channel: Callable[[str], str],
) -> None:
    channels = [new_channel(""), new_channel("ns:")]
    subscriber = await connect_subscriber()
    for name in channels:
        await subscriber.subscribe(name)

    await api.send(BroadcastRequest(channels, api.payload({"to": "all"})))

    for name in channels:
        assert (await subscriber.expect_publication(name)).data == {"to": "all"}


async def test_server_side_subscription_from_token(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str
) -> None:
    subscriber = await connect_subscriber(channels=[channel])
    await subscriber.expect("subscribed", channel)

    await api.call("publish", channel, api.payload("pushed"))

    assert (await subscriber.expect_publication(channel)).data == "pushed"


# --- subscribe and unsubscribe ----------------------------------------------


async def test_subscribe_then_unsubscribe(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str
) -> None:
    subscriber = await connect_subscriber()

    await api.call("subscribe", subscriber.user, channel, data=api.payload({"hi": 1}))
    subscribed = await subscriber.expect("subscribed", channel)
    assert subscribed.data == {"hi": 1}
    await api.call("publish", channel, api.payload("while subscribed"))
    assert (await subscriber.expect_publication(channel)).data == "while subscribed"

    await api.send(UnsubscribeRequest(subscriber.user, channel))
    await subscriber.expect("unsubscribed", channel)
    await api.call("publish", channel, api.payload("after"))
    await subscriber.expect_none("publication", channel)


async def test_subscribe_one_client_of_a_user(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str
) -> None:
    chosen = await connect_subscriber("shared-user")
    other = await connect_subscriber("shared-user")

    await api.send(SubscribeRequest(chosen.user, channel, client=chosen.client_id))

    await chosen.expect("subscribed", channel)
    await other.expect_none("subscribed", channel)
    await wait_presence(api, channel, {chosen.client_id})

    await api.call("unsubscribe", other.user, channel, client=other.client_id)
    await chosen.expect_none("unsubscribed", channel)


async def test_subscribe_info_and_override(
    api: ApiAdapter,
    connect_subscriber: ConnectSubscriber,
    new_channel: Callable[[str], str],
) -> None:
    shown, hidden = new_channel(""), new_channel("")
    subscriber = await connect_subscriber()

    await api.call("subscribe", subscriber.user, shown, info=api.payload({"r": 1}))
    await api.send(
        SubscribeRequest(subscriber.user, hidden).override(
            SubscribeOverride(presence=False)
        )
    )
    await subscriber.expect("subscribed", shown)
    await subscriber.expect("subscribed", hidden)

    presence = await api.call("presence", shown)
    info = presence.presence[subscriber.client_id]
    assert api.loaded(info.chan_info) == {"r": 1}
    assert await presence_clients(api, hidden) == set()


async def test_subscribe_position_overrides_and_recover_since(
    api: ApiAdapter,
    connect_subscriber: ConnectSubscriber,
    new_channel: Callable[[str], str],
) -> None:
    # The subscribe push shows what the server applied: plain, positioned,
    # or recovering from the given position (the push carries its offset).
    plain, positioned, recovering = (new_channel("") for _ in range(3))
    for name in (plain, positioned, recovering):
        for number in range(3):
            await api.call("publish", name, api.payload(number))
    top = await api.call("history", recovering)
    subscriber = await connect_subscriber()

    await api.call("subscribe", subscriber.user, plain)
    await api.call(
        "subscribe",
        subscriber.user,
        positioned,
        override=SubscribeOverride(force_positioning=True),
    )
    await api.send(
        SubscribeRequest(subscriber.user, recovering)
        .override(SubscribeOverride(force_recovery=True))
        .recover_since(StreamPosition(1, top.epoch))
    )

    def pushed(name: str) -> Awaitable[Event]:
        return subscriber.expect("push", name, where=lambda e: "subscribe" in e.raw)

    assert (await pushed(plain)).raw["subscribe"] == {}
    push = (await pushed(positioned)).raw["subscribe"]
    assert push["positioned"] is True and not push.get("recoverable")
    push = (await pushed(recovering)).raw["subscribe"]
    assert push["recoverable"] is True
    assert (push["offset"], push["epoch"]) == (1, top.epoch)


async def test_subscribe_expire_at(
    api: ApiAdapter,
    connect_subscriber: ConnectSubscriber,
    new_channel: Callable[[str], str],
) -> None:
    subscriber = await connect_subscriber()
    later, past = new_channel(""), new_channel("")

    await api.call(
        "subscribe", subscriber.user, later, expire_at=int(time.time()) + 3600
    )
    await subscriber.expect("subscribed", later)

    # Documented server behaviour (v5 and v6): an expiry in the past is 100.
    with pytest.raises(CentAPIError) as caught:
        await api.call(
            "subscribe", subscriber.user, past, expire_at=int(time.time()) - 60
        )
    assert caught.value.code == 100
    await subscriber.expect_none("subscribed", past, within=0.2)


# --- presence, presence_stats, channels ---------------------------------------


async def test_presence_lists_the_connections(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str
) -> None:
    alice_1 = await connect_subscriber("alice", channels=[channel])
    alice_2 = await connect_subscriber("alice", channels=[channel])
    bob = await connect_subscriber("bob")
    await bob.subscribe(channel)

    presence = await api.call("presence", channel)
    stats = await api.call("presence_stats", channel)

    def seen(subscriber: Subscriber, user: str) -> ClientInfo:
        # No connection or channel info was given: None over HTTP, b"" over gRPC.
        return ClientInfo(subscriber.client_id, user, api.empty, api.empty)

    assert isinstance(presence, PresenceResult)
    assert presence.presence == {
        alice_1.client_id: seen(alice_1, "alice"),
        alice_2.client_id: seen(alice_2, "alice"),
        bob.client_id: seen(bob, "bob"),
    }
    assert stats == PresenceStatsResult(num_clients=3, num_users=2)
    assert type(stats.num_clients) is int


async def test_presence_shows_connection_and_channel_info(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str
) -> None:
    subscriber = await connect_subscriber(info={"device": "phone"})

    await api.call("subscribe", subscriber.user, channel, info=api.payload([1, 2]))
    await subscriber.expect("subscribed", channel)

    presence = await api.call("presence", channel)
    info = presence.presence[subscriber.client_id]
    assert (info.client, info.user) == (subscriber.client_id, subscriber.user)
    assert api.loaded(info.conn_info) == {"device": "phone"}
    assert api.loaded(info.chan_info) == [1, 2]


async def test_presence_of_an_empty_channel(api: ApiAdapter, channel: str) -> None:
    assert await api.call("presence", channel) == PresenceResult({})
    assert await api.call("presence_stats", channel) == PresenceStatsResult(0, 0)


async def test_channels_with_pattern(
    api: ApiAdapter,
    connect_subscriber: ConnectSubscriber,
    new_channel: Callable[[str], str],
) -> None:
    prefix = new_channel("")
    first, second = f"{prefix}-a", f"{prefix}-b"
    await connect_subscriber(channels=[first, second])
    await connect_subscriber(channels=[first])

    matched = await api.call("channels", f"{prefix}-*")
    only_b = await api.call("channels", pattern=f"{prefix}-b")
    everything = await api.call("channels")

    assert matched.channels == {first: ChannelInfo(2), second: ChannelInfo(1)}
    assert only_b.channels == {second: ChannelInfo(1)}
    assert {first, second} <= set(everything.channels)
    assert await api.call("channels", f"{prefix}-none-*") == type(matched)({})


# --- disconnect ---------------------------------------------------------------


@pytest.mark.parametrize("code", [4000, 4501])
async def test_disconnect_with_code_and_reason(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber, channel: str, code: int
) -> None:
    # 4000 lets the client reconnect, 4501 does not; both close it now.
    subscriber = await connect_subscriber(channels=[channel])

    await api.call("disconnect", subscriber.user, disconnect=Disconnect(code, "bye"))

    closed = await subscriber.expect("closed")
    assert (closed.code, closed.reason) == (code, "bye")
    await wait_presence(api, channel, set())


async def test_disconnect_default_code(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber
) -> None:
    subscriber = await connect_subscriber()

    await api.send(DisconnectRequest(subscriber.user))

    closed = await subscriber.expect("closed")
    assert (closed.code, closed.reason) == (3503, "force disconnect")


async def test_disconnect_one_client_or_all_but_whitelisted(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber
) -> None:
    first = await connect_subscriber("many")
    second = await connect_subscriber("many")
    third = await connect_subscriber("many")

    await api.call("disconnect", "many", client=first.client_id)
    assert (await first.expect("closed")).code == 3503
    await second.expect_none("closed", within=0.2)

    await api.send(
        DisconnectRequest("many")
        .whitelist([third.client_id])
        .disconnect(Disconnect(4001, "not you"))
    )
    assert (await second.expect("closed")).code == 4001
    await third.expect_none("closed")


# --- refresh ------------------------------------------------------------------


async def test_refresh_expired_closes_the_connection(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber
) -> None:
    subscriber = await connect_subscriber()

    await api.call("refresh", subscriber.user, expired=True)

    closed = await subscriber.expect("closed")
    assert (closed.code, closed.reason) == (3005, "connection expired")


async def test_refresh_expire_in_the_past_closes_the_connection(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber
) -> None:
    subscriber = await connect_subscriber()

    await api.send(RefreshRequest(subscriber.user).expire_at(int(time.time()) - 60))

    assert (await subscriber.expect("closed")).code == 3005


async def test_refresh_expire_at_extends_the_connection(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber
) -> None:
    subscriber = await connect_subscriber(ttl=60)
    expire_at = int(time.time()) + 7200

    await api.call(
        "refresh", subscriber.user, client=subscriber.client_id, expire_at=expire_at
    )

    push = await subscriber.expect("push", where=lambda e: "refresh" in e.raw)
    refresh = push.raw["refresh"]
    assert refresh["expires"] is True
    assert 7200 - 10 <= refresh["ttl"] <= 7200
    await subscriber.expect_none("closed")


async def test_refresh_without_expiry_makes_it_non_expiring(
    api: ApiAdapter, connect_subscriber: ConnectSubscriber
) -> None:
    subscriber = await connect_subscriber(ttl=60)

    await api.send(RefreshRequest(subscriber.user))

    push = await subscriber.expect("push", where=lambda e: "refresh" in e.raw)
    assert not push.raw["refresh"].get("expires", False)
    assert not push.raw["refresh"].get("ttl", 0)
    await subscriber.expect_none("closed")
