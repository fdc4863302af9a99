"""Build hook: the wheel carries the Jinja templates precompiled, as `generator/_compiled`.

Compiling the templates is ~0.15 s of a first `sdkgen generate`; a wheel ships them as Python
modules (byte-compiled by pip at install time), with a stamp of their sources, Jinja2 version
and options that `generator.render.template_loader` checks before using them. Editable installs
and sdists get nothing: they read the checkout's templates, as a changed template must win.

It imports `generator.render` from the source tree, which needs only the standard library and
Jinja2 (a build requirement), so it works in pip's isolated build environment.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.config import BuilderConfig
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class PrecompiledTemplates(BuildHookInterface[BuilderConfig]):
    _target: Path | None = None  # the temporary directory of this build's compiled templates

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        sys.path.insert(0, self.root)
        try:
            from generator.render import compile_templates
        finally:
            sys.path.remove(self.root)
        self._target = Path(tempfile.mkdtemp(prefix="sdkgen-templates-"))
        compile_templates(self._target, Path(self.root) / "templates" / "package")
        build_data["force_include"][str(self._target)] = "generator/_compiled"

    def finalize(self, version: str, build_data: dict[str, Any], artifact_path: str) -> None:
        if self._target is not None:
            shutil.rmtree(self._target, ignore_errors=True)
