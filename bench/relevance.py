"""Relevance suite: MRR@10 and Recall@5 per kind of query over the demo articles.

    .venv/bin/python bench/relevance.py [--show-misses]

Imports ``articles/`` into a throwaway data dir with the starter synonym groups (what ``make
run`` gives), runs every query of ``bench/relevance_queries.py`` through the same search service
as the API, and prints a Markdown table. Recall@5 = answering articles in the top 5 divided by
min(5, number of answering articles).
"""
import argparse
import os
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def evaluate(show_misses: bool = False) -> dict:
    """Run the suite; return {kind: (queries, MRR@10, Recall@5)} plus "overall"."""
    data_dir = tempfile.mkdtemp(prefix="kb-relevance-")
    os.environ.update(KB_DATA_DIR=data_dir, KB_SEARCH_STARTUP="off", KB_LOG_LEVEL="WARNING")
    from bench.relevance_queries import QUERIES
    from kb_portal import create_app
    from kb_portal.extensions import db
    from kb_portal.kb.importer import import_article_files
    from kb_portal.kb.services import ensure_default_categories
    from kb_portal.search.services import SearchParams, search
    from kb_portal.search.synonyms import seed_starter_groups

    app = create_app()
    with app.app_context():
        db.create_all()
        ensure_default_categories()
        seed_starter_groups()
        import_article_files(sorted((ROOT / "articles").glob("*.md")))
        per_kind = defaultdict(list)
        for kind, query, answers in QUERIES:
            got = [h.slug for h in search(SearchParams(q=query, limit=10)).results]
            rank = next((i for i, slug in enumerate(got, 1) if slug in answers), None)
            rr = 1 / rank if rank else 0.0
            recall = len(set(got[:5]) & set(answers)) / min(5, len(answers))
            per_kind[kind].append((rr, recall))
            if show_misses and rr < 1:
                print(f"  [{kind}] {query!r}: first answer at {rank}; top 3 {got[:3]}")
    table = {kind: _summary(rows) for kind, rows in per_kind.items()}
    table["overall"] = _summary([r for rows in per_kind.values() for r in rows])
    return table


def _summary(rows) -> tuple[int, float, float]:
    return (len(rows), sum(r for r, _ in rows) / len(rows), sum(c for _, c in rows) / len(rows))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--show-misses", action="store_true")
    args = parser.parse_args()
    table = evaluate(args.show_misses)
    print("| kind | queries | MRR@10 | Recall@5 |\n|---|---|---|---|")
    for kind, (n, mrr, recall) in table.items():
        print(f"| {kind} | {n} | {mrr:.3f} | {recall:.3f} |")


if __name__ == "__main__":
    main()
