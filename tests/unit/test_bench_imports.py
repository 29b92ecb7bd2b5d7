"""Every name a bench script imports from the app exists: a regrouping must not silently break `make bench`.

The scripts import lazily inside functions (a fresh process per figure), so importing the script
alone would not catch a moved module; the imports are read from the source instead.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"


def app_imports(script: Path) -> list[tuple[str, str]]:
    """(module, name) for every ``from app... import name`` anywhere in the script."""
    tree = ast.parse(script.read_text(encoding="utf-8"), filename=str(script))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "app":
            found.extend((node.module, alias.name) for alias in node.names)
        if isinstance(node, ast.Import):
            found.extend((alias.name, "") for alias in node.names if alias.name.split(".")[0] == "app")
    return found


@pytest.mark.parametrize("script", sorted(BENCH.glob("*.py")), ids=lambda path: path.name)
def test_bench_script_imports_exist(script: Path) -> None:
    for module_name, name in app_imports(script):
        module = importlib.import_module(module_name)
        if name and not hasattr(module, name):
            importlib.import_module(f"{module_name}.{name}")  # a submodule imported by name
