"""The session `Client` opens reads proxy and CA settings once, at creation."""

from __future__ import annotations

import pytest
import requests

from cent import Client

URL = "http://centrifugo.internal:8000/api"


def session_of(client: Client) -> requests.Session:
    session = client._executor.transport._session  # type: ignore[attr-defined]
    assert isinstance(session, requests.Session)
    return session


def test_environment_proxies_and_ca_bundle_are_taken_at_creation(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/our-ca.pem")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)

    session = session_of(Client(URL, "key"))

    assert session.trust_env is False
    assert session.proxies["http"] == "http://proxy.example:3128"
    assert session.verify == "/etc/ssl/our-ca.pem"


def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    monkeypatch.setenv("NO_PROXY", "centrifugo.internal")

    assert "http" not in session_of(Client(URL, "key")).proxies


def test_a_session_passed_in_keeps_its_own_settings() -> None:
    mine = requests.Session()

    client = Client(URL, "key", session=mine)

    assert session_of(client) is mine
    assert mine.trust_env is True
