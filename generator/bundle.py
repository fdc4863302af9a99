"""Stage 1b, bundle: a document split over files becomes one document, before overlays and
validation, so every later stage sees a single document with local `$ref`s only.

- A `$ref` in a schema position (`schema`, `items`, `properties/*`, `allOf/*`, ...) to another
  file becomes a component schema: `#/components/schemas/Name`, Name from the fragment's last
  segment that is no keyword (`params.yaml#/limit/schema` -> `limit`), else the file's stem
  (`schemas/Pet.yaml` -> `Pet`). The entry's own component names come first; an entry
  component that is only a `$ref` to a file (`Pet: {$ref: Pet.yaml}`) gives that file its
  name. The others are named in the order of their (file, pointer): a taken name is tried with
  the file's directory in front (`v2_Error`), then with a number (`Error_2`); each rename is
  note SDK042. Cycles across files are fine: they become cycles of components.
  Discriminator `mapping` values that name files are rewritten like `$ref`s.
- Any other `$ref` to another file (path items, parameters, responses, examples...) is
  replaced by a copy of its target, with the `$ref`'s sibling keys laid over it (cycles of
  those cannot be expanded: error SDK041).
- Inside `x-` extensions, a `$ref` to a file that is not YAML or JSON (`x-codeSamples` sources
  in `.cs`, `.php`) becomes the file's text; one that cannot be read as text is left out (note
  SDK043), never a failure. Example values, enums, consts and defaults are data: never followed.
- Safety (where a reference may lead, limits) is `confine.py`; a refused reference is SDK010 at
  the pointer of its `$ref`, in the file that holds it. A missing target fragment is SDK040.

The result carries every file read with its sha256 (the document's digest is one over the
sorted list, the entry's own digest for a single file) and where each bundled part came from,
so that later diagnostics name the file and pointer the user wrote (`locate`).

Why not `referencing` (installed with openapi-spec-validator): it resolves references on demand
for a validator; bundling must instead rewrite each one into the new document, and the safety
checks sit where files are read, which is ours anyway. The URI work is `urllib.parse`'s.
"""

from __future__ import annotations

import collections
import dataclasses
import hashlib
import itertools
import posixpath
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from generator import load
from generator.confine import Refused, Source, Tree
from generator.diagnostics import Diagnostic, Fatal, error, has_errors, info, pointer

SCHEMA_KEYS = frozenset(
    {"schema", "items", "additionalProperties", "not", "contains", "if", "then", "else"}
    | {"propertyNames", "unevaluatedItems", "unevaluatedProperties", "additionalItems"}
    | {"contentSchema"}
)
SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions"})
SCHEMA_LISTS = frozenset({"allOf", "oneOf", "anyOf", "prefixItems"})
DATA_KEYS = frozenset({"example", "enum", "const"})
SCHEMA_DATA_KEYS = frozenset({"default", "examples"})  # data in a schema (`default` response!)
PARSED = (".yaml", ".yml", ".json")

_OMIT = object()  # a reference left out of the document
# `$ref:` followed by anything but a local reference, a mapping or a list (a property named
# `$ref`): possessive, so that the spaces cannot be given back to let the lookahead pass.
_MAYBE_EXTERNAL = re.compile(rb"\$ref[\"']?\s*:\s*+(?![\"']?#|[{\[])")

Target = tuple[str, str]  # (file key, JSON pointer in it)
At = tuple[
    Any, ...
]  # where a part lands in the bundled document (a Target as 3rd part: a component)


@dataclasses.dataclass(frozen=True, slots=True)
class Bundle:
    data: dict[str, Any]
    sha256: str
    # (file key, sha256) of every file, sorted; the entry is "." (its name is the user's
    # choice: a downloaded tree is saved under the configured `spec` name)
    files: tuple[tuple[str, str], ...]
    contents: Mapping[str, bytes]  # file key -> its bytes (the entry's under its own name)
    origins: Mapping[str, tuple[str, str]]  # bundled pointer -> (file as displayed, pointer)
    notes: tuple[Diagnostic, ...]

    def locate(self, where: str) -> tuple[str, str]:
        """The file and pointer that the bundled document's `where` came from; ("", where)
        for a part of the entry file."""
        parts = where.split("/")
        for end in range(len(parts), 0, -1):
            found = self.origins.get("/".join(parts[:end]))
            if found is not None:
                rest = "/".join(parts[end:])
                return found[0], found[1].rstrip("/") + ("/" + rest if rest else "")
        return "", where


