"""The domain stays pure: what import-linter cannot say about submodules of eventsourcing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import scrutiny_es.domain

DOMAIN = Path(scrutiny_es.domain.__file__).parent
ALLOWED = {"pydantic", "eventsourcing.domain", "scrutiny_es.domain"}


def imported_modules(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_domain_imports_only_the_standard_library_pydantic_and_eventsourcing_domain() -> None:
    outside = {
        (path.name, module)
        for path in DOMAIN.glob("*.py")
        for module in imported_modules(path)
        if module.split(".")[0] not in sys.stdlib_module_names
        and not any(module == allowed or module.startswith(allowed + ".") for allowed in ALLOWED)
    }
    assert outside == set()
