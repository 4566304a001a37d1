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


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node of ``tree`` except the bodies of ``if TYPE_CHECKING:`` (type-only)."""
    out: list[ast.AST] = []
    stack = [tree]
    while stack:
        node = stack.pop()
        out.append(node)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
            else:
                stack.append(child)
    return out


def imports_of(path: Path, runtime_only: bool = False) -> set[str]:
    """Every module ``path`` imports, at any level of the file (lazy imports count too);
    with ``runtime_only``, not those under ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in _runtime_nodes(tree) if runtime_only else ast.walk(tree):
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
    return rel.parts[0] in ("cli", "render")


CORE = [p for p in sorted(PACKAGE.rglob("*.py")) if not _is_front_end(p)]


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_imports_typer_or_rich(path: Path) -> None:
    banned = {m for m in imports_of(path) if m.split(".")[0] in ("typer", "rich", "click")}
    assert not banned, f"{path.name} imports {sorted(banned)}: only cli/ and render may"


def test_the_rule_sees_lazy_imports(tmp_path: Path) -> None:
    fake = tmp_path / "x.py"
    fake.write_text("def f():\n    import rich.table\n    from typer import Exit\n")
    assert {"rich.table", "typer", "typer.Exit"} <= imports_of(fake)


@pytest.mark.parametrize("path", CORE, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_the_core_never_imports_the_renderers(path: Path) -> None:
    """``render/`` is a front end: results flow to it, never back from it."""
    found = {m for m in imports_of(path) if m.startswith("costcalc.render")}
    assert not found, f"{path.name} imports {sorted(found)}: only cli/ and render/ may"


def test_the_shared_formatting_module_knows_no_result_type() -> None:
    """``render/fmt.py`` is the floor of ``render/``: every renderer may import it, and it
    imports no renderer and nothing that builds a result."""
    allowed = {"costcalc.finite", "costcalc.errors", "costcalc.units"}
    ours = {
        m.rpartition(".")[0] if m.count(".") > 1 else m
        for m in imports_of(PACKAGE / "render" / "fmt.py")
    }
    assert {m for m in ours if m.startswith("costcalc.")} <= allowed


def test_there_are_no_flat_renderers_beside_the_core() -> None:
    assert sorted(p.name for p in PACKAGE.glob("render*.py")) == []


def _import_graph() -> dict[str, set[str]]:
    modules = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets = set()
        for imported in imports_of(path, runtime_only=True):
            while imported and imported not in modules:
                imported = imported.rpartition(".")[0]
            if imported and imported not in (name, "costcalc"):
                targets.add(imported)
        graph[name] = targets
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    """Imports point down: no two modules import each other, directly or around a loop
    (lazy imports inside functions count; type-only imports do not)."""
    assert _cycles(_import_graph()) == []


def test_the_circle_finder_finds_circles() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
