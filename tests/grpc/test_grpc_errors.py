"""gRPC status codes to cent errors: the table is total and each call maps once."""

from __future__ import annotations

import asyncio
from typing import Any, Optional

import grpc
import pytest

import cent._grpc_backend as backend
from cent import (
    CentDecodeError,
    CentError,
    CentNetworkError,
    CentTimeoutError,
    CentTransportError,
    CentUnauthorizedError,
)
from cent._grpc_backend import GrpcAioTransport, GrpcSettings, GrpcTransport
from cent._grpc_codec import GRPC_STATUS_ERRORS, grpc_status_error


def test_every_grpc_status_code_is_mapped() -> None:
    names = {code.name for code in grpc.StatusCode}
    assert names - GRPC_STATUS_ERRORS.keys() == set(), "unmapped gRPC status codes"
    assert GRPC_STATUS_ERRORS.keys() - names == set(), "names that are not codes"
    for error_class in GRPC_STATUS_ERRORS.values():
        assert issubclass(error_class, CentError)


@pytest.mark.parametrize("code", list(grpc.StatusCode), ids=lambda c: c.name)
def test_each_code_gives_its_table_class(code: grpc.StatusCode) -> None:
    error = grpc_status_error(code.name, "details", "Publish", 2.0)
    assert type(error) is GRPC_STATUS_ERRORS[code.name]


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("UNAVAILABLE", CentNetworkError),
        ("DEADLINE_EXCEEDED", CentTimeoutError),
        ("UNAUTHENTICATED", CentUnauthorizedError),
        ("RESOURCE_EXHAUSTED", CentTransportError),
    ],
)
def test_the_codes_with_their_own_classes(code: str, error_class: type) -> None:
    assert GRPC_STATUS_ERRORS[code] is error_class


def test_other_codes_are_transport_errors_naming_the_code() -> None:
    special = {"OK", "UNAVAILABLE", "DEADLINE_EXCEEDED", "UNAUTHENTICATED"}
    for code in grpc.StatusCode:
        if code.name in special:
            continue
        error = grpc_status_error(code.name, "boom", "Info", 1.0)
        assert isinstance(error, CentTransportError)
        assert error.grpc_code == code.name
        assert error.status is None
        assert f"Info failed: gRPC {code.name}: boom" in str(error)


def test_ok_without_a_reply_is_a_decode_error() -> None:
    error = grpc_status_error("OK", "no reply message", "Info", 1.0, 0.01)
    assert isinstance(error, CentDecodeError)
    assert "no reply message" in str(error)


@pytest.mark.parametrize("code", ["CANCELLED", "OK", "DEADLINE_EXCEEDED"])
def test_endings_past_the_deadline_are_timeouts(code: str) -> None:
    # The server resets the stream at the deadline it was sent (CANCELLED), and
    # grpcio may end such a call OK without a reply.
    error = grpc_status_error(code, "Received RST_STREAM", "Batch", 0.5, 0.5)
    assert isinstance(error, CentTimeoutError)


def test_cancelled_before_the_deadline_stays_a_transport_error() -> None:
    error = grpc_status_error("CANCELLED", "Channel closed!", "Batch", 0.5, 0.1)
    assert isinstance(error, CentTransportError)
    assert error.grpc_code == "CANCELLED"


@pytest.mark.parametrize(
    "code", ["UNAVAILABLE", "UNAUTHENTICATED", "RESOURCE_EXHAUSTED", "INTERNAL"]
)
def test_other_endings_past_the_deadline_keep_their_class(code: str) -> None:
    error = grpc_status_error(code, "", "Batch", 0.5, 9.0)
    assert type(error) is GRPC_STATUS_ERRORS[code]


def test_an_unknown_code_name_is_a_transport_error() -> None:
    error = grpc_status_error("FROM_THE_FUTURE", "", "Info", 1.0)
    assert isinstance(error, CentTransportError)
    assert error.grpc_code == "FROM_THE_FUTURE"


def test_resource_exhausted_names_the_limits() -> None:
    error = grpc_status_error(
        "RESOURCE_EXHAUSTED",
        "grpc: received message larger than max (5242891 vs. 4194304)",
        "Publish",
        10.0,
    )
    message = str(error)
    assert "5242891 vs. 4194304" in message
    for option in (
        "grpc_api_max_receive_message_size",
        "grpc_api.max_receive_message_size",
        "max_send_message_length",
        "max_receive_message_length",
    ):
        assert option in message


