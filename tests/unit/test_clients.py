"""Client and AsyncClient over MockTransport / AsyncMockTransport."""

from __future__ import annotations

import inspect
import logging
from typing import Any, Dict, List, Tuple

import orjson
import pytest

import cent
from cent import (
    AsyncClient,
    AsyncMockTransport,
    BatchRequest,
    BatchResult,
    BroadcastResult,
    CentAPIError,
    CentDecodeError,
    CentNetworkError,
    CentTransportError,
    CentUnauthorizedError,
    ChannelInfo,
    ChannelsResult,
    Client,
    Disconnect,
    DisconnectResult,
    HistoryRemoveResult,
    HistoryResult,
    InfoRequest,
    InfoResult,
    MockTransport,
    PresenceResult,
    PresenceStatsResult,
    PublishRequest,
    PublishResult,
    RefreshResult,
    RPCResult,
    StreamPosition,
    SubscribeOverride,
    SubscribeResult,
    UnsubscribeResult,
)
from cent._shortcuts import AsyncShortcuts, SyncShortcuts

URL = "http://127.0.0.1:1/api"
KEY = "SECRET-api-key-7f3c9a"
DATA_MARK = "BODY-must-not-be-logged-41d2"

# shortcut, args, kwargs, method, wire payload, reply result, result
ShortcutCase = Tuple[str, tuple, dict, str, Dict[str, Any], Any, Any]

SHORTCUTS: List[ShortcutCase] = [
    (
        "publish",
        ("news", {"text": "hi"}),
        {
            "skip_history": True,
            "tags": {"k": "v"},
            "idempotency_key": "i",
            "delta": True,
            "version": 3,
            "version_epoch": "ve",
        },
        "publish",
        {
            "channel": "news",
            "data": {"text": "hi"},
            "skip_history": True,
            "tags": {"k": "v"},
            "idempotency_key": "i",
            "delta": True,
            "version": 3,
            "version_epoch": "ve",
        },
        {"offset": 2**64 - 1, "epoch": "e"},
        PublishResult(2**64 - 1, "e"),
    ),
    (
        "publish",
        ("news",),
        {"b64data": b"\x00"},
        "publish",
        {"channel": "news", "b64data": "AA=="},
        {},
        PublishResult(),
    ),
    (
        "publish",
        ("news", None),
        {},
        "publish",
        {"channel": "news", "data": None},
        {},
        PublishResult(),
    ),
    (
        "broadcast",
        (["a", "b"], [1]),
        {"tags": {"k": "v"}},
        "broadcast",
        {"channels": ["a", "b"], "data": [1], "tags": {"k": "v"}},
        {"responses": [{"result": {}}, {"result": {"offset": 1}}]},
        BroadcastResult([PublishResult(), PublishResult(1)]),
    ),
    (
        "subscribe",
        ("u", "c"),
        {
            "expire_at": 10,
            "info": {"i": 1},
            "client": "cl",
            "session": "s",
            "data": {"d": 1},
            "recover_since": StreamPosition(1, "e"),
            "override": SubscribeOverride(presence=True),
        },
        "subscribe",
        {
            "user": "u",
            "channel": "c",
            "expire_at": 10,
            "info": {"i": 1},
            "client": "cl",
            "session": "s",
            "data": {"d": 1},
            "recover_since": {"offset": 1, "epoch": "e"},
            "override": {"presence": {"value": True}},
        },
        {},
        SubscribeResult(),
    ),
    (
        "unsubscribe",
        ("u", "c"),
        {"client": "cl", "session": "s"},
        "unsubscribe",
        {"user": "u", "channel": "c", "client": "cl", "session": "s"},
        {},
        UnsubscribeResult(),
    ),
    (
        "disconnect",
        ("u",),
        {"whitelist": ["w"], "disconnect": Disconnect(4001, "r")},
        "disconnect",
        {"user": "u", "whitelist": ["w"], "disconnect": {"code": 4001, "reason": "r"}},
        {},
        DisconnectResult(),
    ),
    (
        "refresh",
        ("u",),
        {"expired": True, "expire_at": 5, "info": None},
        "refresh",
        {"user": "u", "expired": True, "expire_at": 5, "info": None},
        {},
        RefreshResult(),
    ),
    (
        "presence",
        ("c",),
        {},
        "presence",
        {"channel": "c"},
        {"presence": {}},
        PresenceResult(),
    ),
    (
        "presence_stats",
        ("c",),
        {},
        "presence_stats",
        {"channel": "c"},
        {"num_clients": 2, "num_users": 1},
        PresenceStatsResult(2, 1),
    ),
    (
        "history",
        ("c",),
        {"limit": 10, "since": StreamPosition(4, "e"), "reverse": True},
        "history",
        {
            "channel": "c",
            "limit": 10,
            "since": {"offset": 4, "epoch": "e"},
            "reverse": True,
        },
        {"publications": [], "offset": 9, "epoch": "e"},
        HistoryResult([], 9, "e"),
    ),
    (
        "history_remove",
        ("c",),
        {},
        "history_remove",
        {"channel": "c"},
        {},
        HistoryRemoveResult(),
    ),
    (
        "channels",
        (),
        {"pattern": "n*"},
        "channels",
        {"pattern": "n*"},
        {"channels": {"news": {"num_clients": 3}}},
        ChannelsResult({"news": ChannelInfo(3)}),
    ),
    ("channels", (), {}, "channels", {}, {}, ChannelsResult()),
    ("info", (), {}, "info", {}, {"nodes": []}, InfoResult([])),
    (
        "rpc",
        ("m",),
        {"params": {"p": 1}},
        "rpc",
        {"method": "m", "params": {"p": 1}},
        {"data": 1},
        RPCResult(1),
    ),
]


