"""The runtime's date-time values (`templates/runtime/_formats.py`) imported directly: a value
read from a response reads, copies and pickles as the `datetime` it is, keeping its text. The
wire and the RFC 3339 grammar are tested through generated clients in `test_formats.py`."""

from __future__ import annotations

import copy
import datetime
import pickle

import pytest

from templates.runtime import _formats


def test_a_read_date_time_reads_as_a_datetime() -> None:
    read = _formats.parse_date_time("2024-01-31T12:00:00.5+05:30")
    assert read is not None
    plain = datetime.datetime(
        2024, 1, 31, 12, 0, 0, 500000, datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    )
    assert repr(read) == repr(plain)
    assert repr(read).startswith("datetime.datetime(2024, 1, 31, 12, 0, 0, 500000, tzinfo=")


def test_copies_and_pickles_keep_the_text() -> None:
    text = "2024-01-31T12:00:00.123456789Z"
    read = _formats.parse_date_time(text)
    assert read is not None
    for kept in (copy.copy(read), copy.deepcopy(read), pickle.loads(pickle.dumps(read))):
        assert type(kept) is type(read)
        assert kept == read
        assert kept.rfc3339 == text


def test_offsets_are_written_to_the_minute_and_a_naive_value_is_refused() -> None:
    nepal = datetime.timezone(datetime.timedelta(hours=5, minutes=45))  # an odd minute count
    value = datetime.datetime(2024, 1, 31, 12, 0, tzinfo=nepal)
    assert _formats.date_time_text(value) == "2024-01-31T12:00:00+05:45"
    seconds = datetime.timezone(datetime.timedelta(minutes=1, seconds=30))
    odd = datetime.datetime(2024, 1, 31, 12, 0, tzinfo=seconds)
    assert _formats.date_time_text(odd) == "2024-01-31T11:58:30Z"  # the UTC instant
    with pytest.raises(
        ValueError, match=r"needs an offset \(say tzinfo=datetime\.timezone\.utc\)$"
    ):
        _formats.date_time_text(datetime.datetime(2024, 1, 31, 12, 0))
