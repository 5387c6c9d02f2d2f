"""Every Python example in README.md and docs/ runs against a real Centrifugo."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest

from cent.testing.server import CentrifugoServer

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^```python\n(.*?)^```", re.MULTILINE | re.DOTALL)


def _examples() -> list[tuple[str, str]]:
    found = []
    for document in DOCUMENTS:
        text = document.read_text()
        for number, match in enumerate(BLOCK.finditer(text), 1):
            name = f"{document.relative_to(ROOT)}#{number}"
            found.append((name, match.group(1)))
    return found


@pytest.fixture(scope="module")
def docs_server(centrifugo: CentrifugoServer) -> Iterator[CentrifugoServer]:
    """A server like `centrifugo` whose gRPC API has no key, as in the README."""
    extra_env = {"CENTRIFUGO_GRPC_API_KEY": ""}
    with CentrifugoServer(centrifugo.version, centrifugo.binary, extra_env) as server:
        yield server


def _localise(code: str, server: CentrifugoServer) -> str:
    """Point an example written for localhost:8000 and :10000 at the server."""
    code = code.replace("http://localhost:8000/api", server.api_url)
    code = code.replace("<CENTRIFUGO_API_KEY>", server.api_key)
    code = code.replace('"localhost"', f'"{server.grpc_host}"')
    code = code.replace("10000", str(server.grpc_port))
    return code.replace("<CENTRIFUGO_GRPC_API_KEY>", "any key: this server has none")


def test_docs_have_examples() -> None:
    assert len(_examples()) >= 10


@pytest.mark.parametrize(("name", "code"), _examples(), ids=[n for n, _ in _examples()])
def test_example_runs(name: str, code: str, docs_server: CentrifugoServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _localise(code, docs_server)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{name} printed nothing"
