"""Bad input is refused with CentValidationError, a ValueError and a TypeError."""

from __future__ import annotations

import math
from typing import Any, Callable

import pytest

from cent import (
    AsyncClient,
    AsyncMockTransport,
    BatchRequest,
    BroadcastRequest,
    CentValidationError,
    ChannelsRequest,
    Client,
    Disconnect,
    DisconnectRequest,
    HistoryRemoveRequest,
    HistoryRequest,
    InfoRequest,
    MockTransport,
    PresenceRequest,
    PresenceStatsRequest,
    PublishRequest,
    RefreshRequest,
    RPCRequest,
    StreamPosition,
    SubscribeOverride,
    SubscribeRequest,
    UnsubscribeRequest,
)
from cent._http_codec import encode_http

URL = "http://127.0.0.1:1/api"
KEY = "validation-key"


def refused(make: Callable[[], Any]) -> CentValidationError:
    with pytest.raises(CentValidationError) as info:
        make()
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, TypeError)
    return info.value


def test_validation_error_is_value_and_type_error() -> None:
    assert issubclass(CentValidationError, ValueError)
    assert issubclass(CentValidationError, TypeError)


CHANNEL_TAKERS = [
    lambda ch: PublishRequest(ch, 1),
    lambda ch: PublishRequest("ok", 1).channel(ch),
    lambda ch: BroadcastRequest([ch], 1),
    lambda ch: BroadcastRequest(["ok"], 1).channels(["ok", ch]),
    lambda ch: SubscribeRequest("u", ch),
    lambda ch: SubscribeRequest("u", "ok").channel(ch),
    lambda ch: UnsubscribeRequest("u", ch),
    lambda ch: PresenceRequest(ch),
    lambda ch: PresenceStatsRequest(ch),
    lambda ch: HistoryRemoveRequest(ch),
    lambda ch: HistoryRequest(ch),
    lambda ch: HistoryRequest("ok").channel(ch),
    lambda ch: PresenceRequest("ok").channel(ch),
    lambda ch: RPCRequest(ch),
]


@pytest.mark.parametrize("take", CHANNEL_TAKERS)
@pytest.mark.parametrize("channel", ["", 5, None, b"news", ["news"], True])
def test_bad_channel(take: Callable[[Any], Any], channel: Any) -> None:
    refused(lambda: take(channel))


@pytest.mark.parametrize(
    "channels", [[], (), "news", b"news", 5, None, [""], ["a", 1], [None]]
)
def test_bad_broadcast_channels(channels: Any) -> None:
    refused(lambda: BroadcastRequest(channels, 1))


STRING_SETTERS = [
    lambda v: SubscribeRequest(v, "c"),
    lambda v: UnsubscribeRequest(v, "c"),
    lambda v: DisconnectRequest(v),
    lambda v: RefreshRequest(v),
    lambda v: RefreshRequest("u").user(v),
    lambda v: SubscribeRequest("u", "c", client=v),
    lambda v: SubscribeRequest("u", "c").session(v),
    lambda v: PublishRequest("c", 1, idempotency_key=v),
    lambda v: PublishRequest("c", 1).version_epoch(v),
    lambda v: DisconnectRequest("u", whitelist=[v]),
    lambda v: ChannelsRequest(v),
    lambda v: DisconnectRequest("u", disconnect=Disconnect(4000, v)),
    lambda v: HistoryRequest("c", since=StreamPosition(1, v)),
]


@pytest.mark.parametrize("set_", STRING_SETTERS)
@pytest.mark.parametrize("value", [5, b"x", ["x"], True])
def test_non_str_text_fields(set_: Callable[[Any], Any], value: Any) -> None:
    refused(lambda: set_(value))


@pytest.mark.parametrize(
    "tags", [{"k": 1}, {"k": None}, {"k": b"v"}, {1: "v"}, ["k", "v"], "k=v"]
)
def test_bad_tags(tags: Any) -> None:
    refused(lambda: PublishRequest("c", 1, tags=tags))
    refused(lambda: BroadcastRequest(["c"], 1).tags(tags))


@pytest.mark.parametrize("offset", [-1, 2**64, 2**70, True, 1.0, "5", None])
def test_offset_outside_uint64_or_not_int(offset: Any) -> None:
    position = StreamPosition(offset, "e")
    refused(lambda: HistoryRequest("c", since=position))
    refused(lambda: SubscribeRequest("u", "c").recover_since(position))


def test_offset_bounds_are_accepted() -> None:
    for offset in (0, 2**64 - 1):
        since = HistoryRequest("c", since=StreamPosition(offset, "e")).api_payload
        assert since["since"]["offset"] == offset


def test_position_must_be_a_stream_position() -> None:
    refused(lambda: HistoryRequest("c", since={"offset": 1, "epoch": "e"}))
    refused(lambda: SubscribeRequest("u", "c", recover_since=(1, "e")))


