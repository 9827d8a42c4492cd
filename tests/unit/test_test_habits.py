"""The suite's own habits, read from its source: fixtures live in conftest.py files, and what
tests share besides fixtures in support modules (tests/support.py, tests/*/…_support.py).

A test that imports a conftest.py, or another test module, makes pytest's fixture file or a
test file a library: its module is loaded under two names, and a fixture or a `pytestmark`
comes along unseen.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def imported(source: str, package: str) -> list[str]:
    """Every module (or name from a package) a module of `package` imports, relative imports
    spelled out in full."""
    names: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            names.extend([module] if node.module else [f"{module}.{a.name}" for a in node.names])
    return names


def test_no_test_imports_a_conftest_or_another_test_module() -> None:
    wrong = [
        f"{path.relative_to(TESTS.parent)}: {name}"
        for path in sorted(TESTS.rglob("*.py"))
        for name in imported(
            path.read_text(encoding="utf-8"), ".".join(path.relative_to(TESTS.parent).parent.parts)
        )
        if name.startswith("tests.") or name == "conftest"
        if name.rsplit(".", 1)[-1] == "conftest" or name.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert wrong == []


def test_the_check_reads_each_way_of_importing() -> None:
    source = (
        "from .conftest import TOKEN\n"
        "from . import test_rota\n"
        "from ..unit.routing_support import NOW\n"
        "import tests.e2e.conftest\n"
    )
    assert imported(source, "tests.sandbox") == [
        "tests.sandbox.conftest",
        "tests.sandbox.test_rota",
        "tests.unit.routing_support",
        "tests.e2e.conftest",
    ]
