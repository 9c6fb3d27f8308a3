"""`ehcflow.statutory` is pure Python: the standard library and itself, never Django."""

import ast
import subprocess
import sys
from pathlib import Path

import ehcflow.statutory

PACKAGE = Path(ehcflow.statutory.__file__).parent


def test_it_imports_only_the_standard_library() -> None:
    for path in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                assert top in sys.stdlib_module_names or name.startswith("ehcflow.statutory"), (
                    f"{path.name} imports {name}"
                )


def test_importing_it_loads_no_django_and_no_numpy() -> None:
    code = (
        "import sys, ehcflow.statutory, ehcflow.statutory.measures;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('django', 'numpy')];"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        cwd=PACKAGE.parent.parent,
    )
    assert result.stdout.strip() == ""
