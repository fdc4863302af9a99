"""Count the `Any` fallbacks of every real document, by construct (issue 13, item 7).

    .venv/bin/python tests/benchmarks/any_census.py [--root CHECKOUT] [--json out.json]
    .venv/bin/python tests/benchmarks/any_census.py --compare before.json after.json

For each document of ../shared/specs (the Leonardo one and everything under public/; a split
document through the bundler; invalid ones too, since the IR builder never needs validation),
builds the IR with the sdkgen of CHECKOUT (default: this one) and counts:
- SDK201 notes by construct (their message up to the `;`, numbers replaced by N);
- the other `Any` warnings (SDK204/205/206) by code;
- `Any` places in the IR (parameters, body fields, results, model fields, nested), and those
  with no diagnostic at their pointer ("silent"; a checkout whose `AnyType` has no pointer
  counts every place as silent).
`--compare` prints the README's Markdown table from two `--json` outputs (before, after).
"""

from __future__ import annotations

import argparse
import collections
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
SPECS = REPO.parent / "shared" / "specs"
sys.path.insert(0, str(REPO))

from tests.support.any_walk import any_places  # noqa: E402  (this checkout's, whatever --root)


def documents() -> list[Path]:
    public = SPECS / "public"
    found = [SPECS / "leonardo-ai-variation-openapi.json"]
    for pattern in ("*.json", "twilio-multi/*.json", "opc-e2e/*.yaml"):
        found += sorted(public.glob(pattern))
    return [*found, public / "redocly-cafe" / "openapi" / "openapi.yaml"]


def construct(message: str) -> str:
    text = message.split(";", maxsplit=1)[0]
    text = re.sub(r"'[^']*' bodies", "non-JSON bodies", text)
    return re.sub(r"\d+", "N", text)


def census(root: Path) -> dict[str, dict[str, Any]]:
    sys.path.insert(0, str(root))
    load = importlib.import_module("generator.load")
    build = importlib.import_module("generator.build").build
    result = {}
    for path in documents():
        api, diagnostics = build(load.load(str(path)).data, package_name="p", env_prefix="P")
        counts: collections.Counter[str] = collections.Counter()
        for d in diagnostics:
            if d.code == "SDK201":
                counts[f"SDK201 {construct(d.message)}"] += 1
            elif d.code in {"SDK204", "SDK205", "SDK206"}:
                counts[d.code] += 1
        explained = {d.pointer for d in diagnostics}
        places = [at for _, at in any_places(api)]
        counts["Any places in the IR"] = len(places)
        counts["silent Any places"] = sum(1 for at in places if not at or at not in explained)
        result[str(path.relative_to(SPECS))] = dict(counts)
    return result


COLUMNS = {  # the README table's columns: construct keys (`census`) summed into each
    "unions": ("SDK201 a union of N types is not modelled yet",),
    "non-JSON bodies": ("SDK201 non-JSON bodies are passed as raw bytes",),
    "schemas allowing any value": (
        "SDK201 a schema without a type (any value)",
        "SDK201 a free-form object (values of any type)",
        "SDK201 an array without `items` (items of any type)",
        "SDK201 a `true` schema (any value)",
        "SDK201 items after `prefixItems` (any)",
    ),
    "enums (SDK206)": ("SDK206",),
    "Any places in the IR": ("Any places in the IR",),
    "silent Any places": ("silent Any places",),
}


def compare(before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]) -> str:
    """One row per document, one column per construct: `before -> after`."""
    head = "| document | " + " | ".join(COLUMNS) + " |"
    lines = [head, "|---|" + "---:|" * len(COLUMNS)]
    for spec, counts in after.items():
        old_counts = before.get(spec, {})
        cells = [
            f"{sum(old_counts.get(k, 0) for k in keys)} -> {sum(counts.get(k, 0) for k in keys)}"
            for keys in COLUMNS.values()
        ]
        lines.append(f"| {spec} | " + " | ".join(cells) + " |")
    known = {k for keys in COLUMNS.values() for k in keys}
    other = sorted({k for c in (*before.values(), *after.values()) for k in c} - known)
    if other:
        lines.append(f"\nNot in a column: {', '.join(other)}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--root", type=Path, default=REPO)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--compare", nargs=2, type=Path, metavar=("BEFORE", "AFTER"))
    args = parser.parse_args()
    if args.compare:
        before, after = (json.loads(p.read_text(encoding="utf-8")) for p in args.compare)
        print(compare(before, after))
        return
    result = census(args.root.resolve())
    text = json.dumps(result, indent=2, sort_keys=True)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)


if __name__ == "__main__":
    main()
