"""The OpenAPI 3.1 description of ``/api/v1``, served at ``/api/v1/openapi.json``.

Written by hand, next to the handlers, because a description is a promise to integrators: each
parameter's limits here are the limits the handlers enforce. Three tests keep the promise: every
``/api/v1`` route must appear here (``tests/api/test_openapi.py``), and schemathesis calls every
operation with generated valid and invalid input and checks each answer against this document
(``tests/api/test_schemathesis.py``).
"""
import copy

from ..search.services import MAX_LIMIT, SORTS
from .services import MAX_PAGE, MAX_PER_PAGE

JSON = "application/json"
TIME = {"type": "string", "format": "date-time"}
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
DATE = {"type": "string", "format": "date"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: tuple[str, ...] | None = None) -> dict:
    """An object with exactly these properties (all required unless told)."""
    return {"type": "object", "properties": properties, "additionalProperties": False,
            "required": list(properties if required is None else required)}


def _query(name: str, description: str, schema: dict) -> dict:
    return {"name": name, "in": "query", "required": False, "description": description,
            "schema": schema}


def _ok(schema_name: str, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": _ref(schema_name)}}}


def _errors(*codes: int) -> dict:
    """The standard error responses; 401 and 429 apply to every operation."""
    return {str(code): {"$ref": f"#/components/responses/E{code}"}
            for code in sorted({*codes, 401, 429, 503})}


ARTICLE_FIELDS = {
    "slug": {"type": "string", "description": "Current address of the article (/a/<slug>)."},
    "title": {"type": "string"},
    "category": {"type": "string", "description": "Category key (product, policy, sop, …)."},
    "category_name": {"type": "string", "description": "Category name in the caller's language."},
    "tags": {"type": "array", "items": {"type": "string"}},
    "language": {"type": "string", "enum": ["zh-Hans", "zh-Hant", "en"]},
    "summary": {"type": "string"},
    "status": {"type": "string", "enum": ["draft", "review", "published", "archived"]},
    "revision": {"type": "integer", "minimum": 1,
                 "description": "Number of the revision shown (1, 2, 3 … per article)."},
    "updated": {**TIME, "description": "Last change of the article (UTC)."},
    "url": {"type": "string", "description": "Path of the article page in the portal."},
}

SCHEMAS = {
    "Error": _obj({"error": _obj({"status": {"type": "integer"},
                                  "message": {"type": "string"}})}),
    "Hit": _obj({
        "slug": {"type": "string"}, "title": {"type": "string"},
        "category": {"type": "string"}, "score": {"type": "number"},
        "snippet": {"type": "string", "description": "HTML: text with <mark> around matches."},
        "title_html": {"type": "string", "description": "HTML: the title with <mark>s."},
        "category_name": {"type": "string"}, "language": {"type": "string"},
        "updated": {**DATE, "description": "Day of the last change (UTC)."},
        "highlights": {"type": "array", "items": {"type": "string"},
                       "description": "The words that matched, as written in the article."},
        "section": {"type": "string", "description": "Heading of the section holding the best "
                    "passage ('' when it is above the first heading)."},
        "section_id": {"type": "string", "description": "That heading's anchor (/a/<slug>#id)."},
        "answer": {"oneOf": [{"type": "null"}, _ref("AnswerCard")],
                   "description": "The answer card of the best passage, if the article has one."},
    }),
    "AnswerCard": _obj({
        "text": {"type": "string", "description": "The answer, as plain text."},
        "section_id": {"type": "string", "description": "Anchor of the section it answers "
                       "('' for the article's own answer)."},
        "section": {"type": "string", "description": "That section's heading."},
    }),
    "SearchResult": _obj({
        "query": {"type": "string", "description": "The query this answer is for (echoed)."},
        "total": {"type": "integer", "minimum": 0},
        "results": {"type": "array", "items": _ref("Hit")},
        "did_you_mean": {"type": ["string", "null"]},
        "page": {"type": "integer", "minimum": 1},
        "pages": {"type": "integer", "minimum": 1},
        "took_ms": {"type": "number", "minimum": 0},
    }),
    "ArticleSummary": _obj(ARTICLE_FIELDS),
    "Article": _obj({
        **ARTICLE_FIELDS,
        "html": {"type": "string", "description": "The body rendered and sanitised (HTML)."},
        "markdown": {"type": "string", "description": "The body as written (Markdown)."},
        "toc": {"type": "array", "items": _obj({
            "level": {"type": "integer"}, "id": {"type": "string"},
            "name": {"type": "string"}})},
        "answer": {"oneOf": [{"type": "null"}, _ref("AnswerCard")],
                   "description": "The article's own answer card (front matter `answer:`, or a "
                   "`!!! answer` above the first heading), if it has one."},
        "answers": {"type": "array", "items": _ref("AnswerCard"),
                    "description": "Every answer card of the article: its own first, then each "
                    "section's `!!! answer` in the order of the sections."},
    }),
    "ArticleList": _obj({
        "articles": {"type": "array", "items": _ref("ArticleSummary")},
        "page": {"type": "integer", "minimum": 1},
        "per_page": {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE},
        "total": {"type": "integer", "minimum": 0},
        "pages": {"type": "integer", "minimum": 1},
    }),
    "TrainingProgress": _obj({
        "user": _obj({"username": {"type": "string"}, "name": {"type": "string"},
                      "role": {"type": "string", "enum": ["agent", "trainer", "admin"]}}),
        "assignments": {"type": "array", "items": _obj({
            "track": _obj({"slug": {"type": "string"}, "title": {"type": "string"}}),
            "start_date": DATE,
            "due_date": {"type": ["string", "null"], "format": "date"},
            "completed_at": NULLABLE_TIME,
            "done": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0},
            "percent": {"type": "integer", "minimum": 0, "maximum": 100},
            "overdue": {"type": "boolean"}, "complete": {"type": "boolean"},
            "steps": {"type": "array", "items": _obj({
                "kind": {"type": "string", "enum": ["read", "quiz"]},
                "target": {"type": "string", "description": "Article or quiz slug."},
                "title": {"type": "string"},
                "status": {"type": "string", "enum": ["done", "open", "overdue", "reopened"]},
                "completed_at": NULLABLE_TIME})},
        })},
    }),
}

