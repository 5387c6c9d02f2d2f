"""The blocking HTTP transport, on `requests`."""

from __future__ import annotations

from typing import Optional, Tuple

import requests
import urllib3

from cent._http_common import api_headers, method_url_prefix
from cent.errors import CentNetworkError, CentTimeoutError


class RequestsTransport:
    """POSTs encoded requests with a `requests.Session` (keep-alive pooled)."""

    def __init__(
        self, api_url: str, api_key: str, session: Optional[requests.Session] = None
    ) -> None:
        self._prefix = method_url_prefix(api_url)
        self._headers = api_headers(api_key)
        self._owns_session = session is None
        self._session = session if session is not None else requests.Session()

    def send(self, method: str, payload: bytes, timeout: float) -> Tuple[int, bytes]:
        """POST the body to `<api_url>/<method>`; return status and body."""
        try:
            response = self._session.post(
                self._prefix + method,
                data=payload,
                headers=self._headers,
                timeout=timeout,
            )
            return response.status_code, response.content
        except (
            requests.RequestException,
            urllib3.exceptions.HTTPError,
            OSError,
        ) as err:
            raise _network_error(method, timeout, err) from err

    def close(self) -> None:
        """Close the session, unless the caller passed it in."""
        if self._owns_session:
            self._session.close()


def _network_error(method: str, timeout: float, err: Exception) -> Exception:
    """Map an exception of requests, urllib3 or the socket layer to ours."""
    if _is_timeout(err):
        return CentTimeoutError(f"no reply to {method} within {timeout:g} s")
    return CentNetworkError(f"{method} failed: {type(err).__name__}: {err}"[:300])


def _is_timeout(err: BaseException) -> bool:
    # requests reports a read timeout that strikes while the body streams as
    # a ConnectionError wrapping urllib3's ReadTimeoutError, so look inside.
    timeouts = (requests.Timeout, urllib3.exceptions.TimeoutError, TimeoutError)
    if isinstance(err, timeouts):
        return True
    return any(isinstance(arg, timeouts) for arg in err.args)
