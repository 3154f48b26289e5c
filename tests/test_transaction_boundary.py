"""One transaction per request or command (issue 12), read from the code of the packages that
follow the rule through :mod:`kb_portal.transaction`: ``kb``, ``accounts`` and ``cli.py``.

Services flush; only a view module (``*views*.py``), a ``commands.py`` or ``cli.py`` commits,
and only through ``transaction.commit()`` — a bare ``db.session.commit()`` would skip the
after-commit signals the search index and training listen to. The one documented exception is
the article importer's chunked commit (kb/importer.py's docstring says why).
"""
import ast
from pathlib import Path

import kb_portal

PACKAGE = Path(kb_portal.__file__).parent
CHECKED = [*sorted((PACKAGE / "kb").glob("*.py")), *sorted((PACKAGE / "accounts").glob("*.py")),
           PACKAGE / "cli.py"]
# Where a commit is allowed outside views and commands, and why (see the module's docstring).
EXCEPTIONS = {"kb/importer.py": "commits every CHUNK articles: a 50,000-article import must "
                                "not hold SQLite's write lock for minutes"}


def commits(path: Path) -> list[tuple[int, str]]:
    """(line, called expression) of every ``….commit()`` call in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "commit":
            found.append((node.lineno, ast.unparse(node.func)))
    return found


def may_commit(path: Path) -> bool:
    name = path.name
    return "views" in name or name in ("commands.py", "cli.py") or \
        path.relative_to(PACKAGE).as_posix() in EXCEPTIONS


def test_only_views_and_commands_commit_and_only_through_the_transaction_module():
    wrong = []
    for path in CHECKED:
        where = path.relative_to(PACKAGE).as_posix()
        for line, call in commits(path):
            if not may_commit(path):
                wrong.append(f"{where}:{line} {call}() in a service module (flush instead)")
            elif call != "transaction.commit" and where not in EXCEPTIONS:
                wrong.append(f"{where}:{line} {call}() (use transaction.commit())")
    assert not wrong, "\n".join(wrong)


def test_the_check_sees_what_it_must():
    calls = {where: {call for _line, call in commits(PACKAGE / where)}
             for where in ("kb/editor_views.py", "kb/importer.py")}
    assert "transaction.commit" in calls["kb/editor_views.py"]
    assert "db.session.commit" in calls["kb/importer.py"]
    assert not may_commit(PACKAGE / "kb" / "services.py")
