"""The house rules that a linter cannot scope by folder: the core never imports the CLI
framework or the terminal renderer (library first, CLI thin)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "costcalc"


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, at any level of the file (lazy imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = _module_name(path if path.name == "__init__.py" else path.parent)
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _is_front_end(path: Path) -> bool:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] in ("cli", "render") or rel.name.startswith("render")


CORE = [p for p in sorted(PACKAGE.rglob("*.py")) if not _is_front_end(p)]


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_imports_typer_or_rich(path: Path) -> None:
    banned = {m for m in imports_of(path) if m.split(".")[0] in ("typer", "rich", "click")}
    assert not banned, f"{path.name} imports {sorted(banned)}: only cli/ and render may"


def test_the_rule_sees_lazy_imports(tmp_path: Path) -> None:
    fake = tmp_path / "x.py"
    fake.write_text("def f():\n    import rich.table\n    from typer import Exit\n")
    assert {"rich.table", "typer", "typer.Exit"} <= imports_of(fake)