def may_need(raw: bytes) -> bool:
    """Whether the document may hold a `$ref` that is not local (a cheap scan of the bytes)."""
    return _MAYBE_EXTERNAL.search(raw) is not None


def has_external(data: Any) -> bool:
    """Whether `data` holds a `$ref` that is not local outside examples, enums and consts
    (GitHub's examples hold SCIM `$ref` URLs): a walk, 10x cheaper than bundling."""
    stack: list[tuple[Any, str]] = [(data, "")]  # a node, and the key of its parent
    while stack:
        node, parent = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and not ref.startswith("#"):
                return True
            for key, value in node.items():
                if key in DATA_KEYS or (parent == "examples" and key == "value"):
                    continue
                if isinstance(value, dict | list):
                    stack.append((value, "examples" if parent == "examples" else key))
        elif isinstance(node, list):
            stack.extend((v, "") for v in node if isinstance(v, dict | list))
    return False


def tree_sha256(files: Sequence[tuple[str, str]]) -> str:
    """sha256 over the sorted `key NUL digest LF` lines of a document's files."""
    text = "".join(f"{key}\0{digest}\n" for key, digest in sorted(files))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def bundle(
    data: dict[str, Any], raw: bytes, source: str, allowed_urls: Sequence[str] = ()
) -> Bundle:
    """`data` (parsed from `raw`, read from `source`) with every reference to another file
    resolved; Fatal with every refused or broken reference."""
    bundler = _Bundler(Tree(source, allowed_urls), data, raw)
    try:
        result = bundler.run()
    except RecursionError:  # MAX_DEPTH keeps the copy well within the stack; this is a backstop
        raise Fatal([error("SDK004", "#", _TOO_BIG, source)]) from None
    if has_errors(bundler.found):
        # sorted and unique: a file copied in at several places reports its problems once
        raise Fatal(sorted(set(bundler.found), key=lambda d: (d.file, d.pointer, d.code)))
    return result


@dataclasses.dataclass(frozen=True, slots=True)
class _Here:
    """Where the node being copied is: its file, its path there, what kind of node it is,
    where it lands in the bundled document, and how deep."""

    src: Source
    path: tuple[str, ...]
    kind: str  # "schema", "data" (never followed), "extension", or "other"
    at: At
    depth: int

    def child(self, key: str | int) -> _Here:
        name = str(key)
        kind = _kind(self.path, name, self.kind)
        return _Here(self.src, (*self.path, name), kind, (*self.at, key), self.depth + 1)


