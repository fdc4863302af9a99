"""Calls the generated Leonardo client the way a user would; run inside a fresh virtualenv
that has the generated package and httpx, and not sdkgen.

    python leonardo_calls.py prism|faults sync|async

Reads LEONARDO_BASE_URL and LEONARDO_API_KEY from the environment (the client's own
defaults), prints one JSON object: for each scenario, the result's `to_dict()` and type, or
the exception's type, status, message and repr. The test that runs it makes the assertions.
It is also type-checked with `mypy --strict` against the installed package.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from typing import Any, cast

from leonardo_variation import UNSET, APIError, APIStatusError, AsyncClient, Client, Unset, models

JOB_ID = "3f2b8c1e-4d5a-4b6c-8d7e-9f0a1b2c3d4e"  # matches the spec's UUID-v4 pattern
Call = Callable[[Client], object]  # the async client is driven through the same lambdas


def describe(value: Any) -> dict[str, Any]:
    if isinstance(value, models.GetVariationByIdResponse):
        generic = value.generated_image_variation_generic
        first = generic[0] if not isinstance(generic, Unset) and generic else None
        status = first.status if first is not None else None
        return {
            "type": type(value).__name__,
            "dict": value.to_dict(),
            "status": status.value if isinstance(status, models.JobStatus) else status,
            "status_is_enum": isinstance(status, models.JobStatus),
            "extra": sorted(first.additional_properties) if first is not None else [],
        }
    if hasattr(value, "to_dict"):
        upscale = getattr(value, "sd_upscale_job", None)
        return {
            "type": type(value).__name__,
            "dict": value.to_dict(),
            "sd_upscale_job_unset": upscale is UNSET,
            "extra": sorted(value.additional_properties),
        }
    return {"type": type(value).__name__, "value": value}


def failure(exc: APIError) -> dict[str, Any]:
    status = exc.status_code if isinstance(exc, APIStatusError) else None
    body = exc.body if isinstance(exc, APIStatusError) else None
    return {
        "error": type(exc).__name__,
        "status": status,
        "body": body,
        "message": str(exc),
        "repr": repr(exc),
    }


CALLS: dict[str, Call] = {
    "unzoom": lambda c: c.variations.unzoom(id=JOB_ID, is_variation=False),
    "upscale": lambda c: c.variations.upscale(id=JOB_ID),
    "nobg": lambda c: c.variations.remove_background(id=JOB_ID),
    "universal": lambda c: c.variations.universal_upscale(
        generated_image_id=JOB_ID,
        upscaler_style=models.UniversalUpscalerStyle.ART_AND_ILLUSTRATION_2D,
    ),
    "get": lambda c: c.variations.get(id=JOB_ID),
    "get_motion": lambda c: c.motion_variations.get(id=JOB_ID),
}

FAULT_CALLS: dict[str, Call] = {
    **CALLS,
    "get_401": lambda c: c.variations.get(id="job-401"),
    "get_404": lambda c: c.variations.get(id="job-404"),
    "get_unknown": lambda c: c.variations.get(id="job-unknown"),
    "get_slash": lambda c: c.variations.get(id="a/b c?d"),
}
STRICT = "job-unknown"  # read again with strict=True


def run_sync(calls: dict[str, Call], strict: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    with Client() as client:
        out["client_repr"] = repr(client)
        for name, call in calls.items():
            try:
                out[name] = describe(call(client))
            except APIError as exc:
                out[name] = failure(exc)
    if strict:
        with Client(strict=True) as client:
            try:
                out["get_strict"] = describe(client.variations.get(id=STRICT))
            except APIError as exc:
                out["get_strict"] = failure(exc)
    return out


async def run_async(calls: dict[str, Call], strict: bool) -> dict[str, Any]:
    out: dict[str, Any] = {}
    async with AsyncClient() as client:
        out["client_repr"] = repr(client)
        for name, call in calls.items():
            try:
                out[name] = describe(await cast(Awaitable[Any], call(cast(Client, client))))
            except APIError as exc:
                out[name] = failure(exc)
    if strict:
        async with AsyncClient(strict=True) as client:
            try:
                out["get_strict"] = describe(await client.variations.get(id=STRICT))
            except APIError as exc:
                out["get_strict"] = failure(exc)
    return out


def main() -> None:
    target, mode = sys.argv[1], sys.argv[2]
    calls = CALLS if target == "prism" else FAULT_CALLS
    strict = target == "faults"
    result = run_sync(calls, strict) if mode == "sync" else asyncio.run(run_async(calls, strict))
    print(json.dumps(result, sort_keys=True, default=str))


if __name__ == "__main__":
    main()
