"""Signals other features subscribe to, so that kb/ does not import them.

``article_changed`` is sent *after commit* with ``article_ids`` (a list); the search feature
reconciles its index on it, training reopens track steps on ``article_published``.
"""
from blinker import Namespace

_signals = Namespace()
article_changed = _signals.signal("article-changed")
article_published = _signals.signal("article-published")
