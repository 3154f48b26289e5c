"""Request parameters without NUL characters.

PostgreSQL text cannot hold ``U+0000`` (``psycopg.DataError``), SQLite can: a query, a form
field or a search pasted with a NUL in it was a 500 on one database and stored on the other.
NUL carries no meaning in any text this portal takes, so every query-string and form value
drops it as it is parsed — one place, before any view, form or service sees the text. Uploaded
files are bytes and keep theirs (kb/uploads.py refuses NULs in text attachments).
"""
from werkzeug.datastructures import ImmutableMultiDict, iter_multi_items


def _clean(value):
    return value.replace("\x00", "") if isinstance(value, str) else value


class TextParameters(ImmutableMultiDict):
    """Werkzeug's parameter storage, with NUL characters dropped from keys and values."""

    def __init__(self, mapping=None):
        super().__init__([(_clean(key), _clean(value))
                          for key, value in iter_multi_items(mapping or ())])
