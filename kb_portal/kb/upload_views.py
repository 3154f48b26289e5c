"""Upload images and attachments from the editor; serve them with safe headers."""
from flask import Blueprint, abort, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..accounts.access import require
from ..extensions import db
from . import queries, uploads
from .models import Attachment

bp = Blueprint("uploads", __name__)


@bp.route("/kb/uploads", methods=["POST"])
@require("trainer")
def upload():
    """Store ``file`` (for the optional ``article`` slug); answer JSON with Markdown to insert."""
    file = request.files.get("file")
    if file is None or not file.filename:
        return {"error": _("Choose a file to upload.")}, 400
    article = None
    if request.form.get("article"):
        article, _renamed = queries.find_by_slug(request.form["article"])
    try:
        att = uploads.save_upload(file.stream, file.filename, current_user, article)
    except uploads.UploadError as exc:
        db.session.rollback()
        return {"error": str(exc)}, 400
    return {"id": att.id, "url": uploads.file_url(att), "filename": att.filename,
            "markdown": uploads.markdown_for(att), "image": uploads.is_image(att)}, 201


@bp.route("/files/<stored_name>")
@require("agent")
def serve(stored_name: str):
    """Send a stored file: images inline, everything else as a download; never as a page."""
    att = db.session.scalar(select(Attachment).where(Attachment.stored_name == stored_name))
    if att is None or not uploads.stored_path(att).is_file():
        abort(404)
    response = send_file(uploads.stored_path(att), mimetype=att.content_type,
                         as_attachment=not uploads.is_image(att), download_name=att.filename,
                         conditional=True, etag=att.sha256, max_age=86400)
    response.headers.update(uploads.serve_headers(att))
    return response