ERROR_TEXT = {
    400: "A parameter is invalid; the message names it.",
    401: "No valid token and no session: send `Authorization: Bearer <token>`.",
    403: "The caller's role may not do this.",
    404: "No such article, or the caller may not see it.",
    429: "Too many requests for this token (or user); wait `Retry-After` seconds.",
    503: "The database is unavailable for a moment; retry later.",
}


def _error_response(code: int) -> dict:
    response = {"description": ERROR_TEXT[code], "content": {JSON: {"schema": _ref("Error")}}}
    if code == 429:
        response["headers"] = {"Retry-After": {
            "required": True, "description": "Seconds to wait before the next request.",
            "schema": {"type": "string", "pattern": "^[0-9]+$"}}}
    return response


PAGE_TEXT = "Page number, from 1."
FILTER_TEXT = ("Only articles with this {} (exact match; control characters are refused, NUL "
               "characters dropped, as from every parameter).")

PATHS = {
    "/search": {"get": {
        "operationId": "search", "tags": ["search"],
        "summary": "Search published articles, best answer first.",
        "description": "The same search agents use in the portal. Every search is logged for "
                       "the content-gap reports (source `api`, or `live` with `sid`).",
        "parameters": [
            _query("q", "What to look for (Chinese or English; at most 1000 characters are "
                        "used).", {"type": "string"}),
            _query("category", FILTER_TEXT.format("category key"), {"type": "string"}),
            _query("tag", FILTER_TEXT.format("tag"), {"type": "string"}),
            _query("language", "Only articles in this language.", {"type": "string"}),
            _query("sort", "Order of the results.",
                   {"type": "string", "enum": list(SORTS), "default": "relevance"}),
            _query("limit", "Results per page.",
                   {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 10}),
            _query("page", PAGE_TEXT, {"type": "integer", "minimum": 1, "maximum": 1000,
                                       "default": 1}),
            _query("sid", "A typing-session id: requests with the same id are logged as one "
                          "search.", {"type": "string"}),
        ],
        "responses": {"200": _ok("SearchResult", "The results of this page."),
                      **_errors(400)},
    }},
    "/articles": {"get": {
        "operationId": "listArticles", "tags": ["articles"],
        "summary": "Published articles, most recently changed first.",
        "description": "For keeping a copy in step: call with `updated_since` set to the "
                       "newest `updated` seen last time.",
        "parameters": [
            _query("category", FILTER_TEXT.format("category key"),
                   {"type": "string", "maxLength": 40, "pattern": "^[^\\x01-\\x1f\\x7f]*$"}),
            _query("tag", FILTER_TEXT.format("tag"),
                   {"type": "string", "maxLength": 80, "pattern": "^[^\\x01-\\x1f\\x7f]*$"}),
            _query("updated_since", "Only articles changed at or after this time (RFC 3339, "
                                    "e.g. 2026-05-01T08:00:00Z).", TIME),
            _query("page", PAGE_TEXT, {"type": "integer", "minimum": 1, "maximum": MAX_PAGE,
                                       "default": 1}),
            _query("per_page", "Articles per page.",
                   {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": 20}),
        ],
        "responses": {"200": _ok("ArticleList", "One page of articles."), **_errors(400)},
    }},
    "/articles/{slug}": {"get": {
        "operationId": "getArticle", "tags": ["articles"],
        "summary": "One article: rendered HTML and its Markdown source.",
        "description": "A former slug finds the renamed article (the answer carries the "
                       "current slug). Agents see published articles only; trainers also "
                       "drafts, as on the article page.",
        "parameters": [{"name": "slug", "in": "path", "required": True,
                        "schema": {"type": "string", "minLength": 1}}],
        "responses": {"200": _ok("Article", "The article."), **_errors(404)},
    }},
    "/me/training": {"get": {
        "operationId": "myTraining", "tags": ["training"],
        "summary": "The caller's onboarding tracks and the state of each step.",
        "responses": {"200": _ok("TrainingProgress", "The caller's tracks."), **_errors()},
    }},
    "/openapi.json": {"get": {
        "operationId": "openapi", "tags": ["meta"],
        "summary": "This document.",
        "responses": {"200": {"description": "OpenAPI 3.1.",
                              "content": {JSON: {"schema": {"type": "object"}}}},
                      **_errors()},
    }},
}


def document() -> dict:
    """The whole OpenAPI document (a new dict each call: callers may change it)."""
    return copy.deepcopy({
        "openapi": "3.1.0",
        "info": {
            "title": "kb_portal API", "version": "1",
            "description": "Search and read the knowledge base and see training progress from "
                           "an agent desktop, a CRM sidebar or a script. Every error has the "
                           "shape of `Error`. Rate limit per token (or per user with a session):"
                           " `KB_API_RATE_LIMIT`, answered 429 with `Retry-After`.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearerToken": []}, {"session": []}],
        "paths": PATHS,
        "components": {
            "schemas": SCHEMAS,
            "responses": {f"E{code}": _error_response(code) for code in ERROR_TEXT},
            "securitySchemes": {
                "bearerToken": {"type": "http", "scheme": "bearer",
                                "description": "`flask kb token create USERNAME` prints one."},
                "session": {"type": "apiKey", "in": "cookie", "name": "session",
                            "description": "The portal's login session (the browser's live "
                                           "search); writes also need the CSRF header."},
            },
        },
    })
