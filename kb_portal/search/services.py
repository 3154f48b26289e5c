"""Searching, as the page, the API and the CLI call it, and logging what was searched.

:func:`search` takes already validated :class:`SearchParams` and returns a :class:`SearchResult`
whose :meth:`SearchResult.as_dict` is the JSON shape of the API and of ``flask kb search
--json``. Query problems never raise; a damaged index raises :class:`SearchUnavailableError` (the
page and the API answer 503 while it is rebuilt); only other infrastructure failures (no
database) raise anything else.
"""
import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .. import transaction
from ..params import whole_number
from . import passages, searchlog
from . import query as query_builder
from .documents import tag_filter
from .engine import IndexCorruptError
from .fallback import edit_distance, respell
from .state import search_state
from .vocab import Vocabulary, common_prefix

log = logging.getLogger(__name__)

SORTS = ("relevance", "updated")
MAX_LIMIT = 50
FEW_HITS = 3  # at or below this many hits, offer "did you mean"
LOG_ATTEMPTS = 3  # tries to write a search-log row


class ParamError(ValueError):
    """A bad search parameter (the API answers 400 with this message)."""


class SearchUnavailableError(RuntimeError):
    """The index is damaged and being rebuilt (the page and the API answer 503)."""


@dataclass
class SearchParams:
    q: str = ""
    category: str = ""
    tag: str = ""
    language: str = ""
    sort: str = "relevance"
    page: int = 1
    limit: int = 10

    @classmethod
    def from_args(cls, args, default_limit: int = 10) -> "SearchParams":
        """Read and validate request arguments. :raise ParamError: on a bad value."""
        params = cls(q=(args.get("q") or "")[:1000], category=(args.get("category") or "")[:40],
                     tag=(args.get("tag") or "")[:80], language=(args.get("language") or "")[:8],
                     sort=args.get("sort") or "relevance")
        params.page = _int(args.get("page"), "page", 1, 1, 1000)
        params.limit = _int(args.get("limit"), "limit", default_limit, 1, MAX_LIMIT)
        if params.sort not in SORTS:
            raise ParamError(f"sort must be one of: {', '.join(SORTS)}")
        return params

    def filters(self) -> dict:
        return {k: v for k in ("category", "tag", "language") if (v := getattr(self, k))}


def _int(value, name: str, default: int, low: int, high: int) -> int:
    if value in (None, ""):
        return default
    number = whole_number(value)
    if number is None:
        raise ParamError(f"{name} must be a whole number (digits 0-9)")
    if not low <= number <= high:
        raise ParamError(f"{name} must be between {low} and {high}")
    return number


@dataclass
class Hit:
    slug: str
    title: str
    category: str
    score: float
    snippet: str
    title_html: str = ""
    category_name: str = ""
    language: str = ""
    updated: str = ""
    highlights: list[str] = field(default_factory=list)
    section: str = ""  # the heading of the section holding the best passage (passages.py)
    section_id: str = ""  # its anchor
    answer: dict | None = None  # the answer card of that passage ({text, section_id, section})


@dataclass
class SearchResult:
    query: str
    total: int
    results: list[Hit]
    did_you_mean: str | None = None
    page: int = 1
    pages: int = 1
    took_ms: float = 0.0

    def as_dict(self) -> dict:
        data = asdict(self)
        data["took_ms"] = round(self.took_ms, 2)
        return data


def _filters(params: SearchParams) -> dict[str, str]:
    """The engine's filters: the tag as the index holds it."""
    filters = params.filters()
    if "tag" in filters:
        filters["tag"] = tag_filter(filters["tag"])
    return filters


def search(params: SearchParams) -> SearchResult:
    """Run a search with snippets; see the module docstring.

    :raise SearchUnavailableError: when the index is damaged (a rebuild has been started).
    """
    state = search_state()
    try:
        return _search(state, params)
    except IndexCorruptError as exc:
        state.repair(exc)
        if state.in_background:
            raise SearchUnavailableError(str(exc)) from exc
    try:
        return _search(state, params)  # repaired right here (tests, commands)
    except IndexCorruptError as exc:
        raise SearchUnavailableError(str(exc)) from exc


