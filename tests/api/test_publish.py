"""publish and broadcast against a real server, read back through history."""

from __future__ import annotations

import base64
import os
from typing import Any, Callable, List

import pytest

from cent import (
    BroadcastRequest,
    BroadcastResult,
    CentAPIError,
    CentTransportError,
    CentValidationError,
    PublishRequest,
    PublishResult,
)
from cent.testing.server import CentrifugoServer

from .conftest import ApiAdapter

NOT_UTF8 = bytes(range(256)) + b"\xff\xfe\x00\xc3\x28binary"
LARGE = 3 * 1024 * 1024


async def all_data(api: ApiAdapter, channel: str) -> List[Any]:
    history = await api.call("history", channel, limit=-1)
    return [api.loaded(pub.data) for pub in history.publications]


def assert_offset(value: Any) -> None:
    assert type(value) is int, f"offset {value!r} is not an int"
    assert value > 0


async def test_publish_returns_position(api: ApiAdapter, channel: str) -> None:
    first = await api.call("publish", channel, api.payload({"n": 1}))
    second = await api.send(PublishRequest(channel, api.payload({"n": 2})))

    assert isinstance(first, PublishResult)
    assert_offset(first.offset)
    assert second.offset == first.offset + 1
    assert isinstance(first.epoch, str) and first.epoch
    assert second.epoch == first.epoch
    assert await all_data(api, channel) == [{"n": 1}, {"n": 2}]


async def test_publish_keeps_data_exact(api: ApiAdapter, channel: str) -> None:
    data = {
        "text": 'héllo ✓ "quoted" \\ \n',
        "list": [1, 2.5, -3, True, None],
        "nested": {"deep": {"deeper": []}},
        "big": 2**63 - 1,
    }
    values = [data, "a string", 42, [1, "two"], True]
    for value in values:
        await api.call("publish", channel, api.payload(value))

    assert await all_data(api, channel) == values


async def test_publish_null_data_is_kept_as_null(api: ApiAdapter, channel: str) -> None:
    # Settles an UNCONFIRMED item: `"data": null` is 4 bytes of JSON, not
    # empty data, so v5 and v6 both accept it and history returns `null`.
    result = await api.call("publish", channel, api.payload(None))

    assert_offset(result.offset)
    history = await api.call("history", channel, limit=-1)
    assert [api.loaded(pub.data) for pub in history.publications] == [None]


async def test_non_finite_floats_are_refused(
    http_api: ApiAdapter, channel: str
) -> None:
    # JSON has no NaN or infinities; the HTTP codec refuses them.
    for value in (float("nan"), float("inf"), {"x": [float("-inf")]}):
        with pytest.raises(CentValidationError):
            await http_api.call("publish", channel, value)

    assert await all_data(http_api, channel) == []


async def test_payload_that_is_not_bytes_is_refused(
    grpc_api: ApiAdapter, channel: str
) -> None:
    # Over gRPC the caller encodes the payload, so a NaN cannot reach the wire:
    # any value that is not bytes is refused, and the message says how to fix it.
    for value in ({"not": "bytes"}, {"x": [float("nan")]}, float("inf"), "text"):
        with pytest.raises(CentValidationError) as caught:
            await grpc_api.call("publish", channel, value)
        message = str(caught.value)
        assert "publish data must be bytes over gRPC" in message
        assert f"got {type(value).__name__}" in message
        assert "json.dumps(obj).encode()" in message
    with pytest.raises(CentValidationError, match=r"b'null' sends a JSON null"):
        await grpc_api.call("publish", channel, None)

    assert await all_data(grpc_api, channel) == []


async def test_publish_tags_are_stored(api: ApiAdapter, channel: str) -> None:
    tags = {"kind": "post", "lang": "fr", "empty": ""}
    await api.call("publish", channel, api.payload("x"), tags=tags)
    await api.send(PublishRequest(channel).data(api.payload("y")).tags({"a": "b"}))

    history = await api.call("history", channel, limit=-1)
    assert [pub.tags for pub in history.publications] == [tags, {"a": "b"}]


async def test_idempotency_key_repeat_returns_same_result(
    api: ApiAdapter, channel: str
) -> None:
    first = await api.call(
        "publish", channel, api.payload("once"), idempotency_key="key-1"
    )
    again = await api.call(
        "publish", channel, api.payload("twice"), idempotency_key="key-1"
    )
    other = await api.call(
        "publish", channel, api.payload("other"), idempotency_key="key-2"
    )

    assert again == first
    assert other.offset == first.offset + 1
    assert await all_data(api, channel) == ["once", "other"]


async def test_skip_history_gives_no_position(api: ApiAdapter, channel: str) -> None:
    await api.call("publish", channel, api.payload("kept"))
    result = await api.call(
        "publish", channel, api.payload("skipped"), skip_history=True
    )

    assert result == PublishResult(offset=0, epoch="")
    assert await all_data(api, channel) == ["kept"]


