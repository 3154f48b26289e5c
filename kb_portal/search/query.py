"""User text → query plan. User text is data, never engine syntax, and nothing here raises.

The text is folded and grouped into *units* (one thing the user asked for: a Chinese word, a
run of single characters that must stay together, an English word, a product code). First the
synonym map's members are found in it as phrases, longest first (``扫地机`` ``不回充``
``charged twice``); each becomes one unit whose other ways to say it are alternatives. The rest
is analysed with the index's analyzer. Each unit is matched as it is and widened by:

* synonyms (:mod:`kb_portal.search.synonyms`: the shipped lexicon below the trainers' groups),
  weight 0.75–0.8; a member in the other language (English for a Chinese query and the reverse)
  weighs 0.6, so an article in the agent's own words stays ahead;
* the last unit as a prefix while the user is still typing, weight 0.6;
* typo tolerance for Latin words the index does not know (0.5), whose corrections also reach
  their synonym groups;
* for units the index does not contain, the fallbacks of :mod:`kb_portal.search.fallback`
  (sub-words, homophones, character pairs, nearest codes), scored lower.

Spoken-question wrappers (``怎么办``, ``能不能``, ``是不是``, ``how do I``…), function words and
units nothing in the index can match only add score: they never decide whether an article
matches. The resulting :class:`~.engine.QueryPlan` is scored by the engine
(``engine/combine.py``).
"""
import logging
import re
from dataclasses import dataclass, field

from ..textnorm import fold
from . import fallback, feedback
from .engine import QueryPlan
from .engine.combine import idf
from .synonyms import Expansion
from .units import MAX_CHARS, MAX_UNITS, QUESTION_EN, QUESTION_ZH, Unit, phrase_units, units_of
from .vocab import Vocabulary

log = logging.getLogger(__name__)
COMMON_SYNONYM = 0.2  # a synonym in more than this share of the articles is left out
MAX_EXPANSIONS = 8  # synonyms per unit: the rarest-first cut keeps broad groups cheap
W_PREFIX, W_FUZZY, W_OTHER_LANGUAGE = 0.6, 0.5, 0.6
W_CODE_TYPED = 2.0
W_PART = 0.3  # one word of a phrase alone
W_BAG = 0.6  # a phrase's words found anywhere in an article, not necessarily together
_SPACE_RE = re.compile(r"\s+")
COMMON_SHARE = 0.5  # a unit in more than this share of the articles never decides a match
TELLING_SHARE = 0.2  # a unit in at most this share can choose among a product's articles


@dataclass
class Highlight:
    """What snippets should mark: CJK substrings and Latin terms (compared after stemming)."""

    cjk: set[str] = field(default_factory=set)
    latin: set[str] = field(default_factory=set)

    def add_text(self, term: str) -> None:
        (self.latin if term.isascii() else self.cjk).add(term)


@dataclass
class Built:
    """A built query plus what the rest of the search needs to know about it."""

    units: list[Unit]
    highlight: Highlight
    folded: str
    plan: QueryPlan = field(default_factory=QueryPlan)
    codes: dict = field(default_factory=dict)  # a code as typed → nearest existing codes
    # what it was built with (the analyzer for synonyms' words, the homophone table)
    analyzer: object = field(default=None, repr=False, compare=False)
    homophones: object = field(default=None, repr=False, compare=False)

    @property
    def empty(self) -> bool:
        """Nothing searchable was typed."""
        return not self.plan.required


def _too_common(unit: Unit, vocab) -> bool:
    """A single character, or a word in most articles, says too little to decide a match
    (``不``, ``用``, ``客户`` in a centre's knowledge base): it adds score only."""
    if unit.kind == "cjk" and len(unit.raw) == 1:
        return True
    if unit.kind == "phrase":  # a member that is one word is that word with its synonyms
        return len(unit.parts) == 1 and _too_common(unit.parts[0], vocab)
    if vocab is None:
        return False
    # (A share says little in a handful of articles.)
    return vocab.doc_count >= 20 and vocab.frequency(unit) > COMMON_SHARE * vocab.doc_count


