"""Whoosh field types of the schema (:func:`kb_portal.search.index.make_schema`)."""
import re
from collections import Counter

from whoosh import columns
from whoosh.fields import COLUMN, KEYWORD, TEXT
from whoosh.formats import Frequency

from .analysis import fold_long, index_term_texts
from .termpool import packed_count

_SPACE_SEPARATED = re.compile(r"[^ \t\r\n]+")  # Whoosh's SpaceSeparatedTokenizer


def _frequency_postings(counts: dict[str, int], fmt: Frequency) -> list[tuple]:
    """What ``Field.index`` returns for a Frequency format: ``(bytes, frequency, weight,
    encoded frequency)`` per distinct term, in term order."""
    boost = fmt.field_boost
    return [(term.encode("utf-8"), n, n * boost, packed_count(n))
            for term, n in sorted(counts.items())]


class _Counted:
    """A Frequency-format field that can give its terms as ``{text: frequency}``: the
    segment writer (codec.py) takes that straight into its term pool."""

    def index_counts(self, value) -> dict[str, int]:
        raise NotImplementedError

    def index(self, value, **kwargs):
        return _frequency_postings(self.index_counts(value), self.format)


class MatchText(_Counted, TEXT):
    """A ``TEXT`` field without positions whose indexing counts the analyzer's terms directly.

    Whoosh's generic path builds a Token object per term and two dictionaries per value; for
    the one big match field that was a fifth of the indexing time. The postings are the same.
    """

    def __init__(self, analyzer, **kwargs):
        super().__init__(analyzer=analyzer, phrase=False, **kwargs)
        assert isinstance(self.format, Frequency)

    def index_counts(self, value) -> dict[str, int]:
        return Counter(index_term_texts(fold_long(value)))


class WordList(_Counted, KEYWORD):
    """A space-separated ``KEYWORD`` field (not scorable) indexed without Token objects."""

    def __init__(self):
        super().__init__(scorable=False)
        assert isinstance(self.format, Frequency)

    def index_counts(self, value) -> dict[str, int]:
        return Counter(_SPACE_SEPARATED.findall(value))


class StoredNumber(COLUMN):
    """An unsigned integer kept as a column (for sorting and fast reads) and stored, but not
    indexed: a NUMERIC field would add 16 postings per document that no query uses."""

    stored = True

    def __init__(self):
        super().__init__(columns.NumericColumn("Q", default=0))
