"""Training: quizzes, onboarding tracks and trainer reports (issue 5, DESIGN.md §6).

:func:`init_app` is the one place the feature plugs into the app: importers for ``flask kb
import``, the blueprints, the ``flask kb`` commands, the article-published subscription,
template hooks and the demo hook.
"""

IMPORT_SUFFIXES = ".yaml|.yml|.gift"


def init_app(app) -> None:
    """Wire the training feature into ``app``."""
    from ..cli import command_group
    from ..importing import IMPORTERS
    from ..kb.signals import article_published
    from . import (
        bank_views,
        commands,
        grading_views,
        manage_views,
        question_views,
        report_views,
        track_views,
        views,
    )
    from .importer import import_training_files
    from .tracks import on_article_published

    # One importer for all three suffixes, so that tracks are applied after every quiz.
    IMPORTERS.setdefault(IMPORT_SUFFIXES, ("quizzes and tracks", import_training_files))
    # Publishing with "requires re-read" reopens read steps and flags linked questions.
    article_published.connect(on_article_published, weak=False)
    for module in (views, manage_views, question_views, bank_views, track_views,
                   report_views, grading_views):
        app.register_blueprint(module.bp)
    commands.register(command_group(app))
    app.add_template_filter(_score, "score")
    app.context_processor(_template_helpers)
    app.extensions.setdefault("kb_demo_hooks", []).append(_assign_demo_track)


def _score(value) -> str:
    """A score for people: at most one decimal (``3.7``, ``4``), "—" when there is none.

    Halves round up, as people round (0.25 → 0.3, 6.25 % → 6.3 %), not to the even digit
    float formatting picks (:func:`.grading.one_decimal`, which pass marks compare too).
    """
    import math

    from .grading import one_decimal

    if value is None or not math.isfinite(value):
        return "—"
    text = f"{one_decimal(value):f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _template_helpers() -> dict:
    """Callables for the includes in kb/home.html and kb/article.html (evaluated lazily)."""
    from flask_login import current_user

    from .services import question_count
    from .tracks import needs_ack, user_progress

    def my_progress():
        return user_progress(current_user) if current_user.is_authenticated else []

    def my_notice():
        from .reminders import notice_for

        return notice_for(current_user) if current_user.is_authenticated else {}

    def ack_needed(article):
        return current_user.is_authenticated and needs_ack(current_user, article)

    return {"training_my_progress": my_progress, "training_ack_needed": ack_needed,
            "training_my_notice": my_notice,
            "training_question_count": question_count}


DEMO_TRACK, DEMO_TRAINEE = "onboarding", "newhire"


def _assign_demo_track() -> None:
    """``flask kb demo`` hook: give the demo new hire the onboarding track (when imported)."""
    from sqlalchemy import select

    from ..accounts.services import find_user
    from ..extensions import db
    from ..localtime import local_today
    from .models import Track
    from .tracks import assign_track

    track = db.session.scalar(select(Track).where(Track.slug == DEMO_TRACK))
    user = find_user(DEMO_TRAINEE)
    if track is not None and user is not None:
        user.start_date = user.start_date or local_today()
        assign_track(track, [user])
