"""``combine.py``'s shortcuts (one comprehension for a unit's first alternative, set operations
for two units) against the rules written out document by document."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_portal.search.engine.combine import TIE, and_ish, dismax

scores = st.dictionaries(st.integers(0, 30), st.floats(0.01, 20), max_size=25)


def plain_dismax(scored) -> dict:
    per_doc: dict = {}
    for weight, found in scored:
        for d, s in found.items():
            per_doc.setdefault(d, []).append(s * weight)
    return {d: max(v) + TIE * (sum(v) - max(v)) for d, v in per_doc.items()}


def plain_and_ish(units, allowed, spread):
    n = len(units)
    counts = {}
    for u in units:
        for d in u:
            if allowed is None or d in allowed:
                counts[d] = counts.get(d, 0) + 1
    if n == 1:
        return {d: units[0][d] for d in counts}, None
    if not counts:
        return {}, set()
    need = 1 if n == 2 else min(n - 1, max(counts.values())) if spread else n - 1
    totals = {d: sum(u.get(d, 0.0) for u in units) * (1 + c) / (1 + n)
              for d, c in counts.items() if c >= need}
    return totals, {d for d, c in counts.items() if c >= (n if n == 2 else n - 1)}


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([2.0, 1.0, 0.75, 0.6, 0.3]), scores), max_size=5))
def test_dismax_is_the_best_alternative_plus_a_share_of_the_others(scored):
    assert dismax(scored) == pytest.approx(plain_dismax(scored))


@settings(max_examples=300, deadline=None)
@given(st.lists(scores, min_size=1, max_size=4),
       st.none() | st.sets(st.integers(0, 30)), st.booleans())
def test_and_ish_follows_its_rules_for_any_number_of_units(units, allowed, spread):
    totals, full = and_ish(units, allowed, spread)
    expected, expected_full = plain_and_ish(units, allowed, spread)
    assert totals == pytest.approx(expected) and full == expected_full
