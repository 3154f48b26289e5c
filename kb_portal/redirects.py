"""Following a ``next`` parameter without opening a redirect to another site.

Browsers are generous with what they take for a URL: they drop tabs and newlines anywhere in it
and read ``\\`` as ``/``, so ``/\\t/evil.example/`` and ``/\\evil.example`` both become
``//evil.example/`` — another host. A target is therefore accepted only when it is a plain
path on this site: it starts with exactly one ``/``, and holds no backslash, whitespace or
control character at all (a legitimate link of ours never does; spaces are percent-encoded).
"""
from urllib.parse import urlsplit


def local_target(target: str | None) -> str | None:
    """``target`` when it is a path on this site, else None (callers pick their default)."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if any(ch == "\\" or ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
