"""Which interface language a request gets.

Order: the language picked with the switch in this session (the login page has one too), then
the user's saved preference, then the browser's ``Accept-Language``, then English. Browsers
name Chinese many ways; :func:`from_browser_tag` maps them: ``zh-TW``, ``zh-HK``, ``zh-MO`` and
anything with the ``Hant`` script → Traditional; every other ``zh`` → Simplified.
"""
from flask import has_request_context, request, session
from flask_login import current_user

# (code, name in its own language): the switch shows names as their readers write them.
LANGUAGES = (("en", "English"), ("zh", "简体中文"), ("zh_Hant", "繁體中文"))
CODES = frozenset(code for code, _name in LANGUAGES)
TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})
SESSION_KEY = "locale"


def from_browser_tag(tag: str) -> str | None:
    """The interface language for one ``Accept-Language`` tag, or None when we have none."""
    parts = tag.replace("_", "-").lower().split("-")
    if parts[0] == "en":
        return "en"
    if parts[0] != "zh":
        return None
    if "hant" in parts[1:] or TRADITIONAL_REGIONS.intersection(parts[1:]):
        return "zh_Hant"
    return "zh"


def browser_locale() -> str | None:
    """The first language of the browser's list (by quality) that we ship."""
    for tag, _quality in request.accept_languages:
        found = from_browser_tag(tag)
        if found:
            return found
    return None


def select_locale() -> str:
    """Flask-Babel's locale selector (see the module docstring)."""
    if not has_request_context():
        return "en"  # CLI output
    chosen = session.get(SESSION_KEY)
    if chosen in CODES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in CODES:
        return current_user.locale
    return browser_locale() or "en"


def html_lang(locale: str) -> str:
    """The BCP 47 tag for ``<html lang>`` (fonts and screen readers pick the script by it)."""
    return {"zh": "zh-Hans", "zh_Hant": "zh-Hant"}.get(locale, "en")
