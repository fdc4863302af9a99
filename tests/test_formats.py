"""String formats (issue 13, item 2): `date` and `date-time` read into `datetime` values per RFC
3339 section 5.6 and written back exactly; arguments take the typed value or its string form
(`uuid` and `byte` too); lenient reads keep what does not parse, strict ones name its path;
`sdkgen diff` classifies format changes. Expected strings come from RFC 3339 (its grammar and
the examples of section 5.8) and RFC 4648, not from the generator's output."""

from __future__ import annotations

import asyncio
import copy
import datetime
import json
import pickle
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

from tests.conftest import generate_and_import, run_cli, write_spec
from tests.formats_spec import spec
from tests.support.checks import mypy_strict

BOTH = pytest.mark.parametrize("is_async", [False, True], ids=["sync", "async"])
UTC = datetime.timezone.utc


def _zone(hours: int, minutes: int = 0) -> datetime.timezone:
    sign = -1 if hours < 0 else 1
    return datetime.timezone(sign * datetime.timedelta(hours=abs(hours), minutes=minutes))


@pytest.fixture(scope="module")
def fmt(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ModuleType]:
    yield from generate_and_import(spec(), tmp_path_factory.mktemp("formats"), "fmt")


@pytest.fixture(params=["fromisoformat", "python"])
def reader(request: pytest.FixtureRequest, fmt: ModuleType, monkeypatch: pytest.MonkeyPatch) -> Any:
    """The runtime's date-time reader, through `fromisoformat` (Python 3.11+) and through its
    own code (what Python 3.10 always uses, and 3.11 for `z` and leap seconds)."""
    if request.param == "python":
        monkeypatch.setattr(fmt._formats, "_FROMISOFORMAT", False)
    elif not fmt._formats._FROMISOFORMAT:
        pytest.skip("fromisoformat reads RFC 3339 from Python 3.11")
    return fmt._formats.parse_date_time


# --- RFC 3339 section 5.6, read ---------------------------------------------------------------

VALID_DATE_TIMES = [
    # RFC 3339 section 5.8, every example
    ("1985-04-12T23:20:50.52Z", datetime.datetime(1985, 4, 12, 23, 20, 50, 520000, UTC)),
    ("1996-12-19T16:39:57-08:00", datetime.datetime(1996, 12, 19, 16, 39, 57, 0, _zone(-8))),
    ("1990-12-31T23:59:60Z", datetime.datetime(1990, 12, 31, 23, 59, 59, 999999, UTC)),
    ("1990-12-31T15:59:60-08:00", datetime.datetime(1990, 12, 31, 15, 59, 59, 999999, _zone(-8))),
    (
        "1937-01-01T12:00:27.87+00:20",
        datetime.datetime(1937, 1, 1, 12, 0, 27, 870000, _zone(0, 20)),
    ),
    # the note of 5.6: "T" and "Z" may be lower case
    ("1985-04-12t23:20:50.52z", datetime.datetime(1985, 4, 12, 23, 20, 50, 520000, UTC)),
    # time-secfrac = "." 1*DIGIT: any length; Python keeps microseconds
    ("2024-01-31T12:00:00.1Z", datetime.datetime(2024, 1, 31, 12, 0, 0, 100000, UTC)),
    ("2024-01-31T12:00:00.123456789Z", datetime.datetime(2024, 1, 31, 12, 0, 0, 123456, UTC)),
    # -00:00 (4.3: UTC known, local offset unknown) and +00:00 are the UTC instant
    ("2024-01-31T12:00:00-00:00", datetime.datetime(2024, 1, 31, 12, 0, 0, 0, UTC)),
    ("2024-01-31T12:00:00+00:00", datetime.datetime(2024, 1, 31, 12, 0, 0, 0, UTC)),
    ("2024-02-29T23:59:59+23:59", datetime.datetime(2024, 2, 29, 23, 59, 59, 0, _zone(23, 59))),
    # a leap second at 05:29:60+05:30 is 23:59:60Z
    ("1990-12-31T05:29:60+05:30", datetime.datetime(1990, 12, 31, 5, 29, 59, 999999, _zone(5, 30))),
]

