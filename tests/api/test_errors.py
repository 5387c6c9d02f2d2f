"""Error paths: auth, network, timeouts, namespaces, and input refused early."""

from __future__ import annotations

import time
from typing import Any, Awaitable, Callable, Dict

import pytest

from cent import (
    BatchRequest,
    BroadcastRequest,
    CentAPIError,
    CentError,
    CentNetworkError,
    CentTimeoutError,
    CentUnauthorizedError,
    CentValidationError,
    HistoryRequest,
    InfoRequest,
    PublishRequest,
    StreamPosition,
)

from .conftest import ApiAdapter, OpenApi


async def history_state(api: ApiAdapter, channel: str) -> Any:
    history = await api.call("history", channel, limit=-1)
    return history.offset, [api.loaded(pub.data) for pub in history.publications]


async def test_wrong_key_is_unauthorized(
    api: ApiAdapter, open_api: OpenApi, channel: str
) -> None:
    intruder = open_api(api_key="not-the-key")

    # HTTP answers 401, gRPC UNAUTHENTICATED: the same error, the same words.
    refused = r"Centrifugo refused the (gRPC )?API key"
    with pytest.raises(CentUnauthorizedError, match=refused):
        await intruder.call("info")
    with pytest.raises(CentUnauthorizedError, match=refused):
        await intruder.call("publish", channel, intruder.payload("no"))

    assert await history_state(api, channel) == (0, [])


DOWN_MESSAGES = {
    "http": (r"^info failed: ", r"^publish failed: "),
    "grpc": (
        r"^Info failed: gRPC UNAVAILABLE: ",
        r"^Publish failed: gRPC UNAVAILABLE: ",
    ),
}


async def test_server_down_is_network_error(
    open_api: OpenApi, closed_port: int
) -> None:
    down = open_api(port=closed_port)
    info_failed, publish_failed = DOWN_MESSAGES[down.transport]

    with pytest.raises(CentNetworkError, match=info_failed):
        await down.call("info")
    with pytest.raises(CentNetworkError, match=publish_failed):
        await down.send(PublishRequest("chan", down.payload(1)), timeout=2)


@pytest.mark.parametrize("per_call", [True, False])
async def test_no_reply_is_timeout(
    open_api: OpenApi, silent_port: int, per_call: bool
) -> None:
    # The real server cannot be made to stall; a listener that never answers
    # can. The client default timeout and the per-call timeout both apply.
    if per_call:
        silent = open_api(port=silent_port)
        call: Callable[[], Awaitable[Any]] = lambda: silent.send(  # noqa: E731
            InfoRequest(), timeout=0.3
        )
    else:
        silent = open_api(port=silent_port, request_timeout=0.3)
        call = lambda: silent.call("info")  # noqa: E731

    started = time.monotonic()
    with pytest.raises(CentTimeoutError, match=r"^no reply to [iI]nfo within 0\.3 s$"):
        await call()

    assert time.monotonic() - started < 3


