"""Escaping: the security boundary between an untrusted spec and generated code.

Spec text (titles, descriptions, examples, names of wire keys) reaches generated code only
through these helpers: `pyrepr` (a Python literal), `doc` (text inside a docstring), `comment`
(one line of a `#` comment), `toml` (a TOML string); `fitted` and `doc_closing` lay text out as
black would.
"""

from __future__ import annotations

import json
import re
from typing import Any

_QUOTE_RUN = re.compile(
    r'"(?=")|"$'
)  # a quote that could start `"""` or merge with the closing one
# Control characters, line separators and lone surrogates (which no UTF-8 file can hold).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029\ud800-\udfff]")


def doc(text: str, indent: int = 0) -> str:
    """Spec text made safe inside a triple-quoted docstring (SECURITY: untrusted input).

    Backslashes, quotes followed by a quote, and a final quote are escaped, so the text can
    neither end the docstring nor form an escape sequence; control characters are dropped.
    """
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\\", "\\\\").strip()
    text = _QUOTE_RUN.sub('\\\\"', text)
    lines = [line.rstrip() for line in text.strip().split("\n")]
    pad = " " * indent
    return "\n".join(pad + line if line else "" for line in lines).lstrip()


# What `format.LINE_LENGTH` is; black and ruff format agree on the generated code only where the
# two filters below lay it out as black would (tests/test_black.py).
LINE_LENGTH = 100


def doc_closing(rendered: str) -> str:
    """A docstring `doc` rendered, laid out for closing quotes right after it as black lays it
    out (ruff format does neither): on a line of their own when the last line of a multi-line
    docstring would otherwise be too long; and a final escaped quote written `\\x22`, since black
    puts a space between `\\"` and the closing quotes and ruff format takes it out again."""
    if rendered.endswith('\\"'):
        rendered = rendered[:-2] + "\\x22"
    lines = rendered.split("\n")
    if len(lines) > 1 and len(lines[-1]) + 3 > LINE_LENGTH:
        rendered += "\n" + " " * (len(lines[-1]) - len(lines[-1].lstrip()))
    return rendered


def fitted(hint: str, width: int) -> str:
    """A parameter's annotation on a line `width` characters long without it: black wraps a
    union that does not fit in parentheses, ruff format splits it at `|`; both keep
    parentheses that are there."""
    return f"({hint})" if width + len(hint) > LINE_LENGTH and " | " in hint else hint


def comment(text: str) -> str:
    """Spec text made safe on one `#` comment line (SECURITY: untrusted input)."""
    return " ".join(_CONTROL.sub(" ", text).split())


def toml(text: str) -> str:
    """A TOML basic string (SECURITY: untrusted input): JSON's escaping, with non-ASCII kept
    as it is (TOML refuses surrogate-pair escapes) and DEL escaped (TOML refuses it raw)."""
    return json.dumps(_CONTROL.sub("", text), ensure_ascii=False).replace("\x7f", "\\u007f")


def pyrepr(value: Any) -> str:
    """A Python literal for a JSON-like value (SECURITY: the only way spec data becomes code)."""
    return repr(value)
