"""Engine fixtures: real indexes on disk, no Flask app (the engine knows none).

``engine`` is parametrised over both implementations, so every test using it is the shared
suite run once per engine. Documents come from the demo articles (``articles/``) and from the
benchmark's corpus generator (``bench/corpus.py``), built by the product's own document
builder.
"""
import random
from datetime import UTC, datetime
from pathlib import Path

import pytest

from kb_portal.kb.files import read_article_file
from kb_portal.search import lexicon
from kb_portal.search.documents import Source, document
from kb_portal.search.engine import ENGINES, make_engine
from kb_portal.search.snippets import Snippets
from kb_portal.search.synonyms import build_map

ROOT = Path(__file__).resolve().parents[3]
UPDATED = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="session")
def synonyms():
    """The shipped lexicon, as an app without trainers' groups uses it."""
    return build_map(lexicon.load(lexicon.LEXICON_FILE))


def source(n: int, slug: str, title: str, body: str, category: str = "sop",
           tags=(), language: str = "zh-Hans", summary: str = "", rev: int | None = None):
    """A :class:`Source` as the database would give it (article ``n``)."""
    import json

    return Source(n, slug, UPDATED.replace(minute=n % 60, hour=n % 24), rev or 1000 + n,
                  title, body, json.dumps(list(tags), ensure_ascii=False), summary, category,
                  language, None)


@pytest.fixture(scope="session")
def build(analyzer):
    """``build(source) → document`` as the app builds them."""
    snippets = Snippets(analyzer)
    return lambda src: document(src, snippets.fold_same_length)


@pytest.fixture(scope="session")
def demo_sources() -> list[Source]:
    """Every published demo article."""
    out = []
    for n, path in enumerate(sorted((ROOT / "articles").glob("*.md")), 1):
        doc = read_article_file(path)
        if doc.status == "published":
            out.append(source(n, doc.slug, doc.title, doc.body, doc.category, doc.tags,
                              doc.language, doc.summary))
    return out


@pytest.fixture(scope="session")
def corpus_sources() -> list[Source]:
    """A generated corpus (seeded) big enough for the fast engine's parallel path."""
    import opencc

    from bench.corpus import load_pools, make_article
    from kb_portal.kb.files import parse_article

    rng, pools, s2t = random.Random(11), load_pools(), opencc.OpenCC("s2t")
    out = []
    for n in range(320):
        slug, text = make_article(n, rng, pools, s2t)
        doc = parse_article(text, slug)
        out.append(source(n + 1, doc.slug, doc.title, doc.body[:1500], doc.category,
                          doc.tags, doc.language, doc.summary))
    return out


def new_engine(kind: str, path, analyzer, **options):
    engine = make_engine(kind, path, analyzer, **options)
    engine.open()
    return engine


def fill(engine, build, sources) -> None:
    with engine.writing() as session:
        session.add_many(iter(sources), build, len(sources))


@pytest.fixture(params=ENGINES)
def engine(request, tmp_path, analyzer):
    """An empty engine of each kind (the shared suite runs once per engine)."""
    return new_engine(request.param, tmp_path / "index", analyzer)
