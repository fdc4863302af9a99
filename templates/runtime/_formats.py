"""String formats: RFC 3339 dates and date-times read into `datetime` values and written back,
and the typed arguments (`uuid.UUID`, `bytes`) written as the strings the document describes.

Static, like `_runtime.py`: copied unchanged into every generated package. `_models.py` builds
its `DATE`/`DATE_TIME` converters on `parse_date`/`parse_date_time`; `_models.dump` (responses'
`to_dict()` and requests alike) writes values with `as_text`.

Reading follows RFC 3339 section 5.6 exactly (the `full-date` and `date-time` productions),
checked by a regular expression before anything is built: `datetime.fromisoformat` alone
accepts much more on Python 3.11+ (`20200101`, a space for `T`, a missing offset, `+0100`,
week dates) and much less on 3.10 (no `Z`, no 1-5 or 7+ fractional digits), so it only builds
values the expression accepted, on 3.11+, and `_parse` builds the rest:
- `T` and `Z` may be lower case (the RFC's note); any number of fractional digits, of which
  Python keeps 6 (microseconds, truncated); an offset is required (`Z` or `+hh:mm`/`-hh:mm`,
  `-00:00` read as UTC); only ASCII digits.
- A leap second (`23:59:60Z`, or the same instant at any offset) reads as `23:59:59.999999`,
  since `datetime` has no second 60; elsewhere second 60 is refused, as are dates that do not
  exist (`2021-02-29`) and the year 0000, which `datetime` cannot hold.
A date-time keeps the text it was read from (`DateTime`, a `datetime.datetime` subclass), so
writing it back gives the server's own string: `Z` or `+00:00`, every fractional digit. Any
value computed from it (`+ timedelta`, `.replace()`, `.astimezone(other)`, a copy made by
`datetime.datetime(...)`) is a new value and is written canonically: `YYYY-MM-DDTHH:MM:SS`,
`.ffffff` when there are microseconds, then `Z` for UTC or `+hh:mm`. A naive datetime (no
`tzinfo`) is refused with `ValueError`: RFC 3339 requires an offset, and guessing one would
send another instant than the caller meant.
"""

from __future__ import annotations

import base64
import datetime
import re
import sys
import uuid
from typing import Any, Final

# The grammar of RFC 3339 section 5.6 (`\d` alone would accept any Unicode digit: re.ASCII
# keeps to 0-9). What a regular expression cannot say, the datetime constructor checks (the
# days of each month, year 0) and so does `_parse` (where a leap second may fall).
_FULL_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_DATE_TIME: Final = re.compile(
    r"\d{4}-\d{2}-\d{2}[Tt](?:[01]\d|2[0-3]):[0-5]\d:(?:[0-5]\d|(60))(\.\d+)?"
    r"(?:([Zz])|([+-])(?:[01]\d|2[0-3]):[0-5]\d)",
    re.ASCII,
)
# From 3.11, `fromisoformat` reads every string the expression accepts, as RFC 3339 means it,
# but a `z` and a leap second (it refuses both), in a tenth of the time `_parse` takes.
_FROMISOFORMAT: Final = sys.version_info >= (3, 11)
UTC: Final = datetime.timezone.utc
_ZONES: dict[int, datetime.timezone] = {0: UTC}  # offset in minutes -> its timezone


class DateTime(datetime.datetime):
    """A `datetime.datetime` read from a response: it remembers the exact text it was read
    from (`rfc3339`), which is what `to_dict()` and requests write back. It compares, hashes
    and computes like any `datetime.datetime`; values computed from it are plain ones."""

    __slots__ = ("rfc3339",)
    rfc3339: str

    def __repr__(self) -> str:  # reads as the datetime it is
        text = datetime.datetime.__repr__(self)
        return "datetime.datetime" + text[text.index("(") :]

    def __reduce_ex__(self, protocol: Any) -> Any:  # copies and pickles keep the text
        text = getattr(self, "rfc3339", None)
        return super().__reduce_ex__(protocol) if text is None else (parse_date_time, (text,))


