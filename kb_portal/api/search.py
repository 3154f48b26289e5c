"""``GET /api/v1/search``: the same JSON shape as ``flask kb search --json``."""
from flask import jsonify, request
from flask_login import current_user

from ..accounts.access import require
from ..search.services import ParamError, SearchParams, SearchUnavailableError, log_search, search
from . import bp, error_response

FIELDS = ("slug", "title", "category", "score", "snippet", "title_html", "category_name",
          "language", "updated", "highlights")


@bp.get("/search")
@require("agent")
def api_search():
    """Search published articles.

    Query parameters: ``q``, ``category``, ``tag``, ``language``, ``sort`` (relevance |
    updated), ``limit`` (1–50, default 10), ``page`` (1–1000), ``sid`` (a typing-session id
    from the live search box, so one search is logged once).

    :raise 400: for a bad ``limit``, ``page`` or ``sort``.
    :raise 503: while a damaged index is being rebuilt.
    """
    try:
        params = SearchParams.from_args(request.args)
    except ParamError as exc:
        return error_response(400, str(exc))
    try:
        result = search(params)
    except SearchUnavailableError:
        body, status = error_response(503, "search is being repaired; try again in a minute")
        return body, status, {"Retry-After": "30"}
    data = result.as_dict()
    data["results"] = [{k: hit[k] for k in FIELDS} for hit in data["results"]]
    response = jsonify(data)
    source = "live" if request.args.get("sid") else "api"
    log_search(current_user, params, result, source, request.args.get("sid"), response)
    return response
