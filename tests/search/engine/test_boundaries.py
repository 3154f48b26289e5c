"""Where Whoosh may be used, and what the engine may use (issue 12, "Done when").

By the syntax tree of every module of ``kb_portal/`` (imports inside functions count too):

* only ``kb_portal/search/engine/`` imports Whoosh — the product side talks to the interface;
* the engine imports neither Flask nor the database layer nor the app's models: it is handed
  the analyzer, and the only app module it uses is ``kb_portal.children`` (helper processes
  that die with their parent, shared with the importer);
* outside ``search/`` nobody imports search's views or its engine: other features (the API)
  call ``search.services``.
"""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[3] / "kb_portal"
ENGINE = PACKAGE / "search" / "engine"
ENGINE_MAY_IMPORT = {"kb_portal.children"}
NOT_IN_THE_ENGINE = ("flask", "flask_", "sqlalchemy", "werkzeug", "jinja2")


def module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path, root: Path = PACKAGE) -> set[str]:
    """Absolute names of every module ``path`` imports (relative imports resolved)."""
    here = module_name(path, root).split(".")
    if path.name != "__init__.py":
        here = here[:-1]  # the package the module is in
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = here[:len(here) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            found.add(base)
            # `from . import views` imports a module too
            found.update(f"{base}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "import_module" \
                and node.args and isinstance(node.args[0], ast.Constant):
            found.add(str(node.args[0].value))
    return found


def _is(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def whoosh_outside_the_engine(root: Path = PACKAGE) -> list[str]:
    engine = root / "search" / "engine"
    return [f"{path.relative_to(root)} imports {name}"
            for path in sorted(root.rglob("*.py")) if engine not in path.parents
            for name in sorted(imports(path, root)) if _is(name, "whoosh")]


def test_only_the_engine_imports_whoosh():
    found = whoosh_outside_the_engine()
    assert not found, "Whoosh is the engine's business (kb_portal/search/engine/):\n" + \
        "\n".join(found)


def test_the_engine_imports_neither_flask_nor_the_app():
    found = []
    for path in sorted(ENGINE.rglob("*.py")):
        for name in sorted(imports(path)):
            foreign = name.startswith(NOT_IN_THE_ENGINE) or (
                _is(name, "kb_portal") and not _is(name, "kb_portal.search.engine")
                and not any(_is(name, ok) for ok in ENGINE_MAY_IMPORT))
            if foreign:
                found.append(f"{path.relative_to(PACKAGE)} imports {name}")
    assert not found, "the engine must not know the app:\n" + "\n".join(found)


def test_other_features_use_search_services_not_its_views_or_engine():
    search = PACKAGE / "search"
    found = [f"{path.relative_to(PACKAGE)} imports {name}"
             for path in sorted(PACKAGE.rglob("*.py")) if search not in path.parents
             for name in sorted(imports(path))
             if _is(name, "kb_portal.search.views") or _is(name, "kb_portal.search.engine")]
    assert not found, "\n".join(found)


def test_the_checks_find_what_they_look_for(tmp_path):
    """The checks above are not vacuous: each way of importing Whoosh is caught."""
    root = tmp_path / "kb_portal"
    (root / "search" / "engine").mkdir(parents=True)
    (root / "search" / "engine" / "ok.py").write_text("from whoosh import index\n")
    (root / "search" / "bad.py").write_text(
        "import whoosh.query\n"
        "def later():\n    from whoosh.scoring import BM25F\n"
        "    import importlib\n    importlib.import_module('whoosh.writing')\n")
    (root / "kb").mkdir()
    (root / "kb" / "views.py").write_text("from ..search.engine import make_engine\n"
                                          "from ..search import views\n")
    assert whoosh_outside_the_engine(root) == [
        "search/bad.py imports whoosh.query", "search/bad.py imports whoosh.scoring",
        "search/bad.py imports whoosh.scoring.BM25F", "search/bad.py imports whoosh.writing"]
    assert {"kb_portal.search.engine", "kb_portal.search.views"} <= \
        imports(root / "kb" / "views.py", root)
