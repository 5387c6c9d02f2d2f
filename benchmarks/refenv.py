"""A separate virtualenv holding the reference SDK, the PyPI release cent 5.2.0.

The reference shares its import name (``cent``) with this repository, so it
can never live in the same interpreter as our code. It gets its own venv,
created once under ``${XDG_CACHE_HOME:-~/.cache}/cent-bench/`` and reused by
every later run; scripts meant for it run there as a subprocess and report
back by printing one JSON document on stdout.

Run ``python -m benchmarks.refenv`` to create (or check) the venv by itself,
or ``python -m benchmarks.refenv SCRIPT [ARGS...]`` to run a script there and
print its JSON, e.g. ``python -m benchmarks.refenv benchmarks/ref_cpu.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

REF_VERSION = "5.2.0"


def requirements() -> tuple[str, ...]:
    """What the venv holds: the reference, and orjson for the floor.

    orjson is pinned to the version this interpreter has, when it has one, so
    the floor timed inside the reference process runs the same code as ours.
    """
    try:
        orjson = f"orjson=={version('orjson')}"
    except PackageNotFoundError:
        orjson = "orjson"
    return (f"cent=={REF_VERSION}", orjson)


def cache_root() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache")
    return Path(base) / "cent-bench"


def venv_dir() -> Path:
    return cache_root() / f"ref-cent-{REF_VERSION}"


def venv_python() -> Path:
    scripts = "Scripts" if sys.platform == "win32" else "bin"
    exe = "python.exe" if sys.platform == "win32" else "python"
    return venv_dir() / scripts / exe


def _marker() -> Path:
    # Written only after a successful install, so a half-built venv (or one
    # built for other requirements) is made again.
    return venv_dir() / ".cent-bench-ready"


def ensure_venv(*, quiet: bool = True) -> Path:
    """Create the reference venv unless a finished one is already there.

    Returns:
        The path of the venv's Python interpreter.
    """
    python = venv_python()
    wanted = " ".join(requirements()) + "\n"
    marker = _marker()
    if python.exists() and marker.exists() and marker.read_text() == wanted:
        return python

    print(f"creating reference venv in {venv_dir()} ...", file=sys.stderr)
    venv.EnvBuilder(with_pip=True, clear=True).create(venv_dir())
    pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check"]
    if quiet:
        pip.append("--quiet")
    subprocess.run([*pip, *requirements()], check=True)

    check = "import cent, orjson, pydantic; print(pydantic.VERSION)"
    # From a folder without our own cent, which would shadow the reference's.
    subprocess.run(
        [str(python), "-c", check],
        check=True,
        cwd=cache_root(),
        stdout=subprocess.DEVNULL,
    )
    marker.write_text(wanted)
    return python


def _command(script: Path | str, *args: str) -> list[str]:
    # -E drops PYTHONPATH and friends, -s the user site; the script's own
    # folder stays first on sys.path (for ``_workload``) and holds no ``cent``,
    # so ``import cent`` finds the installed release, never this repository.
    python = ensure_venv()
    return [str(python), "-E", "-s", str(Path(script).resolve()), *args]


def run_script(script: Path | str, *args: str, timeout: float | None = 300) -> Any:
    """Run a script with the reference venv's Python and parse its JSON stdout.

    Returns:
        The JSON document the script printed on stdout.
    """
    proc = subprocess.run(
        _command(script, *args),
        cwd=cache_root(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(
            f"reference script {script} failed ({proc.returncode}):\n{proc.stderr}"
        )
    return json.loads(proc.stdout)


class Worker:
    """A long-lived script in the reference venv, driven one JSON line at a time.

    The script must print one JSON line when it is ready, then answer each
    JSON command line on stdin with one JSON line on stdout. The caller blocks
    while the worker works, so the two processes never compete for the CPU.
    """

    def __init__(self, script: Path | str, *args: str) -> None:
        self._proc = subprocess.Popen(
            _command(script, *args),
            cwd=cache_root(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.ready = self._read()

    def _read(self) -> Any:
        assert self._proc.stdout is not None
        line = self._proc.stdout.readline()
        if not line:
            code = self._proc.wait()
            raise RuntimeError(f"reference worker exited ({code}); see stderr")
        return json.loads(line)

    def call(self, command: dict[str, Any]) -> Any:
        """Send one command and return the worker's parsed answer."""
        assert self._proc.stdin is not None
        self._proc.stdin.write(json.dumps(command) + "\n")
        self._proc.stdin.flush()
        return self._read()

    def close(self) -> None:
        """Ask the worker to quit and wait for it."""
        if self._proc.poll() is None:
            assert self._proc.stdin is not None
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        if self._proc.stdout is not None:
            self._proc.stdout.close()

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


if __name__ == "__main__":
    if len(sys.argv) > 1:
        print(json.dumps(run_script(sys.argv[1], *sys.argv[2:]), indent=2))
    else:
        print(ensure_venv(quiet=False))
