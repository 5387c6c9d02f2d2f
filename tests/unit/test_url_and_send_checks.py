"""api_url forms, credentials in URLs, and what `send` accepts."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from cent import (
    AsyncClient,
    AsyncMockTransport,
    CentTransportError,
    CentValidationError,
    Client,
    MockTransport,
    PublishRequest,
    SyncGrpcClient,
)


@pytest.mark.parametrize(
    "url",
    ["localhost:8000/api", "ftp://x/api", "http://", "http://x/api?v=1", "http://x/#a"],
)
def test_bad_api_urls_are_refused(url: str) -> None:
    with pytest.raises(CentValidationError):
        Client(url, "key")
    with pytest.raises(CentValidationError):
        AsyncClient(url, "key")


def test_scheme_case_does_not_matter() -> None:
    assert Client("HTTP://localhost:8000/api/", "key")


def test_url_credentials_stay_out_of_repr_and_logs(
    caplog: pytest.LogCaptureFixture,
) -> None:
    transport = MockTransport([(200, b'{"result":{}}')])
    client = Client("http://ann:pa55word@localhost/api", "key", transport=transport)

    with caplog.at_level(logging.DEBUG, logger="cent"):
        client.publish("c", 1)

    assert "pa55word" not in repr(client)
    assert "localhost" in repr(client)
    assert caplog.records
    assert all("pa55word" not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("wrong", ["publish", PublishRequest, {"channel": "c"}, None])
def test_send_refuses_what_is_not_a_builder(wrong: Any) -> None:
    transport = MockTransport()

    with pytest.raises(CentValidationError, match="request builder"):
        Client("http://x/api", "key", transport=transport).send(wrong)
    with pytest.raises(CentValidationError, match="request builder"):
        SyncGrpcClient("x", 1, transport=transport).send(wrong)
    assert transport.sent == []


async def test_async_send_refuses_what_is_not_a_builder() -> None:
    transport = AsyncMockTransport()
    client = AsyncClient("http://x/api", "key", transport=transport)

    with pytest.raises(CentValidationError, match="request builder"):
        await client.send("publish")  # type: ignore[arg-type]
    assert transport.sent == []


def test_a_404_says_what_api_url_should_be() -> None:
    transport = MockTransport([(404, b"404 page not found\n")])
    client = Client("http://localhost:8000", "key", transport=transport)

    with pytest.raises(CentTransportError, match="API endpoint") as caught:
        client.info()
    assert caught.value.status == 404
