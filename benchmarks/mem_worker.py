"""Peak memory of publishing many messages in batches, one side per process.

Run as a plain script, in a fresh process for every measurement, by
``python -m benchmarks``: with this interpreter for ``ours`` and ``floor``,
with the reference venv's for ``reference``. It imports what its side needs
and builds its client, makes one call of one message (which loads what the
first call imports lazily), notes the RSS (the baseline: the interpreter,
its imports, a connected client), resets the peak RSS counter
(``ru_maxrss``'s, VmHWM) to it, publishes ``MESSAGES`` messages in blocking
batch calls of ``BATCH`` each, and prints one JSON line: the peak RSS over
the baseline, in bytes.

Usage:
    python mem_worker.py SIDE API_URL API_KEY MESSAGES BATCH

Each side builds each batch the way its users would: ours with
``BatchRequest`` of ``PublishRequest``, the reference (cent 5.2.0) with its
pydantic models, the floor as a list of dicts dumped by ``orjson`` and posted
with a bare ``requests.Session``.
"""

from __future__ import annotations

import json
import resource
import sys
import time
from typing import Any, Callable, List

from _driver import DATA, TIMEOUT, batch_body, channels, check_reply


def _peak_bytes() -> int:
    """The highest RSS since the last reset, or since the process started.

    On Linux this is VmHWM, the counter ``ru_maxrss`` reads, which
    ``_reset_peak`` can reset; elsewhere ``ru_maxrss`` itself (KiB on Linux,
    bytes on macOS, where this script is not meant to run).
    """
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _reset_peak() -> bool:
    """Reset the peak RSS to the RSS now (Linux 4.0+); tell whether it worked.

    Importing can briefly take more memory than the process keeps (the floor's
    imports peak about 20 MiB above where they settle), which would hide the
    work's own peak under the baseline's.
    """
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _rss_bytes() -> int:
    """The RSS now (Linux), or the peak so far where /proc is missing."""
    try:
        with open("/proc/self/statm") as statm:
            pages = int(statm.read().split()[1])
    except OSError:
        return _peak_bytes()
    return pages * resource.getpagesize()


def _sender(side: str, api_url: str, api_key: str) -> Callable[[List[str]], int]:
    """Import the side's client, build it and return a one-batch sender."""
    if side == "floor":
        import requests

        session = requests.Session()
        url = api_url + "/batch"
        headers = {"X-API-Key": api_key, "Content-Type": "application/json"}

        def floor(names: List[str]) -> int:
            reply = session.post(
                url, data=batch_body(names), headers=headers, timeout=TIMEOUT
            )
            return len(check_reply(reply.status_code, reply.content)["replies"])

        return floor

    import cent

    if side == "reference":
        ref: Any = cent.Client(api_url, api_key, TIMEOUT)

        def reference(names: List[str]) -> int:
            requests = [cent.PublishRequest(channel=name, data=DATA) for name in names]
            return len(ref.batch(cent.BatchRequest(requests=requests)).replies)

        return reference

    ours: Any = cent.Client(api_url, api_key, TIMEOUT)

    def send(names: List[str]) -> int:
        batch = cent.BatchRequest([cent.PublishRequest(name, DATA) for name in names])
        return len(ours.send(batch).replies)

    return send


def main() -> None:
    side, api_url, api_key = sys.argv[1:4]
    messages, batch = int(sys.argv[4]), int(sys.argv[5])
    send = _sender(side, api_url, api_key)
    send(channels(1))  # what the first call imports lazily belongs to the baseline
    reset = _reset_peak()
    baseline = _rss_bytes()

    started = time.perf_counter()
    names = channels(batch)
    for _ in range(messages // batch):
        replies = send(names)
        if replies != batch:
            raise RuntimeError(f"{replies} replies for a batch of {batch}")
    elapsed = time.perf_counter() - started

    peak = _peak_bytes()
    print(
        json.dumps(
            {
                "over_baseline": peak - baseline,
                "baseline": baseline,
                "peak": peak,
                "elapsed_s": elapsed,
                "peak_reset": reset,
            }
        )
    )


if __name__ == "__main__":
    main()