async def test_deadline_passing_on_the_server_is_timeout(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    # Thousands of publishes take the server far longer than a millisecond.
    data = api.payload("x" * 100)
    batch = BatchRequest(
        [PublishRequest(new_channel(""), data) for _ in range(5000)], parallel=False
    )

    with pytest.raises(CentTimeoutError, match=r"within 0\.001 s"):
        await api.send(batch, timeout=0.001)

    assert (await api.call("info")).nodes  # the client is still usable


@pytest.mark.parametrize(
    "timeout", [0, -1, True, "1", float("nan"), float("inf"), 1e6 + 1]
)
async def test_invalid_timeout_is_refused_before_sending(
    api: ApiAdapter, channel: str, timeout: Any
) -> None:
    with pytest.raises(CentValidationError):
        await api.send(PublishRequest(channel, api.payload("x")), timeout=timeout)
    with pytest.raises(CentValidationError):
        await api.call("publish", channel, api.payload("x"), timeout=timeout)

    assert await history_state(api, channel) == (0, [])


async def test_largest_timeout_is_honoured(api: ApiAdapter) -> None:
    # Timeouts are capped at 1e6 s, which every backend can wait for.
    result = await api.call("info", timeout=1e6)

    assert result.nodes


async def test_unknown_namespace_is_102(
    api: ApiAdapter, new_channel: Callable[[str], str]
) -> None:
    channel = new_channel("unknown:")
    calls: Dict[str, Callable[[], Awaitable[Any]]] = {
        "publish": lambda: api.call("publish", channel, api.payload(1)),
        "history": lambda: api.call("history", channel),
        "presence": lambda: api.call("presence", channel),
        "presence_stats": lambda: api.call("presence_stats", channel),
        "subscribe": lambda: api.call("subscribe", "user", channel),
        "unsubscribe": lambda: api.call("unsubscribe", "user", channel),
    }
    for name, call in calls.items():
        with pytest.raises(CentAPIError) as caught:
            await call()
        assert caught.value.code == 102, name
        assert caught.value.message == "unknown channel"


@pytest.mark.parametrize("method", ["presence", "presence_stats"])
async def test_presence_on_namespace_without_presence_is_108(
    api: ApiAdapter, new_channel: Callable[[str], str], method: str
) -> None:
    with pytest.raises(CentAPIError) as caught:
        await api.call(method, new_channel("nohist:"))

    assert caught.value.code == 108


async def test_invalid_channels_glob_is_internal_error(api: ApiAdapter) -> None:
    # Documented server behaviour (v5 and v6): a pattern gobwas/glob cannot
    # compile is reported as 100.
    with pytest.raises(CentAPIError) as caught:
        await api.call("channels", "[")

    assert caught.value.code == 100


def refused_inputs(
    api: ApiAdapter, channel: str
) -> Dict[str, Callable[[], Awaitable[Any]]]:
    """Calls that must fail before anything is sent, all aimed at `channel`."""
    data = api.payload("x")
    return {
        "empty channel": lambda: api.call("publish", "", data),
        "channel not a str": lambda: api.call("publish", 1, data),
        "no data": lambda: api.call("publish", channel),
        "no data, builder": lambda: api.send(PublishRequest(channel)),
        "tags not str": lambda: api.call("publish", channel, data, tags={"a": 1}),
        "skip_history not bool": lambda: api.call(
            "publish", channel, data, skip_history="yes"
        ),
        "bad base64": lambda: api.call("publish", channel, b64data="%%%"),
        "version negative": lambda: api.call("publish", channel, data, version=-1),
        "broadcast no channels": lambda: api.call("broadcast", [], data),
        "broadcast empty name": lambda: api.call("broadcast", [channel, ""], data),
        "broadcast one str": lambda: api.call("broadcast", channel, data),
        "history limit -2": lambda: api.call("history", channel, limit=-2),
        "history since not a position": lambda: api.call(
            "history", channel, since={"offset": 1}
        ),
        "history negative offset": lambda: api.send(
            HistoryRequest(channel).since(StreamPosition(-1, ""))
        ),
        "history empty channel": lambda: api.call("history", ""),
        "history_remove empty channel": lambda: api.call("history_remove", ""),
        "presence empty channel": lambda: api.call("presence", ""),
        "subscribe empty channel": lambda: api.call("subscribe", "user", ""),
        "rpc empty method": lambda: api.call("rpc", ""),
        "batch with a non-request": lambda: api.call("batch", [object()]),
        "batch inside batch": lambda: api.send(BatchRequest().add(BatchRequest())),
        "batch with a command lacking data": lambda: api.send(
            BatchRequest([PublishRequest(channel, data), PublishRequest(channel)])
        ),
        "broadcast without data": lambda: api.send(BroadcastRequest([channel])),
    }


def http_refused_inputs(
    api: ApiAdapter, channel: str
) -> Dict[str, Callable[[], Awaitable[Any]]]:
    """Data that JSON cannot carry, refused by the HTTP codec."""
    return {
        "bytes data": lambda: api.call("publish", channel, b"raw"),
        "object data": lambda: api.call("publish", channel, object()),
        "non-str keys": lambda: api.call("publish", channel, {1: "x"}),
        "int beyond 64 bits": lambda: api.call("publish", channel, 2**64),
        "bytes in a batch": lambda: api.send(
            BatchRequest([PublishRequest(channel, "ok"), PublishRequest(channel, b"")])
        ),
    }


def grpc_refused_inputs(
    api: ApiAdapter, channel: str
) -> Dict[str, Callable[[], Awaitable[Any]]]:
    """Payloads that are not bytes, refused by the gRPC codec."""
    return {
        "dict data": lambda: api.call("publish", channel, {"a": 1}),
        "str data": lambda: api.call("publish", channel, "raw"),
        "None data": lambda: api.send(PublishRequest(channel, None)),
        "broadcast int data": lambda: api.call("broadcast", [channel], 1),
        "subscribe dict info": lambda: api.call(
            "subscribe", "user", channel, info={"a": 1}
        ),
        "subscribe str data": lambda: api.call("subscribe", "user", channel, data="x"),
        "refresh str info": lambda: api.call("refresh", "user", info="x"),
        "rpc dict params": lambda: api.call("rpc", "method", {"a": 1}),
        "str in a batch": lambda: api.send(
            BatchRequest([PublishRequest(channel, b"1"), PublishRequest(channel, "2")])
        ),
    }


TRANSPORT_REFUSED_INPUTS = {"http": http_refused_inputs, "grpc": grpc_refused_inputs}


async def test_invalid_input_is_refused_before_sending(
    api: ApiAdapter, channel: str
) -> None:
    await api.call("publish", channel, api.payload("before"))
    before = await history_state(api, channel)
    calls = refused_inputs(api, channel)
    calls.update(TRANSPORT_REFUSED_INPUTS[api.transport](api, channel))

    for name, call in calls.items():
        with pytest.raises(CentValidationError) as caught:
            await call()
        assert isinstance(caught.value, CentError), name

    assert await history_state(api, channel) == before


async def test_missing_data_error_says_what_is_missing(
    api: ApiAdapter, channel: str
) -> None:
    with pytest.raises(CentValidationError) as caught:
        await api.send(PublishRequest(channel))

    assert "needs data or b64data" in str(caught.value)
    assert "cannot be encoded" not in str(caught.value)
