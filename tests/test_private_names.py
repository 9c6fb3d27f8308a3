"""Nothing outside a module uses its private names (`_name`).

import-linter checks imports of modules (and of private modules, `_name.py`); this checks the
names inside them, which it cannot see: `from ehcflow.x import _helper` and `x._helper(...)`
where `x` is an ehcflow module, anywhere in the package, the tests or the benchmarks. A helper
another module needs is public: give it a name without the underscore and a docstring.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = ("ehcflow", "tests", "benchmarks")


def _is_private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _is_module(dotted: str) -> bool:
    path = ROOT.joinpath(*dotted.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def private_uses(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line name` for each private name of another ehcflow module used in `path`."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    here = ".".join(path.relative_to(root).with_suffix("").parts)
    modules: dict[str, str] = {}  # local name -> ehcflow module it is bound to
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("ehcflow"):
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if _is_private(alias.name) and node.module != here:
                    found.append(f"{path.relative_to(root)}:{node.lineno} {full}")
                if _is_module(full):
                    modules[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("ehcflow") and alias.asname:
                    modules[alias.asname] = alias.name
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name)
                and node.value.id in modules and _is_private(node.attr)
                and modules[node.value.id] != here):
            found.append(f"{path.relative_to(root)}:{node.lineno} "
                         f"{modules[node.value.id]}.{node.attr}")
    return found


def test_no_module_uses_another_modules_private_names() -> None:
    found = [use for folder in SCANNED for path in sorted((ROOT / folder).rglob("*.py"))
             if "migrations" not in path.parts for use in private_uses(path)]
    assert found == []


def test_the_check_sees_both_forms(tmp_path: Path) -> None:
    """The check finds a from-import of a private name and a private attribute of a module."""
    sample = tmp_path / "tests" / "sample.py"
    sample.parent.mkdir()
    sample.write_text("from ehcflow.insight.figures import _x\n"
                      "from ehcflow.insight import figures\n"
                      "figures._y()\n", encoding="utf-8")
    assert private_uses(sample, root=tmp_path) == [
        "tests/sample.py:1 ehcflow.insight.figures._x",
        "tests/sample.py:3 ehcflow.insight.figures._y",
    ]
