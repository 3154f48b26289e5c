"""The knowledge base: reading, authoring, workflow, uploads, trainers' work, content health.

:func:`init_app` is the one place the feature plugs into the app: its blueprints (one per
sub-area, each named ``kb_<area>``; the reading UI is plain ``kb`` and owns ``/``) and its
``flask kb`` commands. Other features learn about changes through :mod:`.signals`.
"""


def init_app(app) -> None:
    """Wire the knowledge base into ``app`` (called from ``create_app``)."""
    from ..cli import command_group
    from . import (
        admin_views,
        commands,
        editor_views,
        health_views,
        revision_views,
        upload_views,
        views,
        work_views,
    )
    from .rendering import render_markdown

    for module in (views, editor_views, revision_views, upload_views, health_views, admin_views,
                   work_views):
        app.register_blueprint(module.bp)
    commands.register(command_group(app))
    # Imports Markdown's extension modules now (~40 ms) rather than in the first save.
    render_markdown("")