def build(text: str, analyzer, snapshot=None, synonyms=None, homophones=None) -> Built:
    """Build the query for ``text`` (with the index's vocabulary when ``snapshot`` is given;
    ``homophones``: the app's :class:`~.fallback.Homophones`, none without). Never raises: on
    any problem the result is empty."""
    try:
        return _build(text or "", analyzer, snapshot, synonyms, homophones)
    except Exception:  # a query must never break the page; log and return nothing
        log.exception("could not build a query for %r", (text or "")[:100])
        return Built([], Highlight(), "")


def _build(text: str, analyzer, snapshot, synonyms, homophones) -> Built:
    synonyms = synonyms or None  # no groups (an empty map, or {}) is no synonyms
    folded = fold(text[:MAX_CHARS])
    units = phrase_units(folded, synonyms, analyzer)
    highlight = Highlight()
    built = Built(units, highlight, folded, analyzer=analyzer, homophones=homophones)
    if not units:
        return built
    vocab = Vocabulary.of(snapshot, analyzer) if snapshot is not None else None
    typing = bool(text) and not text[-1].isspace()
    # Units by how much they may decide: telling ones; known but too common; words nothing in
    # the index matches; wrappers. With none of the first, the common ones decide; with none
    # of those either, all of them (what the words share with articles, however little).
    tiers: list[list] = [[], [], [], []]
    for unit in units:
        last = typing and unit is units[-1]
        if unit.kind == "phrase":
            alts, known = _phrase_alternatives(unit, vocab, synonyms, last, built)
        else:
            alts, known = _alternatives(unit, vocab, synonyms, last, built)
        tier = 3 if unit.optional else 2 if not known else 1 if _too_common(unit, vocab) else 0
        tiers[tier].append((unit, alts))
    first = min(next(n for n, tier in enumerate(tiers) if tier), 2)
    required = [item for tier in tiers[first:first + 1 if first < 2 else 4] for item in tier]
    optional = [item for tier in tiers[first + 1:] for item in tier]
    context = _product_words(required, snapshot, vocab) if vocab is not None else set()
    # An optional unit in a large share of the articles would only spread a little score
    # over most of them, at the cost of reading its whole posting list: left out.
    optional = [(u, alts) for u, alts in optional if not _everywhere(u, vocab)]
    # Known words spread over several articles answer with the best-covered ones; the last
    # resort (fragments the index lacks, wrappers) must not let one of them decide alone.
    built.plan = QueryPlan([alts for _, alts in required], [alts for _, alts in optional],
                           _phrase([u for u, _ in required]), spread=first < 2,
                           context=frozenset(context))
    return built


def _product_words(required: list, snapshot, vocab) -> set[int]:
    """Let product words match their models' codes (:mod:`.feedback`); return the indexes of
    those that set the question's context (``QueryPlan.context``): they name one model
    family, and another unit is telling enough to choose among that product's articles — a
    rare word, not one in a fifth of them (``一次``, which says nothing about which article)."""
    if len(required) < 2:
        return set()
    found = {}
    for i, (unit, alts) in enumerate(required):
        if unit.kind in ("phrase", "cjk") and len(unit.raw) > 1:
            texts = [unit.raw] + [e.text for e in unit.expansions]
            codes = feedback.codes_for(snapshot, vocab, unit.raw, alts, texts)
            if codes:
                alts.append((feedback.W_CODES, codes))
                found[i] = codes
    rare = TELLING_SHARE * vocab.doc_count
    return {i for i, codes in found.items() if feedback.families(codes) == 1
            and any(j not in found and vocab.frequency(u) <= rare
                    for j, (u, _alts) in enumerate(required))}


def _everywhere(unit: Unit, vocab) -> bool:
    return (vocab is not None and vocab.doc_count >= 200 and unit.kind != "phrase"
            and vocab.frequency(unit) > COMMON_SYNONYM * vocab.doc_count)


