"""The intermediate representation: what the templates render, and nothing else.

Invariants, established by `generator.build` and relied on by `generator.render`:
- Every name (`name`, `py_name`, `attr_name`, `class_name`) is already a valid Python identifier,
  unique in its scope: class names across the whole package, member names within their class
  or method signature.
- Every reference is resolved: a `ModelRef`/`EnumRef` names a `Model`/`Enum` in `Api`.
- Only what the operations reach is here (unless unused schemas were asked for).
- Sequences are tuples, in a deterministic order (document order for fields and parameters,
  sorted by name for models, enums and groups).
- Spec text (descriptions, examples) is carried as data; it reaches generated code only through
  the escaping helpers in `generator.render`.
"""

from __future__ import annotations

import dataclasses
from typing import Literal


@dataclasses.dataclass(frozen=True, slots=True)
class StrType:
    format: str | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class IntType:
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class FloatType:
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class BoolType:
    pass


@dataclasses.dataclass(frozen=True, slots=True)
class AnyType:
    """An untyped fallback: the value is passed through as decoded JSON. `at` is the pointer of
    the schema that fell back, where a diagnostic says why ("" only for a non-JSON response)."""

    at: str = dataclasses.field(default="", compare=False)


@dataclasses.dataclass(frozen=True, slots=True)
class ListType:
    item: TypeRef


@dataclasses.dataclass(frozen=True, slots=True)
class MapType:
    value: TypeRef


@dataclasses.dataclass(frozen=True, slots=True)
class ModelRef:
    name: str


@dataclasses.dataclass(frozen=True, slots=True)
class EnumRef:
    name: str
    value_type: Literal["str", "int"] = "str"  # what an unknown value stays (open enums)


@dataclasses.dataclass(frozen=True, slots=True)
class NullableType:
    inner: TypeRef  # never a NullableType or an AnyType


@dataclasses.dataclass(frozen=True, slots=True)
class LiteralType:
    """`const`, or an `enum` of one value or of booleans: `Literal[...]` of these values."""

    values: tuple[str | int | bool, ...]  # no duplicates, document order; never floats


@dataclasses.dataclass(frozen=True, slots=True)
class TupleType:
    """3.1 `prefixItems`: a fixed prefix of typed items, then `rest` (`items`), if allowed."""

    items: tuple[TypeRef, ...]
    rest: TypeRef | None  # None: no more items (`items: false`)


@dataclasses.dataclass(frozen=True, slots=True)
class Discriminator:
    """A `discriminator`: the JSON property whose value names the variant."""

    property: str  # the wire name
    mapping: tuple[tuple[str, int], ...]  # value -> index into UnionType.variants, sorted by value


@dataclasses.dataclass(frozen=True, slots=True)
class UnionType:
    """`oneOf`/`anyOf`/a 3.1 type array of two or more distinct types (never nullable ones:
    nullability is a `NullableType` around the union; never nested unions: they are flattened)."""

    variants: tuple[TypeRef, ...]  # document order, no duplicates, no AnyType
    discriminator: Discriminator | None
    exclusive: bool  # oneOf (exactly one variant may match) rather than anyOf


TypeRef = (
    StrType
    | IntType
    | FloatType
    | BoolType
    | AnyType
    | ListType
    | MapType
    | ModelRef
    | EnumRef
    | NullableType
    | LiteralType
    | TupleType
    | UnionType
)


@dataclasses.dataclass(frozen=True, slots=True)
class Field:
    py_name: str
    wire_name: str
    type: TypeRef
    required: bool
    description: str
    deprecated: bool
    default: str | None  # repr() of the spec's default, documented and never sent
    # `readOnly`: sent by the server only (never an argument); `writeOnly`: sent by the
    # client only (never expected in a response). `required` is the schema's own.
    read_only: bool = False
    write_only: bool = False


@dataclasses.dataclass(frozen=True, slots=True)
class Model:
    """A dataclass. `in_requests`/`in_responses`: which way operations use it (both when
    neither, as for unused schemas generated on request); they decide which `required`
    fields the constructor requires (see `generator.typetext.must_give`)."""

    name: str
    description: str
    fields: tuple[Field, ...]
    pointer: str
    in_requests: bool = True
    in_responses: bool = True


@dataclasses.dataclass(frozen=True, slots=True)
class EnumMember:
    py_name: str
    value: str | int


@dataclasses.dataclass(frozen=True, slots=True)
class Enum:
    name: str
    description: str
    members: tuple[EnumMember, ...]
    value_type: Literal["str", "int"]
    pointer: str


Location = Literal["path", "query", "header", "cookie"]
Style = Literal[
    "simple", "label", "matrix", "form", "spaceDelimited", "pipeDelimited", "deepObject"
]


