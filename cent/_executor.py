"""The executors: encode a request, send it through a transport, decode it.

The sync and async executors differ only in the line that waits.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable, Generic, Optional, Tuple, TypeVar

from cent._builders import Request
from cent._transport import AsyncTransport, SyncTransport
from cent.errors import CentValidationError

logger = logging.getLogger("cent")

R = TypeVar("R")
PayloadT = TypeVar("PayloadT")
ReplyT = TypeVar("ReplyT")

Encode = Callable[[Request[Any]], Tuple[str, PayloadT]]
Decode = Callable[[Request[Any], ReplyT], Any]


def check_request(request: Any) -> None:
    """Refuse what is not a request builder, before anything is queued or sent."""
    if not isinstance(request, Request):
        raise CentValidationError(
            f"send takes a request builder such as PublishRequest(...), "
            f"got {type(request).__name__}"
        )


class _Executor(Generic[PayloadT, ReplyT]):
    def __init__(
        self, encode: Encode[PayloadT], decode: Decode[ReplyT], target: str
    ) -> None:
        self._encode = encode
        self._decode = decode
        self._target = target

    def _checked_encode(self, request: Request[R]) -> Tuple[str, PayloadT]:
        check_request(request)
        return self._encode(request)

    def encoding_error(self, request: Request[Any]) -> Optional[CentValidationError]:
        """Return the error encoding `request` alone raises, or None."""
        try:
            self._encode(request)
        except CentValidationError as err:
            return err
        return None

    def _log(self, method: str, started: float, outcome: str) -> None:
        logger.debug(
            "%s %s: %s in %.1f ms",
            self._target,
            method,
            outcome,
            (time.perf_counter() - started) * 1000,
        )


class SyncExecutor(_Executor[PayloadT, ReplyT]):
    """Runs requests through a blocking transport."""

    def __init__(
        self,
        transport: SyncTransport[PayloadT, ReplyT],
        encode: Encode[PayloadT],
        decode: Decode[ReplyT],
        target: str,
    ) -> None:
        super().__init__(encode, decode, target)
        self.transport = transport

    def execute(self, request: Request[R], timeout: float) -> R:
        """Encode, send and decode one request."""
        method, payload = self._checked_encode(request)

        started = time.perf_counter()
        try:
            reply = self.transport.send(method, payload, timeout)
            result = self._decode(request, reply)
        except Exception as err:
            self._log(method, started, type(err).__name__)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            self._log(method, started, "ok")

        return result  # type: ignore[no-any-return]

    def close(self) -> None:
        """Close the transport."""
        self.transport.close()


class AsyncExecutor(_Executor[PayloadT, ReplyT]):
    """Runs requests through an asyncio transport."""

    def __init__(
        self,
        transport: AsyncTransport[PayloadT, ReplyT],
        encode: Encode[PayloadT],
        decode: Decode[ReplyT],
        target: str,
    ) -> None:
        super().__init__(encode, decode, target)
        self.transport = transport

    async def execute(self, request: Request[R], timeout: float) -> R:
        """Encode, send and decode one request."""
        method, payload = self._checked_encode(request)

        started = time.perf_counter()
        try:
            reply = await self.transport.send(method, payload, timeout)
            result = self._decode(request, reply)
        except Exception as err:
            self._log(method, started, type(err).__name__)
            raise
        if logger.isEnabledFor(logging.DEBUG):
            self._log(method, started, "ok")

        return result  # type: ignore[no-any-return]

    async def close(self) -> None:
        """Close the transport."""
        await self.transport.close()
