"""Does any module of kb_portal keep state at module level? (state belongs on objects the app
owns, ``app.extensions[...]``, so two apps in one process share nothing)

A static check over every module, by its syntax tree. It reports:

* ``global`` statements (a module variable rebound at run time);
* module-level functions with ``functools.lru_cache``/``cache`` (a hidden process-wide dict);
* module-level names bound to a container (a literal, a comprehension, or ``dict()``, ``list()``,
  ``set()``, ``OrderedDict()``, ``defaultdict()``, ``Counter()``, ``deque()``, ``bytearray()``,
  ``threading.local()``, weak dictionaries, or an instance of a ``dict``/``list`` subclass of the
  module) that the module changes anywhere (item assignment, ``del``, a mutating method) —
  constant tables that are only read are not state.

A few process-wide things are process-wide by nature; they are listed in :data:`ALLOWED` with
the reason, so a new one needs a reason too.
"""
import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "kb_portal"
CONTAINER_CALLS = {"dict", "list", "set", "OrderedDict", "defaultdict", "Counter", "deque",
                   "bytearray", "local", "WeakValueDictionary", "WeakKeyDictionary",
                   "WeakSet"}
MUTATORS = {"append", "extend", "insert", "add", "update", "pop", "popitem", "clear",
            "setdefault", "remove", "discard", "appendleft", "move_to_end", "__setitem__"}
CACHES = {"lru_cache", "cache"}
ALLOWED = {
    # textnorm.fold: NFKC + OpenCC + casefold of a string, the same in every app (no setting
    # changes it); memoised because folding short strings is on every query's path.
    ("textnorm.py", "fold"): "pure, configuration-free memo",
    # OpenCC converters are not documented as thread-safe: one per thread, no app data in it.
    ("textnorm.py", "_local"): "per-thread converter, no app data",
    # gc.freeze()/set_threshold() act on the whole process: the nesting depth that undoes them
    # must be process-wide too.
    ("bulk.py", "_depth"): "the garbage collector is process-wide",
    ("bulk.py", "_saved"): "the garbage collector is process-wide",
    # Package files (part of the code, reviewed like code) read once; no app data.
    ("article_templates.py", "article_templates"): "package files, read once",
    ("hant.py", "terms"): "package files, read once (a catalogue build tool)",
    # A lexicon file parsed once per file version into frozen dataclasses and tuples: nothing
    # an app can change, and no app data in it (trainers' groups live in the database).
    ("__init__.py", "_parsed"): "immutable parse of a package file (search/lexicon)",
    # Subclasses made once per Markdown processor class: code, not data.
    ("render_limits.py", "_bounded_class"): "generated classes (code), config-free",
    # A registry of classes filled by imports (code, like the list of blueprints).
    ("base.py", "QUESTION_TYPES"): "class registry filled at import",
    # One Markdown instance per thread; issue 11 point 3 replaces it by a fresh renderer per
    # render (the `render` work), which removes this entry.
    ("rendering.py", "_local"): "per-thread renderer, to be removed by issue 11.3",
}


def _name_of(func) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Call):
        return _name_of(func.func)
    return ""


def _container_classes(tree) -> set[str]:
    return {node.name for node in tree.body if isinstance(node, ast.ClassDef)
            and any(_name_of(base) in {"dict", "list", "set", "OrderedDict"}
                    for base in node.bases)}


def _is_container(value, own_classes: set[str]) -> bool:
    if isinstance(value, ast.Dict | ast.List | ast.Set | ast.DictComp | ast.ListComp |
                  ast.SetComp):
        return True
    return isinstance(value, ast.Call) and (_name_of(value.func) in CONTAINER_CALLS
                                            or _name_of(value.func) in own_classes)


def _mutated(tree, name: str) -> bool:
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        elif isinstance(node, ast.Delete):
            targets = node.targets
        for target in targets:
            if isinstance(target, ast.Subscript | ast.Attribute) and \
                    isinstance(target.value, ast.Name) and target.value.id == name:
                return True
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and node.func.value.id == name and \
                node.func.attr in MUTATORS:
            return True
    return False


def findings(path: Path) -> list[tuple[str, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found += [(name, "global statement") for name in node.names]
    own = _container_classes(tree)
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and any(
                _name_of(d) in CACHES for d in node.decorator_list):
            found.append((node.name, "module-level cache (lru_cache)"))
        if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and _is_container(node.value, own) and (
                        _mutated(tree, target.id) or _name_of(node.value) in own
                        or _name_of(node.value) == "local"):
                    found.append((target.id, "module-level container changed at run time"))
    return sorted(set(found))


def test_no_module_level_mutable_state():
    problems = []
    for path in sorted(ROOT.rglob("*.py")):
        for name, why in findings(path):
            if (path.name, name) not in ALLOWED:
                problems.append(f"{path.relative_to(ROOT)}: {name}: {why}")
    assert not problems, "module-level state (put it on an app-owned object):\n" + \
        "\n".join(problems)


def test_the_check_finds_what_it_looks_for(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import functools, threading\n"
        "_cache = {}\n"
        "TABLE = {'a': 1}\n"
        "_seen = set()\n"
        "_local = threading.local()\n"
        "class Memo(dict):\n    pass\n"
        "_memo = Memo()\n"
        "@functools.lru_cache(maxsize=8)\n"
        "def f(x):\n    return x\n"
        "def g(k, v):\n    global _ready\n    _cache[k] = v\n    _seen.add(k)\n"
        "    return TABLE[k]\n")
    assert findings(module) == [
        ("_cache", "module-level container changed at run time"),
        ("_local", "module-level container changed at run time"),
        ("_memo", "module-level container changed at run time"),
        ("_ready", "global statement"),
        ("_seen", "module-level container changed at run time"),
        ("f", "module-level cache (lru_cache)"),
    ]
