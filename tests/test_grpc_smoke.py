"""What only the gRPC clients have, against real Centrifugo servers (v5 and v6).

Every API method, its errors and the payload round trips run over gRPC too in
the parametrised suite in tests/api; this file keeps message size limits,
compression, the missing key, concurrency, event loops and TLS.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
import json
import threading
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Any, Dict, List

import pytest

from cent import (
    CentError,
    CentNetworkError,
    CentTransportError,
    CentUnauthorizedError,
    GrpcClient,
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


# --- payloads ------------------------------------------------------------------


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


def test_missing_key_is_unauthorized(centrifugo: CentrifugoServer) -> None:
    # api_key=None sends no key at all (for servers without one); the wrong
    # key is tested over every transport in tests/api.
    keyless = SyncGrpcClient(centrifugo.grpc_host, centrifugo.grpc_port)
    with keyless, pytest.raises(CentUnauthorizedError, match="UNAUTHENTICATED"):
        keyless.info()


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


async def test_close_while_a_call_runs_is_a_network_error(
    centrifugo: CentrifugoServer,
) -> None:
    client = GrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, api_key=centrifugo.grpc_key
    )
    await client.info()
    running = asyncio.ensure_future(client.batch([PublishRequest("c", b"1")] * 20000))
    await asyncio.sleep(0.01)

    await client.close()

    with pytest.raises(CentNetworkError, match="client was closed"):
        await running
    assert not running.cancelled()


def test_sync_calls_racing_close_get_cent_errors(centrifugo: CentrifugoServer) -> None:
    client = SyncGrpcClient(
        centrifugo.grpc_host, centrifugo.grpc_port, api_key=centrifugo.grpc_key
    )
    raw: list[BaseException] = []

    def call_many() -> None:
        for _ in range(100):
            try:
                client.publish("c", b"1")
            except CentError:
                pass
            except BaseException as err:  # anything else is the bug
                raw.append(err)

    threads = [threading.Thread(target=call_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    time.sleep(0.02)
    client.close()
    for thread in threads:
        thread.join()

    assert raw == []
