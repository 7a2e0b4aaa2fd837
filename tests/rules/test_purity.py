"""The rules package is pure: standard library only, and no reading of the clock."""

import ast
import sys
from pathlib import Path

RULES = Path(__file__).parents[2] / "tracker" / "rules"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_rules_import_only_the_standard_library():
    files = sorted(RULES.rglob("*.py"))
    assert files
    for path in files:
        outside = {n for n in _imports(path) if n not in sys.stdlib_module_names}
        assert not outside, f"{path.name} imports {outside}"


def test_rules_never_read_the_clock():
    for path in RULES.rglob("*.py"):
        text = path.read_text()
        for call in ("date.today(", "datetime.now(", "time.time(", "datetime.today("):
            assert call not in text, f"{path.name} calls {call}"
