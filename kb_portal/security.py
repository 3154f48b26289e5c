"""HTTP security headers for every response.

The Content-Security-Policy allows scripts only from this site (no inline scripts, no CDN), so
an injected ``<script>`` or ``onclick=`` cannot run even if it slipped past the sanitiser.
Inline ``style`` attributes stay allowed: progress bars and charts set widths with them.
"""

CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


def init_app(app) -> None:
    @app.after_request
    def security_headers(response):
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Referrer-Policy", "same-origin")
        if response.mimetype == "text/html":
            # Pages can show personal data and drafts: never cache them in shared caches.
            headers.setdefault("Cache-Control", "private, no-store")
        return response
