"""A YAML loader with the YAML 1.2 core schema's plain-scalar rules, on PyYAML's C parser.

OpenAPI documents are JSON or YAML 1.2, where only `null`/`~`/empty, `true`/`false` (three
spellings each), decimal, `0o` octal and `0x` hex integers, and decimal floats with `.inf` and
`.nan` are read as anything but strings. PyYAML's safe loader implements YAML 1.1, which also
reads `yes`/`no`/`on`/`off` as booleans, `012` as octal, `1_000` and `1:20` as numbers, and
`2018-02-30T17:32:28Z` as a timestamp (and raises on an impossible date). Here those stay
strings: the C parser is kept (speed), only the resolvers and the number constructors change.

Deliberately kept from YAML 1.1: merge keys (`<<: *base`), which many OpenAPI documents use and
YAML 1.2 loaders commonly support. Explicit tags such as `!!timestamp` give the scalar's text.
"""

from __future__ import annotations

import math
import re
from typing import Any, ClassVar

import yaml

_BASE: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

# The core schema's tag resolution (YAML 1.2.2, section 10.3.2), each with its first characters.
_CORE = (
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", "tTfF"),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", "-+0123456789"),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
        "-+.0123456789",
    ),
    ("tag:yaml.org,2002:merge", r"^(?:<<)$", "<"),
)


class Loader(_BASE):  # type: ignore[misc]  # PyYAML's loaders are untyped
    """YAML 1.2 core schema plain scalars; see the module docstring."""

    yaml_implicit_resolvers: ClassVar[dict[Any, list[tuple[str, re.Pattern[str]]]]] = {}


for _tag, _regexp, _first in _CORE:  # "" is where PyYAML looks up the empty scalar (`key:`)
    Loader.add_implicit_resolver(_tag, re.compile(_regexp), list(_first))


def _int(loader: Any, node: yaml.ScalarNode) -> int:
    text = str(loader.construct_scalar(node))
    if text.startswith("0o"):
        return int(text[2:], 8)
    if text.startswith("0x"):
        return int(text[2:], 16)
    return int(text, 10)


def _float(loader: Any, node: yaml.ScalarNode) -> float:
    text = str(loader.construct_scalar(node)).lower()
    if text.endswith(".inf"):
        return -math.inf if text.startswith("-") else math.inf
    if text == ".nan":
        return math.nan
    return float(text)


def _text(loader: Any, node: yaml.ScalarNode) -> str:
    return str(loader.construct_scalar(node))


Loader.add_constructor("tag:yaml.org,2002:int", _int)
Loader.add_constructor("tag:yaml.org,2002:float", _float)
Loader.add_constructor("tag:yaml.org,2002:timestamp", _text)