BUILDERS_BY_SHORTCUT = {
    "publish": cent.PublishRequest,
    "broadcast": cent.BroadcastRequest,
    "subscribe": cent.SubscribeRequest,
    "unsubscribe": cent.UnsubscribeRequest,
    "disconnect": cent.DisconnectRequest,
    "refresh": cent.RefreshRequest,
    "presence": cent.PresenceRequest,
    "presence_stats": cent.PresenceStatsRequest,
    "history": cent.HistoryRequest,
    "history_remove": cent.HistoryRemoveRequest,
    "channels": cent.ChannelsRequest,
    "info": cent.InfoRequest,
    "rpc": cent.RPCRequest,
    "batch": cent.BatchRequest,
}


def reply_for(method: str, result: Any) -> Tuple[int, bytes]:
    return 200, orjson.dumps({"result": result})


@pytest.mark.parametrize(
    "name, args, kwargs, method, payload, result, expected",
    SHORTCUTS,
    ids=[c[0] for c in SHORTCUTS],
)
def test_sync_shortcuts_send_method_and_payload(
    name: str,
    args: tuple,
    kwargs: dict,
    method: str,
    payload: Dict[str, Any],
    result: Any,
    expected: Any,
) -> None:
    transport = MockTransport([reply_for(method, result), reply_for(method, result)])
    client = Client(URL, KEY, transport=transport)

    assert getattr(client, name)(*args, **kwargs) == expected
    assert getattr(client, name)(*args, timeout=0.25, **kwargs) == expected

    (sent_method, body, timeout), (_, _, per_call) = transport.sent
    assert sent_method == method
    assert orjson.loads(body) == payload
    assert timeout == 10.0
    assert per_call == 0.25


