"""Do both engines give the same ranked results? On the demo articles with the relevance
suite's queries, and on a generated corpus with the benchmark's generated queries.

Each engine builds its own plan through the product's query builder (so the vocabulary
look-ups are compared too) and returns every match; results are compared as (slug, score
rounded to 6 decimals), ordered by score then slug — documents with equal scores may come in
either order.
"""
import pytest

from bench.callers_queries import QUERIES as CALLERS
from bench.relevance_queries import QUERIES
from kb_portal.search import query as query_builder

from .conftest import fill, new_engine

EVERYTHING = 10_000


def ranked(engine, analyzer, synonyms, text: str, **options) -> list[tuple]:
    snapshot = engine.snapshot()
    built = query_builder.build(text, analyzer, snapshot, synonyms)
    if built.empty:
        return []
    total, best = snapshot.run(built.plan, top=EVERYTHING, **options)
    assert total == len(best)
    hits = [(snapshot.stored(ref)["slug"], round(score, 6)) for score, ref in best]
    if options.get("sort") is None:
        assert [s for _slug, s in hits] == sorted((s for _slug, s in hits), reverse=True)
    return sorted(hits, key=lambda hit: (-hit[1], hit[0]))


def both(tmp_path_factory, analyzer, build, sources, name: str):
    engines = []
    for kind in ("fast", "reference"):
        engine = new_engine(kind, tmp_path_factory.mktemp(f"{name}-{kind}"), analyzer,
                            procs=2)
        fill(engine, build, sources)
        engines.append(engine)
    return engines


@pytest.fixture(scope="module")
def demo(tmp_path_factory, analyzer, build, demo_sources):
    return both(tmp_path_factory, analyzer, build, demo_sources, "demo")


@pytest.fixture(scope="module")
def generated(tmp_path_factory, analyzer, build, corpus_sources):
    return both(tmp_path_factory, analyzer, build, corpus_sources, "generated")


def test_same_ranking_on_the_demo_articles(demo, analyzer, synonyms):
    """Both relevance suites, through the shipped lexicon (synonyms, fallbacks, codes)."""
    fast, reference = demo
    compared = 0
    for _kind, text, _answers in QUERIES + CALLERS:
        for typed in (text, text + " "):  # still typing (prefixes) and finished
            assert ranked(fast, analyzer, synonyms, typed) == \
                ranked(reference, analyzer, synonyms, typed), typed
            compared += 1
    assert compared == 2 * len(QUERIES + CALLERS)


def test_same_ranking_with_filters_and_sorting_on_the_demo_articles(demo, analyzer, synonyms):
    fast, reference = demo
    for text in ("退款", "complaint", "保修 维修", "E-102"):
        for options in ({"filters": {"category": "policy"}}, {"filters": {"language": "en"}},
                        {"sort": "updated"}):
            assert ranked(fast, analyzer, synonyms, text, **options) == \
                ranked(reference, analyzer, synonyms, text, **options), (text, options)


def test_same_ranking_on_a_generated_corpus(generated, analyzer, synonyms):
    from bench.search_bench import make_queries

    fast, reference = generated
    assert fast.snapshot().doc_count() == reference.snapshot().doc_count() == 320
    assert fast.last_bulk[0] > 0  # the fast engine's helper processes took part
    matched = 0
    for text in make_queries(120, seed=5):
        results = ranked(fast, analyzer, synonyms, text)
        assert results == ranked(reference, analyzer, synonyms, text), text
        matched += bool(results)
    assert matched >= 100  # the queries come from the corpus: most find something
