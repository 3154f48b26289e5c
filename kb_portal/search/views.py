"""Search pages: results (works without JavaScript), result opening (click log), and the
trainers' synonym and search-analytics pages. Thin: the work is in ``services.py``,
``searchlog.py`` and ``synonyms.py``; each view commits once."""
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
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from .. import transaction
from ..accounts.access import require
from ..extensions import db
from ..kb.models import Category
from . import drafts, gaps, searchlog, synonyms
from .models import SynonymGroup
from .services import ParamError, SearchParams, SearchUnavailableError, log_search, search
from .state import search_state

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)
PERIODS = (1, 7, 30, 90)


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
    categories = db.session.scalars(db.select(Category).order_by(Category.position)).all()
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
    """Trainers edit the synonym groups applied to every search."""
    return render_template("search/synonyms.html", groups=synonyms.all_groups())


@bp.post("/search/synonyms")
@require("trainer")
def synonym_create():
    group = synonyms.save_group(request.form.get("terms", ""), current_user)
    _commit_synonyms()
    if group is None:
        flash(_("A synonym group needs at least two words, separated by commas."), "error")
    else:
        flash(_("Synonym group added."), "success")
    return redirect(url_for("search.synonym_list"))


@bp.post("/search/synonyms/<int:group_id>")
@require("trainer")
def synonym_update(group_id: int):
    """Save a group; ``delete`` (or fewer than two words) removes it.

    :raise 404: when there is no such group.
    """
    group = db.session.get(SynonymGroup, group_id) or abort(404)
    text = "" if request.form.get("delete") else request.form.get("terms", "")
    saved = synonyms.save_group(text, current_user, group)
    _commit_synonyms()
    flash(_("Synonym group saved.") if saved else _("Synonym group removed."), "success")
    return redirect(url_for("search.synonym_list"))


def _commit_synonyms() -> None:
    """Commit, and let this worker's next search use the edit at once (the others notice it
    within ``KB_SEARCH_SYNONYM_SECONDS``)."""
    transaction.commit()
    search_state().synonyms.invalidate()


@bp.route("/search/analytics")
@require("trainer")
def analytics():
    """Top queries, queries without results and queries whose results nobody opened."""
    days = request.args.get("days", 7, type=int)
    if days not in PERIODS:
        days = 7
    return render_template("search/analytics.html", report=searchlog.report(days),
                           periods=PERIODS)
