"""How long does the test suite take, now against a base commit? (issue 12: "the whole suite at
least 25% faster than today's")

The suite grows between the two commits, so one wall time each is not the whole story. This
script runs pytest on a copy of each commit (``git archive``, so nothing in this checkout or in
git's worktree list changes) with the same interpreter, one after the other, and prints:

* per commit: tests passed / failed, wall time, sum of the tests' own times (set-up, call and
  tear-down, from pytest's JUnit XML), seconds per test;
* for the tests present in both (same file and name): their summed time at each commit and the
  ratio — the like-for-like figure.

Usage (on a quiet machine; takes two suite runs)::

    .venv/bin/python bench/suite_time.py --base d9de57f --head main
    .venv/bin/python bench/suite_time.py --base d9de57f --head main -- -k whoosh  # a smoke run

Extra pytest arguments go after ``--``; ``-q -p no:cacheprovider`` are always given (the
baseline in /work/tools/baseline.txt was taken with those plus ``-x``).
"""
import argparse
import io
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Run:
    rev: str
    wall: float = 0.0
    times: dict[str, float] = field(default_factory=dict)
    failed: int = 0
    skipped: int = 0

    @property
    def passed(self) -> int:
        return len(self.times) - self.failed - self.skipped


def export(rev: str, into: Path) -> str:
    """Unpack ``rev``'s tree into ``into``; return its full commit id."""
    commit = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT,
                            check=True, capture_output=True, text=True).stdout.strip()
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, check=True,
                             capture_output=True).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(into, filter="data")
    return commit


def test_times(junit: Path) -> tuple[dict[str, float], int, int]:
    """``{file::name: seconds}``, failures and skips from a JUnit XML report."""
    times, failed, skipped = {}, 0, 0
    for case in ET.parse(junit).getroot().iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        times[key] = float(case.get("time") or 0)
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
    return times, failed, skipped


def run_suite(rev: str, python: str, extra: list[str]) -> Run:
    with tempfile.TemporaryDirectory(prefix="kb-suite-") as tmp:
        tree = Path(tmp) / "tree"
        commit = export(rev, tree)
        junit = Path(tmp) / "junit.xml"
        command = [python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                   f"--junitxml={junit}", *extra]
        print(f"{rev} ({commit[:9]}): {' '.join(command[1:])}", file=sys.stderr, flush=True)
        started = time.perf_counter()
        subprocess.run(command, cwd=tree, check=False)
        run = Run(f"{rev} ({commit[:9]})", time.perf_counter() - started)
        if junit.exists():
            run.times, run.failed, run.skipped = test_times(junit)
    return run


def report(base: Run, head: Run) -> str:
    lines = ["| commit | passed | failed | wall (s) | tests' own time (s) | s per test |",
             "|---|---|---|---|---|---|"]
    for run in (base, head):
        own = sum(run.times.values())
        per = own / len(run.times) if run.times else 0.0
        lines.append(f"| {run.rev} | {run.passed} | {run.failed} | {run.wall:.1f} | "
                     f"{own:.1f} | {per:.3f} |")
    common = sorted(set(base.times) & set(head.times))
    if common:
        before = sum(base.times[k] for k in common)
        after = sum(head.times[k] for k in common)
        change = (1 - after / before) * 100 if before else 0.0
        lines.append("")
        lines.append(f"{len(common)} tests in both: {before:.1f} s → {after:.1f} s "
                     f"({change:.0f}% less time); {len(set(head.times) - set(base.times))} "
                     f"tests only in {head.rev}.")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", default="d9de57f", help="commit to compare against")
    parser.add_argument("--head", default="HEAD", help="commit to measure")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter with the requirements of both commits")
    parser.add_argument("pytest_args", nargs="*", help="after --: extra pytest arguments")
    args = parser.parse_args()
    python = os.path.abspath(args.python)  # the runs' working directories are elsewhere
    base = run_suite(args.base, python, args.pytest_args)
    head = run_suite(args.head, python, args.pytest_args)
    print(report(base, head))


if __name__ == "__main__":
    main()
