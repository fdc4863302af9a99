"""Every `Any` in an IR: where it sits in the `Api`, and the schema pointer it fell back at.

Used by tests/test_no_silent_any.py and tests/benchmarks/any_census.py (which also runs it on
older checkouts, whose `AnyType` has no pointer: hence the `getattr`).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any


def any_places(api: Any) -> Iterator[tuple[str, str]]:
    """(where in the IR, the schema pointer or "") for every `AnyType` the client uses; a
    non-JSON response's placeholder type is not one."""
    stack: list[tuple[str, Any]] = [("api", api)]
    while stack:
        where, node = stack.pop()
        if type(node).__name__ == "AnyType":
            yield where, getattr(node, "at", "")
        elif type(node).__name__ == "Response" and node.kind != "json":
            continue
        elif dataclasses.is_dataclass(node):
            stack.extend(
                (f"{where}.{f.name}", getattr(node, f.name)) for f in dataclasses.fields(node)
            )
        elif isinstance(node, tuple):
            stack.extend((f"{where}[{i}]", item) for i, item in enumerate(node))
