"""Images and attachments: checked by content, stored under ``KB_UPLOAD_DIR``, served safely.

Why each rule:

* The type comes from the file's bytes (``filetype`` magic numbers), never from the name or the
  browser's Content-Type; the name's extension must agree with the content, so a page that
  calls itself ``photo.png`` is refused instead of being stored under a misleading name.
* Plain text (``.txt``, ``.csv``) has no magic number: it is accepted only when it is UTF-8
  without NUL bytes and the sniffer recognises nothing else in it.
* SVG and HTML are not on the list: both can carry scripts.
* Files are stored under a random name (not guessable, no user-controlled path) and served with
  ``nosniff``, a sandboxing CSP, and ``Content-Disposition: attachment`` for everything that is
  not an image (see :func:`serve_headers`).
"""
import errno
import hashlib
import os
import re
import secrets
import unicodedata
from pathlib import Path

import filetype
from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update

from .. import audit
from ..extensions import db
from .models import Article, Attachment, Revision
from .services import KbError

# content type → (extensions a file of that type may have, shown inline as an image)
ALLOWED_TYPES: dict[str, tuple[tuple[str, ...], bool]] = {
    "image/png": (("png",), True),
    "image/jpeg": (("jpg", "jpeg"), True),
    "image/gif": (("gif",), True),
    "image/webp": (("webp",), True),
    "application/pdf": (("pdf",), False),
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": (("docx",), False),
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": (("xlsx",), False),
    "application/vnd.openxmlformats-officedocument.presentationml.presentation":
        (("pptx",), False),
    "text/plain": (("txt",), False),
    "text/csv": (("csv",), False),
}
TEXT_TYPES = {"txt": "text/plain", "csv": "text/csv"}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


class UploadError(KbError):
    """An upload that was refused; the message says why."""


class UploadTooLargeError(UploadError):
    """The file is over ``KB_UPLOAD_MAX_BYTES``."""


def too_large_message(limit: int) -> str:
    return str(_l("The file is larger than %(mb).1f MB.", mb=limit / 1024 / 1024))


