"""The exceptions `cent` raises: one tree under `CentError` for every backend."""

from __future__ import annotations

from typing import Any, Optional


class CentError(Exception):
    """Base class of every exception raised by `cent`."""


class CentValidationError(CentError, ValueError, TypeError):
    """A request was refused before sending: a wrong type or impossible value."""


class CentNetworkError(CentError):
    """The server could not be reached, or the connection broke."""


class CentTimeoutError(CentError):
    """The server did not answer within the timeout."""


class CentUnauthorizedError(CentError):
    """The server refused the API key (HTTP 401, gRPC UNAUTHENTICATED)."""


class CentDecodeError(CentError):
    """The server's reply was not what the Centrifugo API returns."""


class CentTransportError(CentError):
    """The transport failed: an HTTP status other than 2xx, or a gRPC status.

    Attributes:
        status: The HTTP status code, or None over gRPC.
        body: The first bytes of the reply body, decoded for display.
        grpc_code: The gRPC status code name, or None over HTTP.
    """

    def __init__(
        self,
        message: str,
        *,
        status: Optional[int] = None,
        body: str = "",
        grpc_code: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.body = body
        self.grpc_code = grpc_code


class CentAPIError(CentError):
    """Centrifugo answered the command with an error.

    Attributes:
        code: Centrifugo's error code, for example 102 for an unknown channel.
        message: Centrifugo's error message.
        index: For an item of a batch or broadcast, its position; else None.
        request: The request (builder) that failed, when known.
    """

    def __init__(
        self,
        code: int,
        message: str,
        *,
        index: Optional[int] = None,
        request: Any = None,
    ) -> None:
        super().__init__(code, message)
        self.code = code
        self.message = message
        self.index = index
        self.request = request

    def __str__(self) -> str:
        where = "" if self.index is None else f" (item {self.index})"
        return f"Centrifugo API error {self.code}: {self.message}{where}"

    def __repr__(self) -> str:
        return f"CentAPIError(code={self.code!r}, message={self.message!r})"
