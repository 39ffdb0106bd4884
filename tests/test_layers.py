"""The layers point one way: a test fails when an import points the wrong way.

API edges -> application services -> the conversation engine (no I/O of its own) ->
providers -> storage. Checked on the source, so that a lazy import inside a function
counts as much as one at the top of a module.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).parent.parent / "src" / "parley"

# (the modules under this folder or file, may not import any of these)
RULES: list[tuple[str, tuple[str, ...]]] = [
    ("engine", ("parley.storage", "parley.api", "parley.schemas.agent_config", "parley.agents")),
    ("providers", ("parley.engine", "parley.api", "parley.storage", "parley.conversations")),
    ("settings.py", ("parley.providers", "parley.engine", "parley.api")),
]


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def modules_of(where: str) -> list[Path]:
    target = PACKAGE / where
    return [target] if target.is_file() else sorted(target.rglob("*.py"))


def forbidden_imports(where: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in modules_of(where):
        for name in sorted(imported_modules(path)):
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return found


@pytest.mark.parametrize(("where", "forbidden"), RULES, ids=[rule[0] for rule in RULES])
def test_imports_point_one_way(where: str, forbidden: tuple[str, ...]) -> None:
    assert modules_of(where), f"no modules under {where}: the rule checks nothing"
    assert forbidden_imports(where, forbidden) == []


def test_the_check_sees_a_wrong_import(tmp_path: Path) -> None:
    module = tmp_path / "bad.py"
    module.write_text("def f():\n    from parley.storage.agents import StoredAgent\n")
    assert "parley.storage.agents" in imported_modules(module)
