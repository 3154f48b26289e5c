"""The knowledge base: reading, authoring, workflow, content health."""


def register_blueprints(app) -> None:
    """Register every blueprint of the feature (reading UI first: it owns ``/``)."""
    from . import (
        admin_views,
        editor_views,
        health_views,
        revision_views,
        upload_views,
        views,
        work_views,
    )

    for module in (views, editor_views, revision_views, upload_views, health_views, admin_views,
                   work_views):
        app.register_blueprint(module.bp)
    from .rendering import render_markdown

    # Imports Markdown's extension modules now (~40 ms) rather than in the first save.
    render_markdown("")
