"""What the learner's pages show, built from an attempt's stored snapshot.

The quiz page is built from each response's *view* (choices in display order, values that are
display positions) and never from a definition, so answers cannot leak into the HTML; the
review after submission adds the learner's own answer, the right one, the feedback their answer
earned and (for published articles only) where to study.
"""
from flask import url_for
from flask_login import current_user
from werkzeug.datastructures import MultiDict

from .models import Attempt, Quiz
from .question_types import get_type
from .refs import find_article
from .rendering import question_html


def raw_answers(form: MultiDict, responses) -> dict[int, object]:
    """Form fields → raw answer per slot (``q3``, ``q3`` × n for checkboxes, ``q3_0``, …)."""
    raw = {}
    for r in responses:
        name = f"q{r.slot}"
        if r.type == "multiple":
            raw[r.slot] = form.getlist(name)
        elif r.type in ("ordering", "matching"):
            prefix = name + "_"
            raw[r.slot] = {k[len(prefix):]: v for k, v in form.items() if k.startswith(prefix)}
        elif name in form:
            raw[r.slot] = form.get(name)
    return raw


def question_views(attempt: Attempt) -> list[dict]:
    """What the quiz page shows per slot: prompt, options, the saved answer. No answers."""
    views = []
    for r in attempt.responses:
        qtype = get_type(r.type)
        views.append({"slot": r.slot, "number": r.slot + 1, "type": r.type,
                      "prompt_html": question_html(r.shown_prompt, r.prompt_format),
                      "points": r.points,
                      "view": qtype.view(r.definition, r.layout),
                      "shown": qtype.shown(r.definition, r.layout, r.answer)})
    return views


def study_articles(quiz: Quiz) -> list:
    """The quiz's "study first" articles a learner may open (published ones), for titles."""
    found = (find_article(slug) for slug in quiz.article_slugs)
    return [a for a in found if a is not None and a.is_published]


def visible_article(article):
    """``article`` when the current user may see it in training pages, else None: agents
    never meet a draft's title or address through a quiz question."""
    if article is None:
        return None
    return article if article.is_published or current_user.has_role("trainer") else None


def section_name(article, anchor: str) -> str:
    """The heading a learner reads for ``anchor`` ("Refund window", not ``refund-window``);
    the anchor itself when the heading is gone from the article's current text."""
    if article is None or not anchor:
        return ""
    return next((entry["name"] for entry in article.current.toc if entry["id"] == anchor),
                anchor)


def review_rows(attempt: Attempt) -> list[dict]:
    """Per question: the prompt, right or not, and (as the quiz allows) answer and explanation."""
    review = "explanations" if current_user.has_role("trainer") else attempt.quiz.review
    if review == "score":
        return []
    rows = []
    for r in attempt.responses:
        q, qtype, definition = r.question, get_type(r.type), r.definition
        article, link = visible_article(q.article), None
        if article is not None:
            link = url_for("kb.article", slug=article.slug, _anchor=q.article_anchor or None)
        rows.append({"number": r.slot + 1, "response": r,
                     "prompt_html": question_html(r.shown_prompt, r.prompt_format),
                     "fraction": r.final_fraction or 0.0, "mark": r.mark or 0.0,
                     "points": r.points, "correct": qtype.correct_answer(definition),
                     "given": qtype.given_answer(definition, r.answer),
                     "feedback_html": [question_html(note, r.prompt_format)
                                       for note in qtype.feedback(definition, r.answer)],
                     "explanation_html": question_html(q.explanation, r.prompt_format)
                     if q.explanation and review == "explanations" else "",
                     "article_link": link,
                     "article_section": section_name(article, q.article_anchor),
                     "article_title": article.current.title if article else ""})
    return rows
