"""Each group's own server, for a client made of several documents (`sdkgen generate A B ...`).

Copied only into such clients. A group calls its own document's server through a view of the
client's one core: one HTTP client, one set of credentials, one concurrency limit. A base URL
the caller chose (`base_url=`, or the `PREFIX_BASE_URL` environment variable) wins and serves
every group: a proxy, a recording server or a mock sees all of the client's requests.
"""

from __future__ import annotations

import copy
import os
from typing import TypeVar

from ._runtime import AsyncCore, SyncCore

CoreT = TypeVar("CoreT", SyncCore, AsyncCore)


def at(core: CoreT, server: str, chosen: str | None, env_prefix: str) -> CoreT:
    """`core`, sending to `server` unless the caller chose a base URL (`chosen` or the
    environment). The view shares everything else with `core`, which alone closes it."""
    if chosen or os.environ.get(f"{env_prefix}_BASE_URL"):
        return core
    view = copy.copy(core)
    view.base_url = server.rstrip("/")
    return view
