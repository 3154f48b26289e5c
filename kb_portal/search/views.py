"""Search pages: results (works without JavaScript), result opening (click log), and the
trainers' synonym and search-analytics pages. Thin: the work is in ``services.py``,
``searchlog.py``, ``synonym_services.py`` and ``suggestions.py``; each view commits once."""
import logging
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .. import transaction
from ..accounts.access import require
from ..kb import queries as kb_queries
from . import drafts, gaps, searchlog, suggestions, synonym_services
from .analysis import ANALYZER_VERSION
from .services import ParamError, SearchParams, SearchUnavailableError, log_search, search
from .state import search_state

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)
PERIODS = (1, 7, 30, 90)
ANALYTICS_VIEWS = ("zero", "no_click", "top")
# The lexicon's subjects (its "@ section" names) as trainers read them.
LEXICON_SUBJECTS = {
    "billing": _l("Billing and invoices"), "refunds": _l("Refunds, returns and exchanges"),
    "delivery": _l("Delivery and logistics"), "orders": _l("Orders"),
    "complaints": _l("Complaints and escalation"), "compensation": _l("Compensation"),
    "warranty": _l("Warranty and repair"), "faults": _l("Device faults and resets"),
    "network": _l("Network and connectivity"), "accounts": _l("Accounts and passwords"),
    "privacy": _l("Privacy and personal data"), "marketing": _l("Marketing and outbound calls"),
    "scheduling": _l("Scheduling, shifts and leave"), "quality": _l("Quality inspection"),
    "kpi": _l("KPIs"), "conduct": _l("Service conduct"), "tickets": _l("Tickets"),
    "channels": _l("Channels and regions"), "general": _l("General"),
    "one-way": _l("Narrower words"),
}


@bp.route("/search")
@require("agent")
def results():
    """The full results page: ``?q=&category=&tag=&language=&sort=&page=``."""
    error = None
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as exc:
        error = str(exc)
        params = SearchParams(q=(request.args.get("q") or "")[:1000])
    status, result = 200, None
    if params.q.strip():
        try:
            result = search(params)
        except SearchUnavailableError:
            status = 503
            error = _("Search is being repaired and will be back in a minute. "
                      "Please try again shortly.")
    categories = kb_queries.categories()
    help_ = _zero_result_help(params.q) if result is not None and not result.total else {}
    # Trainers also see unpublished articles that match (never from the index; see drafts.py).
    unpublished = drafts.unpublished_matches(params.q, search_state().analyzer) \
        if params.q.strip() and params.page == 1 and current_user.has_role("trainer") else []
    response = make_response(render_template(
        "search/results.html", params=params, result=result, error=error,
        categories=categories, open_url=open_url, unpublished=unpublished, **help_), status)
    if status == 503:
        response.headers["Retry-After"] = "30"
    if result is not None and params.page == 1:
        log_search(current_user, params, result, "page", request.args.get("sid"), response)
    return response


def _zero_result_help(query: str) -> dict:
    """What the page offers when nothing matched (besides "did you mean")."""
    opened = gaps.similar_opened(query)
    return {"similar": opened, "closest": gaps.closest_categories(opened)}


@bp.post("/search/report")
@require("agent")
def report_gap():
    """"Tell the trainers": record a search that found nothing useful, with an optional note."""
    query = (request.form.get("q") or "")[:1000]
    if gaps.report_gap(current_user, query, request.form.get("note", "")) is None:
        flash(_("There is no search to report."), "error")
        return redirect(url_for("search.results"))
    transaction.commit()
    flash(_("Thank you: the trainers will see this search on their content-gaps list."),
          "success")
    return redirect(url_for("search.results", q=query, reported=1))


@bp.post("/search/reports/dismiss")
@require("trainer")
def dismiss_gap():
    """A trainer dismisses a query's reports (the gap is filled, or it is not one)."""
    count = gaps.dismiss(request.form.get("q", ""), current_user)
    transaction.commit()
    flash(ngettext("%(num)d report dismissed.", "%(num)d reports dismissed.", count), "success")
    return redirect(url_for("kb_health.overview", _anchor="gaps"))


def open_url(hit, params: SearchParams, rank: int, session_key: str = "") -> str:
    """The link of a result: through :func:`open_result`, which logs the click."""
    args = {"slug": hit.slug, "q": params.q, "rank": rank}
    if session_key:
        args["sid"] = session_key
    if hit.highlights:
        args["hl"] = "\n".join(hit.highlights)
    if hit.section_id:
        args["section"] = hit.section_id
    return url_for("search.open_result") + "?" + urlencode(args)


