"""Decisions shared by every backend: timeouts and batch result assembly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Callable, Optional

from cent._builders import BatchRequest, Request
from cent._results import BatchResult
from cent.errors import CentDecodeError, CentValidationError

ReadReply = Callable[[Request[Any], Any, int], Any]


def resolve_timeout(timeout: Optional[float], default: float) -> float:
    """Return the per-call timeout, or the client's default when it is None."""
    if timeout is None:
        return default
    return check_timeout(timeout, "timeout")


MAX_TIMEOUT = 1_000_000.0
"""Longest timeout accepted, in seconds; the backends cannot wait for ever."""


def check_timeout(timeout: Any, name: str = "request_timeout") -> float:
    """Return `timeout` if it is a positive number of seconds."""
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)):
        raise CentValidationError(f"{name} must be a number of seconds")
    if not 0 < timeout <= MAX_TIMEOUT:
        raise CentValidationError(
            f"{name} must be above 0 and at most {MAX_TIMEOUT:g} s, got {timeout}"
        )
    return float(timeout)


def assemble_batch(
    batch: BatchRequest, replies: Sequence[Any], read_reply: ReadReply
) -> BatchResult:
    """Pair each command with its reply; `read_reply` turns one into a result."""
    requests = batch._requests
    if len(replies) != len(requests):
        raise CentDecodeError(
            f"batch of {len(requests)} commands got {len(replies)} replies"
        )
    return BatchResult(list(map(read_reply, requests, replies, range(len(replies)))))
