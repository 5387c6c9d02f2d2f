"""The gRPC clients against real Centrifugo servers (v5 and v6)."""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import os
import socket
import threading
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, Dict, List

import pytest

from cent import (
    BatchRequest,
    CentAPIError,
    CentNetworkError,
    CentTimeoutError,
    CentTransportError,
    CentUnauthorizedError,
    GrpcClient,
    HistoryRequest,
    InfoRequest,
    PresenceStatsRequest,
    PublishRequest,
    PublishResult,
    SyncGrpcClient,
)
from cent.testing.server import CentrifugoServer

BINARY = bytes(range(256)) + b"\xff\xfe\x00\xc3\x28"  # not UTF-8
HOST = "127.0.0.1"


def channel(prefix: str = "grpc") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


@pytest.fixture
def client(centrifugo: CentrifugoServer) -> Iterator[SyncGrpcClient]:
    with SyncGrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, 10.0, api_key=centrifugo.grpc_key
    ) as sync_client:
        yield sync_client


@pytest.fixture
async def aclient(centrifugo: CentrifugoServer) -> AsyncIterator[GrpcClient]:
    async with GrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, 10.0, api_key=centrifugo.grpc_key
    ) as async_client:
        yield async_client


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
    return port


# --- payloads ------------------------------------------------------------------


def test_binary_publish_and_history_round_trip(client: SyncGrpcClient) -> None:
    name = channel()
    published = client.publish(name, BINARY, tags={"kind": "raw"})
    assert published.offset == 1
    assert published.epoch

    history = client.history(name, limit=-1)
    assert (history.offset, history.epoch) == (1, published.epoch)
    (publication,) = history.publications
    assert publication.data == BINARY
    assert type(publication.data) is bytes
    assert publication.tags == {"kind": "raw"}
    assert publication.offset == 1


async def test_async_binary_round_trip(aclient: GrpcClient) -> None:
    name = channel()
    published = await aclient.publish(name, bytearray(BINARY))
    history = await aclient.history(name, limit=-1)
    assert [p.data for p in history.publications] == [BINARY]
    assert history.epoch == published.epoch


def test_three_mib_payload_round_trip(client: SyncGrpcClient) -> None:
    name = channel()
    payload = os.urandom(3 * 1024 * 1024)
    client.publish(name, payload)
    (publication,) = client.history(name, limit=1).publications
    assert publication.data == payload


def test_payload_over_the_server_limit(client: SyncGrpcClient) -> None:
    with pytest.raises(CentTransportError) as info:
        client.publish(channel(), b"\x00" * (5 * 1024 * 1024))
    assert info.value.grpc_code == "RESOURCE_EXHAUSTED"
    assert "grpc_api_max_receive_message_size" in str(info.value)


def test_reply_over_the_client_limit(centrifugo: CentrifugoServer) -> None:
    with (
        SyncGrpcClient(
            centrifugo.grpc_host,
            centrifugo.grpc_port,
            api_key=centrifugo.grpc_key,
            max_receive_message_length=1024,
        ) as small,
        pytest.raises(CentTransportError) as info,
    ):
        small.info()
    assert info.value.grpc_code == "RESOURCE_EXHAUSTED"
    assert "max_receive_message_length" in str(info.value)


def test_gzip_compression(centrifugo: CentrifugoServer) -> None:
    name = channel()
    with SyncGrpcClient(
        centrifugo.grpc_host,
        centrifugo.grpc_port,
        api_key=centrifugo.grpc_key,
        compression="gzip",
    ) as gzip_client:
        gzip_client.publish(name, b"x" * 100_000)
        (publication,) = gzip_client.history(name, limit=-1).publications
    assert publication.data == b"x" * 100_000


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize("key", ["wrong-key", None])
def test_wrong_or_missing_key(centrifugo: CentrifugoServer, key: Any) -> None:
    bad = SyncGrpcClient(centrifugo.grpc_host, centrifugo.grpc_port, api_key=key)
    with bad, pytest.raises(CentUnauthorizedError, match="UNAUTHENTICATED"):
        bad.info()


async def test_async_wrong_key(centrifugo: CentrifugoServer) -> None:
    async with GrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, api_key="wrong-key"
    ) as bad:
        with pytest.raises(CentUnauthorizedError):
            await bad.info()


def test_server_down() -> None:
    down = SyncGrpcClient(HOST, _closed_port(), 5.0)
    with down, pytest.raises(CentNetworkError, match="UNAVAILABLE"):
        down.info()


async def test_async_server_down() -> None:
    async with GrpcClient(HOST, _closed_port(), 5.0) as down:
        with pytest.raises(CentNetworkError):
            await down.info()


def test_deadline_on_a_silent_listener() -> None:
    # A listener that accepts and never answers: the call can only time out.
    with socket.socket() as listener:
        listener.bind((HOST, 0))
        listener.listen()
        port = listener.getsockname()[1]
        silent = SyncGrpcClient(HOST, port)
        with silent, pytest.raises(CentTimeoutError, match=r"within 0\.3 s"):
            silent.info(timeout=0.3)


