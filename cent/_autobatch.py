"""Automatic batching for the asyncio clients.

Concurrent `send` calls made within a short window are sent as one batch
call, and each caller gets its own result or error, as if it had called
alone. Calls are grouped by timeout, so each batch call waits exactly as long
as its callers asked; a request that is not valid on its own is refused to its
caller only, and a batch call that fails as a whole fails every caller in it.
"""

from __future__ import annotations

import asyncio
import copy
from dataclasses import dataclass
from typing import Any, Dict, List, Set, Tuple, Union

from cent import _validate as check
from cent._builders import BatchRequest, Request
from cent._core import check_timeout
from cent._executor import AsyncExecutor, check_request
from cent.errors import CentAPIError, CentTransportError, CentValidationError


@dataclass(frozen=True)
class AutoBatching:
    """How an asyncio client coalesces concurrent calls into batch calls.

    A request is encoded when its batch call goes out, not when `send` is
    called, so a builder (or its data) must not change after it was sent.

    Attributes:
        max_size: Send as soon as this many calls are waiting.
        max_delay: Seconds the first waiting call may wait for others. 0 (the
            default) sends at the end of the event loop's current pass: calls
            made together still travel together, and a lone call is not held.
        parallel: Let the server run the commands of a batch concurrently.
    """

    max_size: int = 1000
    max_delay: float = 0.0
    parallel: bool = False

    def __post_init__(self) -> None:
        check.integer("max_size", self.max_size, 1, 1_000_000)
        if self.max_delay != 0:
            check_timeout(self.max_delay, "max_delay")
        check.flag("parallel", self.parallel)


def with_auto_batching(
    executor: AsyncExecutor[Any, Any], auto_batch: Union[bool, AutoBatching]
) -> Union[AsyncExecutor[Any, Any], AutoBatcher]:
    """Return the executor a client should use for its `auto_batch` argument."""
    if auto_batch is False:
        return executor
    if auto_batch is True:
        return AutoBatcher(executor, AutoBatching())
    if not isinstance(auto_batch, AutoBatching):
        raise CentValidationError("auto_batch must be a bool or an AutoBatching")
    return AutoBatcher(executor, auto_batch)


_Waiting = Tuple[Request[Any], "asyncio.Future[Any]"]


class AutoBatcher:
    """An `AsyncExecutor` front that turns concurrent calls into batch calls."""

    def __init__(self, executor: AsyncExecutor[Any, Any], options: AutoBatching):
        self._executor = executor
        self._options = options
        self._waiting: Dict[float, List[_Waiting]] = {}
        self._timers: Dict[float, asyncio.Handle] = {}
        self._in_flight: Set[asyncio.Task[None]] = set()

    @property
    def transport(self) -> Any:
        """The transport of the executor behind."""
        return self._executor.transport

    async def execute(self, request: Request[Any], timeout: float) -> Any:
        """Queue one request for the next batch call and wait for its outcome."""
        check_request(request)
        if isinstance(request, BatchRequest):
            return await self._executor.execute(request, timeout)

        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        waiting = self._waiting.setdefault(timeout, [])
        waiting.append((request, future))
        if len(waiting) >= self._options.max_size:
            self._flush(timeout)
        elif timeout not in self._timers:
            self._timers[timeout] = self._schedule_flush(loop, timeout)

        return await future

    async def close(self) -> None:
        """Send what is waiting, wait for every batch call, then close."""
        for timeout in list(self._waiting):
            self._flush(timeout)
        while self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        await self._executor.close()

    def _schedule_flush(
        self, loop: asyncio.AbstractEventLoop, timeout: float
    ) -> asyncio.Handle:
        delay = self._options.max_delay
        if delay == 0:
            return loop.call_soon(self._flush, timeout)
        return loop.call_later(delay, self._flush, timeout)

    def _flush(self, timeout: float) -> None:
        timer = self._timers.pop(timeout, None)
        if timer is not None:
            timer.cancel()
        waiting = self._waiting.pop(timeout, [])
        waiting = [item for item in waiting if not item[1].done()]
        if not waiting:
            return
        task = asyncio.ensure_future(self._send(waiting, timeout))
        self._in_flight.add(task)
        task.add_done_callback(self._in_flight.discard)

    async def _send(self, waiting: List[_Waiting], timeout: float) -> None:
        if len(waiting) == 1:
            request, future = waiting[0]
            await _settle(future, self._executor.execute(request, timeout))
            return

        batch = BatchRequest(
            [request for request, _ in waiting], parallel=self._options.parallel
        )
        try:
            result = await self._executor.execute(batch, timeout)
        except CentValidationError:
            await self._send_valid_only(waiting, timeout)
            return
        except CentTransportError as err:
            if err.grpc_code != "RESOURCE_EXHAUSTED":
                _fail_all(waiting, err)
                return
            # The batch was too large to be received, so nothing ran: halve it
            # until each part fits, or a lone call fails as it would alone.
            half = len(waiting) // 2
            await self._send_each([waiting[:half], waiting[half:]], timeout)
            return
        except Exception as err:
            _fail_all(waiting, err)
            return

        for (request, future), outcome in zip(waiting, result.replies):
            if isinstance(outcome, CentAPIError):
                own = CentAPIError(outcome.code, outcome.message, request=request)
                _fail(future, own, copy_error=False)
            elif not future.done():
                future.set_result(outcome)

    async def _send_valid_only(self, waiting: List[_Waiting], timeout: float) -> None:
        """Refuse each request the codec refuses alone; send the others.

        Nothing was sent. When every request is valid alone but not together
        (say, nesting deeper than the encoder allows), each goes alone.
        """
        valid = []
        for request, future in waiting:
            error = self._executor.encoding_error(request)
            if error is None:
                valid.append((request, future))
            else:
                _fail(future, error, copy_error=False)
        if len(valid) == len(waiting):
            await self._send_each([[item] for item in valid], timeout)
        elif valid:
            await self._send(valid, timeout)

    async def _send_each(self, parts: List[List[_Waiting]], timeout: float) -> None:
        await asyncio.gather(*(self._send(part, timeout) for part in parts))


def _fail_all(waiting: List[_Waiting], error: BaseException) -> None:
    for _, future in waiting:
        _fail(future, error)


async def _settle(future: asyncio.Future[Any], outcome: Any) -> None:
    try:
        result = await outcome
    except Exception as err:
        _fail(future, err, copy_error=False)
        return
    if not future.done():
        future.set_result(result)


def _fail(
    future: asyncio.Future[Any], error: BaseException, copy_error: bool = True
) -> None:
    """Fail one caller; each gets its own copy of a shared error."""
    if future.done():
        return
    own = error
    if copy_error:
        try:
            own = copy.copy(error)
        except Exception:  # an exception type copy cannot rebuild: share it
            own = error
        own.__cause__ = error.__cause__
    future.set_exception(own)
