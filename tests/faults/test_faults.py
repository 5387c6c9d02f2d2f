"""Faults a real Centrifugo cannot produce, against Client and AsyncClient.

Every call is bounded: timeouts are fractions of a second and each server
behaviour stops when the test's server is closed.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any, Callable, Optional, Tuple, Type

import aiohttp
import orjson
import pytest
import requests

from cent import (
    AsyncClient,
    CentDecodeError,
    CentError,
    CentNetworkError,
    CentTimeoutError,
    CentTransportError,
    CentUnauthorizedError,
    CentValidationError,
    Client,
    InfoRequest,
    InfoResult,
    PublishRequest,
    PublishResult,
)

from ._server import (
    Behaviour,
    FaultServer,
    close_mid_body,
    close_without_reply,
    raw,
    reply,
    reset_mid_response,
    reset_without_reply,
    stall,
    stall_after_headers,
    trickle,
)

KEY = "FAULT-secret-key-93b1"
TIMEOUT = 0.25
MARGIN = 0.5  # how much longer than the timeout a call may take to give up

StartServer = Callable[..., FaultServer]
Outcome = Tuple[Any, float]


def call_sync(
    url: str, timeout: Optional[float] = TIMEOUT, default: float = 5.0
) -> Outcome:
    """Call info with a per-call `timeout` (None: the client `default`)."""
    client = Client(url, KEY, request_timeout=default)
    started = time.monotonic()
    try:
        outcome: Any = client.send(InfoRequest(), timeout=timeout)
    except CentError as err:
        outcome = err
    finally:
        client.close()
    return outcome, time.monotonic() - started


async def call_async(
    url: str, timeout: Optional[float] = TIMEOUT, default: float = 5.0
) -> Outcome:
    """`call_sync` for AsyncClient."""
    client = AsyncClient(url, KEY, request_timeout=default)
    started = time.monotonic()
    try:
        outcome: Any = await client.send(InfoRequest(), timeout=timeout)
    except CentError as err:
        outcome = err
    finally:
        await client.close()
    return outcome, time.monotonic() - started


GARBAGE = bytes(range(256)) * 3

# name, behaviour, expected error class
FAULTS = [
    ("garbage-body", reply(200, GARBAGE, "application/octet-stream"), CentDecodeError),
    ("truncated-json", reply(200, b'{"result":{"nodes":[{"uid":'), CentDecodeError),
    ("empty-200", reply(200, b""), CentDecodeError),
    (
        "html-200",
        reply(200, b"<html><body>Hi</body></html>", "text/html"),
        CentDecodeError,
    ),
    ("json-array-200", reply(200, b"[1,2,3]"), CentDecodeError),
    (
        "text-500",
        reply(500, b"Internal Server Error\n", "text/plain"),
        CentTransportError,
    ),
    (
        "html-502",
        reply(502, b"<html>502 Bad Gateway</html>", "text/html"),
        CentTransportError,
    ),
    ("empty-401", reply(401, b""), CentUnauthorizedError),
    ("not-http", raw(b"\x00\xffSSH-2.0-garbage\r\n\r\n"), CentNetworkError),
    ("reset-mid-response", reset_mid_response, CentNetworkError),
    ("reset-without-reply", reset_without_reply, CentNetworkError),
    ("closed-without-reply", close_without_reply, CentNetworkError),
    ("closed-mid-body", close_mid_body, CentNetworkError),
]
FAULT_IDS = [fault[0] for fault in FAULTS]


def check_fault(outcome: Any, elapsed: float, expected: Type[CentError]) -> None:
    assert isinstance(outcome, expected), repr(outcome)
    assert elapsed < TIMEOUT + MARGIN
    if isinstance(outcome, (CentNetworkError, CentDecodeError)):
        assert outcome.__cause__ is not None
    if isinstance(outcome, CentTransportError):
        assert outcome.status in (500, 502)
        assert outcome.body in (
            "Internal Server Error\n",
            "<html>502 Bad Gateway</html>",
        )
    assert KEY not in f"{outcome!s} {outcome!r} {outcome.__cause__!s}"


@pytest.mark.parametrize("name, behaviour, expected", FAULTS, ids=FAULT_IDS)
def test_fault_sync(
    fault_server: StartServer, name: str, behaviour: Behaviour, expected: type
) -> None:
    server = fault_server(behaviour)
    outcome, elapsed = call_sync(server.url)
    check_fault(outcome, elapsed, expected)


@pytest.mark.parametrize("name, behaviour, expected", FAULTS, ids=FAULT_IDS)
async def test_fault_async(
    fault_server: StartServer, name: str, behaviour: Behaviour, expected: type
) -> None:
    server = fault_server(behaviour)
    outcome, elapsed = await call_async(server.url)
    check_fault(outcome, elapsed, expected)


def test_transport_error_keeps_a_short_snippet_of_a_long_body(
    fault_server: StartServer,
) -> None:
    server = fault_server(reply(503, b"<html>" + b"x" * 50_000, "text/html"))
    outcome, _ = call_sync(server.url)
    assert isinstance(outcome, CentTransportError)
    assert outcome.status == 503
    assert outcome.body.startswith("<html>xxx")
    assert len(outcome.body) <= 200


# --- timeouts ----------------------------------------------------------------


def check_timeout(outcome: Any, elapsed: float, timeout: float = TIMEOUT) -> None:
    assert isinstance(outcome, CentTimeoutError), repr(outcome)
    assert outcome.__cause__ is not None
    assert timeout * 0.8 <= elapsed < timeout + MARGIN


def test_stall_is_a_timeout_sync(fault_server: StartServer) -> None:
    server = fault_server(stall)
    check_timeout(*call_sync(server.url))


async def test_stall_is_a_timeout_async(fault_server: StartServer) -> None:
    server = fault_server(stall)
    check_timeout(*await call_async(server.url))


def test_stall_uses_the_client_default_timeout_sync(fault_server: StartServer) -> None:
    server = fault_server(stall)
    check_timeout(*call_sync(server.url, timeout=None, default=TIMEOUT))


async def test_stall_uses_the_client_default_timeout_async(
    fault_server: StartServer,
) -> None:
    server = fault_server(stall)
    check_timeout(*await call_async(server.url, timeout=None, default=TIMEOUT))


def test_stall_mid_body_is_a_timeout_sync(fault_server: StartServer) -> None:
    server = fault_server(stall_after_headers)
    check_timeout(*call_sync(server.url))


async def test_stall_mid_body_is_a_timeout_async(fault_server: StartServer) -> None:
    server = fault_server(stall_after_headers)
    check_timeout(*await call_async(server.url))


# A body larger than the loopback socket buffers, to a server that never reads:
# the upload itself stalls.
BIG_DATA = {"blob": "x" * 16_000_000}


def test_server_that_never_reads_the_upload_sync(fault_server: StartServer) -> None:
    server = fault_server(stall, read_request=False)
    client = Client(server.url, KEY, request_timeout=TIMEOUT)
    started = time.monotonic()
    try:
        outcome: Any = client.publish("c", BIG_DATA)
    except CentError as err:
        outcome = err
    finally:
        client.close()
    check_timeout(outcome, time.monotonic() - started)


async def test_server_that_never_reads_the_upload_async(
    fault_server: StartServer,
) -> None:
    server = fault_server(stall, read_request=False)
    client = AsyncClient(server.url, KEY, request_timeout=TIMEOUT)
    started = time.monotonic()
    try:
        outcome: Any = await client.publish("c", BIG_DATA)
    except CentError as err:
        outcome = err
    finally:
        await client.close()
    check_timeout(outcome, time.monotonic() - started)


# 40 pieces, one every 30 ms: about 1.2 s in all, each gap far below the timeout.
SLOW_TRICKLE = trickle(every=0.03, chunks=40)
SLOW_BODY_TRICKLE = trickle(every=0.03, chunks=40, body_only=True)
FAST_TRICKLE = trickle(every=0.005, chunks=10)


@pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="known limit: requests bounds each read of the status line and "
    "headers, not their sum, so headers trickled byte by byte can hold the "
    "call past its timeout (the body is bounded: see the next test)",
)
def test_slow_trickle_past_the_timeout_sync(fault_server: StartServer) -> None:
    server = fault_server(SLOW_TRICKLE)
    check_timeout(*call_sync(server.url))


def test_slow_body_trickle_past_the_timeout_sync(fault_server: StartServer) -> None:
    server = fault_server(SLOW_BODY_TRICKLE)
    check_timeout(*call_sync(server.url))


async def test_slow_body_trickle_past_the_timeout_async(
    fault_server: StartServer,
) -> None:
    server = fault_server(SLOW_BODY_TRICKLE)
    check_timeout(*await call_async(server.url))


async def test_slow_trickle_past_the_timeout_async(fault_server: StartServer) -> None:
    server = fault_server(SLOW_TRICKLE)
    check_timeout(*await call_async(server.url))


def test_trickle_within_the_timeout_sync(fault_server: StartServer) -> None:
    server = fault_server(FAST_TRICKLE)
    outcome, _ = call_sync(server.url, timeout=2.0)
    assert outcome == InfoResult()


async def test_trickle_within_the_timeout_async(fault_server: StartServer) -> None:
    server = fault_server(FAST_TRICKLE)
    outcome, _ = await call_async(server.url, timeout=2.0)
    assert outcome == InfoResult()


@pytest.mark.parametrize("timeout", [math.inf, 1e10], ids=["inf", "1e10"])
def test_timeout_the_backend_cannot_represent_sync(
    fault_server: StartServer, timeout: float
) -> None:
    server = fault_server(reply(200, b'{"result":{}}'))
    outcome, _ = call_sync(server.url, timeout=timeout)
    assert isinstance(outcome, CentValidationError)  # never a raw OverflowError
    assert server.received == []


@pytest.mark.parametrize("timeout", [math.inf, 1e10], ids=["inf", "1e10"])
async def test_timeout_the_backend_cannot_represent_async(
    fault_server: StartServer, timeout: float
) -> None:
    server = fault_server(reply(200, b'{"result":{}}'))
    outcome, _ = await call_async(server.url, timeout=timeout)
    assert isinstance(outcome, CentValidationError)
    assert server.received == []


# --- no server at all -------------------------------------------------------


def check_refused(outcome: Any, elapsed: float) -> None:
    assert isinstance(outcome, CentNetworkError), repr(outcome)
    assert outcome.__cause__ is not None
    assert elapsed < TIMEOUT + MARGIN
    assert KEY not in str(outcome)


def test_connection_refused_sync(refused_url: str) -> None:
    check_refused(*call_sync(refused_url))


async def test_connection_refused_async(refused_url: str) -> None:
    check_refused(*await call_async(refused_url))


# --- what goes on the wire, and what does not go to the logs ---------------


def test_wire_request_and_quiet_logs_sync(
    fault_server: StartServer, refused_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = fault_server(reply(200, b'{"result":{"offset":1,"epoch":"e"}}'))

    with Client(server.url, KEY, request_timeout=TIMEOUT) as client:
        assert client.publish("news", {"mark": "BODY-MARK"}) == PublishResult(1, "e")
    outcomes = [call_sync(refused_url)[0], repr(client), str(client)]

    check_wire(server)
    check_logs(caplog, outcomes)


async def test_wire_request_and_quiet_logs_async(
    fault_server: StartServer, refused_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    server = fault_server(reply(200, b'{"result":{"offset":1,"epoch":"e"}}'))

    async with AsyncClient(server.url, KEY, request_timeout=TIMEOUT) as client:
        assert await client.publish("news", {"mark": "BODY-MARK"}) == PublishResult(
            1, "e"
        )
    outcomes = [(await call_async(refused_url))[0], repr(client), str(client)]

    check_wire(server)
    check_logs(caplog, outcomes)


def check_wire(server: FaultServer) -> None:
    (request,) = server.received
    assert request.method == "POST"
    assert request.path == "/api/publish"
    assert request.headers["x-api-key"] == KEY
    assert request.headers["content-type"] == "application/json"
    assert "authorization" not in request.headers
    assert request.body == orjson.dumps(
        PublishRequest("news", {"mark": "BODY-MARK"}).api_payload
    )


def check_logs(caplog: pytest.LogCaptureFixture, outcomes: list) -> None:
    assert KEY not in caplog.text
    assert "BODY-MARK" not in caplog.text
    assert any(r.name == "cent" and "publish" in r.getMessage() for r in caplog.records)
    for outcome in outcomes:
        assert KEY not in f"{outcome!s} {outcome!r}"


# --- sessions the caller owns -----------------------------------------------


def test_user_requests_session_survives_close(fault_server: StartServer) -> None:
    server = fault_server(reply(200, b'{"result":{}}'))
    session = requests.Session()
    session.headers["User-Agent"] = "my-app"
    before = dict(session.headers)

    for _ in range(2):  # the second client reuses the session the first closed
        with Client(server.url, KEY, TIMEOUT, session=session) as client:
            assert client.info() == InfoResult()

    assert dict(session.headers) == before
    assert [r.headers["user-agent"] for r in server.received] == ["my-app"] * 2
    session.close()


async def test_user_aiohttp_session_survives_close(fault_server: StartServer) -> None:
    server = fault_server(reply(200, b'{"result":{}}'))
    async with aiohttp.ClientSession(headers={"User-Agent": "my-app"}) as session:
        before = dict(session.headers)
        for _ in range(2):
            async with AsyncClient(server.url, KEY, TIMEOUT, session=session) as client:
                assert await client.info() == InfoResult()
            assert not session.closed
        assert dict(session.headers) == before
    assert [r.headers["user-agent"] for r in server.received] == ["my-app"] * 2


async def test_async_client_owned_session_is_closed(fault_server: StartServer) -> None:
    server = fault_server(reply(200, b'{"result":{}}'))
    client = AsyncClient(server.url, KEY, TIMEOUT)
    assert await client.info() == InfoResult()
    session = client._executor.transport._session
    assert session is not None and not session.closed
    await client.close()
    assert session.closed