INVALID_DATE_TIMES = [
    "1985-04-12 23:20:50Z",  # a space for T (fromisoformat accepts it)
    "1985-04-12T23:20:50",  # no offset (fromisoformat accepts it)
    "1985-04-12T23:20:50+0100",  # time-numoffset needs the colon (fromisoformat accepts it)
    "1985-04-12T23:20:50+01",
    "1985-04-12T23:20Z",  # partial-time needs seconds
    "1985-04-12T23:20:50.Z",  # time-secfrac needs a digit
    "1985-04-12T23:20:50,5Z",  # a comma (ISO 8601 allows it, RFC 3339 does not)
    "85-04-12T23:20:50Z",
    "1985-4-12T23:20:50Z",
    "19850412T232050Z",  # ISO 8601 basic format (fromisoformat accepts it)
    "2021-02-29T00:00:00Z",  # not a leap year
    "1985-13-12T23:20:50Z",
    "1985-04-12T24:00:00Z",  # time-hour 00-23
    "1985-04-12T23:60:00Z",
    "1985-04-12T23:20:60Z",  # second 60 only in the last minute of a UTC day
    "1990-12-31T23:59:60+01:00",  # that is 22:59:60Z
    "1985-04-12T23:20:50+24:00",
    "1985-04-12T23:20:50+01:60",
    "\u0661\u0669\u0668\u0665-04-12T23:20:50Z",  # Arabic-Indic digits match \d, not DIGIT
    "1985-04-12T23:20:50Z\n",
    " 1985-04-12T23:20:50Z",
    "0000-01-01T00:00:00Z",  # valid RFC 3339, but datetime has no year 0
    "",
]

VALID_DATES = [
    ("1985-04-12", datetime.date(1985, 4, 12)),
    ("2024-02-29", datetime.date(2024, 2, 29)),
    ("0001-01-01", datetime.date(1, 1, 1)),
]
INVALID_DATES = [
    "2023-02-29",
    "1985-4-12",
    "19850412",
    "1985-04-12T00:00:00Z",
    "1985-W15-5",
    "1985-13-01",
    "1985-04-31",
    "1985-04-12\n",
    "\u0661\u0669\u0668\u0665-04-12",
]


@pytest.mark.parametrize(
    ("text", "expected"), VALID_DATE_TIMES, ids=[t for t, _ in VALID_DATE_TIMES]
)
def test_date_times_of_the_rfc_are_read(
    fmt: ModuleType, reader: Any, text: str, expected: datetime.datetime
) -> None:
    value = reader(text)
    assert value == expected
    assert value.utcoffset() == expected.utcoffset()
    assert isinstance(value, datetime.datetime)
    assert fmt._formats.date_time_text(value) == text  # written back exactly


@pytest.mark.parametrize("text", INVALID_DATE_TIMES)
def test_strings_outside_the_grammar_are_not_date_times(reader: Any, text: str) -> None:
    assert reader(text) is None


@pytest.mark.parametrize(("text", "expected"), VALID_DATES, ids=[t for t, _ in VALID_DATES])
def test_full_dates_are_read(fmt: ModuleType, text: str, expected: datetime.date) -> None:
    value = fmt._formats.parse_date(text)
    assert value == expected and type(value) is datetime.date
    assert fmt._formats.as_text(value) == text


@pytest.mark.parametrize("text", INVALID_DATES)
def test_strings_outside_full_date_are_not_dates(fmt: ModuleType, text: str) -> None:
    assert fmt._formats.parse_date(text) is None


# --- writing -----------------------------------------------------------------------------------

