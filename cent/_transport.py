"""The transport interfaces the executors call, and a test double for both.

A transport takes an API method name, an encoded payload and a timeout, and
returns the raw reply. It maps its backend's exceptions to `CentNetworkError`
and `CentTimeoutError` in one place and knows nothing about the API itself.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Deque, List, Protocol, Tuple, TypeVar, Union

PayloadT = TypeVar("PayloadT", contravariant=True)
ReplyT = TypeVar("ReplyT", covariant=True)


class SyncTransport(Protocol[PayloadT, ReplyT]):
    """A blocking transport."""

    def send(self, method: str, payload: PayloadT, timeout: float) -> ReplyT:
        """Send one encoded request and return the raw reply."""

    def close(self) -> None:
        """Release connections this transport opened."""


class AsyncTransport(Protocol[PayloadT, ReplyT]):
    """An asyncio transport."""

    async def send(self, method: str, payload: PayloadT, timeout: float) -> ReplyT:
        """Send one encoded request and return the raw reply."""

    async def close(self) -> None:
        """Release connections this transport opened."""


class MockTransport:
    """Records what is sent and plays queued replies; serves sync and async.

    Queue an HTTP reply as `(status, body)` or an exception instance to raise.
    `sent` holds `(method, payload, timeout)` for every call, in order.

    Example:
        `Client(url, key, transport=MockTransport([(200, b'{"result":{}}')]))`
    """

    def __init__(self, replies: Any = ()) -> None:
        self.replies: Deque[Union[Any, BaseException]] = deque(replies)
        self.sent: List[Tuple[str, Any, float]] = []
        self.closed = False

    def queue(self, reply: Any) -> MockTransport:
        """Add one reply (or exception) to play back."""
        self.replies.append(reply)
        return self

    def send(self, method: str, payload: Any, timeout: float) -> Any:
        """Record the call and return (or raise) the next queued reply."""
        self.sent.append((method, payload, timeout))
        if not self.replies:
            raise AssertionError(f"MockTransport has no reply queued for {method}")
        reply = self.replies.popleft()
        if isinstance(reply, BaseException):
            raise reply
        return reply

    def close(self) -> None:
        """Mark the transport closed."""
        self.closed = True


class AsyncMockTransport(MockTransport):
    """`MockTransport` with the asyncio interface."""

    async def send(self, method: str, payload: Any, timeout: float) -> Any:
        """Record the call and return (or raise) the next queued reply."""
        return MockTransport.send(self, method, payload, timeout)

    async def close(self) -> None:  # type: ignore[override]
        """Mark the transport closed."""
        self.closed = True
