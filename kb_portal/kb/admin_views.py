"""Admin pages of the knowledge base: export as a zip, category settings."""
import re
import tempfile
import zipfile
from io import BytesIO
from pathlib import Path

from flask import Blueprint, abort, flash, redirect, render_template, send_file, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from .. import audit, transaction
from ..accounts.access import require
from ..extensions import db
from ..localtime import local_today
from . import queries
from .forms import CategoryForm
from .importer import export_articles
from .models import Category

bp = Blueprint("kb_admin", __name__)
KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


def export_zip() -> tuple[BytesIO, int]:
    """Every article in the import format (``<slug>.md``), zipped in memory."""
    buffer = BytesIO()
    with tempfile.TemporaryDirectory() as tmp:
        count = export_articles(Path(tmp))
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for path in sorted(Path(tmp).glob("*.md")):
                archive.write(path, f"articles/{path.name}")
    buffer.seek(0)
    return buffer, count


@bp.route("/admin/export.zip")
@require("admin")
def export():
    """Download the whole knowledge base as Markdown files (re-importable)."""
    buffer, count = export_zip()
    audit.record(current_user, "kb.export", "kb", None, "articles", count=count)
    transaction.commit()
    return send_file(buffer, mimetype="application/zip", as_attachment=True,
                     download_name=f"kb-export-{local_today().isoformat()}.zip")


@bp.route("/admin/categories", methods=["GET", "POST"])
@require("admin")
def categories():
    """List categories with their approval and change-note settings; add a category."""
    form = CategoryForm(prefix="new")
    if form.validate_on_submit():
        key = form.key.data.strip().lower()
        if not KEY_RE.match(key):
            flash(_("The key may only contain lower-case letters, digits and '-'."), "error")
        elif db.session.scalar(select(Category).where(Category.key == key)):
            flash(_("A category with this key exists."), "error")
        else:
            position = db.session.scalar(select(db.func.max(Category.position))) or 0
            cat = Category(key=key, position=position + 1)
            _apply(form, cat)
            db.session.add(cat)
            audit.record(current_user, "category.create", "category", None, key)
            transaction.commit()
            flash(_("Category created."), "success")
            return redirect(url_for("kb_admin.categories"))
    rows = queries.categories()
    forms = [(c, CategoryForm(prefix=f"c{c.id}", obj=c)) for c in rows]
    return render_template("kb/categories.html", form=form, forms=forms,
                           locale=str(get_locale() or "en"))


@bp.route("/admin/categories/<key>", methods=["POST"])
@require("admin")
def edit_category(key: str):
    cat = db.session.scalar(select(Category).where(Category.key == key)) or abort(404)
    form = CategoryForm(prefix=f"c{cat.id}")
    form.key.data = cat.key  # the key is referenced by revisions: never changed here
    if form.validate_on_submit():
        _apply(form, cat)
        audit.record(current_user, "category.edit", "category", cat.id, cat.key,
                     requires_approval=cat.requires_approval, note_required=cat.note_required)
        transaction.commit()
        flash(_("Category saved."), "success")
    else:
        flash(_("Fill in both names."), "error")
    return redirect(url_for("kb_admin.categories"))


def _apply(form: CategoryForm, cat: Category) -> None:
    cat.name_en = form.name_en.data.strip()
    cat.name_zh = form.name_zh.data.strip()
    cat.requires_approval = bool(form.requires_approval.data)
    cat.note_required = form.note_required.data
