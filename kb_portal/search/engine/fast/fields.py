"""The fast engine's field types: the match field, the tags and the word list count their
terms directly (:meth:`_Counted.index_counts`); the segment writer (``codec.py``) takes those
counts straight into its term pool. ``tests/search/engine/test_fast_codec.py`` checks that
they index exactly what Whoosh's own ``TEXT``/``KEYWORD`` fields index.
"""
import re
from collections import Counter

from whoosh.fields import KEYWORD, TEXT
from whoosh.formats import Frequency

from .termpool import packed_count

_SPACE_SEPARATED = re.compile(r"[^ \t\r\n]+")  # Whoosh's SpaceSeparatedTokenizer


def _frequency_postings(counts: dict[str, int], fmt: Frequency) -> list[tuple]:
    """What ``Field.index`` returns for a Frequency format: ``(bytes, frequency, weight,
    encoded frequency)`` per distinct term, in term order."""
    boost = fmt.field_boost
    return [(term.encode("utf-8"), n, n * boost, packed_count(n))
            for term, n in sorted(counts.items())]


class _Counted:
    """A Frequency-format field that can give its terms as ``{text: frequency}``."""

    def index_counts(self, value) -> dict[str, int]:
        raise NotImplementedError

    def index(self, value, **kwargs):
        return _frequency_postings(self.index_counts(value), self.format)


class MatchText(_Counted, TEXT):
    """A ``TEXT`` field without positions whose indexing counts the analyzer's terms directly.

    Whoosh's generic path builds a Token object per term and two dictionaries per value; for
    the one big match field that was a fifth of the indexing time. The postings are the same.
    """

    def __init__(self, tokenizer, **kwargs):
        super().__init__(analyzer=tokenizer, phrase=False, **kwargs)
        assert isinstance(self.format, Frequency)

    def index_counts(self, value) -> dict[str, int]:
        return Counter(self.analyzer.analyzer.terms(value))


class WordList(_Counted, KEYWORD):
    """A space-separated ``KEYWORD`` field (not scorable) indexed without Token objects."""

    def __init__(self):
        super().__init__(scorable=False)
        assert isinstance(self.format, Frequency)

    def index_counts(self, value) -> dict[str, int]:
        return Counter(_SPACE_SEPARATED.findall(value))
