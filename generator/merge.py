"""Several documents, one client: the IRs built from each document merged into one `ir.Api`.

Each document is built alone (`generator.build`), then merged here, in the order given:
- Groups stay each document's own, with its server (`ir.Group.base_url`; none when the
  document's is not absolute: the client's base URL, the first absolute one) and its security. A
  group name that two documents use is prefixed in both (`lookups_v1_default`,
  `verify_v2_default`); a document with an explicit prefix has it on every group (unless the
  group's name already starts with it). Group class names are chosen again from the final names.
- Models and enums: a name taken by an earlier document names one class when the two
  definitions have the same structure (field names, wire names, types, requiredness, enum
  values; descriptions, defaults and deprecation are documentation and may differ: the first
  document's are kept), decided as a greatest fixpoint, so two cycles of identical models are one.
  A same-named, different definition is renamed with its document's prefix in front
  (`PricingV2ListVoiceCountryResponse`; then a number), note SDK045.
- Security schemes that send the same credential the same way (kind, location, name) are one
  scheme: one set of constructor arguments. Others keep their own, renamed with the document's
  prefix when their key or an argument name is taken (note SDK045).

It deliberately does not unify two differently named definitions of the same shape: they may
mean different things, and a rename would break code written against either document alone.
The IR walk is generic over the frozen dataclasses of `generator.ir`, so new type kinds that
hold `ModelRef`/`EnumRef` values are renamed too.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from generator import ir, naming, requests
from generator.diagnostics import Diagnostic, Fatal, error, info

T = TypeVar("T")
_CLIENT_MEMBERS = frozenset({"close", "base_url", "with_raw_response"})
# Documentation only: two definitions differing in these are still one class.
_DOC_FIELDS = frozenset({"description", "pointer", "deprecated", "default", "summary"})
# Which way a model travels is not what it is: a shared class travels every way any of its
# documents sends or receives it.
_USE_FIELDS = frozenset({"in_requests", "in_responses"})


@dataclasses.dataclass(frozen=True, slots=True)
class Part:
    """One document's IR, with the prefix its groups (and renamed classes) may get."""

    api: ir.Api
    prefix: str  # a snake_case identifier, unique in the set
    explicit: bool  # given by the user: every group of the document gets it
    source: str  # the document, for diagnostics


@dataclasses.dataclass(frozen=True, slots=True)
class Counts:
    documents: int
    shared: int  # definitions found in an earlier document and generated once
    renamed: int  # same-named, different definitions given another name
    prefixed_groups: int
    groups: tuple[tuple[str, ...], ...]  # each document's group names
    servers: tuple[str, ...]  # each document's server


def merge(
    parts: Sequence[Part], *, package_name: str, env_prefix: str
) -> tuple[ir.Api, list[Diagnostic], Counts]:
    """One `ir.Api` from the IRs of several documents (see the module docstring)."""
    found: list[Diagnostic] = []
    classes = _Classes(naming.class_scope(naming.CLIENT_CLASSES))
    kept = classes.kept
    renames, shared, renamed = [], 0, 0
    for part in parts:
        rename, same, other = classes.add(part, found)
        renames.append(rename)
        shared += same
        renamed += other
    groups, prefixed = _groups(parts, renames, classes.scope)
    schemes, scheme_keys = _schemes(parts, env_prefix, found)
    groups = [
        tuple(_with_security(g, scheme_keys[i]) for g in part_groups)
        for i, part_groups in enumerate(groups)
    ]
    all_groups = tuple(sorted((g for gs in groups for g in gs), key=lambda g: g.attr_name))
    first = parts[0].api
    titles = list(dict.fromkeys(p.api.title for p in parts))
    api = ir.Api(
        title=", ".join(titles),
        description=first.description,
        spec_version=first.spec_version,
        package_name=package_name,
        env_prefix=env_prefix,
        base_url=next((p.api.base_url for p in parts if _absolute(p.api.base_url)), ""),
        schemes=tuple(sorted(schemes, key=lambda s: s.key)),
        needs_credentials=bool(schemes) and all(p.api.needs_credentials for p in parts),
        groups=all_groups,
        models=tuple(sorted((m for m in kept.values() if isinstance(m, ir.Model)), key=_name)),
        enums=tuple(sorted((e for e in kept.values() if isinstance(e, ir.Enum)), key=_name)),
    )
    counts = Counts(
        documents=len(parts),
        shared=shared,
        renamed=renamed,
        prefixed_groups=prefixed,
        groups=tuple(tuple(g.attr_name for g in gs) for gs in groups),
        servers=tuple(p.api.base_url for p in parts),
    )
    return api, found, counts


def _name(item: ir.Model | ir.Enum) -> str:
    return item.name


