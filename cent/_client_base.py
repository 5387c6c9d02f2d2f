"""What every client shares: `send`, `close` and the context manager protocol."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Optional, Type, TypeVar, Union

from cent._autobatch import AutoBatcher
from cent._builders import Request
from cent._core import resolve_timeout
from cent._executor import AsyncExecutor, SyncExecutor
from cent._shortcuts import AsyncShortcuts, SyncShortcuts

R = TypeVar("R")
_Sync = TypeVar("_Sync", bound="SyncClientBase")
_Async = TypeVar("_Async", bound="AsyncClientBase")


class SyncClientBase(SyncShortcuts):
    """A blocking client: shortcuts, `send`, `close` and `with`."""

    _executor: SyncExecutor[Any, Any]
    _timeout: float

    def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request (or a `BatchRequest`) and return its typed result.

        Args:
            request: Any request builder, e.g. `PublishRequest("news", ...)`.
            timeout: Seconds to wait for this call; the client default if None.

        Raises:
            CentValidationError: The request was refused before sending.
            CentAPIError: Centrifugo answered with an error (`code`, `message`).
            CentUnauthorizedError: The API key was refused.
            CentTransportError: Another HTTP status than 2xx, or gRPC status.
            CentNetworkError: The server could not be reached.
            CentTimeoutError: No reply within the timeout.
            CentDecodeError: The reply was not what the API returns.
        """
        return self._executor.execute(request, resolve_timeout(timeout, self._timeout))

    def close(self) -> None:
        """Close the connections this client opened."""
        self._executor.close()

    def __enter__(self: _Sync) -> _Sync:
        return self

    def __exit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        self.close()


class AsyncClientBase(AsyncShortcuts):
    """An asyncio client: shortcuts, `send`, `close` and `async with`."""

    _executor: Union[AsyncExecutor[Any, Any], AutoBatcher]
    _timeout: float

    async def send(self, request: Request[R], timeout: Optional[float] = None) -> R:
        """Send one request (or a `BatchRequest`) and return its typed result.

        With automatic batching on, the request may travel inside a batch call
        with other concurrent ones; its result or error is its own all the same.
        Raises the same errors as the blocking clients' `send`.
        """
        return await self._executor.execute(
            request, resolve_timeout(timeout, self._timeout)
        )

    async def close(self) -> None:
        """Send any calls still waiting to be batched, then close connections."""
        await self._executor.close()

    async def __aenter__(self: _Async) -> _Async:
        return self

    async def __aexit__(
        self,
        exc_type: Optional[Type[BaseException]],
        exc: Optional[BaseException],
        tb: Optional[TracebackType],
    ) -> None:
        await self.close()
