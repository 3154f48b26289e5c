"""Search pages: results (works without JavaScript), result opening (click log), and the
trainers' synonym and search-analytics pages."""
import logging
import time
from urllib.parse import urlencode

from flask import (
    Blueprint,
    abort,
    current_app,
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
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from .. import transaction
from ..accounts.access import require
from ..extensions import db
from ..kb.models import Category
from . import drafts, gaps, searchlog, synonyms
from .models import SynonymGroup
from .services import ParamError, SearchParams, search

bp = Blueprint("search", __name__)
log = logging.getLogger(__name__)
PERIODS = (1, 7, 30, 90)
LOG_ATTEMPTS = 3


def log_search(user, params: SearchParams, result, source: str, session_key=None,
               response=None) -> None:
    """Log a search; a logging failure never costs the agent their results.

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
                    return
                except OperationalError:
                    db.session.rollback()
                    if attempt + 1 == LOG_ATTEMPTS:
                        log.warning("could not log a search", exc_info=True)
                    else:
                        time.sleep(0.2 * (attempt + 1))
                except SQLAlchemyError:
                    db.session.rollback()
                    log.warning("could not log a search", exc_info=True)
                    return

    if response is None:
        write()
    else:
        response.call_on_close(write)


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
    result = search(params) if params.q.strip() else None
    categories = db.session.scalars(db.select(Category).order_by(Category.position)).all()
    help_ = _zero_result_help(params.q) if result is not None and not result.total else {}
    # Trainers also see unpublished articles that match (never from the index; see drafts.py).
    unpublished = drafts.unpublished_matches(params.q) \
        if params.q.strip() and params.page == 1 and current_user.has_role("trainer") else []
    response = make_response(render_template(
        "search/results.html", params=params, result=result, error=error,
        categories=categories, open_url=open_url, unpublished=unpublished, **help_))
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
    except SQLAlchemyError:
        db.session.rollback()
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
    flash(_("Synonym group saved.") if saved else _("Synonym group removed."), "success")
    return redirect(url_for("search.synonym_list"))


@bp.route("/search/analytics")
@require("trainer")
def analytics():
    """Top queries, queries without results and queries whose results nobody opened."""
    days = request.args.get("days", 7, type=int)
    if days not in PERIODS:
        days = 7
    return render_template("search/analytics.html", report=searchlog.report(days),
                           periods=PERIODS)
