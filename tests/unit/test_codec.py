"""The HTTP codec: requests to compact JSON, canned replies to results or errors."""

from __future__ import annotations

from typing import Any

import orjson
import pytest

from cent import (
    BatchRequest,
    BatchResult,
    BroadcastRequest,
    BroadcastResult,
    CentAPIError,
    CentDecodeError,
    CentError,
    CentTransportError,
    CentUnauthorizedError,
    ChannelInfo,
    ChannelsRequest,
    ChannelsResult,
    ClientInfo,
    DisconnectRequest,
    DisconnectResult,
    HistoryRemoveRequest,
    HistoryRemoveResult,
    HistoryRequest,
    HistoryResult,
    InfoRequest,
    InfoResult,
    Metrics,
    NodeResult,
    PresenceRequest,
    PresenceResult,
    PresenceStatsRequest,
    PresenceStatsResult,
    Process,
    Publication,
    PublishRequest,
    PublishResult,
    RefreshRequest,
    RefreshResult,
    RPCRequest,
    RPCResult,
    StreamPosition,
    SubscribeRequest,
    SubscribeResult,
    UnsubscribeRequest,
    UnsubscribeResult,
)
from cent._http_codec import BODY_SNIPPET_LENGTH, decode_http, encode_http

U64 = 2**64 - 1


def reply(obj: Any) -> bytes:
    return orjson.dumps(obj)


def ok(result: Any) -> bytes:
    return reply({"result": result})


# --- encoding -------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        PublishRequest("ch", {"a": [1, {"b": None}], "t": "x y"}, tags={"k": "v"}),
        BroadcastRequest(["a", "b"], "text with spaces"),
        HistoryRequest("ch", limit=-1, reverse=True),
        InfoRequest(),
        BatchRequest([PublishRequest("c", 1), InfoRequest()], parallel=True),
    ],
    ids=repr,
)
def test_encode_is_compact_orjson(request_: Any) -> None:
    method, body = encode_http(request_)
    assert method == request_.api_method
    assert isinstance(body, bytes)
    assert body == orjson.dumps(request_.api_payload)
    assert b": " not in body
    assert b", " not in body
    assert b"\n" not in body


def test_info_body_is_an_empty_object() -> None:
    assert encode_http(InfoRequest()) == ("info", b"{}")
    assert encode_http(ChannelsRequest()) == ("channels", b"{}")


def test_uint64_offsets_are_encoded_as_exact_numbers() -> None:
    request = HistoryRequest("c", since=StreamPosition(U64, "e"))
    _, body = encode_http(request)
    assert b'"offset":18446744073709551615' in body
    _, body = encode_http(PublishRequest("c", 1, version=U64))
    assert b'"version":18446744073709551615' in body


def test_unicode_is_utf8_not_escaped() -> None:
    _, body = encode_http(PublishRequest("канал", {"text": "привет ✓"}))
    assert "привет ✓".encode() in body
    assert "канал".encode() in body


# --- decoding each result type -------------------------------------------

EXTRA = {"field_from_the_future": {"x": [1, 2]}, "another": 7}


def test_publish_result() -> None:
    request = PublishRequest("c", 1)
    full = ok({"offset": U64, "epoch": "ep", **EXTRA})
    assert decode_http(request, 200, full) == PublishResult(U64, "ep")
    assert decode_http(request, 200, ok({})) == PublishResult(0, "")
    assert decode_http(request, 200, reply({"result": {}, **EXTRA})) == PublishResult()


def test_broadcast_result_with_per_item_errors() -> None:
    request = BroadcastRequest(["a", "ns:b", "c", "d"], 1)
    body = ok(
        {
            "responses": [
                {"result": {"offset": 3, "epoch": "e", **EXTRA}},
                {"error": {"code": 102, "message": "unknown channel"}},
                {"result": {}},
                {"error": {"code": 100, "message": "internal server error"}, **EXTRA},
            ],
            **EXTRA,
        }
    )

    result = decode_http(request, 200, body)

    assert isinstance(result, BroadcastResult)
    assert result.responses[0] == PublishResult(3, "e")
    assert result.responses[2] == PublishResult(0, "")
    first, second = result.errors
    assert (first.code, first.message, first.index) == (102, "unknown channel", 1)
    assert (second.code, second.index) == (100, 3)
    assert first.request is request
    assert second.request is request
    assert "item 1" in str(first)
    assert BroadcastResult.from_json({}) == BroadcastResult([])
    # A reply must hold one response per channel.
    with pytest.raises(CentDecodeError):
        decode_http(request, 200, ok({}))
    with pytest.raises(CentDecodeError):
        decode_http(request, 200, ok({"responses": [{"result": {}}] * 5}))


