"""What both HTTP backends share: the endpoint and the request headers."""

from __future__ import annotations

import urllib.parse
from typing import Dict

from cent import _validate as check
from cent.errors import CentValidationError


def method_url_prefix(api_url: str) -> str:
    """Return `api_url` with one trailing slash, ready for a method name."""
    parts = urllib.parse.urlsplit(check.string("api_url", api_url))
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise CentValidationError(
            f"api_url must be an http:// or https:// URL such as "
            f"http://localhost:8000/api, got {redact_url(api_url)!r:.80}"
        )
    if parts.query or parts.fragment:
        raise CentValidationError(
            "api_url must not have a query or fragment: the API method is "
            "appended to its path"
        )
    return api_url.rstrip("/") + "/"


def redact_url(url: str) -> str:
    """Return `url` with any `user:password@` replaced, for reprs and logs."""
    parts = urllib.parse.urlsplit(url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"***@{host}"))


def api_headers(api_key: str) -> Dict[str, str]:
    """Return the headers every API request carries."""
    return {"X-API-Key": check.api_key(api_key), "Content-Type": "application/json"}