CANONICAL = [
    (datetime.datetime(2024, 1, 31, 12, tzinfo=UTC), "2024-01-31T12:00:00Z"),
    (datetime.datetime(2024, 1, 31, 12, 0, 0, 5, tzinfo=UTC), "2024-01-31T12:00:00.000005Z"),
    (datetime.datetime(2024, 1, 31, 12, tzinfo=_zone(5, 30)), "2024-01-31T12:00:00+05:30"),
    (datetime.datetime(2024, 1, 31, 12, tzinfo=_zone(-8)), "2024-01-31T12:00:00-08:00"),
    (datetime.datetime(9, 1, 2, 3, 4, 5, tzinfo=UTC), "0009-01-02T03:04:05Z"),
    # an offset of seconds has no RFC 3339 form: the same instant in UTC
    (
        datetime.datetime(
            2024, 1, 31, 12, tzinfo=datetime.timezone(datetime.timedelta(seconds=30))
        ),
        "2024-01-31T11:59:30Z",
    ),
]


@pytest.mark.parametrize(("value", "text"), CANONICAL, ids=[t for _, t in CANONICAL])
def test_new_date_times_are_written_canonically(
    fmt: ModuleType, value: datetime.datetime, text: str
) -> None:
    assert fmt._formats.as_text(value) == text
    assert fmt._formats.parse_date_time(text) == value


def test_values_computed_from_a_read_date_time_are_written_canonically(fmt: ModuleType) -> None:
    read = fmt._formats.parse_date_time("2024-01-31T12:00:00.500+00:00")
    assert fmt._formats.as_text(read) == "2024-01-31T12:00:00.500+00:00"
    assert fmt._formats.as_text(read + datetime.timedelta(days=1)) == "2024-02-01T12:00:00.500000Z"
    assert fmt._formats.as_text(read.replace(microsecond=0)) == "2024-01-31T12:00:00Z"
    assert fmt._formats.as_text(read.astimezone(_zone(1))) == "2024-01-31T13:00:00.500000+01:00"
    for kept in (copy.copy(read), copy.deepcopy(read), pickle.loads(pickle.dumps(read))):
        assert kept == read and fmt._formats.as_text(kept) == "2024-01-31T12:00:00.500+00:00"
    assert repr(read) == repr(datetime.datetime(2024, 1, 31, 12, 0, 0, 500000, UTC))


def test_a_naive_date_time_is_refused(fmt: ModuleType) -> None:
    with pytest.raises(ValueError, match="no time zone: RFC 3339 needs an offset"):
        fmt._formats.as_text(datetime.datetime(2024, 1, 31))


# --- through the client -------------------------------------------------------------------------

EVENT = {
    "at": "2024-01-31T12:00:00.123456789+00:00",
    "day": "2024-02-29",
    "id": "0F8FAD5B-D9CB-469F-A165-70867728950E",
    "blob": "AP8=",
    "ended": None,
    "times": ["1990-12-31T23:59:60Z", "1985-04-12t23:20:50.52z"],
    "by_day": {"a": "1985-04-12"},
    "datetime": "1996-12-19T16:39:57-08:00",
}


class Recorder:
    def __init__(self, answer: Any) -> None:
        self.requests: list[httpx.Request] = []
        self.answer = answer

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json=self.answer)


def call(
    fmt: ModuleType, is_async: bool, answer: Any, method: str, strict: bool = False, **kwargs: Any
) -> tuple[Any, Recorder]:
    recorder = Recorder(answer)
    options = {"base_url": "https://api.example.com", "strict": strict, "max_retries": 0}
    if is_async:

        async def run() -> Any:
            transport = httpx.MockTransport(recorder)
            async with fmt.AsyncClient(transport=transport, **options) as client:
                return await getattr(client.events, method)(**kwargs)

        return asyncio.run(run()), recorder
    with fmt.Client(transport=httpx.MockTransport(recorder), **options) as client:
        return getattr(client.events, method)(**kwargs), recorder


