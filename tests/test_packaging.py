"""The wheel carries the templates, precompiled, and the static runtime: a plain (non-editable)
install generates exactly what the checkout generates, without compiling a template."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jinja2
import pytest

from generator.render import STAMP, compile_templates, template_loader
from tests.conftest import REPO
from tests.test_golden import GOLDEN, tree

TEMPLATES = REPO / "templates" / "package"
TEMPLATE_NAMES = sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob("*.jinja"))

# Runs `sdkgen generate ARGS...` after checking which loader the templates come from.
SCRIPT = (
    "import sys, jinja2, generator.render as r; from generator.cli import main;"
    "loader = r.template_loader(); assert type(loader).__name__ == sys.argv[1], loader;"
    "sys.argv = ['sdkgen', 'generate', *sys.argv[2:]]; main()"
)


def _generate(spec: Path, out: Path, cache: Path, loader: str, site: Path | None) -> None:
    env = {**os.environ, "SDKGEN_CACHE_DIR": str(cache)}
    if site is not None:
        env["PYTHONPATH"] = str(site)  # ahead of the editable install
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, loader, str(spec), "-o", str(out), "-q"],
        env=env,
        cwd=out.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_wheel_contains_precompiled_templates_and_generates_the_same_tree(
    tmp_path: Path, leonardo_spec: Path
) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        check=True,
    )
    (wheel,) = tmp_path.glob("sdkgen-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "generator/_templates/runtime/_runtime.py" in names
    assert "generator/_templates/runtime/errors.py" in names
    assert "generator/_templates/runtime/_wire.py" in names
    assert "generator/_templates/runtime/_waiters.py" in names
    assert "generator/_templates/package/_client.py.jinja" in names
    assert f"generator/_compiled/{STAMP}" in names
    compiled = {
        f"generator/_compiled/{jinja2.ModuleLoader.get_module_filename(n)}" for n in TEMPLATE_NAMES
    }
    assert (
        "generator/_compiled/" + jinja2.ModuleLoader.get_module_filename("macros.jinja") in compiled
    )
    assert compiled <= names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)

    for spec in (
        GOLDEN / "petstore" / "spec.yaml",
        GOLDEN / "edge_cases" / "spec.yaml",
        leonardo_spec,
    ):
        run = tmp_path / spec.parent.name
        run.mkdir()
        _generate(spec, run / "wheel", run / "wheel-cache", "ModuleLoader", site)
        _generate(spec, run / "checkout", run / "checkout-cache", "FileSystemLoader", None)
        assert tree(run / "wheel") == tree(run / "checkout")
        # Both used their cache; only the checkout compiled templates into it.
        assert (run / "wheel-cache" / "format").is_dir()
        assert not (run / "wheel-cache" / "jinja").exists()
        assert any((run / "checkout-cache" / "jinja").rglob("*.cache"))


def _edit(key: str, value: str) -> Callable[[dict[str, Any]], None]:
    def edit(stamp: dict[str, Any]) -> None:
        stamp[key] = value

    return edit


def test_precompiled_templates_are_used_only_with_a_matching_stamp(tmp_path: Path) -> None:
    compiled = tmp_path / "compiled"
    compile_templates(compiled, TEMPLATES)
    assert isinstance(template_loader(compiled), jinja2.ModuleLoader)
    stamp = json.loads((compiled / STAMP).read_text(encoding="utf-8"))
    for edit in (
        _edit("templates_sha256", "0" * 64),  # compiled from other templates
        _edit("jinja2", "3.0.0"),  # by another Jinja2
        _edit("options", "[('trim_blocks', False)]"),  # with other options
        lambda s: s.pop("jinja2"),
    ):
        changed = dict(stamp)
        edit(changed)
        (compiled / STAMP).write_text(json.dumps(changed), encoding="utf-8")
        assert isinstance(template_loader(compiled), jinja2.FileSystemLoader), changed
    for damaged in ("", "{not json"):
        (compiled / STAMP).write_text(damaged, encoding="utf-8")
        assert isinstance(template_loader(compiled), jinja2.FileSystemLoader)
    (compiled / STAMP).unlink()
    assert isinstance(template_loader(compiled), jinja2.FileSystemLoader)
    assert isinstance(template_loader(tmp_path / "missing"), jinja2.FileSystemLoader)


def test_templates_compiled_from_edited_sources_are_not_used(tmp_path: Path) -> None:
    edited = tmp_path / "templates"
    shutil.copytree(TEMPLATES, edited)
    with (edited / "macros.jinja").open("a", encoding="utf-8") as handle:
        handle.write("{# edited #}\n")
    compile_templates(tmp_path / "compiled", edited)
    assert isinstance(template_loader(tmp_path / "compiled"), jinja2.FileSystemLoader)


def test_a_template_that_does_not_compile_fails_the_build(tmp_path: Path) -> None:
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "bad.jinja").write_text("{% for x in %}", encoding="utf-8")
    with pytest.raises(jinja2.TemplateSyntaxError):
        compile_templates(tmp_path / "compiled", broken)
