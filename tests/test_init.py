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
    import fineadvisor.estimate
    import fineadvisor.recommend
    from fineadvisor import estimate, recommend

    assert callable(estimate) and estimate.__module__ == "fineadvisor.estimate"
    assert callable(recommend) and recommend.__module__ == "fineadvisor.recommend"
    assert fineadvisor.estimate is estimate


def test_counting_modules_do_not_load_the_pricing_stack() -> None:
    # What a counting worker imports (the forkserver's preload) stays free of pydantic and the price catalog.
    code = ("import sys, fineadvisor._warm; "
            "print(sorted(m for m in ('pydantic', 'genai_prices', 'fineadvisor.catalog', 'numpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
