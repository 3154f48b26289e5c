"""A/B: in-process search latency of two checkouts on the same data dir, interleaved.

    .venv/bin/python bench/ab_search.py DATA_DIR OTHER_CHECKOUT [--queries 300] [--rounds 3]
                                           [--cold]

Why: on a shared machine absolute figures swing with the neighbours' load; running both code
versions in turns (A, B, A, B, …) over the same index and the same unique queries
(``search_bench.make_queries``) gives a comparison the load affects alike. Each round is a
fresh process per checkout; the snapshot's term-expansion cache is cleared before every query,
as in ``search_bench.py``. DATA_DIR is one ``search_bench.py`` left (``bench/out/data-N``);
both checkouts must use the same analyzer version and the engine interface (the index is
opened read-only). ``--cold`` also drops the fast engine's term scores before every query, so
every term is read from its posting lists: the first searches after a save (a new generation).
"""
import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RUNNER = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
os.environ.update(KB_DATA_DIR=sys.argv[2], KB_SEARCH_STARTUP="off", KB_LOG_LEVEL="WARNING")
from kb_portal import create_app
from kb_portal.search.services import SearchParams, search
from kb_portal.search.state import search_state
queries = json.load(sys.stdin)
app = create_app()
out = []
with app.app_context():
    search(SearchParams(q="warm up"))
    snapshot = search_state().engine.snapshot()
    for q in queries:
        snapshot.forget("vocabulary")
        if sys.argv[3] == "cold":
            snapshot.forget("scorer")
        started = time.perf_counter()
        search(SearchParams(q=q, limit=10))
        out.append((time.perf_counter() - started) * 1000)
print(json.dumps(out))
"""


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def run(checkout: Path, data_dir: Path, queries: list[str], cold: bool) -> list[float]:
    result = subprocess.run([sys.executable, "-c", RUNNER, str(checkout), str(data_dir.resolve()),
                             "cold" if cold else "warm"],
                            input=json.dumps(queries), capture_output=True, text=True,
                            cwd=checkout)
    if result.returncode:
        raise SystemExit(f"{checkout}: {result.stderr[-2000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("data_dir", type=Path)
    parser.add_argument("other", type=Path, help="the other checkout (e.g. a worktree of main)")
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--cold", action="store_true", help="no term scores kept between queries")
    args = parser.parse_args()
    from bench.search_bench import make_queries

    queries = make_queries(args.queries, args.seed)
    timings = {"this": [], "other": []}
    for _ in range(args.rounds):
        timings["this"] += run(ROOT, args.data_dir, queries, args.cold)
        timings["other"] += run(args.other.resolve(), args.data_dir, queries, args.cold)
    for name, values in timings.items():
        print(f"{name:6} p50 {pct(values, 50):7.1f} ms  p95 {pct(values, 95):7.1f} ms  "
              f"mean {statistics.mean(values):7.1f} ms  ({len(values)} searches)")


if __name__ == "__main__":
    main()
