"""Search: analyzer, an index kept in step with the database, query builder, pages, logs.

``search/engine/`` is the one place that knows Whoosh (see its docstring); everything else here
is the product side and talks to the engine through its interface. :func:`init_app` is the one
place the feature plugs into the app: settings (read once), the per-app
:class:`~.state.SearchState` in ``app.extensions["kb_search"]``, the blueprint, the ``flask kb``
commands, the ``article_changed`` subscription, the ``flask kb init`` hook, the content-gap
report link for the trainers' content-health page, and the start-up check of the index.
"""
import logging

from flask import current_app, has_app_context

from ..kb.signals import article_changed

log = logging.getLogger(__name__)
GAP_REPORT_ENDPOINT = "search.analytics"


def init_app(app) -> None:
    """Configure search for ``app`` (called from ``create_app``)."""
    from ..cli import command_group
    from . import commands
    from .settings import SearchSettings
    from .state import SearchState
    from .views import bp

    state = SearchState(app, SearchSettings.configure(app))
    state.engine.open()
    app.extensions["kb_search"] = state
    app.register_blueprint(bp)
    commands.register(command_group(app))
    # kb/health.py links to the report without importing this package.
    app.extensions.setdefault("kb_reports", {})["search_gaps"] = GAP_REPORT_ENDPOINT
    app.extensions.setdefault("kb_init_hooks", []).append(_init_hook)
    app.context_processor(_template_helpers)
    article_changed.connect(_on_article_changed, weak=False)  # once per process: same receiver
    state.start()


def _template_helpers() -> dict:
    """Callables for the include in kb/health.html (evaluated only where it is shown)."""
    from .gaps import open_reports, searched_without_card

    return {"search_gap_reports": open_reports, "search_without_card": searched_without_card}


def _init_hook() -> None:
    """``flask kb init``: make sure the index exists and is filled. (No synonym groups are
    seeded: the shipped lexicon holds what the starter groups did, and more.)"""
    from .state import search_state

    search_state().startup()


def _on_article_changed(_sender, article_ids=(), **_extra) -> None:
    """Index the changed articles of the app that sent the signal (signals are global)."""
    if not has_app_context() or "kb_search" not in current_app.extensions:
        return
    current_app.extensions["kb_search"].after_change(list(article_ids))
