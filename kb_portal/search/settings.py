"""Search settings: read once from the app's config when the app is built.

Every value comes from the environment (documented in docs/search.md and the README) unless
the app's config already has it. A bad value stops the start with a clear message instead of
surfacing later in a request.
"""
import os
from dataclasses import dataclass
from pathlib import Path

import click

from .engine import ENGINES

STARTUP_MODES = ("background", "sync", "off")

# setting → (default, meaning); the order is the documentation's
DEFAULTS = {
    "KB_SEARCH_ENGINE": "fast",  # fast | reference (stock Whoosh; slower, for checking)
    "KB_SEARCH_SYNC_SECONDS": "5",  # between checks whether the database moved on
    "KB_SEARCH_LOCK_TIMEOUT": "30",  # a bulk write (import, reconcile, reindex) waits this long
    "KB_SEARCH_SAVE_TIMEOUT": "2",  # a save waits this long, then leaves it to reconcile
    "KB_SEARCH_STARTUP": "background",  # background | sync | off: the start-up reconcile
    "KB_SEARCH_USERDICT": "",  # an extra jieba word list for product names and house terms
    "KB_SEARCH_SYNONYM_SECONDS": "5",  # a worker keeps the synonym groups, category names this long
    "KB_SEARCH_LEXICON": "",  # the built-in lexicon: empty (shipped), a file path, or "off"
    "KB_SEARCH_CLICK_BOOST": "on",  # on | off: articles opened for the same query rank higher
    "KB_SEARCH_CLICK_BOOST_MAX": "0.2",  # the click boost's ceiling (share of the score)
    "KB_SEARCH_CLICK_HALF_LIFE": "30",  # days after which a click counts half as much
}


class SettingError(ValueError):
    """A search setting has a value that cannot work."""


@dataclass(frozen=True)
class SearchSettings:
    """The settings one app's search runs with."""

    index_dir: str
    cache_dir: str
    engine: str
    sync_seconds: float
    lock_timeout: float
    save_timeout: float
    startup: str
    userdict: str
    synonym_seconds: float
    lexicon: str  # "" (the shipped file), a path, or "off"
    click_boost: bool
    click_boost_max: float
    click_half_life: float  # days
    bulk_procs: int
    in_background: bool  # servers repair and merge in threads; tests and commands wait

    @classmethod
    def configure(cls, app) -> "SearchSettings":
        """Fill ``app.config`` from the environment where unset, then read it once.

        :raise SettingError: for a value that cannot work.
        """
        cfg = app.config
        given = {key for key in DEFAULTS if key in cfg or key in os.environ}
        for key, default in DEFAULTS.items():
            cfg.setdefault(key, os.environ.get(key, default))
        if app.testing:  # tests see an index and synonyms that are in step, unless told
            for key, value in (("KB_SEARCH_STARTUP", "sync"), ("KB_SEARCH_SYNC_SECONDS", 0),
                               ("KB_SEARCH_SYNONYM_SECONDS", 0)):
                if key not in given:
                    cfg[key] = value
        settings = cls(
            index_dir=str(cfg["KB_INDEX_DIR"]),
            cache_dir=str(Path(cfg["KB_DATA_DIR"]) / "cache"),
            engine=_choice(cfg, "KB_SEARCH_ENGINE", ENGINES),
            sync_seconds=_seconds(cfg, "KB_SEARCH_SYNC_SECONDS"),
            lock_timeout=_seconds(cfg, "KB_SEARCH_LOCK_TIMEOUT"),
            save_timeout=_seconds(cfg, "KB_SEARCH_SAVE_TIMEOUT"),
            startup=_choice(cfg, "KB_SEARCH_STARTUP", STARTUP_MODES),
            userdict=str(cfg["KB_SEARCH_USERDICT"] or ""),
            synonym_seconds=_seconds(cfg, "KB_SEARCH_SYNONYM_SECONDS"),
            lexicon=str(cfg["KB_SEARCH_LEXICON"] or "").strip(),
            click_boost=_choice(cfg, "KB_SEARCH_CLICK_BOOST", ("on", "off")) == "on",
            click_boost_max=_number(cfg, "KB_SEARCH_CLICK_BOOST_MAX", 0, 1),
            click_half_life=_number(cfg, "KB_SEARCH_CLICK_HALF_LIFE", 0.1, 3650),
            bulk_procs=int(cfg.get("KB_BULK_PROCS", 1)),
            # Tests merge and sync in the request, so nothing runs after a test removed its
            # files; a one-off `flask kb` command (a click context) waits too, or its threads
            # would die with it, half-way through a write.
            in_background=not app.testing and click.get_current_context(silent=True) is None,
        )
        for key, path in (("KB_SEARCH_USERDICT", settings.userdict),
                          ("KB_SEARCH_LEXICON", settings.lexicon)):
            if path and path.lower() != "off" and not Path(path).is_file():
                raise SettingError(f"{key}: no such file {path!r}")
        return settings


def _seconds(cfg, key: str) -> float:
    try:
        value = float(cfg[key])
    except (TypeError, ValueError):
        raise SettingError(f"{key} must be a number of seconds, not {cfg[key]!r}") from None
    if not 0 <= value <= 86400:
        raise SettingError(f"{key} must be between 0 and 86400 seconds, not {value:g}")
    return value


def _number(cfg, key: str, low: float, high: float) -> float:
    try:
        value = float(cfg[key])
    except (TypeError, ValueError):
        raise SettingError(f"{key} must be a number, not {cfg[key]!r}") from None
    if not low <= value <= high:
        raise SettingError(f"{key} must be between {low:g} and {high:g}, not {value:g}")
    return value


def _choice(cfg, key: str, choices) -> str:
    value = str(cfg[key]).strip().lower()
    if value not in choices:
        raise SettingError(f"{key} must be one of {', '.join(choices)}, not {cfg[key]!r}")
    return value