@pytest.mark.parametrize("version", [-1, 2**64, True, 1.5])
def test_bad_version(version: Any) -> None:
    refused(lambda: PublishRequest("c", 1, version=version))
    refused(lambda: BroadcastRequest(["c"], 1).version(version))


INT_SETTERS = [
    lambda v: HistoryRequest("c", limit=v),
    lambda v: HistoryRequest("c").limit(v),
    lambda v: SubscribeRequest("u", "c", expire_at=v),
    lambda v: RefreshRequest("u").expire_at(v),
    lambda v: PublishRequest("c", 1, version=v),
    lambda v: HistoryRequest("c", since=StreamPosition(v, "")),
    lambda v: DisconnectRequest("u", disconnect=Disconnect(v, "r")),
]


@pytest.mark.parametrize("set_", INT_SETTERS)
@pytest.mark.parametrize("value", [True, False])
def test_bool_where_int_expected(set_: Callable[[Any], Any], value: Any) -> None:
    refused(lambda: set_(value))


@pytest.mark.parametrize("set_", INT_SETTERS)
@pytest.mark.parametrize("value", ["10", 10.0, [10]])
def test_non_int_where_int_expected(set_: Callable[[Any], Any], value: Any) -> None:
    refused(lambda: set_(value))


@pytest.mark.parametrize("limit", [-2, -(2**31), 2**31])
def test_history_limit_range(limit: int) -> None:
    refused(lambda: HistoryRequest("c", limit=limit))


@pytest.mark.parametrize("expire_at", [-1, 2**63])
def test_expire_at_range(expire_at: int) -> None:
    refused(lambda: SubscribeRequest("u", "c", expire_at=expire_at))
    refused(lambda: RefreshRequest("u", expire_at=expire_at))


FLAG_SETTERS = [
    lambda v: PublishRequest("c", 1, skip_history=v),
    lambda v: PublishRequest("c", 1).delta(v),
    lambda v: RefreshRequest("u", expired=v),
    lambda v: HistoryRequest("c", reverse=v),
    lambda v: BatchRequest(parallel=v),
    lambda v: BatchRequest().parallel(v),
    lambda v: SubscribeRequest("u", "c", override=SubscribeOverride(presence=v)),
]


@pytest.mark.parametrize("set_", FLAG_SETTERS)
@pytest.mark.parametrize("value", [1, 0, "true"])
def test_non_bool_flags(set_: Callable[[Any], Any], value: Any) -> None:
    refused(lambda: set_(value))


@pytest.mark.parametrize(
    "value",
    [
        "YQ",  # no padding
        "YWJj\n",
        "a*b=",
        "YW Jj",
        "-_8=",  # URL-safe alphabet
        "é===",
        5,
        ["YQ=="],
        3.5,
    ],
)
def test_invalid_base64(value: Any) -> None:
    refused(lambda: PublishRequest("c", b64data=value))
    refused(lambda: BroadcastRequest(["c"]).b64data(value))
    refused(lambda: SubscribeRequest("u", "c", b64info=value))
    refused(lambda: SubscribeRequest("u", "c").b64data(value))


@pytest.mark.parametrize("code", [0, 2999, 5000, 65535, -4000])
def test_disconnect_code_outside_3000_4999(code: int) -> None:
    refused(lambda: DisconnectRequest("u", disconnect=Disconnect(code, "r")))
    refused(lambda: DisconnectRequest("u").disconnect(Disconnect(code, "r")))


def test_disconnect_code_bounds_and_reason_length() -> None:
    for code in (3000, 4999):
        payload = DisconnectRequest("u", disconnect=Disconnect(code, "r")).api_payload
        assert payload["disconnect"] == {"code": code, "reason": "r"}
    ok = DisconnectRequest("u", disconnect=Disconnect(4000, "x" * 126))
    assert len(ok.api_payload["disconnect"]["reason"]) == 126
    refused(lambda: DisconnectRequest("u", disconnect=Disconnect(4000, "x" * 127)))
    refused(lambda: DisconnectRequest("u", disconnect=Disconnect(4000, "é" * 64)))


def test_disconnect_and_override_need_their_classes() -> None:
    refused(lambda: DisconnectRequest("u", disconnect={"code": 4000, "reason": ""}))
    refused(lambda: SubscribeRequest("u", "c", override={"presence": True}))


def test_batch_refuses_a_batch_and_non_requests() -> None:
    inner = BatchRequest([InfoRequest()])
    refused(lambda: BatchRequest([inner]))
    refused(lambda: BatchRequest().add(inner))
    refused(lambda: BatchRequest().extend([InfoRequest(), inner]))
    refused(lambda: BatchRequest([{"info": {}}]))
    refused(lambda: BatchRequest().add(None))
    refused(lambda: BatchRequest().add(PublishRequest))