def test_deadline_message_names_the_timeout() -> None:
    error = grpc_status_error("DEADLINE_EXCEEDED", "Deadline Exceeded", "History", 0.25)
    assert str(error) == "no reply to History within 0.25 s"


def test_unauthenticated_says_which_key() -> None:
    message = str(grpc_status_error("UNAUTHENTICATED", "unauthenticated", "Info", 1))
    assert "grpc_api_key" in message
    assert "grpc_api.key" in message


def test_long_details_are_cut() -> None:
    error = grpc_status_error("INTERNAL", "x" * 10_000, "Info", 1.0)
    assert len(str(error)) < 400


# --- the one mapping point in the backend ------------------------------------


class FakeRpcError(grpc.RpcError):
    def __init__(self, code: Optional[grpc.StatusCode], details: Optional[str]):
        super().__init__("fake")
        self._code = code
        self._details = details

    def code(self) -> Optional[grpc.StatusCode]:
        return self._code

    def details(self) -> Optional[str]:
        return self._details


def _raising(err: BaseException) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        raise err

    return call


def _async_raising(err: BaseException) -> Any:
    async def call(*args: Any, **kwargs: Any) -> Any:
        raise err

    return call


@pytest.fixture
def settings() -> GrpcSettings:
    return GrpcSettings("127.0.0.1", 1, api_key="secret")


@pytest.mark.parametrize("code", list(grpc.StatusCode), ids=lambda c: c.name)
def test_sync_transport_maps_every_rpc_error_with_a_cause(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings, code: grpc.StatusCode
) -> None:
    err = FakeRpcError(code, "details")
    monkeypatch.setattr(backend, "_multicallable", lambda ch, m: _raising(err))
    transport = GrpcTransport(settings)
    with pytest.raises(GRPC_STATUS_ERRORS[code.name]) as info:
        transport.send("Publish", object(), 1.5)
    assert info.value.__cause__ is err
    transport.close()


@pytest.mark.parametrize("code", list(grpc.StatusCode), ids=lambda c: c.name)
async def test_async_transport_maps_every_rpc_error_with_a_cause(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings, code: grpc.StatusCode
) -> None:
    err = FakeRpcError(code, "details")
    monkeypatch.setattr(backend, "_multicallable", lambda ch, m: _async_raising(err))
    transport = GrpcAioTransport(settings)
    with pytest.raises(GRPC_STATUS_ERRORS[code.name]) as info:
        await transport.send("Publish", object(), 1.5)
    assert info.value.__cause__ is err
    await transport.close()


def test_sync_reply_none_is_refused(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings
) -> None:
    monkeypatch.setattr(backend, "_multicallable", lambda ch, m: lambda *a, **k: None)
    transport = GrpcTransport(settings)
    with pytest.raises(CentDecodeError, match="no reply message"):
        transport.send("Info", object(), 60.0)
    with pytest.raises(CentTimeoutError):
        transport.send("Info", object(), 1e-9)


async def test_async_reply_none_is_refused(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings
) -> None:
    async def no_reply(*args: Any, **kwargs: Any) -> None:
        await asyncio.sleep(0.01)

    monkeypatch.setattr(backend, "_multicallable", lambda ch, m: no_reply)
    transport = GrpcAioTransport(settings)
    with pytest.raises(CentDecodeError, match="no reply message"):
        await transport.send("Info", object(), 60.0)
    with pytest.raises(CentTimeoutError):
        await transport.send("Info", object(), 0.005)
    await transport.close()


def test_an_rpc_error_without_a_code_is_unknown(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings
) -> None:
    err = grpc.RpcError("no status at all")
    monkeypatch.setattr(backend, "_multicallable", lambda ch, m: _raising(err))
    with pytest.raises(CentTransportError) as info:
        GrpcTransport(settings).send("Info", object(), 1.0)
    assert info.value.grpc_code == "UNKNOWN"
    assert "no status at all" in str(info.value)


def test_other_exceptions_are_not_swallowed(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings
) -> None:
    monkeypatch.setattr(
        backend, "_multicallable", lambda ch, m: _raising(KeyboardInterrupt())
    )
    with pytest.raises(KeyboardInterrupt):
        GrpcTransport(settings).send("Info", object(), 1.0)


async def test_cancellation_passes_through(
    monkeypatch: pytest.MonkeyPatch, settings: GrpcSettings
) -> None:
    monkeypatch.setattr(
        backend,
        "_multicallable",
        lambda ch, m: _async_raising(asyncio.CancelledError()),
    )
    with pytest.raises(asyncio.CancelledError):
        await GrpcAioTransport(settings).send("Info", object(), 1.0)