@pytest.mark.parametrize(
    "name, args, kwargs, method, payload, result, expected",
    SHORTCUTS,
    ids=[c[0] for c in SHORTCUTS],
)
async def test_async_shortcuts_send_method_and_payload(
    name: str,
    args: tuple,
    kwargs: dict,
    method: str,
    payload: Dict[str, Any],
    result: Any,
    expected: Any,
) -> None:
    transport = AsyncMockTransport(
        [reply_for(method, result), reply_for(method, result)]
    )
    client = AsyncClient(URL, KEY, request_timeout=3, transport=transport)

    assert await getattr(client, name)(*args, **kwargs) == expected
    assert await getattr(client, name)(*args, timeout=7, **kwargs) == expected

    (sent_method, body, timeout), (_, _, per_call) = transport.sent
    assert sent_method == method
    assert orjson.loads(body) == payload
    assert timeout == 3.0
    assert per_call == 7.0


def test_every_shortcut_is_tested() -> None:
    tested = {case[0] for case in SHORTCUTS} | {"batch"}
    for shortcuts in (SyncShortcuts, AsyncShortcuts):
        public = {n for n in vars(shortcuts) if not n.startswith("_")} - {"send"}
        assert public == tested


@pytest.mark.parametrize("shortcuts", [SyncShortcuts, AsyncShortcuts])
def test_shortcut_signatures_mirror_the_builders(shortcuts: type) -> None:
    for name, builder in BUILDERS_BY_SHORTCUT.items():
        method = getattr(shortcuts, name)
        params = list(inspect.signature(method).parameters.values())[1:]
        assert params[-1].name == "timeout"
        assert params[-1].kind is inspect.Parameter.KEYWORD_ONLY
        assert params[-1].default is None
        expected = list(inspect.signature(builder.__init__).parameters.values())[1:]
        if builder is cent.InfoRequest:
            expected = []
        assert [(p.name, p.kind, p.default) for p in params[:-1]] == [
            (p.name, p.kind, p.default) for p in expected
        ]
        assert inspect.iscoroutinefunction(method) is (shortcuts is AsyncShortcuts)


def test_batch_shortcut_and_send() -> None:
    body = orjson.dumps(
        {
            "replies": [
                {"publish": {"offset": 1}},
                {"error": {"code": 102, "message": "unknown channel"}},
            ]
        }
    )
    transport = MockTransport([(200, body), (200, body)])
    client = Client(URL, KEY, transport=transport)
    good, bad = PublishRequest("a", 1), PublishRequest("ns:b", 2)

    by_shortcut = client.batch([good, bad], parallel=True, timeout=2)
    by_send = client.send(BatchRequest([good, bad]))

    for result in (by_shortcut, by_send):
        assert isinstance(result, BatchResult)
        assert result.replies[0] == PublishResult(1)
        (error,) = result.errors
        assert (error.code, error.index, error.request) == (102, 1, bad)
    (method, sent, timeout), (_, sent_plain, _) = transport.sent
    assert method == "batch"
    assert timeout == 2.0
    assert orjson.loads(sent) == {
        "commands": [
            {"publish": {"channel": "a", "data": 1}},
            {"publish": {"channel": "ns:b", "data": 2}},
        ],
        "parallel": True,
    }
    assert "parallel" not in orjson.loads(sent_plain)


async def test_async_batch_shortcut() -> None:
    transport = AsyncMockTransport([(200, b'{"replies":[{"info":{}}]}')])
    client = AsyncClient(URL, KEY, transport=transport)
    result = await client.batch([InfoRequest()])
    assert result.replies == [InfoResult([])]


def test_send_uses_default_and_per_call_timeouts() -> None:
    transport = MockTransport([(200, b'{"result":{}}')] * 3)
    client = Client(URL, KEY, request_timeout=1, transport=transport)
    client.send(InfoRequest())
    client.send(InfoRequest(), timeout=0.05)
    client.send(InfoRequest(), None)
    assert [sent[2] for sent in transport.sent] == [1.0, 0.05, 1.0]
    assert all(type(sent[2]) is float for sent in transport.sent)


def test_default_request_timeout_is_ten_seconds() -> None:
    transport = MockTransport([(200, b'{"result":{}}')])
    Client(URL, KEY, transport=transport).info()
    assert transport.sent[0][2] == 10.0


