"""Client CPU cost of the reference SDK, cent 5.2.0, with no network.

This file runs INSIDE the reference venv (see ``benchmarks/refenv.py``) as a
plain script. From this repository it imports only ``_workload`` (found next
to it, on the script's own path), never our ``cent``.

What one operation is, following ``cent.Client._send`` of cent 5.2.0 step by
step and calling the library's own code for each step:

1. Build the request as a user would: ``PublishRequest(channel=..., data=...)``
   (a pydantic model), or ``BatchRequest(requests=[...])`` of 1000 of them.
2. Encode: ``request.api_payload`` (cent: ``model_dump(exclude_none=True)``;
   for a batch, one dump per command), then what ``RequestsSession`` hands it
   to, ``requests.Session.post(json=...)``, does to make the body bytes:
   ``requests.models.PreparedRequest.prepare_body(json=...)`` (stdlib
   ``json.dumps`` + UTF-8 encode + Content-Length/Type). One PreparedRequest
   is reused, so the rest of ``Session.post`` (URL, headers, hooks,
   adapters) is left out: that is HTTP-client cost, not codec cost.
3. Decode: ``RequestsSession.make_request`` calls
   ``BaseHttpSession.check_status_code(status)`` and returns
   ``response.text``; ``Client._send`` then calls
   ``request.parse_response(text)`` (stdlib ``json.loads`` + pydantic
   ``TypeAdapter(Response[...]).validate_python``; for a batch, one
   ``TypeAdapter`` per reply) and takes ``.result``. The reply is a canned
   ``requests.models.Response`` with ``Content-Type: application/json``, the
   way the HTTP adapter would have built it.

The same process also measures the bare-orjson floor (the same dicts, dumped
and loaded), so the reference-to-floor ratio can be read without any
between-process difference.

Usage:
    python ref_cpu.py [--rounds N] [--publish-iters N] [--batch-iters N]
        Prints one JSON document with per-operation times, in seconds.
    python ref_cpu.py --serve
        Worker mode for ``bench_cpu``: reads one JSON command per line on
        stdin and answers each with one JSON line on stdout.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
from importlib.metadata import version
from typing import Any

from _workload import (
    BATCH_REPLY,
    BATCH_SIZE,
    CHANNEL,
    PUBLISH_REPLY,
    Op,
    batch_channel,
    floor_batch,
    floor_publish,
    summarise,
    time_round,
    warm_up,
)
from cent.client.session.base_http import BaseHttpSession
from requests.models import PreparedRequest, Response
from requests.utils import get_encoding_from_headers

from cent import BatchRequest, PublishRequest


def _canned_response(content: bytes) -> Response:
    response = Response()
    response.status_code = 200
    response.headers["Content-Type"] = "application/json"
    response.encoding = get_encoding_from_headers(response.headers)
    response._content = content
    response._content_consumed = True
    return response


def _prepared() -> PreparedRequest:
    prepared = PreparedRequest()
    prepared.method = "POST"
    prepared.prepare_headers(None)
    return prepared


def make_ops() -> dict[str, Op]:
    """Return one callable per scenario; each does one full operation."""
    check_status_code = BaseHttpSession.check_status_code
    prepared = _prepared()
    publish_response = _canned_response(PUBLISH_REPLY)
    batch_response = _canned_response(BATCH_REPLY)

    def publish() -> tuple[bytes, Any]:
        request = PublishRequest(channel=CHANNEL, data={"input": "hello"})
        prepared.prepare_body(None, None, request.api_payload)
        check_status_code(publish_response.status_code)
        result = request.parse_response(publish_response.text).result
        return prepared.body, result

    def batch() -> tuple[bytes, Any]:
        request = BatchRequest(
            requests=[
                PublishRequest(channel=batch_channel(i), data={"input": "hello"})
                for i in range(BATCH_SIZE)
            ]
        )
        prepared.prepare_body(None, None, request.api_payload)
        check_status_code(batch_response.status_code)
        result = request.parse_response(batch_response.text).result
        return prepared.body, result

    return {
        "publish": publish,
        "batch1000": batch,
        "floor:publish": floor_publish,
        "floor:batch1000": floor_batch,
    }


def sample(ops: dict[str, Op]) -> dict[str, Any]:
    """Return the body each scenario sends and a summary of what it decodes."""
    out: dict[str, Any] = {}
    for name in ("publish", "batch1000"):
        body, result = ops[name]()
        out[name] = {
            "body": body.decode(),
            "result_type": type(result).__name__,
            "decoded": summarise(name, result),
        }
    return out


def versions() -> dict[str, str]:
    names = ("cent", "pydantic", "pydantic-core", "requests", "orjson")
    found = {name: version(name) for name in names}
    found["python"] = platform.python_version()
    return found


def serve(ops: dict[str, Op]) -> None:
    """Answer commands from stdin, one JSON line in, one JSON line out."""
    for line in sys.stdin:
        command = json.loads(line)
        kind = command["cmd"]
        if kind == "round":
            reply: Any = {
                "per_op_s": time_round(ops[command["scenario"]], command["iters"])
            }
        elif kind == "sample":
            reply = sample(ops)
        elif kind == "versions":
            reply = versions()
        elif kind == "quit":
            return
        else:
            reply = {"error": f"unknown command {kind!r}"}
        sys.stdout.write(json.dumps(reply) + "\n")
        sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", action="store_true")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--publish-iters", type=int, default=2000)
    parser.add_argument("--batch-iters", type=int, default=10)
    args = parser.parse_args()

    ops = make_ops()
    for name, op in ops.items():
        warm_up(op, batch="batch" in name)
    if args.serve:
        sys.stdout.write(json.dumps({"ready": True}) + "\n")
        sys.stdout.flush()
        serve(ops)
        return

    per_op: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(args.rounds):
        for name, op in ops.items():
            iters = args.batch_iters if "batch" in name else args.publish_iters
            per_op[name].append(time_round(op, iters))
    report = {
        "versions": versions(),
        "iters": {"publish": args.publish_iters, "batch1000": args.batch_iters},
        "per_op_s": per_op,
        "sample": sample(ops),
    }
    print(json.dumps(report))


if __name__ == "__main__":
    main()
