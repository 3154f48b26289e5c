"""Upload images and attachments from the editor; serve them with safe headers.

The upload endpoint is called by the editor's script and always answers JSON, errors included
(a file over the request limit gets a JSON 413, not the HTML error page).
"""
from flask import Blueprint, abort, current_app, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from .. import transaction
from ..accounts.access import require
from ..extensions import db
from . import queries, uploads
from .models import Attachment

bp = Blueprint("kb_uploads", __name__)


@bp.errorhandler(RequestEntityTooLarge)
def too_large(_exc):
    return {"error": uploads.too_large_message(current_app.config["KB_UPLOAD_MAX_BYTES"])}, 413


@bp.route("/kb/uploads", methods=["POST"])
@require("trainer")
def upload():
    """Store ``file`` (for the optional ``article`` slug); answer JSON with Markdown to insert.

    :raise 400: (JSON) without a file, for an unknown article, or a refused file.
    """
    file = request.files.get("file")
    if file is None or not file.filename:
        return {"error": _("Choose a file to upload.")}, 400
    article = None
    if request.form.get("article"):
        article, _renamed = queries.find_by_slug(request.form["article"])
        if article is None:
            return {"error": _("There is no article at the address %(slug)s; save the article "
                               "first, then upload.", slug=request.form["article"])}, 400
    try:
        att = uploads.save_upload(file.stream, file.filename, current_user, article)
    except uploads.UploadError as exc:
        transaction.rollback()
        return {"error": str(exc)}, 413 if isinstance(exc, uploads.UploadTooLargeError) else 400
    try:
        transaction.commit()
    except BaseException:
        uploads.stored_path(att).unlink(missing_ok=True)  # no row: nobody could fetch it
        raise
    return {"id": att.id, "url": uploads.file_url(att), "filename": att.filename,
            "markdown": uploads.markdown_for(att), "image": uploads.is_image(att)}, 201


@bp.route("/files/<stored_name>")
@require("agent")
def serve(stored_name: str):
    """Send a stored file: images inline, everything else as a download; never as a page.

    :raise 404: for an unknown file, or one that belongs only to articles the user may not
        read (an agent asking for a draft's attachment).
    """
    att = db.session.scalar(select(Attachment).where(Attachment.stored_name == stored_name))
    if att is None or not uploads.stored_path(att).is_file() or \
            not uploads.may_read(att, current_user):
        abort(404)
    response = send_file(uploads.stored_path(att), mimetype=att.content_type,
                         as_attachment=not uploads.is_image(att), download_name=att.filename,
                         conditional=True, etag=att.sha256, max_age=86400)
    response.headers.update(uploads.serve_headers(att))
    return response
