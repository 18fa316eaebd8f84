"""The package's public names: all importable, loaded on first use, and the functions keep their names."""

from __future__ import annotations

import subprocess
import sys

import pytest

import fineadvisor


@pytest.mark.parametrize("name", fineadvisor.__all__)
def test_every_public_name_resolves(name: str) -> None:
    assert getattr(fineadvisor, name) is not None
    assert name in dir(fineadvisor)


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        fineadvisor.nope  # noqa: B018


def test_functions_named_like_their_module_stay_functions() -> None:
    import fineadvisor.advise.estimate
    import fineadvisor.advise.recommend
    from fineadvisor import estimate, recommend

    assert callable(estimate) and estimate.__module__ == "fineadvisor.advise.estimate"
    assert callable(recommend) and recommend.__module__ == "fineadvisor.advise.recommend"
    assert fineadvisor.estimate is estimate and fineadvisor.recommend is recommend


def test_the_name_table_and_the_type_checking_imports_agree() -> None:
    """`API` is the one table; the TYPE_CHECKING block repeats it for type checkers, name for name."""
    import ast
    from pathlib import Path

    tree = ast.parse(Path(fineadvisor.__file__).read_text(encoding="utf-8"))
    block = next(n for n in tree.body if isinstance(n, ast.If) and getattr(n.test, "id", "") == "TYPE_CHECKING")
    typed = {alias.asname or alias.name: node.module for node in block.body if isinstance(node, ast.ImportFrom)
             for alias in node.names}
    assert typed == {name: f"fineadvisor.{module}" for name, module in fineadvisor.API.items()}
    assert list(fineadvisor.__all__) == sorted(fineadvisor.API)


def test_counting_modules_do_not_load_the_pricing_stack() -> None:
    # What a counting worker imports (the forkserver's preload) stays free of pydantic and the price catalog.
    code = ("import sys, fineadvisor.measure._fast.warm; "
            "print(sorted(m for m in ('pydantic', 'genai_prices', 'fineadvisor.advise.catalog', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
