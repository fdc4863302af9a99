"""Naming: turn arbitrary spec strings into valid, readable, unique Python identifiers.

Rules (the table tests in tests/test_naming.py pin them):
- Text splits into words at non-alphanumerics and camelCase boundaries; `&` reads as "and";
  accents are stripped (NFKD), other non-ASCII characters separate words.
- A name that would start with a digit moves its leading digit words to the end:
  "2D ART & ILLUSTRATION" -> ART_AND_ILLUSTRATION_2D. Digits alone get a prefix: "404" -> VALUE_404.
- All-caps words longer than three letters are capitalised in PascalCase ("VARIATION_TYPE" ->
  VariationType); short acronyms stay ("SDUpscaleJob" -> SDUpscaleJob).
- A reserved name gets a trailing "_" ("class" -> class_). A name already taken in its scope gets
  the smallest free suffix 2, 3, ... (`_2` for snake and constant case), in the order names are
  claimed; callers claim in a sorted, deterministic order.
"""

from __future__ import annotations

import functools
import keyword
import re
import sys
import unicodedata
from collections.abc import Iterable

_WORD = re.compile(
    r"[0-9]+[A-Z]+(?![a-z])"  # 2D, 4K
    r"|[A-Z]{2,}s(?![a-z])"  # IDs, URLs
    r"|[A-Z]+(?=[A-Z][a-z])"  # HTTP in HTTPResponse
    r"|[A-Z]?[a-z]+[0-9]*|[A-Z]+[0-9]*|[0-9]+"
)

PYTHON_KEYWORDS = frozenset(keyword.kwlist) | {"_"}
# Builtins the generated code names (in annotations and bodies): a parameter or a field of that
# name would shadow them. Other builtins (`id`, `type`, `format`) stay usable as names.
BUILTINS = frozenset({"bool", "bytes", "dict", "float", "int", "list", "object", "str"})
# Names the generated code uses inside method bodies and models.
RUNTIME_MEMBERS = frozenset(
    {
        "self",
        "cls",
        "additional_properties",
        "to_dict",
        "from_dict",
        "raw",
        "extra_headers",
        "extra_query",
        "timeout",
        "max_retries",
        "with_raw_response",
        "poll_interval",
        "started",  # a local of the generated `..._and_wait` methods
        # modules and helpers the generated modules name: a field or argument of that name
        # would shadow them inside a class body or a method
        "dataclasses",
        "enum",
        "cast",
        "httpx",
        "typing",
    }
)
# Names a generated class must not take: every module-level name that `models.py` and
# `_client.py` import or define (besides names with a leading underscore, which no spec name
# takes: see `reserved`), so no schema can shadow what the generated code reaches.
RUNTIME_CLASSES = frozenset(
    {"Any", "Mapping", "Callable", "Model", "Unset", "UNSET", "Enum", "Field", "Self"}
    | {"TYPE_CHECKING", "cast", "dataclasses", "enum", "httpx", "annotations", "models"}
)


# The classes every `_client.py` defines.
CLIENT_CLASSES = ("Client", "AsyncClient", "ClientWithRawResponse", "AsyncClientWithRawResponse")

# Package names a generated client must not take: it would shadow the standard library or
# its own dependencies (httpx and what httpx imports).
TAKEN_MODULES = frozenset(sys.stdlib_module_names) | {
    "httpx",
    "httpcore",
    "anyio",
    "certifi",
    "idna",
    "h11",
    "sniffio",
    "typing_extensions",
}


def words(text: str) -> list[str]:
    return list(_words(text))


@functools.lru_cache(maxsize=65536)  # the same names come back for every use of a schema
def _words(text: str) -> tuple[str, ...]:
    text = text.replace("&", " and ")
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c if c.isascii() else " " for c in text if not unicodedata.combining(c))
    return tuple(_WORD.findall(text))


def _digits_last(parts: list[str], prefix: str) -> list[str]:
    lead = 0
    while lead < len(parts) and parts[lead][0].isdigit():
        lead += 1
    if lead == len(parts):
        return [prefix, *parts] if parts else []
    return parts[lead:] + parts[:lead]


def snake(text: str, fallback: str = "value") -> str:
    parts = _digits_last([w.lower() for w in words(text)], "value")
    return "_".join(parts) or fallback


def constant(text: str, fallback: str = "VALUE") -> str:
    parts = _digits_last([w.upper() for w in words(text)], "VALUE")
    return "_".join(parts) or fallback


def pascal(text: str, fallback: str = "Model") -> str:
    def cap(word: str) -> str:
        if word.isupper() and len(word) > 3:
            return word.capitalize()
        return word[:1].upper() + word[1:]

    parts = _digits_last([cap(w) for w in words(text)], "Model")
    return "".join(parts) or fallback


class Scope:
    """Hands out unique names; `reserved` names are never handed out as they are."""

    def __init__(self, reserved: Iterable[str] = (), *, sep: str = "_") -> None:
        self._reserved = frozenset(reserved)
        self._taken: set[str] = set()
        self._sep = sep

    def is_free(self, name: str) -> bool:
        return name not in self._taken and name not in self._reserved

    def claim(self, name: str) -> str:
        if name.startswith("_") and name != "_":  # leading underscores are the generated code's
            name = name.lstrip("_") or "value"
        if name in self._reserved:
            name += "_"
        candidate, n = name, 2
        while candidate in self._taken or candidate in self._reserved:
            candidate = f"{name}{self._sep}{n}"
            n += 1
        self._taken.add(candidate)
        return candidate


def reserved(name: str, scope: Scope) -> bool:
    """Names the generated code keeps for itself: those of the scope, and any name with a
    leading underscore (`_core`, `_rt`, dunders such as `__init__` or `__getattr__`)."""
    return name.startswith("_") or not scope.is_free(name)


def member_scope(extra: Iterable[str] = ()) -> Scope:
    """Scope for attributes, parameters and methods."""
    return Scope(PYTHON_KEYWORDS | BUILTINS | RUNTIME_MEMBERS | set(extra))


def class_scope(extra: Iterable[str] = ()) -> Scope:
    return Scope(PYTHON_KEYWORDS | BUILTINS | RUNTIME_CLASSES | set(extra), sep="")


def is_identifier(name: str) -> bool:
    return name.isidentifier() and name.isascii() and not keyword.iskeyword(name)
