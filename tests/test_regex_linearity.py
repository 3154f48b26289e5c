"""Every regular expression in kb_portal runs in linear time (issue 11: make the class impossible).

Backtracking regex engines go quadratic or worse on patterns whose quantifiers can split the same
text several ways (``\\s*\\|?\\s*``) or that scan to a closing character that never comes from
every opening one (``\\[[^\\]]*\\]`` on ``[[[[…``). One such pattern in the index's plain-text
extraction froze every publish for minutes. This test finds the patterns by themselves — every
``re.Pattern`` object in every kb_portal module and every ``re.<function>("literal", …)`` call in
the source — builds adversarial inputs from each pattern's own characters (single characters,
pairs, its literal runs, each followed or not by a character that makes the match fail), and
fails when the running time grows super-linearly with the input.

It compares growth, never absolute times: a candidate input is timed at two sizes four times apart;
one that grows more than ``SCREEN_RATIO`` times is re-timed at doubling sizes (best of a few runs
each) and fails only when the median growth exponent of the doubling steps is above
``MAX_EXPONENT`` (1 = linear, 2 = quadratic) on two separate measurements, so a busy machine does
not make it flaky. Doubling stops early once one run takes ``ENOUGH`` seconds: a cubic pattern
would otherwise take minutes to prove itself. Before any of that, sizes ramp up from a few
characters (:func:`explodes`): an exponential pattern is flagged on the way instead of hanging the
test.
"""
import ast
import importlib
import itertools
import math
import pkgutil
import re
import re._constants as sre_c
import re._parser as sre_parse
import statistics
import time
from pathlib import Path

import kb_portal

PACKAGE_DIR = Path(kb_portal.__file__).parent
RE_FUNCTIONS = {"compile", "match", "fullmatch", "search", "sub", "subn", "split", "findall",
                "finditer"}
SMALL = 300  # characters of the pumped part in the screening run
SCREEN_RATIO = 10.0  # 4× longer input: 4× the time is linear, 16× quadratic
MAX_EXPONENT = 1.45
QUICK = 0.005  # seconds at the largest size (~4,800 characters): a quadratic scan takes far longer
ENOUGH = 0.2  # seconds: a run this long stops the doubling (not a verdict by itself)
RAMP_START, RAMP_STEP = 8, 1.125  # the ramp up to SMALL that catches explosive patterns first
EXPLOSIVE = 0.1  # seconds (best of two) for under SMALL characters: linear ones take microseconds
FAIL_CHARS = ("", "\x00")  # end right after the pump, or with a character nothing expects
CATEGORY_CHARS = {
    sre_c.CATEGORY_DIGIT: "0", sre_c.CATEGORY_NOT_DIGIT: "a", sre_c.CATEGORY_SPACE: " \n",
    sre_c.CATEGORY_NOT_SPACE: "a", sre_c.CATEGORY_WORD: "a_", sre_c.CATEGORY_NOT_WORD: " -",
    sre_c.CATEGORY_LINEBREAK: "\n", sre_c.CATEGORY_NOT_LINEBREAK: "a",
}


def module_patterns() -> dict[tuple[str, int], str]:
    """Compiled patterns held by kb_portal modules and the classes they define:
    {(pattern, flags): where}. Used with search, sub and friends: scanned from every position."""
    found = {}
    for info in pkgutil.walk_packages([str(PACKAGE_DIR)], "kb_portal."):
        module = importlib.import_module(info.name)
        holders = [module, *(v for v in vars(module).values()
                             if isinstance(v, type) and v.__module__ == info.name)]
        for holder in holders:
            for name, value in vars(holder).items():
                if isinstance(value, re.Pattern) and isinstance(value.pattern, str):
                    found.setdefault((value.pattern, value.flags), f"{info.name}.{name}")
    return found


def _flags(node) -> int | None:
    """The value of a flags argument written as ``re.S | re.M`` (None if it is anything else)."""
    if node is None:
        return 0
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
            and node.value.id == "re":
        return int(getattr(re, node.attr))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _flags(node.left), _flags(node.right)
        return None if left is None or right is None else left | right
    return None


