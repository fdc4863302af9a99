"""The runtime every generated client shares: HTTP calls, retries, raw responses.

This file is static: sdkgen copies it unchanged into each generated package, where it is
imported relatively, so the package can be vendored under any name. What varies per API (the
operations, the models, the auth scheme, the base URL) lives in `_client.py` and `models.py`.
Models and converters are in `_models.py`, request encoding in `_wire.py`, waiters in
`_waiters.py`.
"""

from __future__ import annotations

import contextvars
import dataclasses
import logging
import os
import random
import re
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Final, Generic, ParamSpec, TypeVar

import httpx

from . import _wire
from ._models import (
    ANY,
    BOOL,
    DATE,
    DATE_TIME,
    FLOAT,
    INT,
    STR,
    UNSET,
    Conv,
    EnumOf,
    FieldSpec,
    ListOf,
    LiteralOf,
    MapOf,
    Model,
    ModelOf,
    Nullable,
    OneOf,
    TupleOf,
    Unset,
    container_of,
    dump,
    kind,
)
from ._wire import (
    Credentials,
    Headers,
    Secret,
    cookie_pairs,
    form_body,
    header_value,
    how_to_pass,
    json_text,
    merge_extra,
    multipart_files,
    path_segment,
    query_pairs,
    slot,
)
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ConfigurationError,
    ResponseValidationError,
    status_error,
)

# Re-exported from `_models`: the generated code reaches them here (`_rt.Model`, `_rt.ListOf`).
__all__ = [
    "ANY",
    "BOOL",
    "DATE",
    "DATE_TIME",
    "FLOAT",
    "INT",
    "STR",
    "UNSET",
    "Conv",
    "EnumOf",
    "FieldSpec",
    "ListOf",
    "LiteralOf",
    "MapOf",
    "Model",
    "ModelOf",
    "Nullable",
    "OneOf",
    "TupleOf",
    "Unset",
    "dump",
]

logger = logging.getLogger(__package__ or __name__)

# What the generated clients reach through this module (`_rt.Param`, `_rt.Scheme`).
Param = _wire.Param
Part = _wire.Part
FileContent = _wire.FileContent
Scheme = _wire.Scheme


def lazy_asyncio() -> Any:
    """`asyncio`, imported on first use: the sync client never needs it."""
    import asyncio

    return asyncio


# --- requests ---------------------------------------------------------------------------------

DEFAULT_TIMEOUT: Final = httpx.Timeout(60.0, connect=10.0)
DEFAULT_MAX_RETRIES: Final = 2
DEFAULT_MAX_CONCURRENCY: Final = 64  # calls in flight per AsyncClient
INITIAL_BACKOFF: Final = 0.5  # seconds before the first retry
MAX_BACKOFF: Final = 8.0  # our own backoff never waits longer than this
MAX_RETRY_AFTER: Final = 60.0  # a server asking for a longer wait gets its error raised instead
IDEMPOTENT: Final = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE"})


@dataclasses.dataclass(frozen=True)
class Call:
    """One operation call, as the generated method describes it."""

    method: str
    path: str
    params: tuple[Param, ...] = ()  # values may be UNSET: those are not sent
    security: tuple[tuple[str, ...], ...] = ()  # alternatives, each a set of schemes (AND)
    extra_headers: Mapping[str, str] | None = None
    json: Any = UNSET
    content: bytes | Unset = UNSET
    form: tuple[Part, ...] | Unset = UNSET  # a form or multipart body (by `content_type`)
    content_type: str = "application/json"  # the media type the document declares
    response: str = "json"  # "json" | "empty" | "bytes"
    conv: Conv = ANY
    timeout: float | httpx.Timeout | Unset = UNSET
    max_retries: int | Unset = UNSET
    op_max_retries: int | None = None  # x-sdkgen-retries of the operation
    idempotent: bool | None = None  # x-sdkgen-retries; None: decided by the method


def set_only(values: Mapping[str, Any]) -> dict[str, Any]:
    """The arguments the caller gave: drops UNSET (not None), so spec defaults are never sent."""
    return {k: v for k, v in values.items() if v is not UNSET}


def utf8(text: str | Unset) -> bytes | Unset:
    """A `text/*` body as UTF-8 (UNSET: no body)."""
    return text if isinstance(text, Unset) else text.encode()