@pytest.mark.parametrize(
    "make",
    [
        lambda: PublishRequest("c"),
        lambda: BroadcastRequest(["c"]),
        lambda: PublishRequest("c", tags={"k": "v"}, skip_history=True),
    ],
)
def test_publish_without_data_is_refused_at_encode(make: Callable[[], Any]) -> None:
    request = make()  # building it is fine: data may be set later
    error = refused(lambda: encode_http(request))
    assert "data" in str(error)
    refused(lambda: request.api_payload)


def test_publish_without_data_inside_a_batch_is_refused_at_encode() -> None:
    batch = BatchRequest([InfoRequest(), PublishRequest("c")])
    error = refused(lambda: encode_http(batch))
    assert "batch command 1" in str(error)


def test_bytes_as_json_data_is_refused_at_encode() -> None:
    for request in (
        PublishRequest("c", b"raw"),
        BroadcastRequest(["c"], {"nested": b"raw"}),
        SubscribeRequest("u", "c", info=b"raw"),
        RPCRequest("m", [b"raw"]),
    ):
        error = refused(lambda r=request: encode_http(r))
        assert "b64data" in str(error)
        assert isinstance(error.__cause__, TypeError)
    refused(lambda: encode_http(PublishRequest("c", bytearray(b"raw"))))
    refused(lambda: encode_http(PublishRequest("c", memoryview(b"raw"))))


def test_bytes_inside_a_batch_names_the_command() -> None:
    batch = BatchRequest([PublishRequest("a", 1), PublishRequest("b", b"raw")])
    error = refused(lambda: encode_http(batch))
    assert "batch command 1" in str(error)
    assert "b64data" in str(error)


class Unserialisable:
    pass


@pytest.mark.parametrize(
    "data",
    [
        Unserialisable(),
        {1: "non-str key"},
        2**64,
        -(2**63) - 1,
        {1, 2},
        [complex(1, 2)],
    ],
    ids=["object", "int-key", "u64-overflow", "i64-underflow", "set", "complex"],
)
def test_data_orjson_cannot_encode_is_refused_at_encode(data: Any) -> None:
    request = PublishRequest("c", data)
    refused(lambda: encode_http(request))
    refused(lambda: encode_http(RPCRequest("m", data)))


def test_self_referencing_data_is_refused_at_encode() -> None:
    data: list = []
    data.append(data)
    refused(lambda: encode_http(PublishRequest("c", data)))


BAD_TIMEOUTS = [0, 0.0, -1, -0.5, math.nan, True, False, "1", b"1", [1]]


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
def test_bad_request_timeout(timeout: Any) -> None:
    refused(lambda: Client(URL, KEY, request_timeout=timeout))
    refused(lambda: AsyncClient(URL, KEY, request_timeout=timeout))
    refused(lambda: Client(URL, KEY, timeout, transport=MockTransport()))


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
def test_bad_per_call_timeout_sends_nothing(timeout: Any) -> None:
    transport = MockTransport([(200, b'{"result":{}}')])
    client = Client(URL, KEY, transport=transport)
    refused(lambda: client.send(InfoRequest(), timeout=timeout))
    refused(lambda: client.info(timeout=timeout))
    assert transport.sent == []


@pytest.mark.parametrize("timeout", BAD_TIMEOUTS, ids=repr)
async def test_bad_per_call_timeout_sends_nothing_async(timeout: Any) -> None:
    transport = AsyncMockTransport([(200, b'{"result":{}}')])
    client = AsyncClient(URL, KEY, transport=transport)
    with pytest.raises(CentValidationError):
        await client.send(InfoRequest(), timeout=timeout)
    with pytest.raises(CentValidationError):
        await client.publish("c", 1, timeout=timeout)
    assert transport.sent == []


@pytest.mark.parametrize(
    "timeout", [math.inf, 1e10, 2**64], ids=["inf", "1e10", "2**64"]
)
def test_timeouts_the_backends_cannot_represent_are_refused(timeout: float) -> None:
    refused(lambda: Client(URL, KEY, request_timeout=timeout))
    refused(lambda: AsyncClient(URL, KEY, request_timeout=timeout))
    transport = MockTransport([(200, b'{"result":{}}')])
    refused(lambda: Client(URL, KEY, transport=transport).info(timeout=timeout))
    assert transport.sent == []


def test_long_finite_timeouts_are_accepted() -> None:
    transport = MockTransport([(200, b'{"result":{}}')])
    Client(URL, KEY, request_timeout=3600, transport=transport).info()
    assert transport.sent[0][2] == 3600.0


@pytest.mark.parametrize(
    "api_url", ["", "127.0.0.1:8000/api", "ftp://h/api", "localhost/api", 5, None]
)
def test_bad_api_url(api_url: Any) -> None:
    refused(lambda: Client(api_url, KEY))
    refused(lambda: AsyncClient(api_url, KEY))


@pytest.mark.parametrize("api_key", ["", 5, None, b"key"])
def test_bad_api_key(api_key: Any) -> None:
    refused(lambda: Client(URL, api_key))
    refused(lambda: AsyncClient(URL, api_key))