def test_deadline_against_the_server(client: SyncGrpcClient) -> None:
    # Thousands of publishes take the server far longer than a millisecond.
    batch = BatchRequest(
        [PublishRequest(channel(), b"x" * 100) for _ in range(5000)], parallel=False
    )
    with pytest.raises(CentTimeoutError):
        client.send(batch, timeout=0.001)
    assert client.info().nodes  # the client is still usable


def test_unknown_namespace(client: SyncGrpcClient) -> None:
    request = PublishRequest("nosuchns:chan", b"{}")
    with pytest.raises(CentAPIError) as info:
        client.send(request)
    assert info.value.code == 102
    assert info.value.request is request


def test_rpc_has_no_extensions_on_oss(client: SyncGrpcClient) -> None:
    with pytest.raises(CentAPIError) as info:
        client.rpc("method", b'{"a":1}')
    assert info.value.code == 104


def test_payload_type_refused_before_sending(client: SyncGrpcClient) -> None:
    with pytest.raises(TypeError, match=r"json\.dumps\(obj\)\.encode\(\)"):
        client.publish(channel(), {"not": "bytes"})


async def test_subscribe_and_presence_carry_bytes(
    aclient: GrpcClient, centrifugo: CentrifugoServer
) -> None:
    pytest.importorskip("centrifuge")
    from api.subscriber import Subscriber  # the real-server suite's WebSocket client

    name = channel()
    subscriber = Subscriber(centrifugo, channel("user"), info={"device": "phone"})
    await subscriber.connect()
    try:
        await aclient.subscribe(
            subscriber.user, name, info=b"[1,2]", data=b'{"hello":1}'
        )
        assert (await subscriber.expect("subscribed", name)).data == {"hello": 1}

        presence = await aclient.presence(name)
        info = presence.presence[subscriber.client_id]
        assert json.loads(info.conn_info) == {"device": "phone"}
        assert info.chan_info == b"[1,2]"

        await aclient.publish(name, b'{"x":1}')
        assert (await subscriber.expect_publication(name)).data == {"x": 1}
    finally:
        await subscriber.close()


def test_largest_timeout_is_accepted(client: SyncGrpcClient) -> None:
    assert client.info(timeout=1_000_000).nodes


# --- batch and broadcast -----------------------------------------------------


@pytest.mark.parametrize("parallel", [False, True])
def test_batch_with_one_failing_command(client: SyncGrpcClient, parallel: bool) -> None:
    name = channel()
    commands = [
        PublishRequest(name, b"1"),
        PublishRequest("nosuchns:x", b"2"),
        PresenceStatsRequest(name),
        HistoryRequest(name, limit=-1),
        InfoRequest(),
    ]
    result = client.send(BatchRequest(commands, parallel=parallel))
    published, error, stats, history, info = result.replies
    assert isinstance(published, PublishResult)
    assert isinstance(error, CentAPIError)
    assert (error.code, error.index, error.request) == (102, 1, commands[1])
    assert (stats.num_clients, stats.num_users) == (0, 0)
    assert info.nodes
    if not parallel:
        assert [p.data for p in history.publications] == [b"1"]
    assert result.errors == [error]


async def test_async_batch(aclient: GrpcClient) -> None:
    name = channel()
    result = await aclient.batch(
        [PublishRequest(name, b"a"), PublishRequest(name, b"b")]
    )
    assert [r.offset for r in result.replies] == [1, 2]


def test_broadcast_with_one_failing_channel(client: SyncGrpcClient) -> None:
    first, second = channel(), channel()
    result = client.broadcast([first, "nosuchns:x", second], b"\x00")
    ok_first, error, ok_second = result.responses
    assert isinstance(error, CentAPIError)
    assert (error.code, error.index) == (102, 1)
    assert ok_first.offset == ok_second.offset == 1
    assert client.history(second, limit=-1).publications[0].data == b"\x00"


# --- concurrency and event loops -------------------------------------------


async def test_async_concurrent_publishes(aclient: GrpcClient) -> None:
    name = channel()
    results = await asyncio.gather(
        *(aclient.publish(name, str(i).encode()) for i in range(50))
    )
    assert sorted(r.offset for r in results) == list(range(1, 51))


def test_sync_client_shared_by_threads(client: SyncGrpcClient) -> None:
    name = channel()
    offsets: List[int] = []

    def publish() -> None:
        for _ in range(20):
            offsets.append(client.publish(name, b"t").offset)

    threads = [threading.Thread(target=publish) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(offsets) == list(range(1, 161))


def test_async_client_survives_a_new_event_loop(centrifugo: CentrifugoServer) -> None:
    client = GrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, api_key=centrifugo.grpc_key
    )
    name = channel()
    assert asyncio.run(client.publish(name, b"1")).offset == 1
    assert asyncio.run(client.publish(name, b"2")).offset == 2
    asyncio.run(client.close())


def test_close_then_reuse_reopens_the_channel(client: SyncGrpcClient) -> None:
    client.close()
    assert client.info().nodes


