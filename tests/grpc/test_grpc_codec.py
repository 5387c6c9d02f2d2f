"""The gRPC codec: builders to protobuf messages, reply messages to results."""

from __future__ import annotations

import ast
import inspect
from typing import Any

import pytest

import cent._grpc_codec as codec
from cent import (
    BatchRequest,
    BatchResult,
    BroadcastRequest,
    BroadcastResult,
    CentAPIError,
    CentDecodeError,
    CentValidationError,
    ChannelInfo,
    ChannelsRequest,
    ChannelsResult,
    ClientInfo,
    Disconnect,
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
    Request,
    RPCRequest,
    RPCResult,
    StreamPosition,
    SubscribeOverride,
    SubscribeRequest,
    SubscribeResult,
    UnsubscribeRequest,
    UnsubscribeResult,
)
from cent._grpc_codec import decode_grpc, decode_grpc_reply, encode_grpc
from cent._proto import api_pb2 as pb

U64 = 2**64 - 1
BINARY = bytes(range(256))


def test_codec_does_no_io() -> None:
    tree = ast.parse(inspect.getsource(codec))
    imported = {
        alias.name.split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    } | {
        (node.module or "").split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
    }
    assert not imported & {"grpc", "socket", "asyncio", "requests", "aiohttp"}


def test_method_table_matches_the_service_and_the_builders() -> None:
    service = pb.DESCRIPTOR.services_by_name["CentrifugoApi"]
    for api_method, method in codec._METHODS.items():
        rpc = service.methods_by_name[method.rpc]
        assert rpc.input_type is method.request.DESCRIPTOR
        assert rpc.output_type is method.reply.DESCRIPTOR
        # Batch commands and replies name the same method in their field names.
        assert pb.Command.DESCRIPTOR.fields_by_name[api_method].message_type is (
            rpc.input_type
        )
        assert pb.Reply.DESCRIPTOR.fields_by_name[api_method].message_type is (
            method.reply.DESCRIPTOR.fields_by_name["result"].message_type
        )
        for name in method.payload_fields:
            field = method.request.DESCRIPTOR.fields_by_name[name]
            assert field.type == field.TYPE_BYTES
    every_bytes_field = {
        (api_method, field.name)
        for api_method, method in codec._METHODS.items()
        for field in method.request.DESCRIPTOR.fields
        if field.type == field.TYPE_BYTES
    }
    assert every_bytes_field == {
        (api_method, name)
        for api_method, method in codec._METHODS.items()
        for name in method.payload_fields
    }


def test_every_builder_has_an_rpc() -> None:
    builders = {
        cls.api_method
        for cls in _subclasses(Request)
        if cls.__module__ == "cent._builders" and hasattr(cls, "api_method")
    }
    assert builders - {"batch"} == set(codec._METHODS)


def _subclasses(cls: type) -> list:
    found = []
    for sub in cls.__subclasses__():
        found.append(sub)
        found.extend(_subclasses(sub))
    return found


# --- encoding ------------------------------------------------------------------


def test_publish_message_carries_every_field() -> None:
    request = PublishRequest(
        "news",
        BINARY,
        skip_history=True,
        tags={"kind": "post"},
        idempotency_key="k1",
        delta=True,
        version=U64,
        version_epoch="v1",
    )
    rpc, message = encode_grpc(request)
    assert rpc == "Publish"
    assert message == pb.PublishRequest(
        channel="news",
        data=BINARY,
        skip_history=True,
        tags={"kind": "post"},
        idempotency_key="k1",
        delta=True,
        version=U64,
        version_epoch="v1",
    )


def test_broadcast_message() -> None:
    rpc, message = encode_grpc(BroadcastRequest(["a", "b:c"], b"{}", tags={"t": "1"}))
    assert rpc == "Broadcast"
    assert list(message.channels) == ["a", "b:c"]
    assert message.data == b"{}"
    assert dict(message.tags) == {"t": "1"}


