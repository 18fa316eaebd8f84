"""The package's layers show in its imports: measure ← advise ← present, each importing only what lies below it.

    top level (errors, model_names, fine_tuning_rules, formatting)  imports no layer
    measure/   imports the top level; never advise or present
    advise/    imports the top level; measure only for types (under TYPE_CHECKING); never present, and none of
               tiktoken, orjson, numpy, pandas, click, streamlit, altair
    present/   imports anything below it
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "fineadvisor"
HEAVY = ("tiktoken", "orjson", "numpy", "pandas", "click", "streamlit", "altair")
SHARED = ("errors", "model_names", "fine_tuning_rules", "formatting")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__")


def modules(layer: str) -> list[str]:
    return sorted(module_name(p) for p in (PACKAGE / layer).rglob("*.py"))


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def runtime_imports(path: Path) -> set[str]:
    """Every module a file imports when it runs (anywhere in it, functions included), not under TYPE_CHECKING:
    relative imports resolved, names of the package's facade mapped to their modules (`from fineadvisor import
    estimate` is `fineadvisor.advise.estimate`), and `importlib.import_module("…")` calls with a literal name."""
    import fineadvisor

    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()

    def absolute(node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = package.split(".")
        base = base[: len(base) - node.level + 1]
        return ".".join([*base, node.module] if node.module else base)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = absolute(node)
            found.add(base)
            for alias in node.names:
                found.add(f"{base}.{alias.name}")  # `from fineadvisor import measure`
                if base == "fineadvisor" and alias.name in fineadvisor.API:
                    found.add(f"fineadvisor.{fineadvisor.API[alias.name]}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, (ast.Attribute, ast.Name))
              and getattr(node.func, "attr", getattr(node.func, "id", "")) in ("import_module", "__import__")
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    if parts[0] != "fineadvisor" or len(parts) < 2:
        return None
    return parts[1] if parts[1] in ("measure", "advise", "present") else "shared"


ALLOWED = {"shared": {"shared"}, "measure": {"shared", "measure"}, "advise": {"shared", "advise"},
           "present": {"shared", "measure", "advise", "present"}}
FILES = sorted(p for p in PACKAGE.rglob("*.py") if p.name != "__init__.py" or p.parent != PACKAGE)


@pytest.mark.parametrize("path", FILES, ids=[module_name(p) for p in FILES])
def test_imports_follow_the_flow(path: Path) -> None:
    here = layer_of(module_name(path))
    if module_name(path) == "fineadvisor.__main__":
        return  # `python -m fineadvisor` runs the CLI
    assert here is not None
    imported = runtime_imports(path)
    against = sorted(m for m in imported if (layer_of(m) or here) not in ALLOWED[here])
    assert not against, f"{module_name(path)} ({here}) imports {against}"
    if here == "advise":
        heavy = sorted(m for m in imported if m.split(".")[0] in HEAVY)
        assert not heavy, f"{module_name(path)} imports {heavy}, even inside a function"


@pytest.mark.parametrize("name", SHARED)
def test_shared_modules_import_no_layer_and_no_heavy_library(name: str) -> None:
    imported = runtime_imports(PACKAGE / f"{name}.py")
    assert not {m for m in imported if layer_of(m) not in (None, "shared")}
    assert not {m for m in imported if m.split(".")[0] in HEAVY}


@pytest.mark.parametrize("module", modules("advise"))
def test_importing_advise_loads_nothing_heavy_nor_another_layer(module: str) -> None:
    """In a fresh interpreter: what importing the module actually loads, its package's __init__ files included."""
    code = (f"import sys, {module}\n"
            f"heavy = {HEAVY!r}\n"
            "bad = {m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}\n"
            "bad |= {m for m in sys.modules if m.startswith(('fineadvisor.measure', 'fineadvisor.present'))}\n"
            "print(' '.join(sorted(bad)))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_the_rule_checker_sees_every_kind_of_import_and_skips_type_only_ones(monkeypatch: pytest.MonkeyPatch) -> None:
    source = PACKAGE / "advise" / "_layer_probe.py"  # a module of advise, as far as relative imports go
    monkeypatch.setattr(Path, "read_text", lambda self, encoding=None: (
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fineadvisor.measure import scan\n"
        "def f():\n    import fineadvisor.present.cli\n    from fineadvisor import measure, analyze_logs\n"
        "    from ..present import report\n    from . import costs\n    import numpy\n"
        "    importlib.import_module('fineadvisor.present.charts')\n"))
    found = runtime_imports(source)
    assert {"fineadvisor.present.cli", "fineadvisor.measure", "fineadvisor.measure.analysis",
            "fineadvisor.present.report", "fineadvisor.advise.costs", "numpy", "fineadvisor.present.charts"} <= found
    assert "fineadvisor.measure.scan" not in found