@BOTH
@pytest.mark.parametrize("strict", [False, True], ids=["lenient", "strict"])
def test_a_response_reads_into_dates_and_writes_back_what_was_sent(
    fmt: ModuleType, is_async: bool, strict: bool
) -> None:
    event, _ = call(fmt, is_async, EVENT, "get_event", strict=strict, day="2024-02-29")
    assert isinstance(event, fmt.models.Event)
    assert event.at == datetime.datetime(2024, 1, 31, 12, 0, 0, 123456, UTC)
    assert event.day == datetime.date(2024, 2, 29)
    assert event.times == [
        datetime.datetime(1990, 12, 31, 23, 59, 59, 999999, UTC),
        datetime.datetime(1985, 4, 12, 23, 20, 50, 520000, UTC),
    ]
    assert event.by_day == {"a": datetime.date(1985, 4, 12)}
    assert event.datetime == datetime.datetime(1996, 12, 19, 16, 39, 57, tzinfo=_zone(-8))
    assert event.ended is None
    assert event.id == EVENT["id"] and event.blob == "AP8="  # uuid and byte stay text
    assert event.to_dict() == EVENT


@BOTH
def test_a_value_that_does_not_parse_is_kept_leniently_and_named_strictly(
    fmt: ModuleType, is_async: bool
) -> None:
    odd = {**EVENT, "at": "2024-01-31 12:00:00Z", "times": ["1985-04-12T23:20:50Z", 5]}
    event, _ = call(fmt, is_async, odd, "get_event", day="2024-02-29")
    assert event.at == "2024-01-31 12:00:00Z"
    assert event.times == [datetime.datetime(1985, 4, 12, 23, 20, 50, tzinfo=UTC), 5]
    assert event.to_dict() == odd
    with pytest.raises(fmt.ResponseValidationError) as info:
        call(fmt, is_async, odd, "get_event", strict=True, day="2024-02-29")
    assert info.value.path == "$.at"
    assert "expected an RFC 3339 date-time, got '2024-01-31 12:00:00Z'" in str(info.value)
    with pytest.raises(fmt.ResponseValidationError) as info:
        call(
            fmt,
            is_async,
            {**EVENT, "times": ["1985-04-12T23:20:50Z", 5]},
            "get_event",
            strict=True,
            day="x",
        )
    assert info.value.path == "$.times[1]"
    assert "got integer" in str(info.value)
    with pytest.raises(fmt.ResponseValidationError) as info:
        call(
            fmt,
            is_async,
            {**EVENT, "by_day": {"a": "2023-02-29"}},
            "get_event",
            strict=True,
            day="x",
        )
    assert info.value.path == "$.by_day.a"


@BOTH
def test_arguments_take_typed_values_and_strings(fmt: ModuleType, is_async: bool) -> None:
    _, recorder = call(
        fmt,
        is_async,
        EVENT,
        "get_event",
        day=datetime.date(2024, 2, 29),
        since=datetime.datetime(2024, 2, 29, 10, tzinfo=_zone(1)),
        ids=[uuid.UUID("0f8fad5b-d9cb-469f-a165-70867728950e"), "not-a-uuid"],
        x_stamp="yesterday",  # a string is sent as it is
        token=b"\x00\xff",
    )
    (request,) = recorder.requests
    assert request.url.raw_path.decode() == (
        "/events/2024-02-29?since=2024-02-29T10%3A00%3A00%2B01%3A00"
        "&ids=0f8fad5b-d9cb-469f-a165-70867728950e&ids=not-a-uuid&token=AP8%3D"
    )
    assert request.headers["x-stamp"] == "yesterday"


@BOTH
def test_json_body_fields_take_typed_values_and_strings(fmt: ModuleType, is_async: bool) -> None:
    read = fmt.models.Event.from_dict(EVENT)
    result, recorder = call(
        fmt,
        is_async,
        ["2024-01-31T12:00:00Z"],
        "create_event",
        at=read.at,  # read from a response: its own text goes back
        day="2024-13-45",  # a string is the caller's: sent as it is
        ref=uuid.UUID(int=1),
        token=b"hi",
        days=[datetime.date(2024, 1, 2), "2024-01-03"],
        event=fmt.models.Event(
            at=datetime.datetime(2024, 1, 31, tzinfo=UTC), day=datetime.date(2024, 1, 31)
        ),
    )
    assert result == [datetime.datetime(2024, 1, 31, 12, tzinfo=UTC)]
    (request,) = recorder.requests
    assert json.loads(request.content) == {
        "at": "2024-01-31T12:00:00.123456789+00:00",
        "day": "2024-13-45",
        "ref": "00000000-0000-0000-0000-000000000001",
        "token": "aGk=",
        "days": ["2024-01-02", "2024-01-03"],
        "event": {"at": "2024-01-31T00:00:00Z", "day": "2024-01-31"},
    }