def given_parts(parts: tuple[Part, ...], required: bool) -> tuple[Part, ...] | Unset:
    """The form properties the caller gave (UNSET dropped, None kept); an optional body of
    which nothing was given is not sent at all."""
    given = tuple(p for p in parts if p.value is not UNSET)
    return given if given or required else UNSET


def request_body(
    call: Call,
) -> tuple[bytes | None, list[tuple[str, _wire.Upload]] | None, str | None]:
    """(content, multipart parts, the Content-Type to send) of a call's body. A multipart
    body's Content-Type is httpx's, which carries the boundary."""
    if not isinstance(call.json, Unset):
        return json_text(call.json).encode(), None, call.content_type
    if not isinstance(call.content, Unset):
        return call.content, None, call.content_type
    if isinstance(call.form, Unset):
        return None, None, None
    if call.content_type.split(";", 1)[0].strip().lower() == "multipart/form-data":
        return None, multipart_files(call.form), None
    return form_body(call.form), None, call.content_type


_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")


def expand_path(template: str, segments: Mapping[str, str]) -> str:
    """Fill `{name}` placeholders with serialised, percent-encoded values."""
    if not segments:
        return template

    def fill(match: re.Match[str]) -> str:
        # literal braces in the path, not a parameter, stay as they are
        value = segments.get(match.group(1), match.group(0))
        # `.` and `..` would be dot segments, which URL resolution removes (RFC 3986 5.2.4):
        # `%2E` is the same character, but stays a value
        return value.replace(".", "%2E") if value in (".", "..") else value

    return _PLACEHOLDER.sub(fill, template)


def retry_delay(
    *,
    idempotent: bool,
    attempt: int,
    max_retries: int,
    status: int | None,
    error: Exception | None,
    headers: Mapping[str, str],
) -> float | None:
    """Seconds to wait before retry number `attempt + 1`, or None: do not retry.

    Idempotent requests (GET, PUT, DELETE ..., or an operation marked so by x-sdkgen-retries)
    retry on connection errors, timeouts, 408, 429 and 5xx. Others (a POST may start a paid job)
    retry only when the server cannot have accepted the request:
    the connection was never made, or the server said 429. A server's Retry-After (seconds or an
    HTTP date) or retry-after-ms is honoured up to MAX_RETRY_AFTER; otherwise the wait doubles
    from INITIAL_BACKOFF up to MAX_BACKOFF, less up to 25% of jitter.
    """
    if attempt >= max_retries:
        return None
    if error is not None:
        never_sent = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
        if not (idempotent or never_sent):
            return None
    elif status is None or not (status == 429 or (idempotent and (status == 408 or status >= 500))):
        return None
    asked = _retry_after(headers)
    if asked is not None:
        return asked if asked <= MAX_RETRY_AFTER else None
    return min(MAX_BACKOFF, INITIAL_BACKOFF * 2.0**attempt) * (1 - 0.25 * random.random())