def inline_patterns() -> dict[tuple[str, int], str]:
    """``re.<function>("literal", …)`` calls anywhere in kb_portal's source. ``where`` ends in
    ``(match)`` for ``re.match``/``re.fullmatch``, which only try the start of the text."""
    found = {}
    for path in sorted(PACKAGE_DIR.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                    and node.func.attr in RE_FUNCTIONS and node.args
                    and isinstance(node.args[0], ast.Constant)
                    and isinstance(node.args[0].value, str)):
                continue
            flag_arg = next((k.value for k in node.keywords if k.arg == "flags"), None)
            if flag_arg is None and len(node.args) > 1:
                position = {"compile": 1, "split": 3, "sub": 4, "subn": 4}.get(node.func.attr, 2)
                flag_arg = node.args[position] if len(node.args) > position else None
            flags = _flags(flag_arg)
            if flags is not None:
                where = f"{path.relative_to(PACKAGE_DIR.parent)}:{node.lineno}"
                if node.func.attr in ("match", "fullmatch"):
                    where += " (match)"
                compiled = re.compile(node.args[0].value, flags)
                found.setdefault((compiled.pattern, compiled.flags), where)
    return found


def all_patterns() -> dict[tuple[str, int], str]:
    return {**inline_patterns(), **module_patterns()}


def _walk(parsed, alphabet: set, runs: list) -> None:
    """Collect characters the pattern can match and its runs of literal characters."""
    run = ""
    for op, arg in parsed:
        if op is sre_c.LITERAL:
            alphabet.add(chr(arg))
            run += chr(arg)
            continue
        if len(run) > 1:
            runs.append(run)
        run = ""
        if op is sre_c.NOT_LITERAL:
            alphabet.add("a" if arg != ord("a") else "b")
        elif op is sre_c.ANY:
            alphabet.update("a\n")
        elif op is sre_c.IN:
            for item_op, item in arg:
                if item_op is sre_c.LITERAL:
                    alphabet.add(chr(item))
                elif item_op is sre_c.RANGE:
                    alphabet.update((chr(item[0]), chr(item[1])))
                elif item_op is sre_c.CATEGORY:
                    alphabet.update(CATEGORY_CHARS.get(item, ""))
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            _walk(arg[2], alphabet, runs)
        elif op is sre_c.SUBPATTERN:
            _walk(arg[3], alphabet, runs)
        elif op is sre_c.BRANCH:
            for branch in arg[1]:
                _walk(branch, alphabet, runs)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT, sre_c.ATOMIC_GROUP):
            _walk(arg[1] if op is not sre_c.ATOMIC_GROUP else arg, alphabet, runs)
        elif op is sre_c.CATEGORY:
            alphabet.update(CATEGORY_CHARS.get(arg, ""))
    if len(run) > 1:
        runs.append(run)


def pumps(pattern: str, flags: int) -> list[str]:
    """Short strings that, repeated, make adversarial inputs for ``pattern``."""
    alphabet, runs = {"a", " ", "\n"}, []
    _walk(sre_parse.parse(pattern, flags), alphabet, runs)
    chars = sorted(alphabet)
    out = chars + ["".join(p) for p in itertools.product(chars, repeat=2)]
    out += runs + [r + c for r in runs for c in chars] + [c + r for r in runs for c in chars]
    return list(dict.fromkeys(out))


def run_time(regex: re.Pattern, text: str, repeat: int = 3, anchored: bool = False) -> float:
    """Best of ``repeat`` runs of a full scan (what sub, findall and finditer do), or of one
    ``match`` at the start when ``anchored``."""
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        if anchored:
            regex.match(text)
        else:
            for _match in regex.finditer(text):
                pass
        best = min(best, time.perf_counter() - start)
        if best > ENOUGH:
            break
    return best