@BOTH
def test_a_naive_date_time_argument_is_refused_before_sending(
    fmt: ModuleType, is_async: bool
) -> None:
    with pytest.raises(ValueError, match="RFC 3339 needs an offset"):
        call(fmt, is_async, [], "create_event", at=datetime.datetime(2024, 1, 31))
    with pytest.raises(ValueError, match="RFC 3339 needs an offset"):
        call(fmt, is_async, EVENT, "get_event", day="x", since=datetime.datetime(2024, 1, 31))


# --- generation -------------------------------------------------------------------------------


def test_annotations_and_imports(fmt: ModuleType) -> None:
    resource = fmt._client.EventsResource.get_event.__annotations__
    assert resource["day"] == "_dt.date | str"
    assert resource["since"] == "_dt.datetime | str | Unset"
    assert resource["ids"] == "list[_uuid.UUID | str] | Unset"
    assert resource["token"] == "bytes | str | Unset"
    create = fmt._client.EventsResource.create_event.__annotations__
    assert create["return"] == "list[_dt.datetime]"
    assert create["days"] == "list[_dt.date | str] | Unset"
    fields = fmt.models.Event.__annotations__
    assert fields["at"] == "_dt.datetime" and fields["day"] == "_dt.date"
    assert fields["id"] == "str | Unset" and fields["blob"] == "str | Unset"
    assert fields["datetime"] == "_dt.datetime | Unset"  # a field named like the module


def test_models_import_datetime_only_when_they_use_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    doc = spec()
    doc["paths"] = {"/receipts": doc["paths"]["/receipts"]}
    result = run_cli(
        "generate", str(write_spec(tmp_path, doc)), "-o", "out", "-q", "--package-name", "plain"
    )
    assert result.exit_code == 0, result.output
    for name in ("models.py", "_client.py"):
        text = (tmp_path / "out" / "plain" / name).read_text(encoding="utf-8")
        assert "import datetime" not in text and "import uuid" not in text


