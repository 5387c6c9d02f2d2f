"""The HTTP API's wire format: a request to JSON bytes, a reply to a result.

No I/O happens here: `encode_http` gives the API method and body to POST to
`<api_url>/<method>`, and `decode_http` turns the status and body the server
sent back into a typed result or raises a typed error.
"""

from __future__ import annotations

import math
from typing import Any, Dict, Tuple, TypeVar

import orjson

from cent._builders import BatchRequest, Request
from cent._core import assemble_batch
from cent._results import api_error_from_json
from cent.errors import (
    CentDecodeError,
    CentTransportError,
    CentUnauthorizedError,
    CentValidationError,
)

R = TypeVar("R")

BODY_SNIPPET_LENGTH = 200


def encode_http(request: Request[Any]) -> Tuple[str, bytes]:
    """Return the API method and the JSON body for `request`."""
    payload = request.wire_payload()
    try:
        body = orjson.dumps(payload)
    except orjson.JSONEncodeError as err:
        raise _encode_error(request, err) from err
    # orjson writes NaN and infinities as null; only a body with a null can
    # hold one, so the walk is skipped for almost every request.
    if body.find(b"null") >= 0 and _has_non_finite(payload):
        raise CentValidationError(
            f"{request.api_method} payload holds NaN or an infinity, "
            "which JSON cannot carry"
        )
    return request.api_method, body


def _has_non_finite(value: Any) -> bool:
    if isinstance(value, float):
        return not math.isfinite(value)
    if isinstance(value, dict):
        return any(_has_non_finite(item) for item in value.values())
    if isinstance(value, (list, tuple)):
        return any(_has_non_finite(item) for item in value)
    return False


def _encode_error(request: Request[Any], err: Exception) -> CentValidationError:
    if isinstance(request, BatchRequest):
        for index, command in enumerate(request._requests):
            try:
                orjson.dumps(command.wire_payload())
            except orjson.JSONEncodeError as item_err:
                message = _encode_error(command, item_err)
                return CentValidationError(f"batch command {index}: {message}")
    hint = ""
    if "bytes" in str(err):
        hint = "; over HTTP send binary data with b64data (bytes are accepted there)"
    return CentValidationError(
        f"{request.api_method} payload cannot be encoded as JSON: {err}{hint}"
    )


def decode_http(request: Request[R], status: int, body: bytes) -> R:
    """Turn the server's reply to `request` into its result, or raise."""
    if status != 200:
        raise _status_error(status, body)
    try:
        reply = orjson.loads(body)
        result = reply.get("result")
        if type(result) is dict:
            return request.result_type.from_json(result, request)  # type: ignore[no-any-return]
        return _decode_without_result(request, reply)
    except (
        orjson.JSONDecodeError,
        AttributeError,
        LookupError,
        TypeError,
        ValueError,
    ) as err:
        raise CentDecodeError(
            f"unexpected reply to {request.api_method}: {_snippet(body)}"
        ) from err


def _decode_without_result(request: Request[R], reply: Dict[str, Any]) -> R:
    """Read a batch reply, or raise the error a single command's reply holds."""
    if isinstance(request, BatchRequest):
        replies = reply.get("replies") or []
        if type(replies) is not list:
            raise CentDecodeError(f"batch replies are {type(replies).__name__}")
        return assemble_batch(request, replies, _read_command)  # type: ignore[return-value]
    error = reply.get("error")
    if error is None:
        raise CentDecodeError(f"reply to {request.api_method} has no result object")
    raise api_error_from_json(error, None, request)


def _read_command(request: Request[Any], reply: Dict[str, Any], index: int) -> Any:
    result = reply.get(request.api_method)
    if type(result) is dict:
        return request.result_type.from_json(result, request)
    error = reply.get("error")
    if error is None:
        raise CentDecodeError(f"batch reply {index} has no result or error")
    return api_error_from_json(error, index, request)


def _status_error(status: int, body: bytes) -> Exception:
    if status == 401:
        return CentUnauthorizedError("Centrifugo refused the API key (HTTP 401)")
    if 200 <= status < 300:
        return CentDecodeError(f"unexpected HTTP status {status}: {_snippet(body)}")
    hint = ""
    if status == 404:
        hint = " (api_url should be the API endpoint, e.g. http://localhost:8000/api)"
    return CentTransportError(
        f"HTTP {status}: {_snippet(body)}{hint}", status=status, body=_snippet(body)
    )


def _snippet(body: bytes) -> str:
    return body[:BODY_SNIPPET_LENGTH].decode("utf-8", "replace")


def decode_http_reply(request: Request[R], reply: Tuple[int, bytes]) -> R:
    """`decode_http` for a transport's `(status, body)` reply."""
    return decode_http(request, reply[0], reply[1])
