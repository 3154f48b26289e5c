"""``/api/v1``: a versioned JSON API for agent desktops, CRM sidebars and scripts.

One blueprint (``views.bp``, with its authentication, rate limit and JSON errors); ``auth``
says who is calling and how often they may; ``errors`` holds the one JSON error shape;
``services`` builds the payloads; ``openapi`` describes it all (``GET /api/v1/openapi.json``).
:func:`init_app` is the one place the package plugs into the app.
"""


def init_app(app) -> None:
    """Register the API blueprint."""
    from .views import bp

    app.register_blueprint(bp)
