"""The default job's pin, through the command line: every source of the pinned spec (the local
file, a mirror, the URL) is checked against the whole sha256, and a malformed pin is refused."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.support.fault_server import FaultServer, reply

SPEC = """\
openapi: 3.0.3
info: {title: Shop, version: "1.0"}
paths:
  /items:
    get:
      operationId: listItems
      responses: {"200": {description: ok}}
security: [{key: []}]
components:
  securitySchemes:
    key: {type: apiKey, in: header, name: X-Key}
"""
DIGEST = hashlib.sha256(SPEC.encode()).hexdigest()


def project(root: Path, pin: str, *, mirror: bool = False) -> None:
    """A project whose [tool.sdkgen] pins specs/shop.yaml (or finds it in a mirror)."""
    (root / "pyproject.toml").write_text(
        "[tool.sdkgen]\n"
        'spec = "specs/shop.yaml"\n'
        f'spec-sha256 = "{pin}"\n'
        + ('mirrors = ["mirror"]\n' if mirror else "")
        + 'output = "out"\npackage-name = "shop_client"\n',
        encoding="utf-8",
    )
    folder = root / ("mirror" if mirror else "specs")
    folder.mkdir(exist_ok=True)
    (folder / "shop.yaml").write_text(SPEC, encoding="utf-8")


@pytest.mark.parametrize("mirror", [False, True], ids=["local", "mirror"])
def test_the_pinned_spec_is_used_when_its_digest_matches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: bool
) -> None:
    project(tmp_path, DIGEST.upper(), mirror=mirror)  # case does not matter
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    client = (tmp_path / "out" / "shop_client" / "_client.py").read_text(encoding="utf-8")
    assert "SHOP_API_KEY" in client  # the prefix from the title when none is configured


@pytest.mark.parametrize("mirror", [False, True], ids=["local", "mirror"])
def test_a_spec_that_differs_from_the_pin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mirror: bool
) -> None:
    project(tmp_path, DIGEST, mirror=mirror)
    folder = tmp_path / ("mirror" if mirror else "specs")
    (folder / "shop.yaml").write_text(SPEC.replace("Shop", "Shoq"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert f"ERROR SDK022 {folder / 'shop.yaml'}#: sha256 " in result.output
    digest = hashlib.sha256(SPEC.replace("Shop", "Shoq").encode()).hexdigest()
    assert (
        f"sha256 {digest} does not match the pinned {DIGEST}; if the new document is wanted, "
        "re-pin spec-sha256 in [tool.sdkgen]"
    ) in result.output
    assert not (tmp_path / "out").exists()


def test_the_whole_digest_is_compared(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    last = "0" if DIGEST[-1] != "0" else "1"
    project(tmp_path, DIGEST[:-1] + last)  # all but the last digit agree
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK022" in result.output


@pytest.mark.parametrize("pin", [DIGEST[:32], DIGEST + "0", "sha256:" + DIGEST, "z" * 64])
def test_a_malformed_pin_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pin: str
) -> None:
    project(tmp_path, pin)
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK020" in result.output
    assert "spec-sha256 must be 64 hexadecimal digits" in result.output


def test_no_pyproject_and_no_spec_is_sdk021(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    assert "ERROR SDK021 #: no SPEC given and no `spec` in [tool.sdkgen]" in result.output


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ('spec = "x.yaml"\nspce = 1\nzeta = 2\n', "unknown [tool.sdkgen] keys: spce, zeta"),
        ("spec = 3\n", "spec must be a string"),
        ('spec = "x.yaml"\noutput = ["a"]\n', "output must be a string"),
        ('spec = "x.yaml"\nenv-prefix = true\n', "env-prefix must be a string"),
        ('spec = "x.yaml"\nmirrors = "../shared"\n', "mirrors must be a list of strings"),
        ('spec = "x.yaml"\noverlays = [1]\n', "overlays must be a list of strings"),
        ('spec = "x.yaml"\nsilence = ["SDK108"]\n', "silence must map each diagnostic code"),
        (
            'spec = "x.yaml"\n[tool.sdkgen.silence]\nSDK108 = " "\n',
            "silence must map each diagnostic code",
        ),
        (
            'spec = "x.yaml"\n[tool.sdkgen.silence]\nSDK108 = 1\n',
            "silence must map each diagnostic code",
        ),
        ('spec = "x.yaml\n', "cannot read [tool.sdkgen]: "),
    ],
    ids=[
        "unknown",
        "spec",
        "output",
        "env-prefix",
        "mirrors",
        "overlays",
        "silence-list",
        "silence-blank",
        "silence-int",
        "toml",
    ],
)
def test_a_malformed_table_is_sdk020_in_pyproject(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: str, message: str
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.sdkgen]\n" + table, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    for command in ("generate", "validate", "lint"):
        result = run_cli(command, "-q")
        assert result.exit_code == 1
        [line] = [x for x in result.output.splitlines() if x.startswith("ERROR ")]
        assert line.startswith(f"ERROR SDK020 {tmp_path / 'pyproject.toml'}#: {message}"), line


def test_a_tool_table_of_another_shape(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "pyproject.toml").write_text('tool = "x"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert "ERROR SDK021 #: no SPEC given" in run_cli("generate", "-q").output
    (tmp_path / "pyproject.toml").write_text("[tool]\nsdkgen = 1\n", encoding="utf-8")
    assert "[tool.sdkgen] must be a table" in run_cli("generate", "-q").output


def test_a_missing_pinned_spec_names_every_place_tried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project(tmp_path, DIGEST, mirror=True)
    (tmp_path / "mirror" / "shop.yaml").unlink()
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 1
    tried = f"{tmp_path / 'specs' / 'shop.yaml'}, {tmp_path / 'mirror' / 'shop.yaml'}"
    assert f"ERROR SDK021 #: pinned spec not found (tried {tried}) and no spec-url" in (
        result.output
    )


def test_the_table_configures_the_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project(tmp_path, DIGEST)
    with (tmp_path / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('env-prefix = "SHOPX"\n[tool.sdkgen.silence]\nSDK108 = "no errors upstream"\n')
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate")
    assert result.exit_code == 0, result.output
    assert "SDK108" not in result.output
    assert "SHOPX_API_KEY" in (tmp_path / "out" / "shop_client" / "_client.py").read_text()


def test_defaults_and_overlays_from_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.other]\nx = 1\n[tool.sdkgen]\nspec = "shop.yaml"\noverlays = ["rename.yaml"]\n',
        encoding="utf-8",
    )
    (tmp_path / "shop.yaml").write_text(SPEC, encoding="utf-8")
    (tmp_path / "rename.yaml").write_text(
        "overlay: 1.0.0\ninfo: {title: rename, version: '1'}\nactions:\n"
        "  - target: $.paths['/items'].get\n    update: {operationId: listGoods}\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    client = (tmp_path / "generated" / "shop" / "shop" / "_client.py").read_text()
    assert "def list_goods(" in client and "def list_items(" not in client


def test_another_tool_table_alone_is_no_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.other]\nx = 1\n", encoding="utf-8")
    (tmp_path / "shop.yaml").write_text(SPEC, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert run_cli("generate", "shop.yaml", "-q").exit_code == 0
    assert "ERROR SDK021 #: no SPEC given" in run_cli("generate", "-q").output


@pytest.fixture
def server() -> Iterator[FaultServer]:
    with FaultServer() as srv:
        yield srv


def test_the_pinned_spec_is_downloaded_checked_and_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FaultServer
) -> None:
    server.script("GET", "/shop.yaml", reply(200, SPEC.encode(), content_type="text/yaml"))
    (tmp_path / "pyproject.toml").write_text(
        "[tool.sdkgen]\n"
        'spec = "specs/pinned/shop.yaml"\n'
        f'spec-url = "{server.url("/shop.yaml")}"\n'
        f'spec-sha256 = "{DIGEST}"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    result = run_cli("generate", "-q")
    assert result.exit_code == 0, result.output
    saved = tmp_path / "specs" / "pinned"
    assert [p.name for p in saved.iterdir()] == ["shop.yaml"]  # no temporary file left
    assert (saved / "shop.yaml").read_text(encoding="utf-8") == SPEC
    assert (tmp_path / "generated" / "shop" / "shop" / "_client.py").is_file()


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        (
            '[tool]\nsdkgen = {{spec = "shop.yaml", spec-url = "{url}"}}\n',
            "no [tool.sdkgen] table to re-pin",
        ),
        (
            '[tool.sdkgen]\nspec = "shop.yaml"\nspec-url = "{url}"\n',
            "[tool.sdkgen] has no spec-sha256 line to update",
        ),
    ],
    ids=["inline-table", "no-pin-line"],
)
def test_fetch_update_needs_lines_it_can_edit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    server: FaultServer,
    pyproject: str,
    message: str,
) -> None:
    server.script("GET", "/shop.yaml", reply(200, SPEC.encode(), content_type="text/yaml"))
    path = tmp_path / "pyproject.toml"
    path.write_text(pyproject.format(url=server.url("/shop.yaml")), encoding="utf-8")
    before = path.read_bytes()
    monkeypatch.chdir(tmp_path)
    result = run_cli("fetch", "--update")
    assert result.exit_code == 1
    assert f"ERROR SDK020 {path}#: {message}" in result.output.splitlines()
    assert path.read_bytes() == before


def test_fetch_update_repins_under_a_commented_table_header(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FaultServer
) -> None:
    server.script("GET", "/shop.yaml", reply(200, SPEC.encode(), content_type="text/yaml"))
    path = tmp_path / "pyproject.toml"
    text = (
        "[tool.sdkgen]  # the default job\n"
        'spec = "shop.yaml"\n'
        f'spec-url = "{server.url("/shop.yaml")}"\n'
        f'spec-sha256 = "{"0" * 64}"  # pinned\n'
        "[tool.after]\nkeep = 1\n"
    )
    path.write_text(text, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = run_cli("fetch", "--update", "-q")
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == text.replace("0" * 64, DIGEST)
