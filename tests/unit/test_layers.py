"""The domain stays pure: what import-linter cannot say about submodules of eventsourcing."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import scrutiny_es
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


def test_no_module_imports_another_that_imports_it_back_directly_or_in_a_loop() -> None:
    import grimp

    graph = grimp.build_graph("scrutiny_es")
    loops = {
        frozenset(chain)
        for module in graph.modules
        for imported in graph.find_modules_directly_imported_by(module)
        if (chain := graph.find_shortest_chain(importer=imported, imported=module)) is not None
    }
    assert sorted(sorted(loop) for loop in loops) == []


def test_following_a_correction_through_the_code_reaches_no_read_model() -> None:
    import grimp

    graph = grimp.build_graph("scrutiny_es", exclude_type_checking_imports=True)  # what runs, not what is named
    recording = "scrutiny_es.application.recording"
    reached = graph.find_upstream_modules(recording)
    read_side = ("scrutiny_es.adapters.sql", "scrutiny_es.adapters.memory", "scrutiny_es.application.reading",
                 "scrutiny_es.projections.items", "scrutiny_es.projections.audit")  # fmt: skip
    assert sorted(m for m in reached if m.startswith(read_side)) == []


def test_no_source_file_is_over_500_lines() -> None:
    package = Path(scrutiny_es.__file__).parent
    long = {
        str(p.relative_to(package)): n for p in package.rglob("*.py") if (n := len(p.read_text().splitlines())) > 500
    }
    assert long == {}