# --- models and enums ---------------------------------------------------------------------------


@dataclasses.dataclass
class _Classes:
    """The package's models and enums so far, by final name, and the final names each original
    name was given (`Item` -> [`Item`, `ShopV1Item`])."""

    scope: naming.Scope
    kept: dict[str, ir.Model | ir.Enum] = dataclasses.field(default_factory=dict)
    aliases: dict[str, list[str]] = dataclasses.field(default_factory=dict)

    def add(self, part: Part, found: list[Diagnostic]) -> tuple[dict[str, str], int, int]:
        """The final name of each model and enum of `part`, and how many of them an earlier
        document already has (shared) or have another document's name (renamed)."""
        own: dict[str, ir.Model | ir.Enum] = {m.name: m for m in part.api.models}
        own.update((e.name, e) for e in part.api.enums)
        same = self._same(own)
        rename = dict(same)
        renamed = 0
        for n in sorted(own):
            if n in same:
                self._travels_also(same[n], own[n])
                continue
            if self.scope.is_free(n):
                rename[n] = self.scope.claim(n)
                continue
            rename[n] = self.scope.claim(naming.pascal(part.prefix) + n)
            renamed += 1
            message = (
                f"class {n} differs from the one of an earlier document with that name: "
                f"it is {rename[n]} here"
            )
            found.append(info("SDK045", own[n].pointer, message, part.source))
        for n in sorted(own):
            if n not in same:
                self.kept[rename[n]] = dataclasses.replace(rewrite(own[n], rename), name=rename[n])
                self.aliases.setdefault(n, []).append(rename[n])
        return rename, len(same), renamed

    def _travels_also(self, name: str, other: ir.Model | ir.Enum) -> None:
        kept = self.kept[name]
        if isinstance(kept, ir.Model) and isinstance(other, ir.Model):
            self.kept[name] = dataclasses.replace(
                kept,
                in_requests=kept.in_requests or other.in_requests,
                in_responses=kept.in_responses or other.in_responses,
            )

    def _same(self, own: Mapping[str, ir.Model | ir.Enum]) -> dict[str, str]:
        """The classes of `own` that an earlier document has, and their final names: for each
        name, the first earlier class of that name whose structure is the same once every
        reference is mapped so too. Candidates are only ever dropped, so this ends, at a
        mapping under which every shared definition is equal to the one it is mapped to."""
        candidates = {
            n: [c for c in self.aliases.get(n, ()) if type(self.kept[c]) is type(d)]
            for n, d in own.items()
        }
        while True:
            mapping = {n: (c[0] if c else "\0" + n) for n, c in candidates.items()}
            changed = False
            for n, c in candidates.items():
                if c and _shape(own[n], mapping) != _shape(self.kept[c[0]], {}):
                    c.pop(0)
                    changed = True
            if not changed:
                return {n: c[0] for n, c in candidates.items() if c}


def _shape(definition: ir.Model | ir.Enum, mapping: Mapping[str, str]) -> Any:
    """What makes two definitions one class: everything but their documentation."""
    anonymous = dataclasses.replace(definition, name="")  # its name is what is being decided
    return _walk(rewrite(anonymous, mapping), lambda f: f not in _DOC_FIELDS | _USE_FIELDS)


def _walk(value: Any, keep: Callable[[str], bool]) -> Any:
    if isinstance(value, tuple):
        return tuple(_walk(v, keep) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            type(value).__name__,
            tuple(
                (f.name, _walk(getattr(value, f.name), keep))
                for f in dataclasses.fields(value)
                if keep(f.name) and f.compare  # not `AnyType.at`: where it fell back
            ),
        )
    return value


def rewrite(value: T, classes: Mapping[str, str]) -> T:
    """`value` with every `ModelRef`/`EnumRef` in it renamed by `classes` (others kept)."""
    if isinstance(value, ir.ModelRef | ir.EnumRef):
        return dataclasses.replace(value, name=classes.get(value.name, value.name))
    if isinstance(value, tuple):
        return tuple(rewrite(v, classes) for v in value)  # type: ignore[return-value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = dataclasses.fields(value)
        changes = {f.name: rewrite(getattr(value, f.name), classes) for f in fields}
        return dataclasses.replace(value, **changes)
    return value


# --- groups -------------------------------------------------------------------------------------


