"""A/B of the fast engine's term-score cache on the load test's typing pattern, in-process.

    .venv/bin/python bench/term_cache.py bench/out/data-10000 [--questions 300]

Each question of the load test (``bench/out/load-queries.json``, written by ``bench/load.py``)
is typed as ``bench/locustfile.py`` types it — prefixes at a quarter, half and three quarters,
then the whole question — alternately with the cache on and off (``TERM_CACHE_ENTRIES`` 0),
every question on a fresh generation's scorer (the pessimistic case: under load a generation
lasts from one save to the next, several questions). Prints p50/p95/mean per mode.
"""
import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir")
    parser.add_argument("--questions", type=int, default=300)
    args = parser.parse_args()
    os.environ.update(KB_DATA_DIR=args.data_dir, KB_SEARCH_STARTUP="off",
                      KB_LOG_LEVEL="WARNING")
    from kb_portal import create_app
    from kb_portal.search.engine.fast import scoring

    shipped = scoring.TERM_CACHE_ENTRIES
    from kb_portal.search.services import SearchParams, search
    from kb_portal.search.state import search_state

    queries = json.loads((ROOT / "bench" / "out" / "load-queries.json").read_text())
    random.seed(5)
    times: dict[str, list[float]] = {"cache on": [], "cache off": []}
    with create_app().app_context():
        for q in queries[:20]:  # warm the process (norms, jieba) for both modes alike
            search(SearchParams(q=q, limit=8))
        picked = random.sample(queries, min(args.questions, len(queries)))
        for i, query in enumerate(picked):
            mode = "cache on" if i % 2 == 0 else "cache off"
            scoring.TERM_CACHE_ENTRIES = shipped if mode == "cache on" else 0
            snapshot = search_state().engine.snapshot()
            snapshot.forget("scorer")
            snapshot.forget("vocabulary")
            for n in [*sorted({max(1, len(query) * k // 4) for k in (1, 2, 3)}), len(query)]:
                started = time.perf_counter()
                search(SearchParams(q=query[:n], limit=8))
                times[mode].append((time.perf_counter() - started) * 1000)
    for mode, values in times.items():
        values.sort()
        p95 = values[int(len(values) * 0.95)]
        print(f"{mode:9s} {len(values)} searches  p50 {statistics.median(values):6.1f} ms  "
              f"p95 {p95:6.1f} ms  mean {statistics.mean(values):6.1f} ms")


if __name__ == "__main__":
    main()
