"""gRPC host forms, a closed aiohttp session, exact timeouts and the DEBUG line."""

from __future__ import annotations

import logging
import math

import aiohttp
import pytest

from cent import (
    AsyncClient,
    CentNetworkError,
    CentUnauthorizedError,
    CentValidationError,
    Client,
    GrpcClient,
    MockTransport,
    SyncGrpcClient,
)
from cent._aiohttp_backend import AiohttpTransport


@pytest.mark.parametrize(
    "host", ["http://127.0.0.1", "127.0.0.1:10000", "user@host", "a host"]
)
def test_grpc_host_with_scheme_or_port_is_refused(host: str) -> None:
    with pytest.raises(CentValidationError, match="host must be"):
        SyncGrpcClient(host, 10000)
    with pytest.raises(CentValidationError, match="host must be"):
        GrpcClient(host, 10000)


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "::1", "centrifugo.svc"])
def test_grpc_host_names_and_addresses_are_taken(host: str) -> None:
    assert SyncGrpcClient(host, 10000)


async def test_a_closed_session_passed_in_is_a_network_error() -> None:
    session = aiohttp.ClientSession()
    await session.close()
    client = AsyncClient("http://127.0.0.1:1/api", "key", session=session)

    with pytest.raises(CentNetworkError, match="session is closed"):
        await client.publish("c", 1)


def test_aiohttp_timeouts_are_not_rounded_up() -> None:
    transport = AiohttpTransport("http://127.0.0.1:1/api", "key")

    timeout = transport._timeout(7.5)

    assert timeout.total == 7.5
    assert timeout.ceil_threshold == math.inf


def test_debug_line_names_the_error_of_a_failed_call(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = MockTransport([(401, b""), (200, b'{"result":{}}')])
    client = Client("http://127.0.0.1:1/api", "key", transport=transport)

    with caplog.at_level(logging.DEBUG, logger="cent"):
        with pytest.raises(CentUnauthorizedError):
            client.publish("c", 1)
        client.publish("c", 1)

    failed, succeeded = (record.getMessage() for record in caplog.records)
    assert "publish: CentUnauthorizedError in" in failed
    assert "publish: ok in" in succeeded