def _group_names(parts: Sequence[Part]) -> list[list[str]]:
    """The attribute name of each group of each document, prefixed where needed."""
    used = Counter(g.attr_name for p in parts for g in p.api.groups)
    names = []
    for part in parts:
        mine = []
        for g in part.api.groups:
            name = g.attr_name
            has_prefix = name == part.prefix or name.startswith(part.prefix + "_")
            wanted = not has_prefix if part.explicit else used[name] > 1
            mine.append(f"{part.prefix}_{name}" if wanted else name)
        names.append(mine)
    owner: dict[str, str] = {}
    for part, mine in zip(parts, names, strict=True):
        for name in mine:
            if name in owner or name in _CLIENT_MEMBERS:
                other = owner.get(name, "the client itself")
                message = (
                    f"group {name!r} is also one of {other}: give the documents different prefixes"
                )
                raise Fatal([error("SDK046", "#", message, part.source)])
            owner[name] = part.source
    return names


def _groups(
    parts: Sequence[Part], renames: Sequence[Mapping[str, str]], classes: naming.Scope
) -> tuple[list[tuple[ir.Group, ...]], int]:
    names = _group_names(parts)
    result = []
    prefixed = 0
    for part, rename, mine in zip(parts, renames, names, strict=True):
        class_names: dict[str, str] = {}
        groups = []
        for g, attr in zip(part.api.groups, mine, strict=True):
            prefixed += attr != g.attr_name
            class_name = classes.claim(naming.pascal(attr, "Default") + "Resource")
            async_name = classes.claim("Async" + class_name)
            class_names[g.class_name] = class_name
            class_names[g.async_class_name] = async_name
            groups.append(
                dataclasses.replace(
                    g,
                    attr_name=attr,
                    class_name=class_name,
                    async_class_name=async_name,
                    raw_class_name=classes.claim(class_name + "WithRawResponse"),
                    async_raw_class_name=classes.claim(async_name + "WithRawResponse"),
                    operations=rewrite(g.operations, rename),
                    base_url=_absolute(part.api.base_url),
                    document=part.prefix,
                )
            )
        result.append(tuple(_with_poll_classes(g, class_names) for g in groups))
    return result, prefixed


def _absolute(url: str) -> str:
    """A document's server URL when it is absolute; "" (the client's base URL) otherwise: a
    relative one (warning SDK212) would be relative to where the document was served."""
    return url if url.startswith(("http://", "https://")) else ""


def _with_poll_classes(group: ir.Group, class_names: Mapping[str, str]) -> ir.Group:
    def moved(op: ir.Operation) -> ir.Operation:
        if op.waiter is None:
            return op
        waiter = dataclasses.replace(
            op.waiter,
            poll_class=class_names[op.waiter.poll_class],
            poll_async_class=class_names[op.waiter.poll_async_class],
        )
        return dataclasses.replace(op, waiter=waiter)

    return dataclasses.replace(group, operations=tuple(moved(op) for op in group.operations))


# --- security -----------------------------------------------------------------------------------


def _schemes(
    parts: Sequence[Part], env_prefix: str, found: list[Diagnostic]
) -> tuple[list[ir.SecurityScheme], list[dict[str, str]]]:
    """The client's schemes, and for each document the key each of its schemes became."""
    merged: list[ir.SecurityScheme] = []
    by_way: dict[tuple[str, str, str], ir.SecurityScheme] = {}
    args = naming.Scope(naming.PYTHON_KEYWORDS | requests.CLIENT_ARGS)
    keys: set[str] = set()
    result = []
    for part in parts:
        mine: dict[str, str] = {}
        for s in part.api.schemes:
            way = (s.kind, s.location, s.name.lower() if s.location == "header" else s.name)
            if way in by_way:
                mine[s.key] = by_way[way].key
                continue
            key = s.key if s.key not in keys else f"{part.prefix}:{s.key}"
            wanted = tuple(a if args.is_free(a) else f"{part.prefix}_{a}" for a in s.args)
            claimed = tuple(args.claim(a) for a in wanted)
            scheme = dataclasses.replace(
                s, key=key, args=claimed, envs=tuple(f"{env_prefix}_{a.upper()}" for a in claimed)
            )
            if (key, claimed) != (s.key, s.args):
                message = (
                    f"security scheme {s.key!r} differs from an earlier document's: "
                    f"its arguments are {', '.join(claimed)}"
                )
                at = f"#/components/securitySchemes/{s.key}"
                found.append(info("SDK045", at, message, part.source))
            keys.add(key)
            by_way[way] = scheme
            merged.append(scheme)
            mine[s.key] = key
        result.append(mine)
    return merged, result


def _with_security(group: ir.Group, keys: Mapping[str, str]) -> ir.Group:
    def moved(op: ir.Operation) -> ir.Operation:
        security = tuple(tuple(keys.get(k, k) for k in alt) for alt in op.security)
        return dataclasses.replace(op, security=security)

    return dataclasses.replace(group, operations=tuple(moved(op) for op in group.operations))
