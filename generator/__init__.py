"""sdkgen: an OpenAPI 3.0 to typed Python client generator."""

from pathlib import Path

__version__ = "0.1.0"


def templates_dir() -> Path:
    """`generator/_templates` in a wheel; `templates/` beside the package in a checkout."""
    here = Path(__file__).resolve().parent
    installed = here / "_templates"
    return installed if installed.is_dir() else here.parent / "templates"
