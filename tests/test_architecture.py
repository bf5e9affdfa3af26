"""The package's shape: stages import only downwards, no cycles, no private names across modules."""
from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qa"


def test_import_contracts_in_pyproject_hold():
    # layers (ui → eval → api → kb → answering → search → index → embedding → ingest → text →
    # config/errors/types) and no cycles between the modules of any package
    # In a subprocess: import-linter reconfigures logging, which would silence later tests' caplog.
    code = ("import sys; from importlinter.cli import lint_imports; "
            f"sys.exit(lint_imports(config_filename={str(ROOT / 'pyproject.toml')!r}, no_cache=True))")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout[-3000:]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _private_imports(path: Path) -> list[str]:
    """Return ``module: name`` for each private name (``_x``) imported from another qa module."""
    return _private_imports_in(path.read_text(encoding="utf-8"), _module_name(path))


def _private_imports_in(source: str, me: str) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("qa") and node.level == 0:
            for alias in node.names:
                if alias.name.startswith("_") and node.module != me:
                    found.append(f"{me}: from {node.module} import {alias.name}")
    return found


def test_no_module_imports_a_private_name_of_another_module():
    offenders = [hit for path in sorted(PACKAGE.rglob("*.py")) for hit in _private_imports(path)]
    offenders += _private_imports(ROOT / "app.py")
    assert offenders == []


def test_private_import_check_notices_one_and_allows_a_modules_own():
    source = "from qa.search.fusion import _FLAT_SPAN, fuse\nfrom qa.search.dense import _x\n"
    assert _private_imports_in(source, "qa.search.hybrid") == [
        "qa.search.hybrid: from qa.search.fusion import _FLAT_SPAN", "qa.search.hybrid: from qa.search.dense import _x"]
    assert _private_imports_in(source, "qa.search.dense") == ["qa.search.dense: from qa.search.fusion import _FLAT_SPAN"]


@pytest.mark.parametrize("stage", ["ingest", "text", "embedding", "index", "search", "answering", "eval", "ui"])
def test_each_stage_is_a_package_whose_docstring_lists_its_modules(stage):
    init = PACKAGE / stage / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
    modules = sorted(p.stem for p in (PACKAGE / stage).glob("*.py") if p.stem != "__init__")
    missing = [m for m in modules if f"``{m}``" not in doc]
    assert modules and missing == []