async def test_publish_without_history_gives_no_position(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    result = await api.call("publish", new_channel("nohist:"), api.payload(1))

    assert result == PublishResult(offset=0, epoch="")


async def test_delta_publish_is_accepted(api: ApiAdapter, channel: str) -> None:
    # Subscribers only get deltas where the namespace allows them; the flag
    # itself must be accepted and the full data kept in history.
    first = await api.call("publish", channel, api.payload({"v": 1}), delta=True)
    second = await api.send(PublishRequest(channel, api.payload({"v": 2})).delta())

    assert second.offset == first.offset + 1
    assert await all_data(api, channel) == [{"v": 1}, {"v": 2}]


async def test_b64data_json_bytes_are_decoded_by_the_server(
    api: ApiAdapter, channel: str
) -> None:
    await api.call("publish", channel, b64data=b'{"from":"b64"}')
    await api.call("publish", channel, b64data="WzEsMl0=")  # base64 of [1,2]

    assert await all_data(api, channel) == [{"from": "b64"}, [1, 2]]


async def test_binary_history_over_http_fails(
    http_api: ApiAdapter, channel: str
) -> None:
    # Settles an UNCONFIRMED item. Binary data that is not JSON is accepted by
    # publish, but the HTTP API then cannot write the channel's history: Go's
    # encoding/json rejects the invalid raw value and both v5.4.9 and v6.9.1
    # answer 500 "Internal Server Error" (text/plain).
    result = await http_api.call("publish", channel, b64data=NOT_UTF8)
    assert_offset(result.offset)

    with pytest.raises(CentTransportError) as caught:
        await http_api.call("history", channel, limit=-1)
    assert caught.value.status == 500


async def test_binary_data_round_trips_over_grpc(
    grpc_api: ApiAdapter, channel: str
) -> None:
    # gRPC carries payloads as bytes: data that is neither JSON nor UTF-8 comes
    # back from history byte for byte, however it was given.
    first = await grpc_api.call("publish", channel, NOT_UTF8, tags={"kind": "raw"})
    await grpc_api.call("publish", channel, bytearray(NOT_UTF8[::-1]))
    await grpc_api.send(PublishRequest(channel, memoryview(NOT_UTF8[:7])))
    await grpc_api.call("publish", channel, b64data=NOT_UTF8[7:])
    await grpc_api.call("broadcast", [channel], NOT_UTF8[:1])

    history = await grpc_api.call("history", channel, limit=-1)
    assert [pub.data for pub in history.publications] == [
        NOT_UTF8,
        NOT_UTF8[::-1],
        NOT_UTF8[:7],
        NOT_UTF8[7:],
        NOT_UTF8[:1],
    ]
    assert all(type(pub.data) is bytes for pub in history.publications)
    assert history.publications[0].tags == {"kind": "raw"}
    assert (history.offset, history.epoch) == (first.offset + 4, first.epoch)


async def test_large_payload_round_trips(api: ApiAdapter, channel: str) -> None:
    # About 3 MiB of JSON, below the 4 MiB gRPC message limits both ways.
    text = base64.b64encode(os.urandom(LARGE * 3 // 4)).decode()
    data = {"blob": text, "n": 1}
    await api.call("publish", channel, api.payload(data))

    assert await all_data(api, channel) == [data]


async def test_three_mib_of_raw_bytes_round_trip(
    grpc_api: ApiAdapter, channel: str
) -> None:
    data = os.urandom(LARGE)
    await grpc_api.call("publish", channel, data)

    [publication] = (await grpc_api.call("history", channel, limit=1)).publications
    assert publication.data == data


async def test_publish_into_unknown_namespace_is_102(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    request = PublishRequest(new_channel("unknown:"), api.payload(1))

    with pytest.raises(CentAPIError) as caught:
        await api.send(request)

    assert caught.value.code == 102
    assert caught.value.index is None
    assert caught.value.request is request


async def test_broadcast_publishes_into_every_channel(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    channels = [new_channel(""), new_channel(""), new_channel("ns:")]

    result = await api.call(
        "broadcast", channels, api.payload({"all": True}), tags={"t": "1"}
    )

    assert isinstance(result, BroadcastResult)
    assert result.errors == []
    assert len(result.responses) == 3
    for item, name in zip(result.responses, channels):
        assert isinstance(item, PublishResult)
        assert_offset(item.offset)
        history = await api.call("history", name, limit=-1)
        [pub] = history.publications
        assert api.loaded(pub.data) == {"all": True}
        assert pub.tags == {"t": "1"}
        assert pub.offset == item.offset


async def test_broadcast_item_error_keeps_its_index(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    good_a, bad, good_b = new_channel(""), new_channel("unknown:"), new_channel("")
    request = BroadcastRequest([good_a, bad, good_b], api.payload("x"))

    result = await api.send(request)

    first, failed, last = result.responses
    assert isinstance(first, PublishResult) and isinstance(last, PublishResult)
    assert isinstance(failed, CentAPIError)
    assert failed.code == 102
    assert failed.index == 1
    assert failed.request is request
    assert result.errors == [failed]
    assert await all_data(api, good_a) == ["x"]
    assert await all_data(api, good_b) == ["x"]


async def test_broadcast_idempotency_and_skip_history(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    channels = [new_channel(""), new_channel("")]

    first = await api.call("broadcast", channels, api.payload(1), idempotency_key="k")
    again = await api.call("broadcast", channels, api.payload(2), idempotency_key="k")
    skipped = await api.call("broadcast", channels, api.payload(3), skip_history=True)

    assert again == first
    assert skipped.responses == [PublishResult(), PublishResult()]
    for name in channels:
        assert await all_data(api, name) == [1]


async def test_publish_version_drops_stale_publications(
    api: ApiAdapter, channel: str, centrifugo: CentrifugoServer
) -> None:
    results = []
    for number, version in [(1, 2), (2, 1), (3, 2), (4, 3)]:
        request = PublishRequest(channel, api.payload(number)).version(version)
        results.append(await api.send(request))

    if centrifugo.major >= 6:
        # A version not above the last one is dropped without an error; the
        # reply then carries the position of the publication that stays.
        assert [r.offset for r in results] == [1, 1, 1, 2]
        assert await all_data(api, channel) == [1, 4]
    else:
        # Centrifugo 5 ignores the field.
        assert [r.offset for r in results] == [1, 2, 3, 4]
        assert await all_data(api, channel) == [1, 2, 3, 4]
