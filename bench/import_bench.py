"""Database side of `flask kb import`: articles/s with the search index detached.

    .venv/bin/python bench/corpus.py 1000 bench/out/corpus-1k
    KB_SEARCH_STARTUP=off .venv/bin/python bench/import_bench.py bench/out/corpus-1k

Separates the importer's own cost (parse, render, ORM) from indexing, which
``bench/search_bench.py`` measures together with it.
"""
import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.kb import signals
from kb_portal.kb.importer import import_article_files
from kb_portal.kb.services import ensure_default_categories


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    args = parser.parse_args()
    app = create_app(TestConfig(Path(tempfile.mkdtemp(prefix="kb-import-bench-"))))
    with app.app_context():
        db.create_all()
        ensure_default_categories()
        signals.article_changed.receivers.clear()  # measure the database side only
        files = sorted(args.corpus.glob("*.md"))
        start = time.perf_counter()
        report = import_article_files(files)
        seconds = time.perf_counter() - start
    print(f"{report.summary()}; {len(files) / seconds:.1f} articles/s (no indexing)")


if __name__ == "__main__":
    main()
