"""Exceptions raised by this client.

    APIError                      base class of everything below
    +-- ConfigurationError        the client cannot be built (no API key, no base URL)
    +-- APIConnectionError        no response: DNS, refused or reset connection (.request)
    |   +-- APITimeoutError       the request timed out
    +-- APIStatusError            the server answered with a 4xx or 5xx (.request, .response,
    |   |                         .status_code, .body: decoded JSON, or text)
    |   +-- BadRequestError            400
    |   +-- AuthenticationError        401
    |   +-- PaymentRequiredError       402 (not enough credits)
    |   +-- PermissionDeniedError      403
    |   +-- NotFoundError              404
    |   +-- ConflictError              409
    |   +-- UnprocessableEntityError   422
    |   +-- RateLimitError             429
    |   +-- InternalServerError        5xx
    +-- ResponseValidationError   a 2xx body that cannot be read as documented: not JSON, or (with
    |                             strict=True) not matching its schema (.path names the field)
    +-- JobFailedError            a waited-for job reached a failure status (.job_id, .status,
    |                             .last: the last status response)
    +-- WaitTimeoutError          a waited-for job did not finish in time (.job_id, .last); the
                                  job may still finish: wait for it again with its id

No exception carries the API key: messages name the method and the URL path, never headers.
This file is static: sdkgen copies it unchanged into every generated client.
"""

from __future__ import annotations

from typing import Any

import httpx

__all__ = [
    "APIConnectionError",
    "APIError",
    "APIStatusError",
    "APITimeoutError",
    "AuthenticationError",
    "BadRequestError",
    "ConfigurationError",
    "ConflictError",
    "InternalServerError",
    "JobFailedError",
    "NotFoundError",
    "PaymentRequiredError",
    "PermissionDeniedError",
    "RateLimitError",
    "ResponseValidationError",
    "UnprocessableEntityError",
    "WaitTimeoutError",
]


class APIError(Exception):
    """Base class of every error this client raises."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ConfigurationError(APIError):
    """The client cannot be built as asked."""


class APIConnectionError(APIError):
    """The request got no response."""

    def __init__(self, message: str, *, request: httpx.Request) -> None:
        super().__init__(message)
        self.request = request


class APITimeoutError(APIConnectionError):
    """The request timed out."""


class APIStatusError(APIError):
    """The server answered with an error status."""

    def __init__(self, message: str, *, response: httpx.Response, body: Any) -> None:
        super().__init__(message)
        self.response = response
        self.request = response.request
        self.status_code = response.status_code
        self.body = body


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PaymentRequiredError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


class ResponseValidationError(APIError):
    """A successful response whose body does not read as documented."""

    def __init__(
        self, message: str, *, path: str = "$", response: httpx.Response | None = None
    ) -> None:
        super().__init__(f"{path}: {message}")
        self.path = path
        self.response = response
        self.request = response.request if response is not None else None


class JobFailedError(APIError):
    """The job the client waited for reached a failure status."""

    def __init__(self, job_id: str, status: Any, last: Any) -> None:
        super().__init__(f"job {job_id} failed with status {status!r}")
        self.job_id = job_id
        self.status = status
        self.last = last


class WaitTimeoutError(APIError):
    """The job did not reach a final status before the deadline (it may still finish)."""

    def __init__(self, job_id: str, timeout: float, last: Any) -> None:
        super().__init__(f"job {job_id} did not finish within {timeout:g} s")
        self.job_id = job_id
        self.timeout = timeout
        self.last = last


STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    402: PaymentRequiredError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response, body: Any) -> APIStatusError:
    """The exception for an error response: one table, then 5xx, then the base class."""
    cls = STATUS_ERRORS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    summary = body if isinstance(body, str) else repr(body)
    if len(summary) > 200:
        summary = summary[:197] + "..."
    request = response.request
    message = (
        f"{response.status_code} {response.reason_phrase} for {request.method} "
        f"{request.url.path}: {summary}"
    )
    return cls(message, response=response, body=body)