# --- servers of our own: no key, and TLS -----------------------------------


def _namespaces_env(server: CentrifugoServer, names: List[str]) -> Dict[str, str]:
    variable = "CENTRIFUGO_NAMESPACES"
    if server.major >= 6:
        variable = "CENTRIFUGO_CHANNEL_NAMESPACES"
    return {variable: json.dumps([{"name": name} for name in names])}


def test_seed_example_verbatim(centrifugo: CentrifugoServer) -> None:
    env = {"CENTRIFUGO_GRPC_API_KEY": "", **_namespaces_env(centrifugo, ["example"])}
    with CentrifugoServer(
        centrifugo.version, binary=centrifugo.binary, extra_env=env
    ) as server:
        port = server.grpc_port

        async def main() -> PublishResult:
            return await GrpcClient("127.0.0.1", port).publish(
                "example:channel", json.dumps({"input": "Hello world!"}).encode()
            )

        assert asyncio.run(main()) == PublishResult()


def _make_pki() -> Dict[str, bytes]:
    """Return PEMs of a CA, a server certificate for 127.0.0.1 and a client one."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common_name: str) -> x509.Name:
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])

    def certificate(subject: str, key: Any, issuer_key: Any) -> x509.CertificateBuilder:
        return (
            x509.CertificateBuilder()
            .subject_name(name(subject))
            .issuer_name(name("cent test CA"))
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
        )

    def pem_key(key: Any) -> bytes:
        return key.private_bytes(  # type: ignore[no-any-return]
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )

    def pem(cert: x509.Certificate) -> bytes:
        return cert.public_bytes(serialization.Encoding.PEM)

    ca_key, server_key, client_key = (
        ec.generate_private_key(ec.SECP256R1()) for _ in range(3)
    )
    ca = (
        certificate("cent test CA", ca_key, ca_key)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(ca_key, hashes.SHA256())
    )
    server = (
        certificate("127.0.0.1", server_key, ca_key)
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address(HOST)), x509.DNSName("localhost")]
            ),
            critical=False,
        )
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    client = (
        certificate("cent test client", client_key, ca_key)
        .add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CLIENT_AUTH]), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    return {
        "ca": pem(ca),
        "server_cert": pem(server),
        "server_key": pem_key(server_key),
        "client_cert": pem(client),
        "client_key": pem_key(client_key),
    }


@pytest.fixture(scope="module")
def pki() -> Dict[str, bytes]:
    pytest.importorskip("cryptography")
    return _make_pki()


@pytest.fixture
def tls_server(
    centrifugo: CentrifugoServer, pki: Dict[str, bytes]
) -> Iterator[CentrifugoServer]:
    prefix = "CENTRIFUGO_GRPC_API_TLS"
    env = {
        prefix + ("_ENABLED" if centrifugo.major >= 6 else ""): "true",
        prefix + "_CERT_PEM": pki["server_cert"].decode(),
        prefix + "_KEY_PEM": pki["server_key"].decode(),
        prefix + "_CLIENT_CA_PEM": pki["ca"].decode(),
    }
    with CentrifugoServer(
        centrifugo.version, binary=centrifugo.binary, extra_env=env
    ) as server:
        yield server


def test_mutual_tls(tls_server: CentrifugoServer, pki: Dict[str, bytes]) -> None:
    server = tls_server
    name = channel()
    with SyncGrpcClient(
        server.grpc_host,
        server.grpc_port,
        api_key=server.grpc_key,
        tls=True,
        root_certificates=pki["ca"],
        private_key=pki["client_key"],
        certificate_chain=pki["client_cert"],
    ) as tls_client:
        assert tls_client.publish(name, BINARY).offset == 1

    async def over_aio() -> bytes:
        async with GrpcClient(
            server.grpc_host,
            server.grpc_port,
            api_key=server.grpc_key,
            tls=True,
            root_certificates=pki["ca"].decode(),
            private_key=pki["client_key"].decode(),
            certificate_chain=pki["client_cert"].decode(),
        ) as aio_client:
            history = await aio_client.history(name, limit=-1)
        data: bytes = history.publications[0].data
        return data

    assert asyncio.run(over_aio()) == BINARY


@pytest.mark.parametrize(
    "kwargs",
    [
        {},  # plaintext to a TLS port
        {"tls": True},  # gRPC's default roots do not know our CA
        {"tls": True, "root_certificates": "ca"},  # no client certificate
    ],
    ids=["plaintext", "default-roots", "no-client-cert"],
)
def test_tls_failures_are_network_errors(
    tls_server: CentrifugoServer, pki: Dict[str, bytes], kwargs: Dict[str, Any]
) -> None:
    kwargs = {k: pki[v] if v == "ca" else v for k, v in kwargs.items()}
    with (
        SyncGrpcClient(
            tls_server.grpc_host, tls_server.grpc_port, 5.0, **kwargs
        ) as failing,
        pytest.raises(CentNetworkError, match="UNAVAILABLE"),
    ):
        failing.info()
