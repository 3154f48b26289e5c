"""Question texts to safe HTML, in the format their author chose (GIFT's ``[…]`` tags).

Markdown goes through the one renderer (kb/rendering.py) on the article's bounded path: within
the render budget, checked when saved or imported (:func:`check_question_texts`,
:func:`check_quiz_texts`) and remembered per text when shown (:mod:`..kb.render_cache`). HTML
is sanitised with the same nh3 allow-list as articles; plain text (GIFT's ``[plain]`` and
``[moodle]``) is escaped, line breaks kept. Nothing a question says reaches a page unsanitised.
"""
from flask_babel import lazy_gettext as _l
from markupsafe import escape

from ..kb.render_cache import render_problem, render_shown
from ..kb.rendering import sanitize
from .errors import TrainingError


def question_html(text: str, text_format: str | None = "markdown") -> str:
    if not text:
        return ""
    if text_format == "html":
        return sanitize(text)
    if text_format == "plain":
        return "<p>" + str(escape(text)).replace("\n", "<br>\n") + "</p>"
    return render_shown(text)


def markdown_html(text: str) -> str:
    """Quiz descriptions and grade-band feedback (always Markdown)."""
    return render_shown(text)


def _check(named_texts) -> None:
    """:raise TrainingError: naming the first text that cannot be rendered within budget."""
    for name, text in named_texts:
        problem = render_problem(text) if text else None
        if problem:
            raise TrainingError(_l("%(name)s: %(problem)s", name=name, problem=problem))


def check_question_texts(qf) -> None:
    """Refuse a question (:class:`.question_file.QuestionFile`) whose Markdown prompt,
    explanation or per-answer feedback cannot be turned into a page within the budget."""
    if qf.prompt_format != "markdown":
        return
    notes = qf.definition.get("feedback")
    notes = notes.values() if isinstance(notes, dict) else ()
    _check([(_l("prompt"), qf.prompt), (_l("explanation"), qf.explanation),
            *((_l("feedback"), note) for note in notes if isinstance(note, str))])


def check_quiz_texts(description: str, bands: list[dict]) -> None:
    """Refuse quiz settings whose description or grade-band feedback cannot be rendered."""
    _check([(_l("description"), description),
            *((_l("feedback"), band.get("text", "")) for band in bands)])
