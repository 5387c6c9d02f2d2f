"""The gRPC clients without a server: settings, repr, mock transports."""

from __future__ import annotations

from typing import Any

import grpc
import pytest

import cent
from cent import (
    AsyncMockTransport,
    BatchRequest,
    CentAPIError,
    CentValidationError,
    GrpcClient,
    InfoRequest,
    MockTransport,
    PublishRequest,
    PublishResult,
    SyncGrpcClient,
)
from cent._grpc_backend import GrpcSettings
from cent._proto import api_pb2 as pb

KEY = "very-secret-key"
PUBLISHED = pb.PublishResponse(
    result=pb.PublishResult(offset=3, epoch="e")
).SerializeToString()


def test_clients_are_exported() -> None:
    assert {"GrpcClient", "SyncGrpcClient"} <= set(cent.__all__)


@pytest.mark.parametrize("client_class", [GrpcClient, SyncGrpcClient])
def test_repr_never_shows_the_key(client_class: Any) -> None:
    client = client_class("127.0.0.1", 10000, api_key=KEY)
    assert (
        repr(client) == f"{client_class.__name__}(target='127.0.0.1:10000', tls=False)"
    )
    assert KEY not in repr(client._settings)
    assert KEY not in str(client)


def test_sync_client_with_a_mock_transport() -> None:
    transport = MockTransport([PUBLISHED])
    with SyncGrpcClient("h", 1, 7.0, transport=transport) as client:
        assert client.publish("c", b"\x00\xff") == PublishResult(3, "e")
    ((rpc, message, timeout),) = transport.sent
    assert (rpc, timeout) == ("Publish", 7.0)
    assert message == pb.PublishRequest(channel="c", data=b"\x00\xff")
    assert transport.closed


async def test_async_client_with_a_mock_transport() -> None:
    error = pb.PublishResponse(error=pb.Error(code=102, message="unknown channel"))
    transport = AsyncMockTransport([PUBLISHED, error.SerializeToString()])
    async with GrpcClient("h", 1, transport=transport) as client:
        assert await client.publish("c", b"1", timeout=0.5) == PublishResult(3, "e")
        with pytest.raises(CentAPIError, match="102"):
            await client.send(PublishRequest("x:c", b"1"))
    assert [(rpc, t) for rpc, _, t in transport.sent] == [
        ("Publish", 0.5),
        ("Publish", 10.0),
    ]
    assert transport.closed


def test_batch_through_a_mock_transport() -> None:
    reply = pb.BatchResponse(
        replies=[pb.Reply(publish=pb.PublishResult(offset=1)), pb.Reply(info={})]
    )
    transport = MockTransport([reply.SerializeToString()])
    client = SyncGrpcClient("h", 1, transport=transport)
    result = client.batch([PublishRequest("c", b"1"), InfoRequest()], parallel=True)
    assert result.replies[0] == PublishResult(1, "")
    rpc, message, _ = transport.sent[0]
    assert rpc == "Batch"
    assert message.parallel


def test_payload_type_is_refused_before_sending() -> None:
    transport = MockTransport()
    client = SyncGrpcClient("h", 1, transport=transport)
    with pytest.raises(CentValidationError, match=r"json\.dumps\(obj\)\.encode\(\)"):
        client.publish("c", {"not": "bytes"})
    with pytest.raises(CentValidationError):
        client.send(BatchRequest([PublishRequest("c", "text")]))
    assert transport.sent == []


def test_async_client_is_built_outside_an_event_loop() -> None:
    client = GrpcClient("localhost", 10000)
    assert client._executor.transport._channel is None  # type: ignore[attr-defined]


# --- settings ------------------------------------------------------------------


def test_metadata_carries_the_key_in_the_exact_form() -> None:
    assert GrpcSettings("h", 1, api_key=KEY).metadata == (
        ("authorization", f"apikey {KEY}"),
    )
    assert GrpcSettings("h", 1).metadata is None


def test_default_options_turn_grpc_retries_off() -> None:
    assert GrpcSettings("h", 1).options == [("grpc.enable_retries", 0)]


def test_message_lengths_and_extra_options() -> None:
    settings = GrpcSettings(
        "h",
        1,
        max_send_message_length=-1,
        max_receive_message_length=8 << 20,
        options=[("grpc.keepalive_time_ms", 30000)],
    )
    assert settings.options == [
        ("grpc.enable_retries", 0),
        ("grpc.max_send_message_length", -1),
        ("grpc.max_receive_message_length", 8 << 20),
        ("grpc.keepalive_time_ms", 30000),
    ]


@pytest.mark.parametrize(
    "name",
    [
        "grpc.enable_retries",
        "grpc.max_send_message_length",
        "grpc.max_receive_message_length",
    ],
)
def test_options_cent_sets_are_refused(name: str) -> None:
    with pytest.raises(CentValidationError, match=name):
        GrpcSettings("h", 1, options=[(name, 1)])


@pytest.mark.parametrize(
    "options", ["grpc.x", [("grpc.x",)], [["grpc.x", 1]], [(1, 2, 3)], None]
)
def test_malformed_options_are_refused(options: Any) -> None:
    with pytest.raises(CentValidationError, match="options"):
        GrpcSettings("h", 1, options=options)


@pytest.mark.parametrize(
    ("host", "port", "target"),
    [
        ("localhost", 10000, "localhost:10000"),
        ("127.0.0.1", 1, "127.0.0.1:1"),
        ("::1", 65535, "[::1]:65535"),
    ],
)
def test_target(host: str, port: int, target: str) -> None:
    assert GrpcSettings(host, port).target == target


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"host": ""}, "host"),
        ({"host": None}, "host"),
        ({"port": 0}, "port"),
        ({"port": 65536}, "port"),
        ({"port": "10000"}, "port"),
        ({"api_key": ""}, "api_key"),
        ({"api_key": b"key"}, "api_key"),
        ({"tls": "yes"}, "tls"),
        ({"root_certificates": b"pem"}, "tls=True"),
        ({"tls": True, "private_key": b"k"}, "certificate_chain"),
        ({"tls": True, "certificate_chain": b"c"}, "private_key"),
        ({"tls": True, "root_certificates": 1}, "root_certificates"),
        ({"compression": "deflate"}, "gzip"),
        ({"compression": True}, "gzip"),
        ({"max_send_message_length": 0}, "max_send_message_length"),
        ({"max_receive_message_length": -2}, "max_receive_message_length"),
        ({"max_receive_message_length": 1.5}, "max_receive_message_length"),
        ({"request_timeout": 0}, "request_timeout"),
    ],
)
def test_bad_client_arguments_are_refused(kwargs: dict, match: str) -> None:
    args = {"host": "h", "port": 1, **kwargs}
    for client_class in (SyncGrpcClient, GrpcClient):
        with pytest.raises(CentValidationError, match=match):
            client_class(**args)


def test_tls_settings() -> None:
    settings = GrpcSettings("h", 1, tls=True)
    assert settings.tls
    assert isinstance(settings.credentials, grpc.ChannelCredentials)
    assert GrpcSettings("h", 1).credentials is None


def test_gzip_compression() -> None:
    assert GrpcSettings("h", 1, compression="gzip").compression is grpc.Compression.Gzip
    assert GrpcSettings("h", 1).compression is None
