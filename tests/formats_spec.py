"""The inline document of tests/test_formats.py and tests/test_read_write_only.py: string formats
(date, date-time, uuid, byte) in parameters, bodies and responses, and `readOnly`/`writeOnly`
properties in models that travel one way or both."""

from __future__ import annotations

from typing import Any

DATE = {"type": "string", "format": "date"}
DATE_TIME = {"type": "string", "format": "date-time"}
UUID = {"type": "string", "format": "uuid"}
BYTE = {"type": "string", "format": "byte"}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _ok(schema: dict[str, Any]) -> dict[str, Any]:
    return {"200": {"description": "ok", **_json(schema)}}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


EVENT = {
    "type": "object",
    "required": ["at", "day"],
    "properties": {
        "at": DATE_TIME,
        "day": DATE,
        "id": UUID,
        "blob": BYTE,
        "ended": {**DATE_TIME, "nullable": True},
        "times": {"type": "array", "items": DATE_TIME},
        "by_day": {"type": "object", "additionalProperties": DATE},
        "datetime": DATE_TIME,  # a field named like the module: must not shadow it
    },
}
ACCOUNT = {  # sent (nested in a body) and received
    "type": "object",
    "required": ["id", "name", "password"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "name": {"type": "string"},
        "password": {"type": "string", "writeOnly": True},
        "created": {**DATE_TIME, "readOnly": True},
    },
}
RECEIPT = {  # only received
    "type": "object",
    "required": ["id", "pin"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "pin": {"type": "string", "writeOnly": True},
    },
}
DRAFT = {  # only sent
    "type": "object",
    "required": ["id", "secret"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "secret": {"type": "string", "writeOnly": True},
    },
}
SIGNUP = {  # a body whose properties become arguments
    "type": "object",
    "required": ["id", "email", "password", "account"],
    "properties": {
        "id": {"type": "string", "readOnly": True},
        "email": {"type": "string"},
        "password": {"type": "string", "writeOnly": True},
        "account": _ref("Account"),
        "draft": _ref("Draft"),
        "created": {"allOf": [DATE_TIME], "readOnly": True},
    },
}


def spec() -> dict[str, Any]:
    day = {"name": "day", "in": "path", "required": True, "schema": DATE}
    params = [
        day,
        {"name": "since", "in": "query", "schema": DATE_TIME},
        {"name": "ids", "in": "query", "schema": {"type": "array", "items": UUID}},
        {"name": "X-Stamp", "in": "header", "schema": DATE_TIME},
        {"name": "token", "in": "query", "schema": BYTE},
        {"name": "q", "in": "query", "schema": {"type": "string"}},
    ]
    body = {
        "type": "object",
        "required": ["at"],
        "properties": {
            "at": DATE_TIME,
            "day": DATE,
            "ref": UUID,
            "token": BYTE,
            "days": {"type": "array", "items": DATE},
            "event": _ref("Event"),
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "Formats", "version": "1.0.0"},
        "servers": [{"url": "https://api.example.com"}],
        "paths": {
            "/events/{day}": {
                "get": {
                    "operationId": "getEvent",
                    "tags": ["events"],
                    "parameters": params,
                    "responses": _ok(_ref("Event")),
                }
            },
            "/events": {
                "post": {
                    "operationId": "createEvent",
                    "tags": ["events"],
                    "requestBody": {"required": True, **_json(body)},
                    "responses": _ok({"type": "array", "items": DATE_TIME}),
                }
            },
            "/batch": {  # a required argument holding models with date fields
                "put": {
                    "operationId": "putBatch",
                    "tags": ["events"],
                    "requestBody": {
                        "required": True,
                        **_json(
                            {
                                "type": "object",
                                "required": ["events"],
                                "properties": {"events": {"type": "array", "items": _ref("Event")}},
                            }
                        ),
                    },
                    "responses": {"204": {"description": "stored"}},
                }
            },
            "/signup": {
                "post": {
                    "operationId": "signup",
                    "tags": ["accounts"],
                    "requestBody": {"required": True, **_json(_ref("Signup"))},
                    "responses": _ok(_ref("Account")),
                }
            },
            "/receipts": {
                "get": {
                    "operationId": "getReceipt",
                    "tags": ["accounts"],
                    "responses": _ok(_ref("Receipt")),
                }
            },
        },
        "components": {
            "schemas": {
                "Event": EVENT,
                "Account": ACCOUNT,
                "Receipt": RECEIPT,
                "Draft": DRAFT,
                "Signup": SIGNUP,
            }
        },
    }