def exponent(regex: re.Pattern, pump: str, tail: str, anchored: bool) -> float:
    """Growth exponent of the time over up to five doubling sizes (1: linear, 2: quadratic)."""
    count = max(1, SMALL // len(pump))
    sizes, times = [], []
    for n in (count, 2 * count, 4 * count, 8 * count, 16 * count):
        sizes.append(n)
        times.append(max(run_time(regex, pump * n + tail, anchored=anchored), 1e-7))
        if times[-1] > ENOUGH and len(sizes) >= 3:
            break
    if times[-1] < QUICK:
        return 1.0  # too quick at the largest size to be super-linear: the fit would fit noise
    # The median of the doubling steps' growth, not a least-squares fit: one step disturbed by
    # the machine (a 4.5× step among 2× ones) must not make a linear pattern look quadratic.
    steps = sorted(later / earlier for earlier, later in itertools.pairwise(times))
    return math.log2(statistics.median(steps))


def explodes(regex: re.Pattern, pump: str, tail: str, anchored: bool) -> bool:
    """Whether the pattern takes :data:`EXPLOSIVE` seconds (best of two runs, so one stalled
    run on a busy machine is no verdict) on an input shorter than :data:`SMALL`, tried at sizes
    growing by an eighth from :data:`RAMP_START` characters.

    Python's regex engine cannot be interrupted (not even by a signal), so an exponential
    pattern such as ``(a+)+b`` must be caught on the way up: at 300 characters one scan would
    outlast the universe, while an eighth more input only multiplies a run still under
    :data:`EXPLOSIVE` by a small factor (``(a+)+b``: 20 → 23 characters, × 8).
    """
    size = RAMP_START
    while size < SMALL:
        count = max(1, size // len(pump))
        if run_time(regex, pump * count + tail, 2, anchored) > EXPLOSIVE:
            return True
        size = int(size * RAMP_STEP) + 1
    return False


def super_linear_inputs(pattern: str, flags: int, limit: int = 3,
                        anchored: bool = False) -> list[str]:
    """Up to ``limit`` pumps on which ``pattern`` grows super-linearly (none: it is linear)."""
    regex = re.compile(pattern, flags)
    bad = []
    for pump, tail in itertools.product(pumps(pattern, flags), FAIL_CHARS):
        if explodes(regex, pump, tail, anchored):
            bad.append(f"{pump!r}×n + {tail!r} (slow on a short input)")
            if len(bad) >= limit:
                break
            continue
        count = max(1, SMALL // len(pump))
        small = run_time(regex, pump * count + tail, 1, anchored)
        large = run_time(regex, pump * (4 * count) + tail, 1, anchored)
        if large < SCREEN_RATIO * max(small, 2e-6):
            continue
        if min(exponent(regex, pump, tail, anchored),
               exponent(regex, pump, tail, anchored)) > MAX_EXPONENT:
            bad.append(f"{pump!r}×n + {tail!r}")
            if len(bad) >= limit:
                break
    return bad


def test_the_collector_finds_the_patterns_it_must():
    found = all_patterns()
    places = " ".join(found.values())
    assert len(found) > 25
    for where in ("documents._MD_TABLE_RULE", "rendering._KB_LINK_RE", "kb/files.py",
                  "training/gift.py", "analysis.TOKEN_RE"):
        assert where in places, where


def test_the_detector_flags_known_super_linear_patterns():
    for pattern, flags in [(r"^\s*\|?\s*:?-{3,}.*$", re.M), (r"!?\[([^\]]*)\]\([^)]*\)", 0),
                           (r"(a+)+b", 0)]:
        assert super_linear_inputs(pattern, flags, limit=1), pattern


def test_every_pattern_in_the_package_is_linear():
    failures = {}
    for (pattern, flags), where in sorted(all_patterns().items(), key=lambda kv: kv[1]):
        bad = super_linear_inputs(pattern, flags, anchored=where.endswith("(match)"))
        if bad:
            failures[where] = f"{pattern!r}: {', '.join(bad)}"
    assert not failures, "super-linear patterns:\n" + "\n".join(
        f"  {where}: {detail}" for where, detail in failures.items())