class _Bundler:
    def __init__(self, tree: Tree, data: dict[str, Any], raw: bytes) -> None:
        self.tree = tree
        self.entry = tree.entry
        self.parsed: dict[str, Any] = {self.entry.key: data}
        self.contents: dict[str, bytes] = {self.entry.key: raw}
        self.found: list[Diagnostic] = []
        self.components: dict[Target, Any] = {}  # emitted bodies, in discovery order
        self.queue: collections.deque[tuple[Source, str]] = collections.deque()
        self.sources: dict[str, Source] = {self.entry.key: self.entry}
        self.pending: list[tuple[dict[str, Any], str, Target]] = []  # set to the name's ref
        self.placed: dict[int, Target] = {}  # id of a placed `$ref` -> its target
        self.origins: dict[At, tuple[str, str]] = {}
        self.inlining: list[Target] = []
        self.nodes = 0

    def run(self) -> Bundle:
        out = self.emit(self.parsed[self.entry.key], _Here(self.entry, (), "other", (), 0))
        while self.queue:
            source, ptr = self.queue.popleft()
            here = _Here(
                source, _path(ptr), "schema", ("components", "schemas", (source.key, ptr)), 3
            )
            self.components[source.key, ptr] = self.emit(self.lookup(source, ptr), here)
        names = self.name(out)
        self.place(out, names)
        files = tuple(
            sorted(
                ("." if k == self.entry.key else k, hashlib.sha256(v).hexdigest())
                for k, v in self.contents.items()
            )
        )
        digest = files[0][1] if len(files) == 1 else tree_sha256(files)
        origins = {self._pointer(at, names): where for at, where in self.origins.items()}
        notes = tuple(dict.fromkeys(d for d in self.found if d.severity.value != "error"))
        return Bundle(out, digest, files, self.contents, origins, notes)

    # --- copying the document, reference by reference ------------------------------------

    def emit(self, node: Any, here: _Here) -> Any:
        """A copy of `node` (at `here`) with its references resolved."""
        self.nodes += 1
        if here.depth > load.MAX_DEPTH or self.nodes > load.MAX_NODES:
            raise Fatal([error("SDK004", pointer(*here.path), _TOO_BIG, here.src.display)])
        if isinstance(node, list):
            items = (self.emit(v, here.child(i)) for i, v in enumerate(node))
            return [item for item in items if item is not _OMIT]
        if not isinstance(node, dict):
            return node
        ref = node.get("$ref")
        if isinstance(ref, str) and here.kind != "data":
            return self.reference(node, ref, here)
        out: dict[str, Any] = {}
        for key, value in node.items():
            child = here.child(key)
            copied = value if child.kind == "data" else self.emit(value, child)
            if copied is not _OMIT:
                out[key] = copied
        if here.kind == "schema":
            self.mapping(here.src, out, here.path)
        return out

    def reference(self, node: dict[str, Any], ref: str, here: _Here) -> Any:
        src = here.src
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        if siblings:
            siblings = self.emit(siblings, here)
        if ref.startswith("#") and src is self.entry:
            return {"$ref": ref, **siblings}
        where = pointer(*here.path, "$ref")
        target = self.target(src, ref, where)
        if target is None:
            return {"$ref": ref, **siblings}
        dest, ptr = target
        if dest is self.entry:
            return {"$ref": "#" + ptr, **siblings}
        if here.kind == "extension" and not dest.key.lower().endswith(PARSED):
            return self.text(dest, ptr, src, where)
        if self.node_at(dest, ptr, (src, where)) is _OMIT:
            return {"$ref": ref, **siblings}
        if here.kind == "schema":
            placed: dict[str, Any] = {"$ref": "", **siblings}
            self.pending.append((placed, "$ref", self.want(dest, ptr)))
            self.placed[id(placed)] = self.pending[-1][2]
            return placed
        body = self.inline(dest, ptr, here, (src, where))
        return {**body, **siblings} if isinstance(body, dict) and siblings else body

    def inline(self, dest: Source, ptr: str, here: _Here, referrer: tuple[Source, str]) -> Any:
        """A copy of a target that is no schema, in place of its reference."""
        if (dest.key, ptr) in self.inlining:
            message = f"circular $ref to {dest.display}#{ptr}: only schemas may be circular"
            self.found.append(error("SDK041", referrer[1], message, referrer[0].display))
            return {}
        self.origins[here.at] = (dest.display, "#" + ptr)
        self.inlining.append((dest.key, ptr))
        try:
            inner = _Here(dest, _path(ptr), here.kind, here.at, here.depth + 1)
            return self.emit(self.lookup(dest, ptr), inner)
        finally:
            self.inlining.pop()

    def text(self, dest: Source, ptr: str, src: Source, here: str) -> Any:
        """A file that is no document, referenced from an extension: its text, or nothing."""
        reason = "a fragment into a text file"
        try:
            if not ptr:
                return self.read(dest).decode("utf-8")
        except Refused as refused:
            reason = refused.message
        except UnicodeDecodeError:
            reason = "not UTF-8 text"
        message = f"$ref to {dest.display} left out of the extension: {reason}"
        self.found.append(info("SDK043", here, message, src.display))
        return _OMIT

    def mapping(self, src: Source, schema: dict[str, Any], path: tuple[str, ...]) -> None:
        """Discriminator mapping values that are references, rewritten as `$ref`s are."""
        discriminator = schema.get("discriminator")
        mapping = discriminator.get("mapping") if isinstance(discriminator, dict) else None
        if not isinstance(discriminator, dict) or not isinstance(mapping, dict):
            return
        mapping = discriminator["mapping"] = dict(mapping)
        for key, value in mapping.items():
            if not isinstance(value, str) or not _is_reference(value):
                continue
            if value.startswith("#") and src is self.entry:
                continue
            here = pointer(*path, "discriminator", "mapping", key)
            target = self.target(src, value, here)
            if target is None:
                continue
            if target[0] is self.entry:
                mapping[key] = "#" + target[1]
            elif self.node_at(*target, (src, here)) is not _OMIT:
                self.pending.append((mapping, key, self.want(*target)))

    # --- files and targets ---------------------------------------------------------------

    def target(self, src: Source, ref: str, here: str) -> tuple[Source, str] | None:
        """The file and pointer `ref` (written in `src` at `here`) names; None, with an error,
        when it may not be followed."""
        address, _, fragment = ref.partition("#")
        fragment = unquote(fragment)
        if fragment and not fragment.startswith("/"):
            message = f"$ref {ref!r}: the fragment is not a JSON pointer (anchors are not followed)"
            self.found.append(error("SDK040", here, message, src.display))
            return None
        if not address:
            return src, fragment
        try:
            dest = self.tree.resolve(src, address)
        except Refused as refused:
            message = f"$ref {ref!r} {refused.message}"
            self.found.append(error(refused.code, here, message, src.display))
            return None
        return self.sources.setdefault(dest.key, dest), fragment

    def node_at(self, dest: Source, ptr: str, referrer: tuple[Source, str]) -> Any:
        """The node at `ptr` in `dest`, its file read and parsed; _OMIT (reported) when the
        file or the node is not there."""
        try:
            if dest.key not in self.parsed:
                self.parsed[dest.key] = None  # a file that fails is reported once
                self.parsed[dest.key] = load.parse(self.read(dest), dest.display)
        except Refused as refused:
            self.found.append(
                error(refused.code, referrer[1], refused.message, referrer[0].display)
            )
            return _OMIT
        except Fatal as fatal:
            self.found.extend(fatal.diagnostics)
            return _OMIT
        if self.parsed[dest.key] is None:
            return _OMIT
        return self.lookup(dest, ptr, referrer)

    def read(self, dest: Source) -> bytes:
        if dest.key not in self.contents:
            self.contents[dest.key] = self.tree.read(dest)
        return self.contents[dest.key]

    def lookup(self, dest: Source, ptr: str, referrer: tuple[Source, str] | None = None) -> Any:
        node = self.parsed.get(dest.key)
        for part in _path(ptr):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, dict) and part.isdigit() and int(part) in node:
                node = node[int(part)]  # YAML reads `200:` as a number
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                if referrer is not None:
                    message = f"{dest.display}#{ptr} points to nothing"
                    self.found.append(error("SDK040", referrer[1], message, referrer[0].display))
                return _OMIT
        return node

    def want(self, dest: Source, ptr: str) -> Target:
        """`dest#ptr` as a component schema, emitted once."""
        if (dest.key, ptr) not in self.components:
            self.components[dest.key, ptr] = None
            self.queue.append((dest, ptr))
        return dest.key, ptr

    # --- names ---------------------------------------------------------------------------

    def name(self, out: dict[str, Any]) -> dict[Target, str]:
        """Each component's name: see the module docstring."""
        schemas = _schemas(out)
        names: dict[Target, str] = {}
        for name, value in schemas.items():  # `Pet: {$ref: Pet.yaml}` in the entry
            target = self._alias_of(value)
            if target is not None and target not in names:
                names[target] = name
        taken = set(schemas)
        for target in sorted(self.components):
            if target not in names:
                names[target] = self._claim(target, taken)
        return names

    def _alias_of(self, value: Any) -> Target | None:
        if isinstance(value, dict) and len(value) == 1:
            return self.placed.get(id(value))
        return None

    def _claim(self, target: Target, taken: set[str]) -> str:
        key, ptr = target
        parts = _path(ptr)
        base = _sanitise(_base_name(key, parts))
        folder = posixpath.basename(posixpath.dirname(key.split("://")[-1]))
        first = [base] + ([f"{_sanitise(folder)}_{base}"] if folder else [])
        numbered = (f"{base}_{n}" for n in itertools.count(2))  # lazily: a list is O(names)
        name = next(c for c in itertools.chain(first, numbered) if c not in taken)
        taken.add(name)
        if name != base:
            display = self.sources[key].display + ("#" + ptr if ptr else "")
            message = f"the schema of {display} is named {name!r}: {base!r} is taken"
            self.found.append(info("SDK042", "#/components/schemas", message, self.entry.display))
        return name

    def place(self, out: dict[str, Any], names: dict[Target, str]) -> None:
        for placed, key, target in self.pending:
            placed[key] = "#/components/schemas/" + names[target]
        schemas = _schemas(out)
        for target, body in sorted(self.components.items(), key=lambda item: names[item[0]]):
            schemas[names[target]] = body
        for target in names:
            where = (self.sources[target[0]].display, "#" + target[1])
            self.origins["components", "schemas", target] = where

    def _pointer(self, at: At, names: dict[Target, str]) -> str:
        parts = [names[p] if isinstance(p, tuple) else p for p in at]
        return pointer(*parts)


