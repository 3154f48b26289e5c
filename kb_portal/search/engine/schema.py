"""The fields of an index document, shared by both engines.

A document (built by the product's ``search/documents.py``) is a dict of these fields:

=========== ================================================================================
``id``      article id (text; unique)              ``rev``      revision id (int column)
``slug``    stored                                 ``title``    analysed with positions, stored
``text``    the match field: title, tags, summary and body analysed (no positions)
``tags``    analysed, stored (title and tags give a bonus to documents that matched)
``summary`` stored                                 ``body``     stored (snippets)
``folded``  the body folded in place, stored (snippets)
``tag``     comma-separated folded tags (filter)   ``words``    space-separated Latin words
``category`` / ``language`` filters, stored        ``updated``  int column (sort), stored
``headings`` stored list
=========== ================================================================================

Matching happens in one field holding title, tags, summary and body: one posting list per
term instead of four makes queries several times faster in pure-Python Whoosh. Only the title
keeps positions (for the phrase bonus): positions make indexing about twice as slow, and CJK
words need none thanks to the character pairs the analyzer emits.

The analyzer is the product's (``search/analysis.py``), handed in; the tokenizer that wraps it
pickles as an empty shell (Whoosh stores the schema in the index), so an engine always opens
an index with the schema built here, never the stored one.
"""
from whoosh import columns
from whoosh.analysis import Token, Tokenizer
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

MATCH_FIELD = "text"
WORDS_FIELD = "words"
BONUS_FIELDS = {"title": 2.0, "tags": 1.5}  # field → factor for documents that matched
FILTER_FIELDS = ("category", "tag", "language")
SORT_COLUMNS = ("updated",)


class AnalyzerTokenizer(Tokenizer):
    """A Whoosh tokenizer around the product's analyzer (character offsets refer to the
    folded text)."""

    def __init__(self, analyzer):
        self.analyzer = analyzer

    def __getstate__(self):
        return {}  # the analyzer is per app: never part of the index files

    def __setstate__(self, state):
        self.analyzer = None

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="",
                 **kwargs):
        if self.analyzer is None:
            raise RuntimeError("this schema was read from the index; open it with the "
                               "engine's own schema (it carries the analyzer)")
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        if not chars and mode != "query":
            for text, pos in self.analyzer.positioned_terms(value):
                token.text = text
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = start_pos + pos
                yield token
            return
        for piece in self.analyzer.pieces(value, index=mode != "query"):
            token.text = piece.text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = piece.text
            if positions:
                token.pos = start_pos + piece.pos
            if chars:
                token.startchar = start_char + piece.start
                token.endchar = start_char + piece.end
            yield token


class StoredNumber(COLUMN):
    """An unsigned integer kept as a column (for sorting and fast reads) and stored, but not
    indexed: a NUMERIC field would add 16 postings per document that no query uses."""

    stored = True

    def __init__(self):
        super().__init__(columns.NumericColumn("Q", default=0))


def stock_text(tokenizer, **options) -> TEXT:
    """Whoosh's own text field without positions (the match field, the tags)."""
    return TEXT(analyzer=tokenizer, phrase=False, **options)


def stock_words() -> KEYWORD:
    """Whoosh's own space-separated keyword field (the word list)."""
    return KEYWORD(scorable=False)


def make_schema(analyzer, text_field=stock_text, words_field=stock_words) -> Schema:
    """The schema, with the match/tags field type and the word-list type an engine chooses
    (the fast engine's count their terms directly; see ``engine/fast/fields.py``)."""
    tokenizer = AnalyzerTokenizer(analyzer)
    return Schema(
        id=ID(stored=True, unique=True, sortable=True),
        rev=StoredNumber(),
        slug=ID(stored=True),
        text=text_field(tokenizer),
        title=TEXT(analyzer=tokenizer, stored=True),
        tags=text_field(tokenizer, stored=True),
        summary=STORED(),
        body=STORED(),
        folded=STORED(),
        tag=KEYWORD(commas=True, scorable=False),
        words=words_field(),
        category=ID(stored=True),
        language=ID(stored=True),
        updated=StoredNumber(),
        headings=STORED(),
    )
