"""Search: analyzer, Whoosh index kept in step with the database, query builder, pages, logs.

``init_app`` wires it into the app: settings, jieba warm-up, the ``article_changed``
subscription, the ``flask kb init`` hook and the start-up reconcile.
"""
import logging
import os
from pathlib import Path

from flask import current_app, has_app_context

from ..kb.signals import article_changed

log = logging.getLogger(__name__)



def settings() -> dict:
    """Search settings from the environment (documented in docs/search.md and the README)."""
    env = os.environ.get
    return {
        # seconds between checks whether the database moved on since the index last looked
        "KB_SEARCH_SYNC_SECONDS": env("KB_SEARCH_SYNC_SECONDS", "5"),
        # how long a bulk writer waits for another process's index lock
        "KB_SEARCH_LOCK_TIMEOUT": env("KB_SEARCH_LOCK_TIMEOUT", "30"),
        # how long a save waits for the index lock before leaving the article to reconcile
        "KB_SEARCH_SAVE_TIMEOUT": env("KB_SEARCH_SAVE_TIMEOUT", "2"),
        # background | sync | off: the start-up reconcile
        "KB_SEARCH_STARTUP": env("KB_SEARCH_STARTUP", "background"),
        # an extra jieba word list (one word per line) for product names and house terms
        "KB_SEARCH_USERDICT": env("KB_SEARCH_USERDICT", ""),
        # seconds a worker keeps its copy of the synonym groups before checking for edits
        "KB_SEARCH_SYNONYM_SECONDS": env("KB_SEARCH_SYNONYM_SECONDS", "5"),
    }


def init_app(app) -> None:
    """Configure search for ``app`` (called from ``create_app``)."""
    from . import analysis, runtime
    from .index import get_index

    for key, value in settings().items():
        app.config.setdefault(key, value)
    if app.testing and "KB_SEARCH_STARTUP" not in os.environ:
        app.config["KB_SEARCH_STARTUP"] = "sync"
        app.config["KB_SEARCH_SYNC_SECONDS"] = 0
    analysis.init_jieba(str(Path(app.config["KB_DATA_DIR"]) / "cache"),
                        app.config["KB_SEARCH_USERDICT"] or None)
    get_index(app.config["KB_INDEX_DIR"]).open()
    app.extensions["kb_search"] = runtime.SearchRuntime(app)
    app.extensions.setdefault("kb_init_hooks", []).append(_init_hook)
    app.context_processor(_template_helpers)
    runtime.start(app)


def _template_helpers() -> dict:
    """Callables for the include in kb/health.html (evaluated only where it is shown)."""
    from .gaps import open_reports, searched_without_card

    return {"search_gap_reports": open_reports, "search_without_card": searched_without_card}


def _init_hook() -> None:
    """``flask kb init``: make sure the index exists and is filled; seed starter synonyms."""
    from .runtime import runtime
    from .synonyms import seed_starter_groups

    seeded = seed_starter_groups()
    if seeded:
        log.info("search: added %d starter synonym groups", seeded)
    runtime().startup()


def _on_article_changed(_sender, article_ids=(), **_extra) -> None:
    if not has_app_context() or "kb_search" not in current_app.extensions:
        return
    current_app.extensions["kb_search"].after_change(list(article_ids))


article_changed.connect(_on_article_changed, weak=False)