def test_the_generated_package_passes_mypy_strict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a use of it that type-checks only with the documented annotations."""
    monkeypatch.chdir(tmp_path)
    result = run_cli(
        "generate", str(write_spec(tmp_path, spec())), "-o", "out", "-q", "--package-name", "fmt"
    )
    assert result.exit_code == 0, result.output
    (tmp_path / "out" / "use_fmt").mkdir()
    (tmp_path / "out" / "use_fmt" / "__init__.py").write_text(
        "import datetime\nimport uuid\n\nfrom fmt import Client, models\n\n\n"
        "def use(client: Client) -> datetime.date:\n"
        "    event = client.events.get_event(day=datetime.date(2024, 1, 1), ids=[uuid.uuid4()])\n"
        "    client.events.create_event(at='2024-01-01T00:00:00Z', token=b'x', event=event)\n"
        "    when: datetime.datetime = event.at\n"
        "    stamps: list[datetime.datetime] = client.events.create_event(at=when)\n"
        "    account = models.Account(name='n')  # id, password: optional\n"
        "    client.accounts.signup(email='e', password='p', account=account)\n"
        "    models.Draft(secret='s')\n"
        "    models.Receipt(id='r')\n"
        "    return event.day if stamps else when.date()\n",
        encoding="utf-8",
    )
    checked = mypy_strict([tmp_path / "out" / "fmt", tmp_path / "out" / "use_fmt"])
    assert checked.returncode == 0, checked.output[-3000:]
    # the generated smoke test builds `models.Event(at=datetime.datetime(...), ...)` for put_batch
    smoke_test = (tmp_path / "out" / "tests" / "test_smoke.py").read_text(encoding="utf-8")
    assert "import datetime" in smoke_test and "day=datetime.date(2024, 1, 31)" in smoke_test
    smoke = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-W", "error", "-p", "no:cacheprovider", "tests"],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert smoke.returncode == 0, smoke.stdout + smoke.stderr


# --- sdkgen diff ------------------------------------------------------------------------------


def _diff(tmp_path: Path, edit: Any) -> list[dict[str, Any]]:
    old, new = spec(), copy.deepcopy(spec())
    edit(new)
    result = run_cli(
        "diff",
        str(write_spec(tmp_path, old, "old.yaml")),
        str(write_spec(tmp_path, new, "new.yaml")),
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["changes"]  # type: ignore[no-any-return]


def _event(doc: dict[str, Any]) -> dict[str, Any]:
    return doc["components"]["schemas"]["Event"]["properties"]  # type: ignore[no-any-return]


def _params(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return doc["paths"]["/events/{day}"]["get"]["parameters"]  # type: ignore[no-any-return]


DIFF_CASES = [
    (
        "a response field str -> date-time breaks readers",
        lambda d: _event(d)["id"].update({"format": "date-time"}),
        "major",
        "client.events.get_event() result.id",
        "type str -> datetime.datetime",
    ),
    (
        "a response field date-time -> str breaks readers",
        lambda d: _event(d)["at"].pop("format"),
        "major",
        "client.events.get_event() result.at",
        "type datetime.datetime -> str",
    ),
    (
        "an argument date-time -> date wants other values",
        lambda d: _params(d)[1]["schema"].update({"format": "date"}),
        "major",
        "client.events.get_event(since)",
        "type datetime.datetime | str -> datetime.date | str",
    ),
    (
        "an argument gaining a format accepts more",
        lambda d: _params(d)[5]["schema"].update({"format": "date"}),
        "minor",
        "client.events.get_event(q)",
        "type str -> datetime.date | str (widened)",
    ),
    (
        "an argument changing its format accepts something else",
        lambda d: _params(d)[4]["schema"].update({"format": "uuid"}),
        "major",
        "client.events.get_event(token)",
        "type bytes | str -> uuid.UUID | str",
    ),
    (
        "an argument losing its format accepts less",
        lambda d: _params(d)[0]["schema"].pop("format"),
        "major",
        "client.events.get_event(day)",
        "type datetime.date | str -> str",
    ),
    (
        "an argument's items losing a format accept less",
        lambda d: _params(d)[2]["schema"]["items"].pop("format"),
        "major",
        "client.events.get_event(ids)[]",
        "type uuid.UUID | str -> str",
    ),
    (
        "a model field callers build str -> date-time breaks them",
        lambda d: d["components"]["schemas"]["Account"]["properties"]["name"].update(
            {"format": "date-time"}
        ),
        "major",
        "client.accounts.signup(account).name",
        "type str -> datetime.datetime",
    ),
    (
        "a response field made writeOnly may now be missing",
        lambda d: d["components"]["schemas"]["Receipt"]["properties"]["id"].update(
            {"readOnly": False, "writeOnly": True}
        ),
        "major",
        "client.accounts.get_receipt() result.id",
        "field now optional (may be UNSET)",
    ),
    (
        "a body property made readOnly is no argument any more",
        lambda d: d["components"]["schemas"]["Signup"]["properties"]["email"].update(
            {"readOnly": True}
        ),
        "major",
        "client.accounts.signup(email)",
        "argument removed",
    ),
    (
        "a field callers build made readOnly is no longer required",
        lambda d: d["components"]["schemas"]["Draft"]["properties"]["secret"].update(
            {"writeOnly": False, "readOnly": True}
        ),
        "minor",
        "client.accounts.signup(draft).secret",
        "field now optional (may be UNSET)",
    ),
]


@pytest.mark.parametrize(
    ("case", "edit", "level", "where", "message"), DIFF_CASES, ids=[c[0] for c in DIFF_CASES]
)
def test_diff_classifies_format_and_access_changes(
    case: str,
    edit: Any,
    level: str,
    where: str,
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    changes = _diff(tmp_path, edit)
    matching = [c for c in changes if c["where"] == where and c["message"].startswith(message)]
    assert matching, changes
    assert matching[0]["level"] == level
