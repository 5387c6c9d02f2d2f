"""The blocking HTTP transport, on `requests`."""

from __future__ import annotations

from typing import Optional, Tuple

import requests

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
        except requests.Timeout as err:
            raise CentTimeoutError(
                f"no reply to {method} within {timeout:g} s"
            ) from err
        except requests.RequestException as err:
            raise CentNetworkError(f"{method} failed: {_describe(err)}") from err

    def close(self) -> None:
        """Close the session, unless the caller passed it in."""
        if self._owns_session:
            self._session.close()


def _describe(err: Exception) -> str:
    return f"{type(err).__name__}: {err}"[:300]
