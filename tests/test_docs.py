"""Every Python example in README.md and docs/ runs against a real Centrifugo."""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys

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


def _localise(code: str, server: CentrifugoServer) -> str:
    """Point an example written for localhost:8000 at the test server."""
    code = code.replace("http://localhost:8000/api", server.api_url)
    code = code.replace("<CENTRIFUGO_API_KEY>", server.api_key)
    return code


def test_docs_have_examples() -> None:
    assert len(_examples()) >= 10


@pytest.mark.parametrize(("name", "code"), _examples(), ids=[n for n, _ in _examples()])
def test_example_runs(name: str, code: str, centrifugo: CentrifugoServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", _localise(code, centrifugo)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert done.returncode == 0, f"{name} failed:\n{done.stdout}\n{done.stderr}"
    assert done.stdout.strip(), f"{name} printed nothing"
