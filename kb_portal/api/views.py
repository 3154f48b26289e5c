"""``/api/v1`` handlers: read the request, call a service, answer JSON.

Every route is described in the OpenAPI document (:mod:`.openapi`, served at
``/api/v1/openapi.json``); ``tests/api/test_openapi.py`` fails when one is missing.
"""
from flask import Blueprint, jsonify, request
from flask_login import current_user
from werkzeug.exceptions import HTTPException, default_exceptions

from ..accounts.access import require
from ..extensions import csrf, limiter
from ..search.services import (
    ParamError,
    SearchParams,
    SearchUnavailableError,
    log_search,
    search,
)
from . import services
from .auth import authenticate, rate_limit_key, rate_limit_value
from .errors import error_response, http_error, rate_limited

bp = Blueprint("api", __name__, url_prefix="/api/v1")
bp.before_request(authenticate)
# By code as well: the app's own handlers for 404, 429 … would otherwise win over a class one.
for _code in (*default_exceptions, HTTPException):
    bp.register_error_handler(_code, http_error)
csrf.exempt(bp)  # token requests carry no cookie; authenticate() checks CSRF for sessions
limiter.limit(rate_limit_value, key_func=rate_limit_key, on_breach=rate_limited)(bp)

SEARCH_FIELDS = ("slug", "title", "category", "score", "snippet", "title_html",
                 "category_name", "language", "updated", "highlights", "section", "section_id",
                 "answer")


@bp.get("/openapi.json")
@require("agent")
def openapi_document():
    """This API described as OpenAPI 3.1 (for client generators and schemathesis)."""
    from .openapi import document

    return jsonify(document())


@bp.get("/search")
@require("agent")
def api_search():
    """Search published articles (parameters: see the OpenAPI document).

    :raise 400: for a bad ``limit``, ``page`` or ``sort``.
    :raise 503: while a damaged search index is being rebuilt.
    """
    try:
        services.require_values(request.args, ("sort", "limit", "page"))
        params = SearchParams.from_args(request.args)
    except (ParamError, services.ApiParamError) as exc:
        return error_response(400, str(exc))
    try:
        result = search(params)
    except SearchUnavailableError:
        return error_response(503, "search is being repaired; try again in a minute",
                              {"Retry-After": "30"})
    data = result.as_dict()
    data["results"] = [{k: hit[k] for k in SEARCH_FIELDS} for hit in data["results"]]
    response = jsonify(data)
    source = "live" if request.args.get("sid") else "api"
    log_search(current_user, params, result, source, request.args.get("sid"), response)
    return response


@bp.get("/articles")
@require("agent")
def article_list():
    """Published articles, newest change first: ``category``, ``tag``, ``updated_since``,
    ``page``, ``per_page``.

    :raise 400: for a bad parameter.
    """
    args = request.args
    try:
        data = services.list_articles(
            category=services.text_param(args, "category", 40),
            tag=services.text_param(args, "tag", 80),
            updated_since=services.time_param(args, "updated_since"),
            page=services.int_param(args, "page", 1, 1, services.MAX_PAGE),
            per_page=services.int_param(args, "per_page", 20, 1, services.MAX_PER_PAGE))
    except services.ApiParamError as exc:
        return error_response(400, str(exc))
    return jsonify(data)


@bp.get("/articles/<path:slug>")
@require("agent")
def article_detail(slug: str):
    """One article by its current or former slug: rendered HTML and Markdown.

    :raise 404: when there is no such article, or it is not published (for agents).
    """
    article = services.find_article(slug, current_user)
    if article is None:
        return error_response(404, f"No published article has the slug {slug!r}.")
    return jsonify(services.article_detail(article))


@bp.get("/me/training")
@require("agent")
def my_training():
    """The calling user's onboarding tracks and where they stand on each step."""
    return jsonify(services.training_progress(current_user))
