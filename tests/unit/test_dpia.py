"""docs/dpia.md names, for every statement about the bot, the test that keeps it true.

A statement whose test is renamed or deleted would go on being read as proven; this fails
instead, so the document and the tests move together.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DPIA = ROOT / "docs" / "dpia.md"
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)(?:::(\w+))?`")


def functions_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }


def test_every_test_the_dpia_names_exists() -> None:
    references = REFERENCE.findall(DPIA.read_text(encoding="utf-8"))
    assert len(references) >= 10, "the DPIA names the tests behind its statements"
    for file, function in references:
        path = ROOT / file
        assert path.is_file(), f"docs/dpia.md names {file}, which does not exist"
        if function:
            assert function in functions_in(path), f"docs/dpia.md names {file}::{function}"