_TOO_BIG = f"the bundled document nests deeper than {load.MAX_DEPTH} levels or expands too far"


def _kind(path: tuple[str, ...], key: str, kind: str) -> str:
    """What the value at `key` under `path` is: a schema, data (never followed), part of an
    extension, or another OpenAPI object."""
    parent = path[-1] if path else ""
    if kind in ("data", "extension"):
        return kind
    if parent in SCHEMA_MAPS:
        return "schema"  # a property, whatever its name
    if key.startswith("x-"):
        return "extension"
    if key in DATA_KEYS or (key in SCHEMA_DATA_KEYS and kind == "schema"):
        return "data"
    if key == "value" and len(path) >= 2 and path[-2] == "examples":
        return "data"
    if key in SCHEMA_KEYS or parent in SCHEMA_LISTS:
        return "schema"
    if path == ("components", "schemas"):
        return "schema"
    return "other"


# Pointer segments that say where a schema sits, not what it is: `limit.yaml#/schema` and
# `Pet.yaml#/properties/owner/items` are named `limit` and `owner`.
_STRUCTURAL = SCHEMA_KEYS | SCHEMA_MAPS | SCHEMA_LISTS | {"content", "application/json"}


def _base_name(key: str, parts: tuple[str, ...]) -> str:
    """A component's name before collisions: the last pointer segment that is a name (not a
    keyword or an index), else the file's stem."""
    for part in reversed(parts):
        if part not in _STRUCTURAL and not part.isdigit():
            return part
    return posixpath.basename(key).rsplit(".", 1)[0]


def _schemas(out: dict[str, Any]) -> dict[str, Any]:
    components = out.setdefault("components", {})
    if not isinstance(components, dict):
        raise Fatal([error("SDK013", "#/components", "components is not a mapping")])
    schemas = components.setdefault("schemas", {})
    if not isinstance(schemas, dict):
        raise Fatal([error("SDK013", "#/components/schemas", "schemas is not a mapping")])
    return schemas


def _path(ptr: str) -> tuple[str, ...]:
    body = ptr.lstrip("/")
    return tuple(p.replace("~1", "/").replace("~0", "~") for p in body.split("/")) if body else ()


def _is_reference(value: str) -> bool:
    """A discriminator mapping value that is a reference, not a schema name."""
    return "#" in value or "/" in value or value.lower().endswith(PARSED)


def _sanitise(text: str) -> str:
    """A component name as OpenAPI allows them (`^[a-zA-Z0-9._-]+$`)."""
    return re.sub(r"[^A-Za-z0-9._-]", "_", text) or "Schema"
