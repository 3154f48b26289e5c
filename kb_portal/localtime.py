"""Times as people read them: in the support centre's time zone.

The database keeps naive UTC timestamps (``accounts.models.utcnow``), which is right for
storage and comparisons, but an agent in Shanghai reading "updated 02:13" for an article saved
at 10:13 local time is misled. Everything shown on a page, and every "today" that decides
whether a review is overdue or a training step is late, goes through here.

``KB_TIMEZONE`` names an IANA zone (``Asia/Shanghai``); unset, the server's own zone is used.
Calendar dates (review-by, due dates, start dates) are dates in that zone and are never
converted.
"""
from datetime import UTC, date, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, current_app, has_app_context


def parse_zone(name: str | None) -> tzinfo | None:
    """The zone called ``name`` (None for the server's own zone).

    :raise ValueError: when no such zone exists, so a typo stops the start, not a page.
    """
    if not name:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"KB_TIMEZONE: unknown time zone {name!r} "
                         "(use an IANA name such as Asia/Shanghai)") from None


def _zone() -> tzinfo | None:
    return parse_zone(current_app.config.get("KB_TIMEZONE")) if has_app_context() else None


def to_local(value: datetime) -> datetime:
    """A stored (naive UTC) or aware datetime, as an aware datetime in the centre's zone."""
    aware = value.replace(tzinfo=UTC) if value.tzinfo is None else value
    return aware.astimezone(_zone())  # astimezone(None) is the server's zone


def from_local(value: datetime | None) -> datetime | None:
    """A wall-clock time typed in the centre's zone (naive), as stored: naive UTC."""
    if value is None:
        return None
    aware = value.replace(tzinfo=_zone()) if value.tzinfo is None else value
    if aware.tzinfo is None:  # the server's own zone
        aware = aware.astimezone()
    return aware.astimezone(UTC).replace(tzinfo=None)


def iso(value: datetime | None) -> str:
    """ISO 8601 in the centre's zone, with its UTC offset ("" for None): unambiguous in
    ``<time datetime=…>`` and in CSV exports."""
    return to_local(value).isoformat(timespec="seconds") if value else ""


def local_today() -> date:
    """Today's date in the centre's zone."""
    return datetime.now(_zone()).date()  # now(None): the server's local time


def _formatter(pattern: str):
    def format_value(value):
        if value is None:
            return ""
        if isinstance(value, datetime):
            return to_local(value).strftime(pattern)
        return value.isoformat()  # a calendar date: already in the centre's zone

    return format_value


def init_app(app: Flask) -> None:
    """Template filters: ``|when`` (2026-11-25 18:30), ``|when_s`` (with seconds), ``|day``
    (2026-11-25) and ``|iso`` (ISO 8601 with the offset, for ``<time datetime=…>``)."""
    parse_zone(app.config.get("KB_TIMEZONE"))  # fail at start on a bad name
    app.add_template_filter(_formatter("%Y-%m-%d %H:%M"), "when")
    app.add_template_filter(_formatter("%Y-%m-%d %H:%M:%S"), "when_s")
    app.add_template_filter(_formatter("%Y-%m-%d"), "day")
    app.add_template_filter(iso, "iso")
