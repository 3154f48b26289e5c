"""Product words → the model codes of the articles titled with them (pseudo-relevance feedback
restricted to codes).

Why: callers name the product type (``扫地机``, ``净水器``, ``robot vacuum``), articles about
its faults name the model (``YF-S2 故障代码速查``, ``CJ-W5 滤芯更换``). A question like "扫地机
不回充" then matches the product overview by its first half and the fault article by its
second half only, and the overview wins. The association is in the knowledge base itself:
the articles whose *title or tags* contain the product word name its model codes there. So a
unit that only a few articles have in their title or tags also matches those codes, scored
lower (:data:`W_CODES`). A word in many titles (``客户``) is not a product name and gets
nothing: the look-up is bounded to specific words.
"""
from collections import OrderedDict

from ..textnorm import fold
from .analysis import latin_words
from .fallback import is_code

W_CODES = 0.5
MAX_DOCS = 3  # articles looked at per word: a product has an overview or two
MAX_SHARE = 0.01  # a word in more than this share of articles (and more than 20) is skipped
CACHE_SIZE = 1024


class CodeFeedback:
    """Codes per unit key for one snapshot (one index generation; see :func:`codes_for`)."""

    def __init__(self, _snapshot):
        self.cache: OrderedDict = OrderedDict()

    @classmethod
    def of(cls, snapshot) -> "CodeFeedback":
        return snapshot.memo("code-feedback", cls)


def codes_for(snapshot, vocab, key: str, alts: list, texts: list[str]) -> set[str]:
    """Codes in the titles and tags of the few articles whose title or tags contain one of
    ``texts`` (the unit as typed and its synonyms), ``alts`` being the unit's alternatives."""
    memo = CodeFeedback.of(snapshot)
    if key in memo.cache:
        memo.cache.move_to_end(key)
        return memo.cache[key]
    codes = _look_up(snapshot, vocab, alts, [fold(t) for t in texts if t])
    memo.cache[key] = codes
    while len(memo.cache) > CACHE_SIZE:
        memo.cache.popitem(last=False)
    return codes


def _look_up(snapshot, vocab, alts, texts) -> set[str]:
    """Read the title and tags postings of the unit's single terms (cheap for the rare words
    this is for); give up as soon as they reach too many articles."""
    limit = max(20, MAX_SHARE * vocab.doc_count)
    terms = set()
    for _weight, what in alts:
        for item in what:
            if isinstance(item, str):
                terms.add(item)
            elif len(item.terms) == 1 and not item.joined:
                terms.add(item.terms[0])
    # Ordered by field, term and article id, never by ref: which articles are looked at must
    # not depend on the index's segment layout (the engines, and two builds, differ in it).
    docs: dict[int, None] = {}
    for field in ("title", "tags"):
        for term in sorted(terms):
            if snapshot.doc_frequency(field, term) > limit:
                return set()
            docs.update(dict.fromkeys(snapshot.refs_with(field, term)))
            if len(docs) > limit:
                return set()
    codes = set()
    for ref in list(docs)[:MAX_DOCS * 3]:
        fields = snapshot.stored(ref)
        head = fold(f"{fields.get('title', '')} {fields.get('tags', '')}")
        if any(t in head for t in texts):
            codes |= {w for w in latin_words(head) if is_code(w)}
        if len(codes) > 6:
            return set()  # many models: a category word, not a product name
    return codes


def families(codes: set[str]) -> int:
    """How many models ``codes`` name: a code inside a longer one of the set is a part of it
    (``s2`` of ``yfs2``), not another model."""
    return sum(1 for c in codes if not any(c != o and c in o for o in codes))