@pytest.mark.parametrize(
    "request_, result_type",
    [
        (SubscribeRequest("u", "c"), SubscribeResult),
        (UnsubscribeRequest("u", "c"), UnsubscribeResult),
        (DisconnectRequest("u"), DisconnectResult),
        (RefreshRequest("u"), RefreshResult),
        (HistoryRemoveRequest("c"), HistoryRemoveResult),
    ],
    ids=lambda v: getattr(v, "__name__", ""),
)
def test_empty_results(request_: Any, result_type: type) -> None:
    assert type(decode_http(request_, 200, ok({}))) is result_type
    assert type(decode_http(request_, 200, ok(EXTRA))) is result_type


def test_presence_result() -> None:
    request = PresenceRequest("c")
    body = ok(
        {
            "presence": {
                "c1": {
                    "client": "c1",
                    "user": "u1",
                    "conn_info": {"name": "Alice"},
                    "chan_info": [1, 2],
                    **EXTRA,
                },
                "c2": {"client": "c2", "user": ""},
                "c3": {},
            },
            **EXTRA,
        }
    )

    result = decode_http(request, 200, body)

    assert result == PresenceResult(
        {
            "c1": ClientInfo("c1", "u1", {"name": "Alice"}, [1, 2]),
            "c2": ClientInfo("c2", "", None, None),
            "c3": ClientInfo(),
        }
    )
    assert decode_http(request, 200, ok({})) == PresenceResult({})
    assert decode_http(request, 200, ok({"presence": {}})) == PresenceResult({})


def test_presence_stats_result() -> None:
    request = PresenceStatsRequest("c")
    body = ok({"num_clients": 3, "num_users": 2, **EXTRA})
    assert decode_http(request, 200, body) == PresenceStatsResult(3, 2)
    assert decode_http(request, 200, ok({})) == PresenceStatsResult(0, 0)
    assert decode_http(request, 200, ok({"num_users": 1})) == PresenceStatsResult(0, 1)


def test_history_result() -> None:
    request = HistoryRequest("c", limit=-1)
    body = ok(
        {
            "publications": [
                {
                    "data": {"text": "hi"},
                    "info": {"client": "c1", "user": "u1", "conn_info": {"a": 1}},
                    "offset": U64 - 1,
                    "tags": {"k": "v"},
                    **EXTRA,
                },
                {"data": None},
                {},
            ],
            "offset": U64,
            "epoch": "xyz",
            **EXTRA,
        }
    )

    result = decode_http(request, 200, body)

    assert result == HistoryResult(
        [
            Publication(
                {"text": "hi"}, ClientInfo("c1", "u1", {"a": 1}), U64 - 1, {"k": "v"}
            ),
            Publication(None, None, 0, {}),
            Publication(),
        ],
        U64,
        "xyz",
    )
    assert type(result.offset) is int
    empty = ok({"publications": [], "offset": 0, "epoch": ""})
    assert decode_http(request, 200, empty) == HistoryResult([], 0, "")
    assert decode_http(request, 200, ok({})) == HistoryResult([], 0, "")


def test_info_result() -> None:
    request = InfoRequest()
    node = {
        "uid": "uid-1",
        "name": "node-1",
        "version": "5.4.9",
        "num_clients": 1,
        "num_users": 2,
        "num_channels": 3,
        "num_subs": 4,
        "uptime": 5,
        "metrics": {"interval": 60.0, "items": {"a.b": 1.5}, **EXTRA},
        "process": {"cpu": 0.5, "rss": 123456, **EXTRA},
        **EXTRA,
    }
    bare = {"uid": "uid-2", "name": "", "version": "", "num_clients": 0}

    result = decode_http(request, 200, ok({"nodes": [node, bare, {}], **EXTRA}))

    assert result == InfoResult(
        [
            NodeResult(
                "uid-1",
                "node-1",
                "5.4.9",
                1,
                2,
                3,
                4,
                5,
                Metrics(60.0, {"a.b": 1.5}),
                Process(0.5, 123456),
            ),
            NodeResult(uid="uid-2"),
            NodeResult(),
        ]
    )
    assert decode_http(request, 200, ok({})) == InfoResult([])
    sparse = ok({"nodes": [{"metrics": {}, "process": {}}]})
    assert decode_http(request, 200, sparse).nodes[0] == NodeResult(
        metrics=Metrics(0.0, {}), process=Process(0.0, 0)
    )


