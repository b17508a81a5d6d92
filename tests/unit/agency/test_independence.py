"""An agency installs only the kit: it imports none of CivicFlow's own packages."""

import ast
from pathlib import Path

KIT = Path(__file__).resolve().parents[3] / "agency" / "src" / "civicflow_agency"


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    return names | {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}


def test_the_kit_imports_nothing_of_civicflows_services_or_shared_library() -> None:
    modules = {module for path in KIT.rglob("*.py") for module in imported_modules(path)}
    assert modules, "the kit's sources were not found"
    assert not [module for module in modules if module == "civicflow" or module.startswith("civicflow.")]
