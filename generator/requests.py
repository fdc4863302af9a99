"""Stage 4, build the IR (requests): how an operation's arguments go on the wire.

What `generator.build` asks of this module, each a pure function of document data:
- the serialisation of a parameter (`style`, `explode`, `allowReserved`, `content`), checked
  against what its location allows (OpenAPI's "Style Values" table);
- the header checks: names that are not HTTP tokens (an error), the headers OpenAPI says to
  ignore as parameters (`Accept`, `Content-Type`, `Authorization`), names differing only in case;
- argument names by location: when names collide, the path parameter keeps the bare name and
  the others take their location as a prefix (`query_id`, `header_id`, `cookie_id`, `body_id`),
  so adding a parameter never moves an existing name to another place on the wire;
- security schemes and requirements (OR of ANDs), and the client arguments that take secrets.

Left out: schema typing (see `generator.build`), and how values are serialised at run time
(`templates/runtime/_wire.py`).
"""

from __future__ import annotations

import collections
import re
from collections.abc import Iterable, Mapping
from typing import Any, Literal, cast

from generator import ir, naming
from generator.diagnostics import Diagnostic, error, warning

LOCATIONS = ("path", "query", "header", "cookie")
STYLES: Mapping[str, tuple[ir.Style, ...]] = {  # the first is the location's default
    "path": ("simple", "label", "matrix"),
    "query": ("form", "spaceDelimited", "pipeDelimited", "deepObject"),
    "header": ("simple",),
    "cookie": ("form",),
}
IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})
_TOKEN = re.compile(r"^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$")  # RFC 9110 token
# Constructor arguments of the generated clients: a credential argument never takes one.
CLIENT_ARGS = frozenset(
    {
        "self",
        "base_url",
        "timeout",
        "max_retries",
        "strict",
        "default_headers",
        "http_client",
        "transport",
        "max_concurrency",
    }
)


def serialisation(
    param: Mapping[str, Any], location: str, at: str
) -> tuple[ir.Style, bool, bool, list[Diagnostic]]:
    """(style, explode, allowReserved) of a parameter, and a warning for a style its location
    does not allow (then the location's default is used)."""
    allowed = STYLES[location]
    raw = param.get("style")
    problems = []
    style = allowed[0]
    if raw is not None and raw in allowed:
        style = cast(ir.Style, raw)
    elif raw is not None:
        message = f"style {raw!r} is not allowed in {location}; sent as {style!r}"
        problems.append(warning("SDK222", f"{at}/style", message))
    explode = param.get("explode")
    if not isinstance(explode, bool):
        explode = style == "form"
    allow_reserved = location == "query" and param.get("allowReserved") is True
    return style, explode, allow_reserved, problems


def header_problem(name: str, at: str, seen: Mapping[str, str]) -> Diagnostic | None:
    """Why a header parameter is not an argument of its own, or None: it is."""
    if not _TOKEN.match(name):
        return error(
            "SDK218", f"{at}/name", f"header name {name!r} is not an HTTP token (RFC 9110)"
        )
    if name.lower() in IGNORED_HEADERS:
        message = (
            f"a header parameter named {name!r} is ignored, as OpenAPI says; the client sets "
            "it (pass extra_headers= to override)"
        )
        return warning("SDK219", at, message)
    if name.lower() in seen:
        message = (
            f"header {name!r} differs from {seen[name.lower()]!r} only in case: one argument "
            "sends both (header names are case-insensitive)"
        )
        return warning("SDK220", at, message)
    return None


def location_names(entries: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """(location, base name) -> the name to claim. A base name that several locations want
    stays bare for the path parameter and gets a location prefix everywhere else."""
    entries = list(dict.fromkeys(entries))
    by_base = collections.defaultdict(list)
    for location, base in entries:
        by_base[base].append(location)
    result = {}
    for location, base in entries:
        alone = len(by_base[base]) == 1
        result[(location, base)] = base if alone or location == "path" else f"{location}_{base}"
    return result


# --- security -----------------------------------------------------------------------------------

_KindArgs = tuple[Literal["basic", "bearer", "apiKey"], tuple[str, ...]]


def scheme_kind(scheme: Mapping[str, Any]) -> _KindArgs | None:
    """What a scheme sends and the arguments it takes by default, or None: not supported."""
    kind = scheme.get("type")
    http = str(scheme.get("scheme", "")).lower()
    if kind == "http" and http == "basic":
        return "basic", ("username", "password")
    if kind == "http" and http == "bearer":
        return "bearer", ("api_key",)
    if kind in ("oauth2", "openIdConnect"):
        return "bearer", ("access_token",)
    located = scheme.get("in") in ("header", "query", "cookie")
    if kind == "apiKey" and located and isinstance(scheme.get("name"), str) and scheme["name"]:
        return "apiKey", ("api_key",)
    return None


def requirements(raw: Any, supported: Iterable[str]) -> ir.Security:
    """Security requirements as alternatives of scheme keys; an alternative naming a scheme the
    client cannot apply is dropped. `[]` (and an empty alternative `{}`) need nothing."""
    known = set(supported)
    if not isinstance(raw, list):
        return ()
    alternatives = []
    for requirement in raw:
        keys = tuple(sorted(str(k) for k in requirement)) if isinstance(requirement, dict) else ()
        if all(k in known for k in keys) and keys not in alternatives:
            alternatives.append(keys)
    return tuple(alternatives)


def schemes(
    declared: Mapping[str, Mapping[str, Any]], used: Iterable[str], env_prefix: str
) -> tuple[ir.SecurityScheme, ...]:
    """The schemes operations use, with their argument names: the default names (`api_key`,
    `access_token`, `username`/`password`) when one scheme takes them, else the scheme's name in
    snake case (`username`/`password` prefixed with it)."""
    kinds = {key: scheme_kind(declared[key]) for key in sorted(set(used))}
    counts = collections.Counter(k[1] for k in kinds.values() if k is not None)
    scope = naming.Scope(naming.PYTHON_KEYWORDS | CLIENT_ARGS)
    result = []
    for key, found in kinds.items():
        if found is None:
            continue
        kind, args = found
        if counts[args] > 1:
            base = naming.snake(key, "auth")
            args = (base,) if len(args) == 1 else tuple(f"{base}_{a}" for a in args)
        claimed = tuple(scope.claim(a) for a in args)
        scheme = declared[key]
        location = scheme.get("in") if kind == "apiKey" else "header"
        name = scheme["name"] if kind == "apiKey" else "Authorization"
        result.append(
            ir.SecurityScheme(
                key=key,
                kind=kind,
                location=cast(Literal["header", "query", "cookie"], location),
                name=name,
                args=claimed,
                envs=tuple(f"{env_prefix}_{a.upper()}" for a in claimed),
            )
        )
    return tuple(result)


def scheme_collision(
    param_location: str, param_name: str, schemes_used: Iterable[ir.SecurityScheme], at: str
) -> Diagnostic | None:
    """A parameter sent where a credential goes: the caller's value wins when given."""
    for scheme in schemes_used:
        same_name = (
            scheme.name.lower() == param_name.lower()
            if param_location == "header"
            else scheme.name == param_name
        )
        if scheme.location == param_location and same_name:
            message = (
                f"{param_location} parameter {param_name!r} is where security scheme "
                f"{scheme.key!r} sends its credential: when the argument is given, it is sent "
                "instead of the credential"
            )
            return warning("SDK221", at, message)
    return None