def _retry_after(headers: Mapping[str, str]) -> float | None:
    try:
        return max(0.0, float(headers["retry-after-ms"]) / 1000)
    except (KeyError, ValueError):
        pass
    value = headers.get("retry-after", "").strip()
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        import email.utils  # here: only a dated Retry-After needs it (and it costs 30 ms)

        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class _Core:
    """What the sync and async clients share: configuration, requests, responses."""

    def __init__(
        self,
        *,
        credentials: Mapping[str, tuple[Secret | None, ...]],
        schemes: tuple[Scheme, ...],
        needs_credentials: bool,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        strict: bool,
        default_headers: Mapping[str, str] | None,
        env_prefix: str,
        default_base_url: str,
        user_agent: str,
    ) -> None:
        found = Credentials(credentials, schemes, os.environ)
        if needs_credentials and not found:
            raise ConfigurationError(f"no credentials: {how_to_pass(schemes)}")
        base = base_url or os.environ.get(f"{env_prefix}_BASE_URL") or default_base_url
        if not base.startswith(("http://", "https://")):
            raise ConfigurationError(
                f"no absolute base URL: pass base_url= or set {env_prefix}_BASE_URL"
            )
        self.__credentials = found  # name-mangled and never printed: see __repr__
        self.base_url = base.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.strict = strict
        self._headers = {"User-Agent": user_agent, **(default_headers or {})}
        configure_logging(env_prefix)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r}>"

    def _request(self, http: httpx.Client | httpx.AsyncClient, call: Call) -> httpx.Request:
        headers = Headers()
        headers.update(self._headers)
        params = [p for p in call.params if p.value is not UNSET]
        query: list[str] = []
        cookies: list[str] = []
        given = {slot(p.location, p.name) for p in params}
        self.__credentials.authorize(call.security, given, headers, query, cookies)
        segments: dict[str, str] = {}
        for p in params:
            if p.location == "path":
                segments[p.name] = path_segment(p)
            elif p.location == "query":
                query.extend(query_pairs(p))
            elif p.location == "header":
                headers.set(p.name, header_value(p))
            else:
                cookies.extend(cookie_pairs(p))
        if cookies:
            headers.set("Cookie", "; ".join(cookies))
        content, files, content_type = request_body(call)
        if content_type is not None:
            headers.set("Content-Type", content_type)
        merge_extra(headers, call.extra_headers)
        # A `#fragment` in a path (Box tells operations on one path apart so) is not sent; a
        # query written into the path keeps its place before the parameters.
        url = self.base_url + expand_path(call.path.partition("#")[0], segments)
        if query:
            url += ("&" if "?" in url else "?") + "&".join(query)
        extensions = {}
        if not isinstance(call.timeout, Unset):  # else the httpx client's own timeout applies
            extensions["timeout"] = httpx.Timeout(call.timeout).as_dict()
        return http.build_request(
            call.method,
            url,
            headers=headers.items(),
            content=content,
            files=files,
            extensions=extensions,
        )

    def _delay(
        self, call: Call, attempt: int, response: httpx.Response | None, error: Exception | None
    ) -> float | None:
        """How long to wait before retrying `call`, or None: the per-call `max_retries` wins,
        then the operation's x-sdkgen-retries, then the client's."""
        retries = call.max_retries
        if isinstance(retries, Unset):
            retries = self.max_retries if call.op_max_retries is None else call.op_max_retries
        idempotent = call.idempotent
        if idempotent is None:
            idempotent = call.method.upper() in IDEMPOTENT
        return retry_delay(
            idempotent=idempotent,
            attempt=attempt,
            max_retries=retries,
            status=response.status_code if response is not None else None,
            error=error,
            headers=response.headers if response is not None else {},
        )

    def _result(self, call: Call, response: httpx.Response) -> Any:
        """The parsed body of a final response, or the exception for an error status."""
        _capture(response)
        if response.status_code >= 400:
            raise status_error(response, _body(response))
        if call.response == "empty":
            return None
        if call.response == "bytes":
            return response.content
        try:
            data = response.json() if response.content else None
        except ValueError:
            raise ResponseValidationError(
                "response body is not valid JSON", response=response
            ) from None
        # Lenient reading keeps odd values inside a response, but a result of the wrong shape
        # altogether (a list, a string, nothing, where a model is documented) would lie about
        # the method's return type, so it is an error in either mode.
        expected = container_of(call.conv)
        if expected is not None and not isinstance(data, expected):
            wanted = "an object" if expected is dict else "an array"
            raise ResponseValidationError(f"expected {wanted}, got {kind(data)}", response=response)
        try:
            return call.conv.load(data, "$", self.strict)
        except ResponseValidationError as exc:
            raise ResponseValidationError(
                exc.message.split(": ", 1)[-1], path=exc.path, response=response
            ) from None


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


def _connection_error(exc: httpx.TransportError, request: httpx.Request) -> APIConnectionError:
    cls = APITimeoutError if isinstance(exc, httpx.TimeoutException) else APIConnectionError
    return cls(f"{type(exc).__name__} for {request.method} {request.url.path}", request=request)


def _log_retry(request: httpx.Request, attempt: int, delay: float, why: str) -> None:
    logger.debug(
        "retry %d of %s %s in %.2fs after %s", attempt, request.method, request.url.path, delay, why
    )


