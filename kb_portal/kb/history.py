"""What an article's history says, in the reader's language.

* :data:`AUDIT_ACTIONS` describes the knowledge base's audit actions (see ``kb_portal.audit``).
* :func:`revision_note` shows the notes the system itself writes on revisions ("Created",
  "Imported from …", "Restored revision N: …") in the interface language; those notes are
  stored in English because files, exports and older databases carry them that way.
* :data:`STATUS_LABELS` names the workflow statuses.
"""
import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..accounts.people import display_name

STATUS_LABELS = {"draft": _l("draft"), "review": _l("in review"), "published": _l("published"),
                 "archived": _l("archived")}
NOTE_POLICY_LABELS = {"published": _l("required once the article is published"),
                      "always": _l("always required"), "never": _l("optional")}
_RESTORED = re.compile(r"Restored revision (\d+)(?:: (.*))?\Z", re.S)
_IMPORTED = re.compile(r"Imported from (.+)\Z", re.S)


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))


def revision_note(note: str) -> str:
    """A revision's note for display (machine-written notes translated, people's as written)."""
    if note == "Created":
        return _("Created")
    if match := _RESTORED.match(note):
        restored = _("Restored revision %(n)s", n=match.group(1))
        return f"{restored}: {match.group(2)}" if match.group(2) else restored
    if match := _IMPORTED.match(note):
        return _("Imported from %(source)s", source=match.group(1))
    return note


def _edit(detail) -> str:
    parts = []
    if "revision" in detail:
        parts.append(_("saved revision %(n)s", n=detail["revision"]))
    if "renamed" in detail:
        parts.append(_("changed the address: %(change)s", change=detail["renamed"]))
    if "owner" in detail:
        parts.append(_("made %(who)s the owner", who=display_name(detail["owner"])))
    if "review_by" in detail:
        parts.append(_("set the review date to %(date)s", date=detail["review_by"] or "—"))
    return "; ".join(parts) or _("saved the article")


def _publish(detail) -> str:
    parts = [_("published revision %(n)s", n=detail["revision"])]
    if detail.get("approval"):
        parts.append(_("approved by a second person"))
    if detail.get("requires_reread"):
        parts.append(_("agents must re-read it"))
    return "; ".join(parts)


def _category_edit(detail) -> str:
    approval = _("publishing needs approval") if detail.get("requires_approval") else \
        _("publishing needs no approval")
    policy = NOTE_POLICY_LABELS.get(detail.get("note_required"), detail.get("note_required"))
    return _("changed the category: %(approval)s; change note %(policy)s", approval=approval,
             policy=policy)


AUDIT_ACTIONS = {
    "article.create": _l("created the article (revision %(revision)s)"),
    "article.edit": _edit,
    "article.submit": _l("submitted revision %(revision)s for review"),
    "article.return_to_draft": _l("returned revision %(revision)s to draft"),
    "article.publish": _publish,
    "article.archive": lambda d: _("archived the article, confirming the request to archive it")
    if d.get("approval") else _("archived the article"),
    "article.archive_request": _l("asked to archive the article (a second person confirms)"),
    "article.archive_decline": _l("kept the article: the request to archive it is withdrawn"),
    "article.unarchive": lambda d: _("brought the article back as %(status)s",
                                     status=status_label(d["status"])),
    "article.restore": _l("restored revision %(restored)s as revision %(revision)s"),
    "article.verify": _l("marked the article verified; next review by %(review_by)s"),
    "attachment.upload": _l("uploaded a file (%(type)s)"),
    "kb.export": _l("exported %(count)s articles"),
    "category.create": _l("created the category"),
    "category.edit": _category_edit,
}
