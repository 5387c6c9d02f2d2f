"""The main job, end to end: start a local Centrifugo, publish, read it back.

Builds (once, cached) and starts Centrifugo v5 on 127.0.0.1, publishes one
message with the sync client, reads it back through history, prints both and
stops the server. Run it with `make demo`.
"""

from __future__ import annotations

import sys

from cent import Client, PublishRequest
from cent.testing.server import CentrifugoServer

VERSION = sys.argv[1] if len(sys.argv) > 1 else "5.4.9"


def main() -> None:
    print(f"Starting Centrifugo {VERSION} on 127.0.0.1 (built on first run) ...")
    with (
        CentrifugoServer(VERSION) as server,
        Client(server.api_url, server.api_key) as client,
    ):
        print(f"Centrifugo is up: {server.api_url}")

        request = PublishRequest("demo", {"input": "Hello world!"})
        published = client.send(request)
        print(f"published {request.api_payload['data']} -> {published}")

        history = client.history("demo", limit=-1)
        for publication in history.publications:
            print(f"read back {publication.data} at offset {publication.offset}")
    print("Centrifugo stopped.")


if __name__ == "__main__":
    main()
