"""Every private Whoosh name the fast engine relies on still exists (engine/whoosh_private.py),
and the fast engine never falls back to a slow path in normal use."""
import ast
from pathlib import Path

from kb_portal.search import query as query_builder
from kb_portal.search.engine import whoosh_private

from .conftest import fill, new_engine

ENGINE = Path(whoosh_private.__file__).parent


def test_every_private_whoosh_name_the_fast_engine_uses_exists():
    missing = whoosh_private.missing()
    assert not missing, (
        "whoosh-reloaded changed: the fast engine uses these names, which this Whoosh no "
        "longer has: " + ", ".join(missing) + ". Adapt engine/fast/ (see "
        "engine/whoosh_private.py) or pin the Whoosh that has them.")


def test_the_check_names_what_is_missing(monkeypatch):
    monkeypatch.setitem(whoosh_private.PRIVATE_NAMES, whoosh_private.W3LeafMatcher,
                        ("_read_ids", "_read_idz"))
    assert whoosh_private.missing() == [
        "whoosh.codec.whoosh3.W3LeafMatcher._read_idz"]


def _whoosh_imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and \
                (node.module or "").split(".")[0] == "whoosh":
            names.add(node.module)
    return names


def test_the_fast_engine_imports_whoosh_internals_only_through_whoosh_private():
    public = {"whoosh.fields", "whoosh.formats", "whoosh.analysis", "whoosh.query",
              "whoosh.index", "whoosh.columns", "whoosh.lang.porter", "whoosh.writing",
              "whoosh.scoring", "whoosh.reading", "whoosh"}
    for path in sorted(ENGINE.rglob("*.py")):
        if path.name == "whoosh_private.py":
            continue
        internal = _whoosh_imports(path) - public
        assert not internal, f"{path.relative_to(ENGINE)} imports {internal} directly"


def test_the_reference_engine_uses_no_private_name():
    for path in sorted((ENGINE / "reference").rglob("*.py")):
        tree = ast.parse(path.read_text())
        private = {node.attr for node in ast.walk(tree)
                   if isinstance(node, ast.Attribute) and node.attr.startswith("_")
                   and not node.attr.startswith("__")}
        assert not private, f"{path.name} uses {private}"
        assert "whoosh_private" not in path.read_text()


def test_normal_use_takes_no_slow_path(tmp_path, analyzer, build, synonyms, demo_sources):
    from bench.relevance_queries import QUERIES

    engine = new_engine("fast", tmp_path / "ix", analyzer, procs=2)
    fill(engine, build, demo_sources)
    with engine.writing() as session:  # a save: a small segment with a deleted copy behind
        session.replace(build(demo_sources[0]))
        session.merge = False
    snapshot = engine.snapshot()
    assert snapshot.has_deletions() and snapshot.segment_count() == 2
    for _kind, text, _answers in QUERIES:
        built = query_builder.build(text, analyzer, snapshot, synonyms)
        assert snapshot.run(built.plan, sort="updated" if "E" in text else None)[0] >= 0
    snapshot.fingerprint()
    assert engine.fallbacks == {}


def test_a_slow_path_is_counted_and_ranks_the_same(tmp_path, analyzer, build, synonyms,
                                                   demo_sources, monkeypatch):
    """The counter the test above reads does count: should a Whoosh upgrade hand over its
    posting lists as classes the fast scorer does not know (simulated by renaming the two it
    knows), every term goes through Whoosh's generic matcher interface — same ranking, and
    ``fallbacks`` says so."""
    from bench.relevance_queries import QUERIES
    from kb_portal.search.engine.fast import scoring

    engine = new_engine("fast", tmp_path / "ix", analyzer)
    fill(engine, build, demo_sources)
    queries = [text for _kind, text, _answers in QUERIES[:12]]

    def ranked():
        snapshot = engine.snapshot()
        snapshot.forget("scorer")
        out = []
        for text in queries:
            built = query_builder.build(text, analyzer, snapshot, synonyms)
            out.append([(snapshot.stored(ref)["slug"], round(score, 6))
                        for score, ref in snapshot.run(built.plan, top=20)[1]])
        return out

    expected = ranked()
    assert engine.fallbacks == {} and any(expected)
    monkeypatch.setattr(scoring, "W3LeafMatcher", type("RenamedBlockMatcher", (), {}))
    monkeypatch.setattr(scoring, "ListMatcher", type("RenamedListMatcher", (), {}))
    assert ranked() == expected
    assert engine.fallbacks["postings"] > 0


def test_a_warmed_snapshot_leaves_no_norms_to_its_first_search(tmp_path, analyzer, build,
                                                               synonyms, demo_sources):
    """What ``warm`` is for: the length norms of every scored field in every segment are
    there before the first search, which then computes none (at 50,000 articles they took a
    worker's first searches about a second)."""
    engine = new_engine("fast", tmp_path / "ix", analyzer)
    fill(engine, build, demo_sources)
    with engine.writing() as session:  # a second segment
        session.replace(build(demo_sources[0]))
        session.merge = False
    snapshot = engine.snapshot()
    snapshot.warm()
    warmed = len(engine.norms)
    scored = [name for name, field in snapshot.searcher.schema.items() if field.scorable]
    assert warmed == len(scored) * snapshot.segment_count()
    for text in ("退款 发票", "refund policy", "E-102"):
        snapshot.run(query_builder.build(text, analyzer, snapshot, synonyms).plan)
    assert len(engine.norms) == warmed
