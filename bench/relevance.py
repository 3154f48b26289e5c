"""Relevance suites: MRR@10, Recall@5 and the zero-result share per kind of query over the
demo articles.

    .venv/bin/python bench/relevance.py [--suite articles|callers|holdout|both|all] [--show-misses]

Imports ``articles/`` into a throwaway data dir (with the shipped lexicon and no trainers'
groups: what ``make run`` gives), runs every query of a suite through the same search service
as the API, and prints one Markdown table per suite. Two suites:

* ``articles`` — ``bench/relevance_queries.py``, written from the articles' content;
* ``callers`` — ``bench/callers_queries.py``, the callers' words (written before the lexicon
  and the query changes of issue 13, from the articles' topics only);
* ``holdout`` — ``bench/callers_holdout.py``, more callers' words written later and never
  tuned on: for checking that a change made on the callers' suite generalises.

Recall@5 = answering articles in the top 5 divided by min(5, number of answering articles).
"Zero" is the share of queries with no result at all; "zero (shared)" the same share among the
queries that share a word with an answering article: a jieba search-mode word of two or more
characters (question wrappers and function words left out) or a Latin word or code of two or
more characters that occurs in the article file's folded text. That second share must be 0.
"""
import argparse
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SUITES = {"articles": "bench.relevance_queries", "callers": "bench.callers_queries",
          "holdout": "bench.callers_holdout"}


def evaluate(suites=("articles", "callers"), show_misses: bool = False) -> dict:
    """Run the suites; return {suite: {kind: Row}} with an "overall" row per suite."""
    data_dir = tempfile.mkdtemp(prefix="kb-relevance-")
    os.environ.update(KB_DATA_DIR=data_dir, KB_SEARCH_STARTUP="off", KB_LOG_LEVEL="WARNING")
    from importlib import import_module

    from kb_portal import create_app
    from kb_portal.extensions import db
    from kb_portal.kb.importer import import_article_files
    from kb_portal.kb.services import ensure_default_categories
    from kb_portal.search.services import SearchParams, search

    app = create_app()
    texts = _article_texts()
    tables = {}
    with app.app_context():
        db.create_all()
        ensure_default_categories()
        import_article_files(sorted((ROOT / "articles").glob("*.md")))
        for suite in suites:
            per_kind = defaultdict(list)
            for kind, query, answers in import_module(SUITES[suite]).QUERIES:
                got = [h.slug for h in search(SearchParams(q=query, limit=10)).results]
                rank = next((i for i, slug in enumerate(got, 1) if slug in answers), None)
                shared = any(_shares_word(query, texts[slug]) for slug in answers)
                recall = len(set(got[:5]) & set(answers)) / min(5, len(answers))
                per_kind[kind].append((1 / rank if rank else 0.0, recall, not got, shared))
                if show_misses and (rank or 0) != 1:
                    print(f"  [{suite}/{kind}] {query!r}: first answer at {rank}; "
                          f"top 3 {got[:3]}")
            table = {kind: _summary(rows) for kind, rows in per_kind.items()}
            table["overall"] = _summary([r for rows in per_kind.values() for r in rows])
            tables[suite] = table
    return tables


def _article_texts() -> dict[str, str]:
    from kb_portal.textnorm import fold

    return {p.stem: fold(p.read_text(encoding="utf-8")) for p in (ROOT / "articles").glob("*.md")}


def _shares_word(query: str, folded_article: str) -> bool:
    """Whether ``query`` has a word (see the module docstring) that the article contains."""
    import jieba

    from kb_portal.search.analysis import LATIN_RE, STOP_ZH
    from kb_portal.search.query import QUESTION_EN, QUESTION_ZH
    from kb_portal.textnorm import fold

    folded = fold(query)
    for word in jieba.cut_for_search(folded, HMM=False):
        word = word.strip()
        if (len(word) >= 2 and not word.isascii() and word not in QUESTION_ZH
                and word not in STOP_ZH and word in folded_article):
            return True
    article_words = set(LATIN_RE.findall(folded_article))
    article_words |= {w for c in article_words for w in c.replace("/", "-").split("-")}
    for word in LATIN_RE.findall(folded):
        if len(word) >= 2 and word not in QUESTION_EN and word in article_words:
            return True
    return False


def _summary(rows) -> dict:
    n = len(rows)
    shared = [r for r in rows if r[3]]
    return {
        "queries": n,
        "mrr": sum(r[0] for r in rows) / n,
        "recall": sum(r[1] for r in rows) / n,
        "zero": sum(r[2] for r in rows) / n,
        "shared": len(shared),
        "zero_shared": (sum(r[2] for r in shared) / len(shared)) if shared else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suite", choices=(*SUITES, "both", "all"), default="both",
                        help="both: articles and callers; all: the three")
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    suites = {"both": ("articles", "callers"), "all": tuple(SUITES)}.get(args.suite,
                                                                         (args.suite,))
    for suite, table in evaluate(suites, args.show_misses).items():
        print(f"\n### {suite}\n")
        print("| kind | queries | MRR@10 | Recall@5 | zero | zero (shared) |")
        print("|---|---|---|---|---|---|")
        for kind, row in table.items():
            bold = "**" if kind == "overall" else ""
            print(f"| {bold}{kind}{bold} | {row['queries']} | {row['mrr']:.3f} | "
                  f"{row['recall']:.3f} | {row['zero']:.1%} | "
                  f"{row['zero_shared']:.1%} of {row['shared']} |")


if __name__ == "__main__":
    main()
