"""Interface languages: which one a request gets, the language switch, and the zh-Hant catalogue.

Shipped languages are English (the msgids), Simplified Chinese (``zh``, translated by people)
and Traditional Chinese (``zh_Hant``, *generated* from ``zh`` by :mod:`.hant` — never edited by
hand). ``init_app`` installs the locale selector, the template helpers and the switch's route.
"""
from .locales import LANGUAGES, html_lang, select_locale


def init_app(app) -> None:
    """Bind Flask-Babel with our selector; add ``current_locale`` and the switch's data."""
    from flask_babel import get_locale

    from ..extensions import babel
    from . import views

    app.config["BABEL_SUPPORTED_LOCALES"] = [code for code, _name in LANGUAGES]
    babel.init_app(app, locale_selector=select_locale,
                   default_translation_directories=str(views.TRANSLATIONS))
    app.register_blueprint(views.bp)

    @app.context_processor
    def inject():
        locale = str(get_locale() or "en")
        return {"current_locale": locale, "html_lang": html_lang(locale),
                "interface_languages": LANGUAGES}


__all__ = ["LANGUAGES", "init_app", "select_locale"]