@dataclasses.dataclass(frozen=True, slots=True)
class Param:
    py_name: str
    wire_name: str
    location: Location
    type: TypeRef
    required: bool
    description: str
    deprecated: bool
    default: str | None  # repr() of the spec's default, documented and never sent
    style: Style  # always one the location allows (the default when the document's is not)
    explode: bool
    allow_reserved: bool  # query only
    content_json: bool  # a `content`-typed parameter with a JSON media type: sent as JSON


@dataclasses.dataclass(frozen=True, slots=True)
class JsonBody:
    """A JSON object body whose properties became keyword arguments."""

    fields: tuple[Field, ...]
    required: bool
    description: str
    content_type: str  # the declared media type (`application/vnd.x+json; charset=utf-8`)


@dataclasses.dataclass(frozen=True, slots=True)
class WholeBody:
    """A body passed as one `body` argument: JSON of `type`, or raw bytes with a content type."""

    py_name: str
    type: TypeRef | None  # None: raw bytes
    content_type: str
    required: bool
    description: str


@dataclasses.dataclass(frozen=True, slots=True)
class PartEncoding:
    """How one property of a form or multipart body is sent: its `encoding` entry, read."""

    style: str  # explicit `style` (a query style), "" = none given
    explode: bool | None  # explicit `explode`, None = the style's default
    allow_reserved: bool
    content_type: str  # explicit `contentType` when it is one concrete type, "" = the default
    file: bool  # multipart: a binary property (`format: binary`, `contentMediaType`)


@dataclasses.dataclass(frozen=True, slots=True)
class FormBody:
    """An `application/x-www-form-urlencoded` or `multipart/form-data` object body whose
    properties became keyword arguments, each sent as its `encoding` entry says."""

    fields: tuple[Field, ...]
    encodings: tuple[PartEncoding, ...]  # one per field, in the same order
    required: bool
    description: str
    content_type: str  # the declared media type
    multipart: bool


Body = JsonBody | FormBody | WholeBody


@dataclasses.dataclass(frozen=True, slots=True)
class Response:
    kind: Literal["json", "empty", "bytes"]
    type: TypeRef  # AnyType unless kind == "json"
    status: str


@dataclasses.dataclass(frozen=True, slots=True)
class Retries:
    """`x-sdkgen-retries`: this operation's own retry policy (None: the client's)."""

    max_retries: int | None
    idempotent: bool | None  # True: safe to retry like a GET (say, it takes an idempotency key)


@dataclasses.dataclass(frozen=True, slots=True)
class Waiter:
    """`x-sdkgen-waiter`: the job this operation starts is polled with another operation."""

    and_wait_name: str  # the method that starts the job and waits: `upscale_and_wait`
    wait_for_name: str  # the method that waits for a job started elsewhere: `wait_for_upscale`
    poll_class: str  # class_name of the polling operation's group
    poll_async_class: str
    poll_method: str  # py_name of the polling operation
    poll_param: str  # py_name of its parameter that takes the job id
    poll_response: TypeRef  # what the polling operation returns (and the waiters too)
    id_pointer: str  # JSON pointer of the job id in this operation's response
    status_pointer: str  # JSON pointer of the status in the polling operation's response
    success: tuple[str, ...]
    failure: tuple[str, ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Operation:
    py_name: str
    operation_id: str
    method: str
    path: str
    summary: str
    description: str
    deprecated: bool
    params: tuple[Param, ...]
    body: Body | None
    response: Response
    pointer: str
    retries: Retries | None
    waiter: Waiter | None
    security: Security  # this operation's own requirements, or the document's


@dataclasses.dataclass(frozen=True, slots=True)
class Group:
    attr_name: str
    class_name: str
    async_class_name: str
    raw_class_name: str  # the group's `with_raw_response` view
    async_raw_class_name: str
    operations: tuple[Operation, ...]
    # The server of the group's own document when several documents make one client
    # (`generator.merge`); "" (one document): the client's base URL.
    base_url: str = ""
    document: str = ""  # the prefix of the group's document among several; "" for one


@dataclasses.dataclass(frozen=True, slots=True)
class SecurityScheme:
    """A scheme the client can apply, with the constructor arguments that take its secrets."""

    key: str  # its name under components/securitySchemes
    kind: Literal["basic", "bearer", "apiKey"]  # oauth2 and openIdConnect send a bearer token
    location: Literal["header", "query", "cookie"]
    name: str  # the header, query parameter or cookie that carries it
    args: tuple[str, ...]  # ("api_key",), ("access_token",) or ("username", "password")
    envs: tuple[str, ...]  # the environment variable of each argument


# Alternatives (OR), each a tuple of scheme keys applied together (AND); () = no auth.
Security = tuple[tuple[str, ...], ...]


@dataclasses.dataclass(frozen=True, slots=True)
class Api:
    title: str
    description: str
    spec_version: str
    package_name: str
    env_prefix: str
    base_url: str
    schemes: tuple[SecurityScheme, ...]  # sorted by key; only those some operation uses
    needs_credentials: bool  # every operation needs some credential
    groups: tuple[Group, ...]
    models: tuple[Model, ...]
    enums: tuple[Enum, ...]