@bp.route("/search/open")
@require("agent")
def open_result():
    """Log which result was opened, then show the article with the query highlighted."""
    slug = (request.args.get("slug") or "").strip()
    if not slug:
        return redirect(url_for("kb.home"))
    rank = request.args.get("rank", type=int)
    query = (request.args.get("q") or "")[:1000]
    try:
        searchlog.record_click(current_user.id, slug, rank, query, request.args.get("sid"))
        transaction.commit()
    except SQLAlchemyError:
        transaction.rollback()
        log.warning("could not log a result click", exc_info=True)
    args = {k: v for k in ("q", "hl") if (v := request.args.get(k))}
    section = (request.args.get("section") or "")[:200]
    # The fragment lands the agent on the section that best matched (article.js marks it).
    return redirect(url_for("kb.article", slug=slug, _anchor=section or None, **args))


@bp.route("/search/synonyms")
@require("trainer")
def synonym_list():
    """Trainers' groups, suggestions mined from the search log, and the built-in lexicon."""
    text = (request.args.get("q") or "")[:60]
    section = (request.args.get("section") or "")[:40]
    lexicon = search_state().synonyms.lexicon
    return render_template(
        "search/synonyms.html", groups=synonym_services.all_groups(),
        suggestions=suggestions.mined(), lexicon=lexicon, sections=lexicon.sections(),
        rows=synonym_services.lexicon_rows(text, section), q=text, section=section,
        draft=(request.args.get("terms") or "")[:400], analyzer_version=ANALYZER_VERSION,
        subjects=LEXICON_SUBJECTS)


def _saved(action, success: str):
    """Run a synonym service, commit or roll back, flash the outcome, back to the page."""
    try:
        action()
    except synonym_services.SynonymError as exc:
        transaction.rollback()
        flash(synonym_error_message(exc), "error")
    else:
        transaction.commit()
        # This worker's next search uses the edit at once (the others notice it within
        # KB_SEARCH_SYNONYM_SECONDS).
        search_state().synonyms.invalidate()
        flash(success, "success")
    back = {k: v[:60] for k in ("q", "section") if (v := request.form.get(k))}
    return redirect(url_for("search.synonym_list", **back))


@bp.post("/search/synonyms")
@require("trainer")
def synonym_create():
    return _saved(lambda: synonym_services.save_group(request.form.get("terms", ""),
                                                      current_user), _("Synonym group added."))


@bp.post("/search/synonyms/<int:group_id>")
@require("trainer")
def synonym_update(group_id: int):
    """Save a group, or remove it with ``delete``.

    :raise 404: when there is no such group.
    """
    group = synonym_services.get_group(group_id) or abort(404)
    if request.form.get("delete"):
        removed = group.terms_text
        return _saved(lambda: synonym_services.delete_group(group),
                      _("Synonym group removed: %(words)s", words=removed))
    return _saved(lambda: synonym_services.save_group(request.form.get("terms", ""),
                                                      current_user, group),
                  _("Synonym group saved."))


@bp.post("/search/synonyms/built-in/<key>")
@require("trainer")
def lexicon_update(key: str):
    """Switch a built-in group on or off, and set the words trainers added to it."""
    enabled = request.form.get("enabled") == "1"
    return _saved(lambda: synonym_services.set_lexicon_group(
        key, enabled, request.form.get("extra", ""), current_user),
        _("Built-in group saved.") if enabled else _("Built-in group switched off."))


@bp.post("/search/synonyms/suggestions")
@require("trainer")
def suggestion_decide():
    """Accept a mined pair as a group or one-way, or dismiss it."""
    decision = request.form.get("decision", "")
    source = (request.form.get("source") or "")[:200]
    target = (request.form.get("target") or "")[:200]
    done = {"group": _("Suggestion accepted as a synonym group."),
            "one_way": _("Suggestion accepted as a one-way synonym."),
            "dismissed": _("Suggestion dismissed.")}.get(decision, "")
    return _saved(lambda: synonym_services.decide(source, target, decision, current_user),
                  done)


def synonym_error_message(exc) -> str:
    """The trainer-facing wording of a :class:`synonym_services.SynonymError`."""
    if isinstance(exc, synonym_services.DuplicateGroupError):
        if exc.built_in:
            return _("Nothing to add: the built-in group “%(group)s” already joins these "
                     "words.", group=exc.existing)
        return _("Nothing to add: the group “%(group)s” already joins these words.",
                 group=exc.existing)
    return {
        "too_few": _("A synonym group needs at least two words, separated by commas."),
        "too_many": _("A synonym group holds at most 40 words."),
        "same_words": _("These words are the same once case, width and traditional or "
                        "simplified characters are ignored."),
        "unknown_group": _("There is no such built-in group."),
    }.get(exc.code, _("That could not be saved."))


@bp.route("/search/analytics")
@require("trainer")
def analytics():
    """Queries without results, queries whose results nobody opened, and the top queries: one
    list at a time (``view``), each row with what a trainer does about it."""
    days = request.args.get("days", 7, type=int)
    if days not in PERIODS:
        days = 7
    view = request.args.get("view")
    if view not in ANALYTICS_VIEWS:
        view = "zero"
    return render_template("search/analytics.html", report=searchlog.report(days),
                           periods=PERIODS, view=view, views=ANALYTICS_VIEWS)
