"""The direction of imports, read from the source: the layering is checked, not hoped for.

    shell (bot/app/, bot/__main__.py)   assembles everything below it
    handlers/                           Telegram in and out: parse, check the role, call, render
    domain (bot/ apart from app/, sandbox/)   plain Python: no Telegram, no handlers
    storage/                            every SQL statement: nothing of the bot above it
    the Bot API double (bot/sandbox/)   stands in for Telegram: nothing of the bot at all

Above the domain, storage is reached through the domain's functions: the handlers and the
shell take from `storage` only the database handle and the records' types (and the shell the
single-instance lease), never a query.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TYPES_AND_HANDLE = ("storage.db", "storage.models")


@dataclass(frozen=True)
class Layer:
    name: str
    forbidden: tuple[str, ...]  # modules (and their submodules) this layer may not import
    allowed: tuple[str, ...] = ()  # exceptions to `forbidden`


LAYERS = {
    "shell": Layer("shell", forbidden=("storage",), allowed=(*TYPES_AND_HANDLE, "storage.lease")),
    "handlers": Layer(
        "handlers", forbidden=("bot.app", "bot.sandbox", "storage"), allowed=TYPES_AND_HANDLE
    ),
    "domain": Layer("domain", forbidden=("handlers", "telegram", "bot.app", "bot.sandbox")),
    "storage": Layer("storage", forbidden=("bot", "handlers", "telegram")),
    "double": Layer(
        "double", forbidden=("bot", "handlers", "storage", "telegram"), allowed=("bot.sandbox",)
    ),
}


def layer_of(module: str) -> Layer | None:
    if module == "bot.__main__" or module.startswith("bot.app.") or module == "bot.app":
        return LAYERS["shell"]
    if module == "bot.sandbox" or module.startswith("bot.sandbox."):
        return LAYERS["double"]
    for top in ("handlers", "storage"):
        if module == top or module.startswith(f"{top}."):
            return LAYERS[top]
    if module == "bot" or module.startswith("bot."):
        return LAYERS["domain"]
    return None


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_module(name: str) -> bool:
    path = ROOT.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every module `source` imports, anywhere in it (a function's body, `TYPE_CHECKING`), with
    its line: `from bot import members` imports `bot.members`, a relative import is resolved."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".")
                anchor = package[: len(package) - node.level + (1 if is_package else 0)]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                full = f"{base}.{alias.name}" if base else alias.name
                found.append((node.lineno, full if _is_module(full) else base))
    return found


def _within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(f"{prefix}.")


def violations(source: str, module: str, is_package: bool = False) -> list[str]:
    """The imports in `source` (the text of `module`) that run against the layering."""
    layer = layer_of(module)
    if layer is None:
        return []
    wrong = []
    for line, imported in imported_modules(source, module, is_package):
        if any(_within(imported, f) for f in layer.forbidden) and not any(
            _within(imported, a) for a in layer.allowed
        ):
            wrong.append(f"{module}:{line} ({layer.name}) imports {imported}")
    return wrong


def project_modules() -> list[Path]:
    return sorted(
        path for top in ("bot", "handlers", "storage") for path in (ROOT / top).rglob("*.py")
    )


def test_every_module_imports_only_downwards() -> None:
    modules = project_modules()
    assert len(modules) > 80  # the whole tree was read, not an empty folder
    wrong = [
        problem
        for path in modules
        for problem in violations(
            path.read_text(encoding="utf-8"), module_name(path), path.name == "__init__.py"
        )
    ]
    assert wrong == []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.routing", "from handlers import offers"),
        ("bot.routing", "import telegram"),
        ("bot.routing", "def later():\n    from telegram.error import TelegramError\n"),
        ("bot.members", "from bot.app import cli"),
        ("storage.requests", "from bot import routing"),
        ("storage.requests", "from telegram import Update"),
        ("handlers.offers", "from bot.app.application import build_application"),
        ("handlers.offers", "from storage import requests"),
        ("handlers.offers", "from storage.requests import add_relay"),
        ("bot.app.cli", "from storage import updates"),
        ("bot.sandbox.server", "from bot import routing"),
        ("bot.sandbox.server", "from storage.db import Database"),
        ("bot.sandbox.server", "from .. import routing"),
    ],
)
def test_an_import_against_the_direction_is_caught(module: str, source: str) -> None:
    assert violations(source, module) != []


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("bot.app.cli", "from handlers import offers\nfrom storage.lease import Lease"),
        ("bot.__main__", "from bot.app.cli import main"),
        ("handlers.offers", "from bot import routing\nfrom storage.models import Role"),
        ("handlers.offers", "from storage.db import Database\nimport telegram"),
        ("bot.routing", "from storage import requests\nfrom bot.rota import Interval"),
        ("bot.sandbox.server", "from .state import World\nfrom bot.sandbox import limits"),
    ],
)
def test_an_import_along_the_direction_passes(module: str, source: str) -> None:
    assert violations(source, module) == []
