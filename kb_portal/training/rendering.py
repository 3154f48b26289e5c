"""Question texts to safe HTML, in the format their author chose (GIFT's ``[…]`` tags).

Markdown goes through the one renderer (kb/rendering.py); HTML is sanitised with the same nh3
allow-list as articles; plain text (GIFT's ``[plain]`` and ``[moodle]``) is escaped, line breaks
kept. Nothing a question says reaches a page unsanitised.
"""
from markupsafe import escape

from ..kb.rendering import render_markdown, sanitize


def question_html(text: str, text_format: str | None = "markdown") -> str:
    if not text:
        return ""
    if text_format == "html":
        return sanitize(text)
    if text_format == "plain":
        return "<p>" + str(escape(text)).replace("\n", "<br>\n") + "</p>"
    return render_markdown(text).html