def _search(state, params: SearchParams) -> SearchResult:
    started = time.perf_counter()
    state.maybe_sync()
    snapshot = state.engine.snapshot()
    built = _build(state, params.q, snapshot)
    if built.empty:
        return SearchResult(params.q, 0, [], None, params.page, 1,
                            (time.perf_counter() - started) * 1000)
    filters = _filters(params)
    sort = "updated" if params.sort == "updated" else None
    top = params.page * params.limit
    # Articles agents opened for this query rank a little higher (clicks.py; the engine
    # applies it to documents that match only).
    built.plan.boost = state.clicks.factors(query_builder.normalise(params.q))
    total, best = snapshot.run(built.plan, filters, sort, top)
    page_hits = best[(params.page - 1) * params.limit:top]
    found = [_hit(state, snapshot, ref, score, built.highlight) for score, ref in page_hits]
    hits = [hit for hit, _place in found]
    _name_categories(state, hits)
    passages.annotate(hits, [place for _hit, place in found], state.by_revision)
    pages = max(1, -(-total // params.limit))
    result = SearchResult(params.q, total, hits, None, params.page, pages)
    if _wants_correction(state, built, snapshot, total):
        result.did_you_mean = did_you_mean(state, built, snapshot, total, filters)
    result.took_ms = (time.perf_counter() - started) * 1000
    return result


def _name_categories(state, hits: list[Hit]) -> None:
    """Fill in the category names in the user's language (for the result badges)."""
    if not hits:
        return
    from flask import has_request_context
    from flask_babel import get_locale

    locale = str(get_locale() or "en") if has_request_context() else "en"
    names = state.category_names.names(locale)
    for hit in hits:
        hit.category_name = names.get(hit.category, hit.category)


def _hit(state, snapshot, ref: int, score: float, highlight) -> tuple[Hit, passages.Located]:
    fields = snapshot.stored(ref)
    snippets = state.snippets
    body = fields.get("body", "")
    names = fields.get("headings") or []
    lines = passages.heading_lines(body, names, state.by_revision, fields.get("rev"))
    best = snippets.passage(body, highlight, folded=fields.get("folded"),
                            headings=[(start, end) for start, end, _k in lines])
    text, surfaces = best.html, best.surfaces
    if not surfaces and fields.get("summary"):
        text, surfaces = snippets.snippet(fields["summary"], highlight)
    updated = datetime.fromtimestamp(fields.get("updated") or 0, UTC).date().isoformat()
    hit = Hit(slug=fields["slug"], title=fields["title"], category=fields["category"],
              score=round(score, 4), snippet=text,
              title_html=snippets.mark(fields["title"], highlight),
              language=fields.get("language", ""), updated=updated, highlights=surfaces)
    heading = lines[best.section][2] if best.section >= 0 else None
    return hit, passages.Located(fields.get("rev"), heading,
                                 names[heading] if heading is not None else "")


def _build(state, text: str, snapshot):
    return query_builder.build(text, state.analyzer, snapshot, state.synonyms.current(),
                               state.homophones)


def did_you_mean(state, built, snapshot, total: int, filters) -> str | None:
    """A corrected query: codes one character off become the nearest existing codes (their
    articles are among the results already), unknown or rare Latin words the nearest indexed
    word (offered when the corrected query finds at least as much)."""
    vocab = Vocabulary.of(snapshot, state.analyzer)
    text = built.folded
    changed = bool(built.codes)
    unknown = False  # a corrected word was in no article: any answer beats that
    for typed, near in built.codes.items():
        text = text.replace(typed, respell(typed, near[0]), 1)
    smap = state.synonyms.current()
    for unit in built.units:
        if not _latin_word(unit) or unit.raw in built.codes or \
                vocab.known(unit.raw) > max(1, total):
            continue
        better = _correction(unit.raw, vocab, smap)
        if better and (vocab.known(better) > vocab.known(unit.raw) or
                       not vocab.known(unit.raw)):
            text = text.replace(unit.raw, better, 1)
            changed = True
            unknown = unknown or not vocab.known(unit.raw)
    if not changed or text == built.folded:
        return None
    if built.codes:
        return text
    again = _build(state, text + " ", snapshot)
    if again.empty:
        return None
    found, _best = snapshot.run(again.plan, filters, top=1)
    return text if found >= max(total, 1) or (unknown and found) else None


def _correction(raw: str, vocab, smap) -> str | None:
    """The index's nearest word or the lexicon's (``recal`` → ``recall``, which the lexicon
    knows as 召回), whichever is nearer; then the longer shared beginning, then frequency."""
    candidates = [w for w in (vocab.correction(raw), *smap.near_words(raw)) if w]
    if not candidates:
        return None
    return min(candidates, key=lambda w: (edit_distance(raw, w), -common_prefix(raw, w),
                                          -vocab.known(w)))


def _wants_correction(state, built, snapshot, total: int) -> bool:
    """Few results, a code that does not exist, or a Latin word the index does not know."""
    if total <= FEW_HITS or built.codes:
        return True
    vocab = Vocabulary.of(snapshot, state.analyzer)
    return any(_latin_word(u) and not vocab.known(u.raw) for u in built.units)


def _latin_word(unit) -> bool:
    """A single Latin word as typed (also when it is a lexicon member: ``recal`` stems like
    ``recall``)."""
    return unit.kind == "word" or (unit.kind == "phrase" and unit.raw.isascii()
                                   and unit.raw.isalpha())


def log_search(user, params: SearchParams, result, source: str, session_key=None,
               response=None) -> None:
    """Log a search (its own transaction); a logging failure never costs the agent their
    results.

    With ``response``, the row is written once the response has been sent (its commit is a
    disk sync, which the agent waiting for results should not pay for).
    """
    app = current_app._get_current_object()
    args = (getattr(user, "id", None), params.q, result.total, result.took_ms, source,
            session_key, params.filters())

    def write():
        # SQLite in WAL mode with a busy timeout (database.py) makes "database is locked"
        # rare; a few retries make a dropped row rarer still (the reports count every one).
        with app.app_context():
            for attempt in range(LOG_ATTEMPTS):
                try:
                    searchlog.record_search(*args)
                    transaction.commit()
                    return
                except OperationalError:
                    transaction.rollback()
                    if attempt + 1 == LOG_ATTEMPTS:
                        log.warning("could not log a search", exc_info=True)
                    else:
                        time.sleep(0.2 * (attempt + 1))
                except SQLAlchemyError:
                    transaction.rollback()
                    log.warning("could not log a search", exc_info=True)
                    return

    if response is None:
        write()
    else:
        response.call_on_close(write)
