"""Training: quizzes, onboarding tracks and trainer reports (issue 5, DESIGN.md §6).

:func:`init_app` is the one place the feature plugs into the app: importers for ``flask kb
import``, the blueprint, the article-published subscription, template hooks and the demo hook.
"""

IMPORT_SUFFIXES = ".yaml|.yml|.gift"


def init_app(app) -> None:
    """Wire the training feature into ``app``."""
    from ..importing import IMPORTERS
    from ..kb.signals import article_published
    from .importer import import_training_files
    from .tracks import on_article_published

    # One importer for all three suffixes, so that tracks are applied after every quiz.
    IMPORTERS.setdefault(IMPORT_SUFFIXES, ("quizzes and tracks", import_training_files))
    # Publishing with "requires re-read" reopens read steps and flags linked questions.
    article_published.connect(on_article_published, weak=False)