def clean_filename(name: str) -> str:
    """The file's own name without any path, control or shell-special characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE_NAME.sub("_", name).strip(" .")
    return name[-120:] or "file"


def sniff(data: bytes, filename: str) -> str:
    """Return the content type of ``data`` if it is allowed and matches the name's extension.

    :raise UploadError: for unknown, disallowed or mislabelled content.
    """
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    kind = filetype.guess(data)
    if kind is None:
        if ext in TEXT_TYPES and b"\x00" not in data:
            try:
                data.decode("utf-8")
            except UnicodeDecodeError:
                raise UploadError(_l("Text files must be UTF-8.")) from None
            return TEXT_TYPES[ext]
        raise UploadError(_l("This kind of file is not allowed."))
    mime = kind.mime
    if mime not in ALLOWED_TYPES:
        raise UploadError(_l("Files of type %(type)s are not allowed.", type=mime))
    if ext not in ALLOWED_TYPES[mime][0]:
        raise UploadError(_l("The file's content (%(type)s) does not match its name (.%(ext)s).",
                             type=mime, ext=ext or "?"))
    return mime


def save_upload(stream, filename: str, actor, article=None) -> Attachment:
    """Check and store an uploaded file; return its :class:`Attachment` (flushed, not
    committed).

    Reads at most ``KB_UPLOAD_MAX_BYTES + 1`` bytes, so an oversized file is refused without
    being held in memory (Werkzeug's ``MAX_CONTENT_LENGTH`` stops far bigger requests earlier).
    """
    limit = current_app.config["KB_UPLOAD_MAX_BYTES"]
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise UploadTooLargeError(too_large_message(limit))
    if not data:
        raise UploadError(_l("The file is empty."))
    name = clean_filename(filename)
    mime = sniff(data, name)
    ext = ALLOWED_TYPES[mime][0][0]
    stored_name = f"{secrets.token_hex(16)}.{ext}"
    att = Attachment(article_id=getattr(article, "id", None), filename=name,
                     stored_name=stored_name, content_type=mime, size=len(data),
                     sha256=hashlib.sha256(data).hexdigest(),
                     uploaded_by_id=getattr(actor, "id", None))
    db.session.add(att)
    db.session.flush()
    audit.record(actor, "attachment.upload", "attachment", att.id, name, type=mime,
                 size=len(data), article=getattr(article, "slug", None))
    # The file last: a failed flush leaves no file behind; a failed write raises UploadError
    # and the caller rolls the row back; if the commit fails, the caller deletes the file.
    folder = Path(current_app.config["KB_UPLOAD_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    _write_whole(folder / stored_name, data)
    return att


def _write_whole(path: Path, data: bytes) -> None:
    """Write the file completely and to disk, or leave nothing behind.

    :raise UploadError: when the disk is full (or the write fails otherwise).
    """
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())  # ENOSPC can wait until the data reaches the disk
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    except OSError as exc:
        current_app.logger.error("upload not stored in %s: %s", path.parent, exc)
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            raise UploadError(_l("The server's disk is full: the file was not stored. "
                                 "Tell an administrator.")) from exc
        raise UploadError(_l("The server could not store the file; try again.")) from exc


FILE_LINK = re.compile(r"/files/([0-9a-f]{32}\.[a-z]{3,4})\b")


def adopt_unattached(article, body: str) -> int:
    """Attach to ``article`` the files its text links to that belong to no article yet (files
    uploaded in the new-article editor, before the article existed); return how many.

    Visibility follows the owning article (:func:`may_read`), so this is what lets agents see
    a new article's images once it is published, and not before.
    """
    names = set(FILE_LINK.findall(body or ""))
    if not names:
        return 0
    result = db.session.execute(
        update(Attachment).where(Attachment.stored_name.in_(names),
                                 Attachment.article_id.is_(None))
        .values(article_id=article.id).execution_options(synchronize_session=False))
    return result.rowcount


def may_read(att: Attachment, user) -> bool:
    """Whether ``user`` may fetch ``att``: trainers always; agents only when text they can
    read links to it — the published revision of its own article (checked first: one row),
    or of another published article reusing it. Drafts' files stay with the drafts, also a
    file added in a pending draft of an article that is already published.

    The body is searched in the database: an article page's images must not each fetch a
    possibly megabyte-long text."""
    if user.has_role("trainer"):
        return True
    linked = (select(Revision.id)
              .join(Article, Article.published_revision_id == Revision.id)
              .where(Article.status == "published",
                     Revision.body.contains(file_url(att), autoescape=True)).limit(1))
    if att.article_id is not None and \
            db.session.scalar(linked.where(Article.id == att.article_id)) is not None:
        return True
    return db.session.scalar(linked) is not None


def is_image(att: Attachment) -> bool:
    return ALLOWED_TYPES.get(att.content_type, ((), False))[1]


def stored_path(att: Attachment) -> Path:
    return Path(current_app.config["KB_UPLOAD_DIR"]) / att.stored_name


def file_url(att: Attachment) -> str:
    """The URL written into Markdown (relative, so exports and other hosts keep working)."""
    return f"/files/{att.stored_name}"


def markdown_for(att: Attachment) -> str:
    """The Markdown that shows an image or links an attachment."""
    label = att.filename.replace("[", "(").replace("]", ")")
    if is_image(att):
        return f"![{label.rsplit('.', 1)[0]}]({file_url(att)})"
    return f"[{label}]({file_url(att)})"


def serve_headers(att: Attachment) -> dict[str, str]:
    """Headers that stop a stored file from ever running as a page on this site."""
    return {
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; sandbox",
        "Cross-Origin-Resource-Policy": "same-origin",
        "Cache-Control": "private, max-age=86400",
    }