def _zone(minutes: int) -> datetime.timezone:
    zone = _ZONES.get(minutes)
    if zone is None:
        zone = _ZONES[minutes] = datetime.timezone(datetime.timedelta(minutes=minutes))
    return zone


def parse_date(text: str) -> datetime.date | None:
    """An RFC 3339 `full-date` (`2024-02-29`), or None when `text` is not one."""
    if _FULL_DATE.fullmatch(text) is None:
        return None
    try:  # `YYYY-MM-DD` is the one form fromisoformat reads on every Python version
        return datetime.date.fromisoformat(text)
    except ValueError:  # month 13, February 30, year 0
        return None


def parse_date_time(text: str) -> DateTime | None:
    """An RFC 3339 `date-time` (`2024-02-29T12:30:00.5+01:00`), or None when `text` is not
    one (see the module docstring for the grammar's corners)."""
    match = _DATE_TIME.fullmatch(text)
    if match is None:
        return None
    leap, fraction, zulu, sign = match.groups()
    value: DateTime | None
    if _FROMISOFORMAT and leap is None and zulu != "z":
        try:
            value = DateTime.fromisoformat(text)
        except ValueError:  # a date that does not exist, year 0
            return None
    else:
        value = _parse(text, leap is not None, fraction, sign)
        if value is None:
            return None
    value.rfc3339 = text
    return value


def _parse(text: str, leap: bool, fraction: str | None, sign: str | None) -> DateTime | None:
    """`parse_date_time` in Python, for what `fromisoformat` cannot read (before 3.11: all)."""
    offset = 0
    if sign is not None:  # the text ends with `+hh:mm` or `-hh:mm`
        offset = int(text[-5:-3]) * 60 + int(text[-2:])
        offset = -offset if sign == "-" else offset
    hour, minute, seconds = int(text[11:13]), int(text[14:16]), int(text[17:19])
    micro = int(fraction[1:7].ljust(6, "0")) if fraction else 0
    if leap:  # second 60: only in the last minute of a UTC day
        if (hour * 60 + minute - offset) % 1440 != 1439:
            return None
        seconds, micro = 59, 999999
    day = (int(text[0:4]), int(text[5:7]), int(text[8:10]))
    try:
        return DateTime(*day, hour, minute, seconds, micro, _zone(offset))
    except ValueError:  # a date that does not exist, year 0
        return None


def date_time_text(value: datetime.datetime) -> str:
    """`value` as an RFC 3339 `date-time`: the text it was read from, else canonical."""
    text: str | None = getattr(value, "rfc3339", None)
    if text is not None:
        return text
    offset = value.utcoffset()
    if offset is None:
        raise ValueError(
            f"{value!r} has no time zone: RFC 3339 needs an offset "
            "(say tzinfo=datetime.timezone.utc)"
        )
    if offset % datetime.timedelta(minutes=1):  # +hh:mm cannot say it: send the UTC instant
        value, offset = value.astimezone(UTC), datetime.timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    base = value.replace(tzinfo=None).isoformat()
    if not minutes:
        return base + "Z"
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{base}{sign}{hours:02d}:{rest:02d}"


# What `as_text` writes: dates and date-times per RFC 3339, UUIDs in their canonical form.
TEXT_TYPES: Final = (datetime.date, uuid.UUID)


def as_text(value: datetime.date | uuid.UUID) -> str:
    """A value of `TEXT_TYPES` as the string a JSON document or a parameter carries."""
    if isinstance(value, datetime.datetime):
        return date_time_text(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def base64_text(value: bytes | bytearray | memoryview) -> str:
    """`format: byte`: base64 with the standard alphabet and padding (RFC 4648 section 4)."""
    return base64.b64encode(value).decode("ascii")