class SyncCore(_Core):
    def __init__(
        self,
        *,
        http_client: httpx.Client | None,
        transport: httpx.BaseTransport | None,
        **config: Any,
    ) -> None:
        super().__init__(**config)
        self._owns_http = http_client is None
        self.http = http_client or httpx.Client(transport=transport, timeout=self.timeout)

    def request(self, call: Call) -> Any:
        attempt = 0
        while True:
            request = self._request(self.http, call)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s", request.method, request.url.path)
            try:
                response = self.http.send(request)
            except httpx.TransportError as exc:
                delay = self._delay(call, attempt, None, exc)
                if delay is None:
                    raise _connection_error(exc, request) from exc
                _log_retry(request, attempt + 1, delay, type(exc).__name__)
            else:
                delay = self._delay(call, attempt, response, None)
                if delay is None:
                    return self._result(call, response)
                response.close()
                _log_retry(request, attempt + 1, delay, str(response.status_code))
            time.sleep(delay)
            attempt += 1

    def close(self) -> None:
        if self._owns_http:
            self.http.close()


class AsyncCore(_Core):
    def __init__(
        self,
        *,
        http_client: httpx.AsyncClient | None,
        transport: httpx.AsyncBaseTransport | None,
        max_concurrency: int,
        **config: Any,
    ) -> None:
        super().__init__(**config)
        if max_concurrency < 1:
            raise ConfigurationError("max_concurrency must be at least 1")
        self._owns_http = http_client is None
        limits = httpx.Limits(
            max_connections=max_concurrency, max_keepalive_connections=max_concurrency
        )
        self.http = http_client or httpx.AsyncClient(
            transport=transport, timeout=self.timeout, limits=limits
        )
        # Bounds the calls in flight (retries and their waits included), so a thousand
        # concurrent calls queue here instead of timing out in the connection pool.
        import asyncio  # here: the sync client does not pay for it (80 ms to import)

        self._slots = asyncio.Semaphore(max_concurrency)

    async def request(self, call: Call) -> Any:
        async with self._slots:
            return await self._request_with_retries(call)

    async def _request_with_retries(self, call: Call) -> Any:
        attempt = 0
        while True:
            request = self._request(self.http, call)
            if logger.isEnabledFor(logging.DEBUG):
                logger.debug("%s %s", request.method, request.url.path)
            try:
                response = await self.http.send(request)
            except httpx.TransportError as exc:
                delay = self._delay(call, attempt, None, exc)
                if delay is None:
                    raise _connection_error(exc, request) from exc
                _log_retry(request, attempt + 1, delay, type(exc).__name__)
            else:
                delay = self._delay(call, attempt, response, None)
                if delay is None:
                    return self._result(call, response)
                await response.aclose()
                _log_retry(request, attempt + 1, delay, str(response.status_code))
            await lazy_asyncio().sleep(delay)
            attempt += 1

    async def close(self) -> None:
        if self._owns_http:
            await self.http.aclose()


# --- logging ------------------------------------------------------------------------------------

_LEVELS: Final = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def configure_logging(env_prefix: str) -> None:
    """`PREFIX_LOG=debug|info|warning` turns on this package's log lines on stderr (once).
    Log lines name the method and the URL path: never headers, bodies or the API key."""
    level = _LEVELS.get(os.environ.get(f"{env_prefix}_LOG", "").strip().lower())
    if level is None or getattr(logger, "_sdkgen_configured", False):
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)
    logger._sdkgen_configured = True  # type: ignore[attr-defined]


# --- raw responses ------------------------------------------------------------------------------

T = TypeVar("T")
P = ParamSpec("P")
_captured: contextvars.ContextVar[list[httpx.Response] | None] = contextvars.ContextVar(
    "captured", default=None
)


@dataclasses.dataclass(frozen=True)
class RawResponse(Generic[T]):
    """A parsed result with the HTTP response it came from."""

    parsed: T
    http_response: httpx.Response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        return self.http_response.content


def _capture(response: httpx.Response) -> None:
    sink = _captured.get()
    if sink is not None:
        sink.append(response)


def raw_sync(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """`method`, returning its result along with the final HTTP response."""

    def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        sink: list[httpx.Response] = []
        token = _captured.set(sink)
        try:
            parsed = method(*args, **kwargs)
        finally:
            _captured.reset(token)
        return RawResponse(parsed, sink[-1])

    return call


def raw_async(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[RawResponse[T]]]:
    async def call(*args: P.args, **kwargs: P.kwargs) -> RawResponse[T]:
        sink: list[httpx.Response] = []
        token = _captured.set(sink)
        try:
            parsed = await method(*args, **kwargs)
        finally:
            _captured.reset(token)
        return RawResponse(parsed, sink[-1])

    return call