@pytest.mark.parametrize(
    "reply, error_type",
    [
        ((200, b'{"error":{"code":102,"message":"unknown channel"}}'), CentAPIError),
        ((401, b""), CentUnauthorizedError),
        ((500, b"oops"), CentTransportError),
        ((200, b"<html>"), CentDecodeError),
        (CentNetworkError("down"), CentNetworkError),
    ],
)
async def test_errors_reach_both_clients(reply: Any, error_type: type) -> None:
    with pytest.raises(error_type):
        Client(URL, KEY, transport=MockTransport([reply])).info()
    with pytest.raises(error_type):
        await AsyncClient(URL, KEY, transport=AsyncMockTransport([reply])).info()


def test_context_managers_close_the_transport() -> None:
    transport = MockTransport()
    with Client(URL, KEY, transport=transport) as client:
        assert isinstance(client, Client)
        assert not transport.closed
    assert transport.closed


async def test_async_context_manager_closes_the_transport() -> None:
    transport = AsyncMockTransport()
    async with AsyncClient(URL, KEY, transport=transport) as client:
        assert isinstance(client, AsyncClient)
        assert not transport.closed
    assert transport.closed


def test_mock_transport_without_a_reply_says_so() -> None:
    with pytest.raises(AssertionError, match="info"):
        Client(URL, KEY, transport=MockTransport()).info()


def test_mock_transport_queue_chains() -> None:
    transport = MockTransport()
    assert transport.queue((200, b'{"result":{}}')) is transport
    assert Client(URL, KEY, transport=transport).info() == InfoResult()


# --- the API key never leaks ------------------------------------------------


def _all_text(objects: List[Any]) -> str:
    return "\n".join(f"{obj!r}\n{obj!s}" for obj in objects)


def test_key_is_not_in_repr_or_str_of_clients() -> None:
    clients = [
        Client(URL, KEY),
        AsyncClient(URL, KEY),
        Client(URL, KEY, transport=MockTransport()),
        AsyncClient(URL, KEY, transport=AsyncMockTransport()),
    ]
    transports = [client._executor.transport for client in clients]
    text = _all_text([*clients, *transports, *[c._executor for c in clients]])
    assert KEY not in text
    assert repr(clients[0]) == f"Client(api_url={URL!r})"
    assert repr(clients[1]) == f"AsyncClient(api_url={URL!r})"


async def test_key_is_not_in_errors_requests_or_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    replies = [
        (401, b""),
        (500, b"server error"),
        (200, b"not json"),
        (200, b'{"error":{"code":107,"message":"bad request"}}'),
        (200, b'{"result":{}}'),
        CentNetworkError("connection refused"),
    ]
    request = PublishRequest("news", {"mark": DATA_MARK})
    outcomes: List[Any] = [request, BatchRequest([request])]
    caplog.set_level(logging.DEBUG)

    sync = Client(URL, KEY, transport=MockTransport(replies))
    for _ in replies:
        try:
            outcomes.append(sync.send(request))
        except cent.CentError as err:
            outcomes.append(err)
    async_client = AsyncClient(URL, KEY, transport=AsyncMockTransport(replies))
    for _ in replies:
        try:
            outcomes.append(await async_client.send(request))
        except cent.CentError as err:
            outcomes.append(err)

    assert len(outcomes) == 2 + 2 * len(replies)
    assert KEY not in _all_text(outcomes)
    assert KEY not in caplog.text
    assert DATA_MARK not in caplog.text  # bodies are never logged either
    cent_records = [r for r in caplog.records if r.name.startswith("cent")]
    assert len(cent_records) == 2 * len(replies)
    assert all(r.levelno == logging.DEBUG for r in cent_records)
    assert all("publish" in r.getMessage() for r in cent_records)


def test_logger_has_no_handlers() -> None:
    assert logging.getLogger("cent").handlers == []
