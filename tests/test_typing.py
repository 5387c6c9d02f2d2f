"""The types a user's checker sees: `mypy --strict` over code written against cent."""

from __future__ import annotations

import pathlib
import subprocess
import sys

USER_CODE = pathlib.Path(__file__).parent / "typecheck" / "user_code.py"


def test_user_code_type_checks_under_strict_mypy() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", str(USER_CODE)],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 0, done.stdout + done.stderr


def test_a_wrong_result_type_is_caught() -> None:
    wrong = "from cent import Client, PublishRequest, HistoryResult\n" + (
        "def f(c: Client) -> HistoryResult:\n"
        "    return c.send(PublishRequest('c', 1))\n"
    )
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "-c", wrong],
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert done.returncode == 1
    assert "PublishResult" in done.stdout
