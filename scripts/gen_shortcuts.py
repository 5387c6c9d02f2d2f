"""Write cent/_shortcuts.py: one shortcut per API method, sync and async.

The shortcuts take exactly the arguments of the builder's constructor plus a
per-call `timeout`, so they are generated from the builders' signatures
instead of being kept by hand in two copies. Run with `--check` to fail when
the committed file is stale.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path

from cent import _builders

TARGET = Path(__file__).resolve().parent.parent / "cent" / "_shortcuts.py"

BUILDERS = [
    ("publish", "PublishRequest"),
    ("broadcast", "BroadcastRequest"),
    ("subscribe", "SubscribeRequest"),
    ("unsubscribe", "UnsubscribeRequest"),
    ("disconnect", "DisconnectRequest"),
    ("refresh", "RefreshRequest"),
    ("presence", "PresenceRequest"),
    ("presence_stats", "PresenceStatsRequest"),
    ("history", "HistoryRequest"),
    ("history_remove", "HistoryRemoveRequest"),
    ("channels", "ChannelsRequest"),
    ("info", "InfoRequest"),
    ("rpc", "RPCRequest"),
    ("batch", "BatchRequest"),
]

HEADER = '''"""Per-method shortcuts shared by every client. Generated: do not edit.

Written by scripts/gen_shortcuts.py from the builders' signatures; each
shortcut builds the request and calls `send`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Optional, TypeVar

from cent._builders import (
{imports}
)
from cent._results import (
{results}
)

R = TypeVar("R")


'''


def _result_name(builder: type) -> str:
    return str(builder.result_type.__name__)


def _parameters(builder: type) -> list[inspect.Parameter]:
    if builder is _builders.InfoRequest:
        return []
    params = list(inspect.signature(builder.__init__).parameters.values())[1:]
    return params


def _signature(params: list[inspect.Parameter]) -> str:
    parts = ["self"]
    keyword_only = False
    for param in params:
        if param.kind is param.KEYWORD_ONLY and not keyword_only:
            parts.append("*")
            keyword_only = True
        text = f"{param.name}: {param.annotation}"
        if param.default is not param.empty:
            text += f" = {_default(param.default)}"
        parts.append(text)
    if not keyword_only:
        parts.append("*")
    parts.append("timeout: Optional[float] = None")
    return ", ".join(parts)


def _default(value: object) -> str:
    if value is _builders.MISSING:
        return "MISSING"
    return repr(value)


def _call(builder_name: str, params: list[inspect.Parameter]) -> str:
    args = []
    for param in params:
        if param.kind is param.KEYWORD_ONLY:
            args.append(f"{param.name}={param.name}")
        else:
            args.append(param.name)
    return f"{builder_name}({', '.join(args)})"


def _body(builder_name: str, params: list[inspect.Parameter], send: str) -> str:
    """Build and send; options left at their defaults are not passed on.

    Passing keyword-only arguments costs more than the whole check, and the
    shortcut is the hot path of most callers, who set none of them.
    """
    options = [p for p in params if p.kind is p.KEYWORD_ONLY]
    if not options:
        return f"        return {send}({_call(builder_name, params)}, timeout)\n"
    unset = " and ".join(f"{p.name} is {_default(p.default)}" for p in options)
    plain = _call(builder_name, [p for p in params if p not in options])
    return (
        f"        if {unset}:\n"
        f"            return {send}({plain}, timeout)\n"
        f"        return {send}({_call(builder_name, params)}, timeout)\n"
    )


def _method(name: str, builder_name: str, is_async: bool) -> str:
    builder = getattr(_builders, builder_name)
    params = _parameters(builder)
    summary = (builder.__doc__ or "").strip().splitlines()[0]
    prefix = "async def" if is_async else "def"
    send = "await self.send" if is_async else "self.send"
    return (
        f"    {prefix} {name}({_signature(params)}) -> {_result_name(builder)}:\n"
        f'        """{summary}\n\n'
        f'        Builds a `{builder_name}` and sends it.\n        """\n'
        f"{_body(builder_name, params, send)}"
    )


def _class(is_async: bool) -> str:
    name = "AsyncShortcuts" if is_async else "SyncShortcuts"
    kind = "an asyncio" if is_async else "a blocking"
    send = "async def send" if is_async else "def send"
    methods = "\n".join(_method(n, b, is_async) for n, b in BUILDERS)
    return (
        f"class {name}:\n"
        f'    """Shortcut methods for {kind} client."""\n\n'
        f"    {send}(self, request: Request[R], timeout: Optional[float] = None)"
        " -> R:\n"
        f'        """Send one request; implemented by the client."""\n'
        f"        raise NotImplementedError\n\n"
        f"{methods}"
    )


def render() -> str:
    imports = sorted({b for _, b in BUILDERS} | {"MISSING", "Request"})
    builders = [getattr(_builders, b) for _, b in BUILDERS]
    results = sorted({_result_name(b) for b in builders} | {"StreamPosition"})
    imports.extend(["Disconnect", "SubscribeOverride"])
    head = HEADER.format(
        imports="\n".join(f"    {n}," for n in sorted(set(imports))),
        results="\n".join(f"    {n}," for n in results),
    )
    source = head + _class(False) + "\n\n" + _class(True)
    for command in (["check", "--select", "I", "--fix", "--quiet"], ["format"]):
        done = subprocess.run(
            ["ruff", *command, "--stdin-filename", str(TARGET), "-"],
            input=source,
            capture_output=True,
            text=True,
        )
        if done.returncode != 0:
            raise SystemExit(done.stderr)
        source = done.stdout
    return source


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if TARGET.read_text() != text:
            print(f"{TARGET} is stale: run python scripts/gen_shortcuts.py")
            return 1
        return 0
    TARGET.write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