def _expansion_alternatives(expansions: list[Expansion], own_script_cjk: bool, vocab,
                            built: Built) -> tuple[list, bool]:
    """Alternatives for synonyms; whether any of them is in the index."""
    alts, known, scored = [], False, []
    for e in expansions:
        alt_units = units_of(e.text, built.analyzer)
        if not alt_units:
            continue
        present = vocab is None or all(vocab.present(u) for u in alt_units)
        if not present:
            continue  # nothing to find: costs nothing to leave out
        rarity = max((vocab.frequency(u) for u in alt_units), default=0) if vocab else 0
        if vocab is not None and vocab.doc_count >= 200 and \
                rarity > COMMON_SYNONYM * vocab.doc_count:
            continue  # a synonym in most articles finds nothing in particular, slowly
        other_language = own_script_cjk == e.text.isascii()
        weight = min(e.weight, W_OTHER_LANGUAGE) if other_language else e.weight
        scored.append((rarity, weight, alt_units))
    # The rarest members first: they say the most and cost the least to score.
    for _rarity, weight, alt_units in sorted(scored, key=lambda s: s[0])[:MAX_EXPANSIONS]:
        alts.append((weight, alt_units))
        known = True
        for u in alt_units:
            _mark(u, built.highlight)
    return alts, known


def _phrase_alternatives(unit: Unit, vocab, synonyms, last: bool, built: Built):
    """A synonym-map member found in the query: itself (all its words), its fallbacks when
    the index lacks them, and the other members of its groups."""
    alts, known = [], False
    own = [u for u in unit.parts if not u.optional] or unit.parts
    if own and (vocab is None or all(vocab.present(u) for u in own)):
        alts.append((1.0 if len(own) == 1 else W_BAG, own))
        known = True
        for u in own:
            _mark(u, built.highlight)
    if len(own) > 1 and vocab is not None:
        # Never stricter than its words typed apart: each may match alone, scored lower.
        for part in own:
            if not part.optional and vocab.present(part) and not _too_common(part, vocab):
                alts.append((W_PART, [part]))
                known = True
                _mark(part, built.highlight)
    if not known and vocab is not None:
        for part in own:
            more, found = _fallbacks(part, vocab, built)
            alts += more
            known = known or found
    cjk = any(not u.raw.isascii() for u in unit.parts)
    more, found = _expansion_alternatives(unit.expansions, cjk, vocab, built)
    if vocab is not None and own and vocab.minority_script(own):
        _as_common_as_its_group(alts, more, own, vocab)
    if last and vocab is not None and own and not known:
        extra = vocab.prefix_terms(own[-1])
        if extra:
            alts.append((W_PREFIX, extra))
            found = True
    return alts + more, known or found


def _as_common_as_its_group(alts: list, more: list, own: list, vocab) -> None:
    """Score every one-word spelling of a unit as rare as the commonest of them.

    A word in the language of few articles (an English word in a Chinese knowledge base) is
    in few documents because few are in its language, not because it says something rare: its
    BM25 weight (idf) would let the English articles win on ``hour`` or ``case`` while the
    Chinese spelling (``小时``) shows the concept is common. As Lucene's ``SynonymQuery`` does
    with document frequency, the unit's own word and its one-word synonyms get the weight of
    the commonest; a member of several words keeps its own (its words' frequencies say little
    about how often they occur together). Called for units in the minority script only: in
    the majority one the frequencies are the language's own. Changes weights in place."""
    spellings = [(more, i) for i, (_w, what) in enumerate(more) if len(what) == 1]
    if alts and alts[0][1] is own and len(own) == 1:
        spellings.append((alts, 0))
    if len(spellings) < 2:
        return
    counts = [vocab.frequency(lst[i][1][0]) for lst, i in spellings]
    # (Frequencies count deleted copies until a merge: never more than the articles here.)
    n = max(vocab.doc_count, *counts)
    idf_top = idf(max(counts), n)
    for (lst, i), count in zip(spellings, counts, strict=True):
        weight, what = lst[i]
        lst[i] = (weight * idf_top / idf(count, n), what)