def test_b64data_passes_through_as_the_proto_string() -> None:
    _, message = encode_grpc(PublishRequest("c", b64data=b"\x00\xff"))
    assert message.b64data == "AP8="
    assert message.data == b""


def test_subscribe_message_nests_position_and_wrapped_overrides() -> None:
    request = SubscribeRequest(
        "u1",
        "ns:chan",
        expire_at=1700000000,
        info=b'{"i":1}',
        data=b'{"d":2}',
        client="c1",
        session="s1",
        recover_since=StreamPosition(U64, "ep"),
        override=SubscribeOverride(presence=False, force_recovery=True),
    )
    rpc, message = encode_grpc(request)
    assert rpc == "Subscribe"
    assert (message.user, message.channel, message.expire_at) == (
        "u1",
        "ns:chan",
        1700000000,
    )
    assert (message.info, message.data) == (b'{"i":1}', b'{"d":2}')
    assert (message.client, message.session) == ("c1", "s1")
    assert message.recover_since == pb.StreamPosition(offset=U64, epoch="ep")
    # A False override must still be sent: presence is set, with value False.
    assert message.override.HasField("presence")
    assert message.override.presence.value is False
    assert message.override.force_recovery.value is True
    assert not message.override.HasField("join_leave")


def test_unsubscribe_message() -> None:
    rpc, message = encode_grpc(UnsubscribeRequest("u", "c", client="x", session="s"))
    assert rpc == "Unsubscribe"
    assert message == pb.UnsubscribeRequest(
        user="u", channel="c", client="x", session="s"
    )


def test_disconnect_message() -> None:
    request = DisconnectRequest(
        "u", whitelist=["keep"], disconnect=Disconnect(4000, "bye")
    )
    rpc, message = encode_grpc(request)
    assert rpc == "Disconnect"
    assert message.disconnect == pb.Disconnect(code=4000, reason="bye")
    assert list(message.whitelist) == ["keep"]


def test_disconnect_without_a_disconnect_leaves_it_unset() -> None:
    _, message = encode_grpc(DisconnectRequest("u"))
    assert not message.HasField("disconnect")


def test_refresh_message() -> None:
    request = RefreshRequest("u", expired=True, expire_at=5, info=b"\x01")
    rpc, message = encode_grpc(request)
    assert rpc == "Refresh"
    assert (message.expired, message.expire_at, message.info) == (True, 5, b"\x01")


def test_history_message() -> None:
    request = HistoryRequest("c", limit=-1, since=StreamPosition(7, "e"), reverse=True)
    rpc, message = encode_grpc(request)
    assert rpc == "History"
    assert message == pb.HistoryRequest(
        channel="c",
        limit=-1,
        since=pb.StreamPosition(offset=7, epoch="e"),
        reverse=True,
    )


@pytest.mark.parametrize(
    ("request_", "rpc", "message"),
    [
        (PresenceRequest("c"), "Presence", pb.PresenceRequest(channel="c")),
        (
            PresenceStatsRequest("c"),
            "PresenceStats",
            pb.PresenceStatsRequest(channel="c"),
        ),
        (
            HistoryRemoveRequest("c"),
            "HistoryRemove",
            pb.HistoryRemoveRequest(channel="c"),
        ),
        (InfoRequest(), "Info", pb.InfoRequest()),
        (ChannelsRequest("n*"), "Channels", pb.ChannelsRequest(pattern="n*")),
        (ChannelsRequest(), "Channels", pb.ChannelsRequest()),
        (RPCRequest("m", b"\x00"), "RPC", pb.RPCRequest(method="m", params=b"\x00")),
        (RPCRequest("m"), "RPC", pb.RPCRequest(method="m")),
    ],
)
def test_simple_messages(request_: Request[Any], rpc: str, message: Any) -> None:
    assert encode_grpc(request_) == (rpc, message)