def test_rpc_result() -> None:
    request = RPCRequest("m")
    assert decode_http(request, 200, ok({"data": {"year": 2024}, **EXTRA})) == (
        RPCResult({"year": 2024})
    )
    assert decode_http(request, 200, ok({})) == RPCResult(None)


def test_channels_result() -> None:
    request = ChannelsRequest()
    body = ok({"channels": {"a": {"num_clients": 2, **EXTRA}, "b": {}}, **EXTRA})
    assert decode_http(request, 200, body) == ChannelsResult(
        {"a": ChannelInfo(2), "b": ChannelInfo(0)}
    )
    assert decode_http(request, 200, ok({})) == ChannelsResult({})


def test_batch_result_with_per_command_errors() -> None:
    publish = PublishRequest("c", 1)
    bad = PublishRequest("ns:c", 1)
    info = InfoRequest()
    history = HistoryRequest("c")
    subscribe = SubscribeRequest("u", "c")
    batch = BatchRequest([publish, bad, info, history, subscribe])
    body = reply(
        {
            "replies": [
                {"publish": {"offset": 1, "epoch": "e"}, **EXTRA},
                {"error": {"code": 102, "message": "unknown channel"}},
                {"info": {"nodes": [{"uid": "u"}]}},
                {"history": {}},
                {"subscribe": {}},
            ],
            **EXTRA,
        }
    )

    result = decode_http(batch, 200, body)

    assert isinstance(result, BatchResult)
    assert result.replies[0] == PublishResult(1, "e")
    assert result.replies[2] == InfoResult([NodeResult(uid="u")])
    assert result.replies[3] == HistoryResult()
    assert result.replies[4] == SubscribeResult()
    (error,) = result.errors
    assert result.replies[1] is error
    assert (error.code, error.message, error.index) == (102, "unknown channel", 1)
    assert error.request is bad
    with pytest.raises(CentAPIError) as raised:
        result.raise_first_error()
    assert raised.value is error


def test_batch_without_errors_raise_first_error_returns_itself() -> None:
    batch = BatchRequest([InfoRequest()])
    result = decode_http(batch, 200, reply({"replies": [{"info": {}}]}))
    assert result.raise_first_error() is result
    assert result.errors == []


def test_empty_batch_reply_omits_replies() -> None:
    assert decode_http(BatchRequest(), 200, b"{}") == BatchResult([])


@pytest.mark.parametrize(
    "replies",
    [[], [{"info": {}}], [{"info": {}}, {"info": {}}, {"info": {}}]],
    ids=len,
)
def test_batch_reply_count_mismatch(replies: list) -> None:
    batch = BatchRequest([InfoRequest(), InfoRequest()])
    with pytest.raises(CentDecodeError) as raised:
        decode_http(batch, 200, reply({"replies": replies}))
    assert "2 commands" in str(raised.value)


def test_batch_reply_missing_is_a_count_mismatch() -> None:
    with pytest.raises(CentDecodeError):
        decode_http(BatchRequest([InfoRequest()]), 200, b"{}")


def test_batch_reply_under_the_wrong_method_key() -> None:
    batch = BatchRequest([InfoRequest()])
    with pytest.raises(CentDecodeError):
        decode_http(batch, 200, reply({"replies": [{"publish": {}}]}))


@pytest.mark.parametrize(
    "replies",
    [{"0": {"info": {}}}, "x", 1, True, {"replies": [{"info": {}}]}],
    ids=["object", "string", "number", "bool", "nested"],
)
def test_batch_replies_that_are_not_a_list(replies: Any) -> None:
    batch = BatchRequest([InfoRequest()])
    with pytest.raises(CentDecodeError):
        decode_http(batch, 200, reply({"replies": replies}))


# --- errors -----------------------------------------------------------------


@pytest.mark.parametrize(
    "request_",
    [
        PublishRequest("c", 1),
        BroadcastRequest(["c"], 1),
        SubscribeRequest("u", "c"),
        HistoryRequest("c"),
        InfoRequest(),
        ChannelsRequest(),
    ],
    ids=repr,
)
def test_api_error_reply(request_: Any) -> None:
    body = reply({"error": {"code": 102, "message": "unknown channel", **EXTRA}})

    with pytest.raises(CentAPIError) as raised:
        decode_http(request_, 200, body)

    error = raised.value
    assert (error.code, error.message) == (102, "unknown channel")
    assert error.request is request_
    assert error.index is None
    assert str(error) == "Centrifugo API error 102: unknown channel"
    assert repr(error) == "CentAPIError(code=102, message='unknown channel')"