def _alternatives(unit: Unit, vocab, synonyms, last: bool, built: Built):
    """Every way to match one unit, and whether anything in the index can match it."""
    highlight = built.highlight
    # A product or error code the agent typed is the surest sign of the answer.
    alts = [(W_CODE_TYPED if fallback.is_code(unit.joined or unit.raw) else 1.0, [unit])]
    _mark(unit, highlight)
    known = vocab is None or vocab.present(unit)
    if vocab is None:
        return alts, known
    extra = vocab.prefix_terms(unit) if last else set()
    if unit.kind == "word" and not vocab.known(unit.raw) and not (
            synonyms is not None and synonyms.is_word(unit.raw)):
        # Typo tolerance only for words the index does not know: a correctly spelt word's
        # neighbours are other words, and expanding them costs time and precision.
        fuzzy = vocab.fuzzy_terms(unit.raw) - set(unit.terms) - extra
        if fuzzy:
            alts.append((W_FUZZY, fuzzy))
            highlight.latin |= fuzzy
        if not known and synonyms is not None:  # a misspelt word may be a synonym member
            if not fuzzy and len(unit.raw) >= 4:
                fuzzy = {built.analyzer.stem(w) for w in synonyms.near_words(unit.raw)}
            for stemmed in sorted(fuzzy):
                more, _found = _expansion_alternatives(
                    synonyms.expansions((stemmed,)), False, vocab, built)
                alts += [(w * W_FUZZY / 0.75, what) for w, what in more]
        known = known or bool(fuzzy)
    if not known or (len(unit.terms) > 1 and unit.kind == "cjk"):
        # A run of characters the segmenter did not know may hold several words whose pairs
        # never occur together: its parts may match on their own, scored lower.
        more, found = _fallbacks(unit, vocab, built)
        alts += more
        known = known or found
    extra -= set(unit.terms)
    if extra:
        alts.append((W_PREFIX, extra))
        for t in extra:
            highlight.add_text(t)
        known = True
    return alts, known


def _fallbacks(unit: Unit, vocab, built: Built) -> tuple[list, bool]:
    """Alternatives for a unit the index does not contain (see :mod:`fallback`)."""
    alts = []
    if unit.kind == "cjk" and len(unit.raw) >= 2:
        freq = built.analyzer.jieba.FREQ
        levels = ((fallback.W_SUBWORD, fallback.subwords(unit.raw, freq)),
                  (fallback.W_HOMOPHONE, _homophones(unit.raw, built.homophones, freq)),
                  (fallback.W_BIGRAM, fallback.bigrams(unit.raw)))
        seen = set(unit.terms)
        for weight, terms in levels:
            found = {t for t in terms if t not in seen and vocab.present_term(t)}
            seen |= found
            if found:
                alts.append((weight, found))
                built.highlight.cjk |= found
    elif unit.kind in ("code", "word") and fallback.is_code(unit.joined or unit.raw):
        joined = unit.joined or unit.raw
        near = fallback.near_codes(joined, vocab.code_candidates(joined))
        if near:
            alts.append((fallback.W_CODE, set(near)))
            built.highlight.latin |= set(near)
            built.codes[unit.raw] = near
    return alts, bool(alts)


def _homophones(raw: str, table, freq: dict) -> list[str]:
    return list(table.variants(raw, freq)) if table is not None and len(raw) <= 4 else []


def _mark(unit: Unit, highlight: Highlight) -> None:
    if unit.kind == "cjk":
        highlight.cjk.add(unit.raw)
    elif unit.kind == "code":
        highlight.latin.add(unit.joined)
    else:
        highlight.latin.update(unit.terms)


def _phrase(units: list[Unit]) -> list[str]:
    """The units' terms in order, when they form a phrase the title's positions can check."""
    flat = []
    for u in units:
        flat.extend(u.parts if u.kind == "phrase" else [u])
    if len(flat) < 2 or any(len(u.terms) != 1 and u.kind != "code" for u in flat):
        return []
    return [u.joined if u.kind == "code" else u.terms[0] for u in flat]


def normalise(text: str) -> str:
    """The form queries are logged and grouped under: folded, single-spaced, trimmed, without
    NUL (which PostgreSQL text cannot hold; requests drop it already, services may be called
    with anything)."""
    return _SPACE_RE.sub(" ", fold((text or "")[:MAX_CHARS].replace("\x00", ""))).strip()


__all__ = ["MAX_UNITS", "QUESTION_EN", "QUESTION_ZH", "Built", "Highlight", "Unit", "build",
           "normalise", "units_of"]