def test_batch_message_keeps_order_and_parallel() -> None:
    batch = BatchRequest(
        [PublishRequest("a", b"1"), InfoRequest(), HistoryRequest("a", limit=2)],
        parallel=True,
    )
    rpc, message = encode_grpc(batch)
    assert rpc == "Batch"
    assert message.parallel is True
    assert [_set_field(c) for c in message.commands] == ["publish", "info", "history"]
    assert message.commands[0].publish == pb.PublishRequest(channel="a", data=b"1")
    # info must be present even though it is empty, or the server answers 104.
    assert message.commands[1].HasField("info")
    assert message.commands[2].history.limit == 2


def _set_field(command: Any) -> str:
    (name,) = [field.name for field, _ in command.ListFields()]
    return name


def test_empty_batch() -> None:
    rpc, message = encode_grpc(BatchRequest())
    assert (rpc, list(message.commands), message.parallel) == ("Batch", [], False)


def test_encoded_message_serializes_byte_exact_payload() -> None:
    _, message = encode_grpc(PublishRequest("c", BINARY))
    assert pb.PublishRequest.FromString(message.SerializeToString()).data == BINARY


# --- payload fields must be bytes --------------------------------------------


def _payload_requests(value: Any) -> list:
    return [
        PublishRequest("c", value),
        BroadcastRequest(["c"], value),
        SubscribeRequest("u", "c", info=value),
        SubscribeRequest("u", "c", data=value),
        RefreshRequest("u", info=value),
        RPCRequest("m", value),
    ]


@pytest.mark.parametrize("value", ['{"a": 1}', {"a": 1}, [1], 1, 1.5, True])
def test_non_bytes_payload_is_refused_with_a_hint(value: Any) -> None:
    for request in _payload_requests(value):
        with pytest.raises(CentValidationError) as info:
            encode_grpc(request)
        message = str(info.value)
        assert request.api_method in message
        assert "bytes" in message
        assert "json.dumps(obj).encode()" in message
        assert type(value).__name__ in message


def test_none_payload_is_refused_with_its_own_message() -> None:
    for request in _payload_requests(None):
        with pytest.raises(CentValidationError, match="is None") as info:
            encode_grpc(request)
        assert "json.dumps(obj).encode()" in str(info.value)


@pytest.mark.parametrize("value", [bytearray(b"\x00\xff"), memoryview(b"\x00\xff")])
def test_bytearray_and_memoryview_become_bytes(value: Any) -> None:
    request = PublishRequest("c", value)
    _, message = encode_grpc(request)
    assert message.data == b"\x00\xff"
    assert request.api_payload["data"] is value  # the builder is left alone


def test_batch_names_the_command_with_a_bad_payload() -> None:
    batch = BatchRequest([InfoRequest(), PublishRequest("c", b"ok")])
    batch.add(PublishRequest("c", "text"))
    with pytest.raises(CentValidationError, match="batch command 2: publish data"):
        encode_grpc(batch)


def test_publish_without_data_is_refused() -> None:
    with pytest.raises(CentValidationError, match="needs data"):
        encode_grpc(PublishRequest("c"))


def test_request_kind_without_an_rpc_is_refused() -> None:
    class Unknown(Request[Any]):
        api_method = "no_such_method"

    with pytest.raises(CentValidationError, match="Unknown cannot be sent over gRPC"):
        encode_grpc(Unknown())


# --- decoding ------------------------------------------------------------------


def test_publish_result() -> None:
    reply = pb.PublishResponse(result=pb.PublishResult(offset=U64, epoch="e"))
    assert decode_grpc(PublishRequest("c", b""), reply) == PublishResult(U64, "e")


def test_results_default_to_zero_values() -> None:
    # A reply without result (or with an empty one) reads as zero values.
    assert (
        decode_grpc(PublishRequest("c", b""), pb.PublishResponse()) == PublishResult()
    )
    assert decode_grpc(HistoryRequest("c"), pb.HistoryResponse()) == HistoryResult()
    assert decode_grpc(InfoRequest(), pb.InfoResponse()) == InfoResult()
    assert decode_grpc(PresenceRequest("c"), pb.PresenceResponse()) == PresenceResult()
    assert decode_grpc(RPCRequest("m"), pb.RPCResponse()) == RPCResult(b"")