def test_api_error_without_message() -> None:
    with pytest.raises(CentAPIError) as raised:
        decode_http(InfoRequest(), 200, reply({"error": {"code": 107}}))
    assert (raised.value.code, raised.value.message) == (107, "")


def test_error_wins_over_a_null_result() -> None:
    body = reply({"result": None, "error": {"code": 108, "message": "not available"}})
    with pytest.raises(CentAPIError) as raised:
        decode_http(HistoryRequest("c"), 200, body)
    assert raised.value.code == 108


@pytest.mark.parametrize("body", [b"", b"{}", b"Unauthorized\n", b'{"error":{}}'])
def test_401_is_unauthorized(body: bytes) -> None:
    with pytest.raises(CentUnauthorizedError) as raised:
        decode_http(InfoRequest(), 401, body)
    assert isinstance(raised.value, CentError)


@pytest.mark.parametrize(
    "status, body",
    [
        (400, b"Bad Request\n"),
        (403, b""),
        (404, b"404 page not found\n"),
        (405, b""),
        (500, b"Internal Server Error\n"),
        (502, b"<html><body>Bad Gateway</body></html>"),
        (503, b""),
        (301, b""),
        (100, b""),
        (418, b'{"error":{"code":102,"message":"unknown channel"}}'),
    ],
)
def test_other_statuses_are_transport_errors(status: int, body: bytes) -> None:
    with pytest.raises(CentTransportError) as raised:
        decode_http(InfoRequest(), status, body)
    error = raised.value
    assert error.status == status
    assert error.body == body.decode()
    assert error.grpc_code is None
    assert str(status) in str(error)


def test_transport_error_body_is_a_short_snippet() -> None:
    body = b"x" * 10_000 + b"\xff\xfe"
    with pytest.raises(CentTransportError) as raised:
        decode_http(InfoRequest(), 500, body)
    assert raised.value.body == "x" * BODY_SNIPPET_LENGTH
    assert len(str(raised.value)) < BODY_SNIPPET_LENGTH + 50


def test_transport_error_snippet_survives_invalid_utf8() -> None:
    with pytest.raises(CentTransportError) as raised:
        decode_http(InfoRequest(), 502, b"\xff\xfe bad gateway")
    assert "bad gateway" in raised.value.body


@pytest.mark.parametrize("status", [201, 204, 299])
def test_other_2xx_statuses_are_not_results(status: int) -> None:
    with pytest.raises(CentError):
        decode_http(InfoRequest(), status, ok({}))


GARBAGE = [
    b"",
    b" ",
    b"<html><body>OK</body></html>",
    b'{"result":{"offset":1',
    b'{"result":',
    b"\x00\xff\xfe\x80",
    b"null",
    b"true",
    b"42",
    b'"result"',
    b"[]",
    b'[{"result":{}}]',
    b"{}",
    b'{"result":null}',
    b'{"error":null}',
    b'{"result":[]}',
    b'{"result":"ok"}',
    b'{"error":"boom"}',
    b'{"error":[102]}',
    b'{"error":{"code":"abc"}}',
    b'{"error":{"code":[1]}}',
    b'{"result":{}}{"result":{}}',
    b"NaN",
    b'{"result":{"offset":Infinity}}',
    b'{"result":{"offset":1e400}}',
    b"[" * 5000 + b"]" * 5000,
]


@pytest.mark.parametrize("body", GARBAGE, ids=lambda b: repr(b[:30]))
@pytest.mark.parametrize(
    "request_",
    [
        PublishRequest("c", 1),
        BroadcastRequest(["c"], 1),
        PresenceRequest("c"),
        HistoryRequest("c"),
        InfoRequest(),
        ChannelsRequest(),
    ],
    ids=repr,
)
def test_garbage_is_a_decode_error(request_: Any, body: bytes) -> None:
    with pytest.raises(CentDecodeError) as raised:
        decode_http(request_, 200, body)
    assert request_.api_method in str(raised.value) or "reply" in str(raised.value)


@pytest.mark.parametrize(
    "body",
    [
        b"[]",
        b"null",
        b'{"replies":5}',
        b'{"replies":[5]}',
        b'{"replies":[[]]}',
        b'{"replies":[{"info":[]}]}',
        b'{"replies":[{"error":"boom"}]}',
        b'{"replies":[{}]}',
        b'{"replies":[null]}',
        b'{"replies":"x"}',
    ],
)
def test_batch_garbage_is_a_decode_error(body: bytes) -> None:
    with pytest.raises(CentDecodeError):
        decode_http(BatchRequest([InfoRequest()]), 200, body)