def test_api_error_reply_raises_with_the_request() -> None:
    request = PublishRequest("x:y", b"1")
    reply = pb.PublishResponse(error=pb.Error(code=102, message="unknown channel"))
    with pytest.raises(CentAPIError) as info:
        decode_grpc(request, reply)
    assert (info.value.code, info.value.message) == (102, "unknown channel")
    assert info.value.request is request
    assert info.value.index is None


def test_broadcast_result_with_per_item_errors() -> None:
    request = BroadcastRequest(["a", "x:b", "c"], b"1")
    reply = pb.BroadcastResponse(
        result=pb.BroadcastResult(
            responses=[
                pb.PublishResponse(result=pb.PublishResult(offset=1, epoch="e")),
                pb.PublishResponse(error=pb.Error(code=102, message="unknown channel")),
                pb.PublishResponse(result=pb.PublishResult()),
            ]
        )
    )
    result = decode_grpc(request, reply)
    assert isinstance(result, BroadcastResult)
    first, error, last = result.responses
    assert first == PublishResult(1, "e")
    assert last == PublishResult()
    assert isinstance(error, CentAPIError)
    assert (error.code, error.index, error.request) == (102, 1, request)
    assert result.errors == [error]


@pytest.mark.parametrize(
    ("request_", "reply", "result"),
    [
        (SubscribeRequest("u", "c"), pb.SubscribeResponse(), SubscribeResult()),
        (UnsubscribeRequest("u", "c"), pb.UnsubscribeResponse(), UnsubscribeResult()),
        (DisconnectRequest("u"), pb.DisconnectResponse(), DisconnectResult()),
        (RefreshRequest("u"), pb.RefreshResponse(), RefreshResult()),
        (HistoryRemoveRequest("c"), pb.HistoryRemoveResponse(), HistoryRemoveResult()),
    ],
)
def test_empty_results(request_: Request[Any], reply: Any, result: Any) -> None:
    assert decode_grpc(request_, reply) == result


def test_presence_result_keeps_info_bytes() -> None:
    reply = pb.PresenceResponse(
        result=pb.PresenceResult(
            presence={
                "c1": pb.ClientInfo(
                    user="u1", client="c1", conn_info=BINARY, chan_info=b"{}"
                ),
                "c2": pb.ClientInfo(user="u2", client="c2"),
            }
        )
    )
    result = decode_grpc(PresenceRequest("c"), reply)
    assert result.presence == {
        "c1": ClientInfo("c1", "u1", BINARY, b"{}"),
        "c2": ClientInfo("c2", "u2", b"", b""),
    }


def test_presence_stats_result() -> None:
    reply = pb.PresenceStatsResponse(
        result=pb.PresenceStatsResult(num_clients=3, num_users=2)
    )
    assert decode_grpc(PresenceStatsRequest("c"), reply) == PresenceStatsResult(3, 2)


def test_history_result() -> None:
    reply = pb.HistoryResponse(
        result=pb.HistoryResult(
            publications=[
                pb.Publication(
                    data=BINARY,
                    offset=1,
                    tags={"t": "v"},
                    info=pb.ClientInfo(user="u", client="c", conn_info=b"ci"),
                ),
                pb.Publication(data=b"2", offset=U64),
            ],
            offset=U64,
            epoch="ep",
        )
    )
    result = decode_grpc(HistoryRequest("c", limit=-1), reply)
    assert result == HistoryResult(
        [
            Publication(BINARY, ClientInfo("c", "u", b"ci", b""), 1, {"t": "v"}),
            Publication(b"2", None, U64, {}),
        ],
        U64,
        "ep",
    )
    assert type(result.publications[0].tags) is dict


def test_info_result() -> None:
    reply = pb.InfoResponse(
        result=pb.InfoResult(
            nodes=[
                pb.NodeResult(
                    uid="id",
                    name="n",
                    version="5.4.9",
                    num_clients=1,
                    num_users=2,
                    num_channels=3,
                    num_subs=4,
                    uptime=5,
                    metrics=pb.Metrics(interval=60.0, items={"m": 1.5}),
                    process=pb.Process(cpu=0.5, rss=1024),
                ),
                pb.NodeResult(uid="bare"),
            ]
        )
    )
    result = decode_grpc(InfoRequest(), reply)
    assert result.nodes == [
        NodeResult(
            "id",
            "n",
            "5.4.9",
            1,
            2,
            3,
            4,
            5,
            Metrics(60.0, {"m": 1.5}),
            Process(0.5, 1024),
        ),
        NodeResult(uid="bare"),
    ]


def test_rpc_result() -> None:
    reply = pb.RPCResponse(result=pb.RPCResult(data=BINARY))
    assert decode_grpc(RPCRequest("m"), reply) == RPCResult(BINARY)


def test_channels_result() -> None:
    reply = pb.ChannelsResponse(
        result=pb.ChannelsResult(channels={"a": pb.ChannelInfo(num_clients=2)})
    )
    assert decode_grpc(ChannelsRequest(), reply) == ChannelsResult(
        {"a": ChannelInfo(2)}
    )


def test_batch_result_with_a_failing_command() -> None:
    commands = [PublishRequest("a", b"1"), PublishRequest("x:b", b"1"), InfoRequest()]
    batch = BatchRequest(commands)
    reply = pb.BatchResponse(
        replies=[
            pb.Reply(publish=pb.PublishResult(offset=4, epoch="e")),
            pb.Reply(error=pb.Error(code=102, message="unknown channel")),
            pb.Reply(info=pb.InfoResult(nodes=[pb.NodeResult(uid="n")])),
        ]
    )
    result = decode_grpc(batch, reply)
    assert isinstance(result, BatchResult)
    first, error, info = result.replies
    assert first == PublishResult(4, "e")
    assert info == InfoResult([NodeResult(uid="n")])
    assert isinstance(error, CentAPIError)
    assert (error.code, error.message, error.index) == (102, "unknown channel", 1)
    assert error.request is commands[1]
    with pytest.raises(CentAPIError):
        result.raise_first_error()


def test_batch_broadcast_item_errors_keep_their_channel_index() -> None:
    broadcast = BroadcastRequest(["a", "x:b"], b"1")
    reply = pb.BatchResponse(
        replies=[
            pb.Reply(
                broadcast=pb.BroadcastResult(
                    responses=[
                        pb.PublishResponse(result=pb.PublishResult()),
                        pb.PublishResponse(error=pb.Error(code=102, message="u")),
                    ]
                )
            )
        ]
    )
    (result,) = decode_grpc(BatchRequest([broadcast]), reply).replies
    assert result.errors[0].index == 1
    assert result.errors[0].request is broadcast


def test_batch_reply_count_mismatch_is_a_decode_error() -> None:
    batch = BatchRequest([InfoRequest(), InfoRequest()])
    with pytest.raises(CentDecodeError, match="2 commands got 1 replies"):
        decode_grpc(batch, pb.BatchResponse(replies=[pb.Reply(info=pb.InfoResult())]))


def test_decode_reply_bytes_round_trip() -> None:
    raw = pb.PublishResponse(result=pb.PublishResult(offset=9)).SerializeToString()
    assert decode_grpc_reply(PublishRequest("c", b""), raw) == PublishResult(9, "")
    raw = pb.BatchResponse(replies=[pb.Reply(info=pb.InfoResult())]).SerializeToString()
    assert decode_grpc_reply(BatchRequest([InfoRequest()]), raw).replies == [
        InfoResult()
    ]


def test_garbage_reply_bytes_are_a_decode_error() -> None:
    with pytest.raises(CentDecodeError, match="not a PublishResponse") as info:
        decode_grpc_reply(PublishRequest("c", b""), b"\xff\xff\xff")
    assert info.value.__cause__ is not None