def test_decode_error_chains_the_parse_error() -> None:
    with pytest.raises(CentDecodeError) as raised:
        decode_http(InfoRequest(), 200, b"<html>")
    assert isinstance(raised.value.__cause__, orjson.JSONDecodeError)


def test_decode_error_message_is_short() -> None:
    with pytest.raises(CentDecodeError) as raised:
        decode_http(InfoRequest(), 200, b"<" * 100_000)
    assert len(str(raised.value)) < BODY_SNIPPET_LENGTH + 100


@pytest.mark.parametrize("result", [[], "ok", 5, True, [{}]])
@pytest.mark.parametrize(
    "request_",
    [
        SubscribeRequest("u", "c"),
        UnsubscribeRequest("u", "c"),
        DisconnectRequest("u"),
        RefreshRequest("u"),
        HistoryRemoveRequest("c"),
        PublishRequest("c", 1),
        InfoRequest(),
    ],
    ids=repr,
)
def test_non_object_result_is_a_decode_error(request_: Any, result: Any) -> None:
    with pytest.raises(CentDecodeError):
        decode_http(request_, 200, ok(result))


@pytest.mark.parametrize(
    "request_, result",
    [
        (PublishRequest("c", 1), {"offset": "5"}),
        (PublishRequest("c", 1), {"offset": 1.5}),
        (PublishRequest("c", 1), {"offset": True}),
        (PublishRequest("c", 1), {"epoch": 5}),
        (HistoryRequest("c"), {"offset": "5", "epoch": "e"}),
        (HistoryRequest("c"), {"epoch": None}),
        (HistoryRequest("c"), {"publications": {"0": {}}}),
        (HistoryRequest("c"), {"publications": [{"offset": "1"}]}),
        (HistoryRequest("c"), {"publications": [{"tags": ["k", "v"]}]}),
        (HistoryRequest("c"), {"publications": [{"info": {"user": 5}}]}),
        (HistoryRequest("c"), {"publications": [5]}),
        (PresenceStatsRequest("c"), {"num_clients": "1"}),
        (PresenceRequest("c"), {"presence": [["c1", {}]]}),
        (PresenceRequest("c"), {"presence": {"c1": {"client": 1}}}),
        (PresenceRequest("c"), {"presence": {"c1": "client"}}),
        (InfoRequest(), {"nodes": {"n": {}}}),
        (InfoRequest(), {"nodes": [{"uid": 1}]}),
        (InfoRequest(), {"nodes": [{"metrics": {"interval": "60"}}]}),
        (InfoRequest(), {"nodes": [{"process": {"rss": 1.5}}]}),
        (ChannelsRequest(), {"channels": {"a": {"num_clients": "2"}}}),
        (ChannelsRequest(), {"channels": ["a"]}),
        (BroadcastRequest(["c"], 1), {"responses": {"0": {}}}),
        (BroadcastRequest(["c"], 1), {"responses": [{"result": {"offset": "1"}}]}),
        (BroadcastRequest(["c"], 1), {"responses": [{"result": []}]}),
        (BroadcastRequest(["c"], 1), {"responses": [{"error": {"code": "102"}}]}),
        (BroadcastRequest(["c"], 1), {"responses": [5]}),
    ],
    ids=lambda v: orjson.dumps(v).decode() if isinstance(v, dict) else repr(v),
)
def test_wrong_field_type_is_a_decode_error(request_: Any, result: Any) -> None:
    with pytest.raises(CentDecodeError):
        decode_http(request_, 200, ok(result))


@pytest.mark.parametrize("value", [1, None, ["v"], {"v": 1}])
def test_non_str_tag_value_is_a_decode_error(value: Any) -> None:
    result = {"publications": [{"data": 1, "tags": {"k": value}}]}
    with pytest.raises(CentDecodeError):
        decode_http(HistoryRequest("c", limit=1), 200, ok(result))


@pytest.mark.parametrize("value", ["1.5", None, [1], True])
def test_non_number_metric_value_is_a_decode_error(value: Any) -> None:
    result = {"nodes": [{"metrics": {"interval": 1, "items": {"m": value}}}]}
    with pytest.raises(CentDecodeError):
        decode_http(InfoRequest(), 200, ok(result))


@pytest.mark.parametrize(
    "error",
    [{"code": "102", "message": "m"}, {"code": 1.5}, {"code": 102, "message": 5}],
    ids=["str-code", "float-code", "int-message"],
)
def test_wrong_error_field_type_is_a_decode_error(error: Any) -> None:
    with pytest.raises(CentDecodeError):
        decode_http(InfoRequest(), 200, reply({"error": error}))
