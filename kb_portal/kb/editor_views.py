"""The editor: new article (from a template), edit, live preview, and the conflict page."""
import secrets
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from .. import transaction
from ..accounts.access import require
from ..errors import wants_json
from ..extensions import db
from ..localtime import local_today
from ..request_limits import body_limit, format_size
from . import editing, queries, slugs, workflow
from .article_templates import article_templates, get_template
from .diffing import diff_texts
from .forms import ArticleForm
from .merging import has_markers, merge_content
from .models import Attachment, Revision
from .render_budget import explain, render_budgeted, size_limit_error
from .rendering import RenderError, mark_broken_links
from .services import ConflictError, KbError

bp = Blueprint("kb_editor", __name__)
REVIEW_DAYS = 90  # default review-by for new articles, as for "verified"


def _article_limit(app) -> int:
    return app.config["KB_ARTICLE_MAX_BYTES"]


@bp.errorhandler(413)
def too_large(_exc):
    """A body over the article limit, refused before it was read: the editor's own page (in
    the trainer's language) says so; the text stays in the browser's draft store."""
    message = explain(RenderError("too_large", format_size(_article_limit(current_app))))
    if request.endpoint == "kb_editor.preview" or wants_json():
        return {"error": message, "reason": "too_large"}, 413
    return render_template("kb/too_large.html", message=message, back=request.path), 413


def _locale() -> str:
    return str(get_locale() or "en")


def _article_or_404(slug: str):
    article, _renamed = queries.find_by_slug(slug)
    return article or abort(404)


@bp.route("/kb/new", methods=["GET", "POST"])
@body_limit(_article_limit)
@require("trainer")
def new_article():
    """Create an article, optionally starting from ``?template=<key>``.

    The template buttons submit the form (``use_template``), so a title typed before choosing
    a template is kept; the template only fills an empty (or untouched template) text.
    """
    form = ArticleForm()
    if request.method == "GET":
        form.save_key.data = new_save_key()
        form.owner.data = current_user.username
        form.review_by.data = local_today() + timedelta(days=REVIEW_DAYS)
        form.title.data = (request.args.get("title") or "")[:200] or None  # from a content gap
        _apply_template(form, get_template(request.args.get("template")))
    form.load_choices(_locale())
    if "use_template" in request.form:
        _apply_template(form, get_template(request.form["use_template"]), chosen=True)
        return render_template("kb/editor.html", form=form, article=None,
                               templates=article_templates(), attachments=[],
                               chosen_template=request.form["use_template"],
                               slug_auto=_slug_follows_title(form))
    if request.method == "POST" and not (form.slug.data or "").strip():
        form.slug.data = slugs.suggest(form.title.data or "")  # no JavaScript: made here
    if form.validate_on_submit():
        if has_markers(form.body.data or ""):
            flash(_("Resolve the conflict blocks (<<<<<<< … >>>>>>>) before saving."), "error")
        else:
            article = _create(form)
            if article is not None:
                flash(_("Article created as a draft."), "success")
                return redirect(url_for("kb_editor.edit_article", slug=article.slug))
    return render_template("kb/editor.html", form=form, article=None,
                           templates=article_templates(), attachments=[],
                           chosen_template=request.args.get("template", ""),
                           slug_auto=_slug_follows_title(form))


def _create(form):
    """Create the article of ``form`` in one transaction; None (and a message) when refused.

    A create that fails because its address got taken may be a retry that raced its own
    original (same editing session): once that one is committed it is the answer.
    """
    try:
        article = editing.create_article(form.to_input(), current_user,
                                         note=form.note.data or "")
        if request.form.get("submit_review") and article.status == "draft":
            workflow.submit_for_review(article, current_user, article.head_revision_id)
        transaction.commit()
        return article
    except KbError as exc:
        transaction.rollback()
        article = editing.created_with_key(editing.clean_save_key(form.save_key.data),
                                           current_user)
        if article is None:
            flash(str(exc), "error")
        return article


def _slug_follows_title(form) -> bool:
    """Whether the address field still shows what the title made (so it keeps following)."""
    slug = (form.slug.data or "").strip()
    made = slugs.slugify(form.title.data or "")
    return not slug or (bool(made) and (slug == made or slug.startswith(made + "-")))


def _apply_template(form, template, chosen: bool = False) -> None:
    """Start the text from ``template`` unless the trainer already wrote some of their own."""
    current = (form.body.data or "").replace("\r\n", "\n").strip()
    untouched = not current or any(current == t.body.strip() for t in article_templates())
    if template is None:
        if chosen and untouched:
            form.body.data = ""
        return
    if not untouched:
        flash(_("Your text is kept: empty the text box to start from a template."), "info")
        return
    form.body.data, form.category.data = template.body, template.category
    form.language.data = template.language


@bp.route("/kb/slug")
@require("trainer")
def slug_check():
    """``?title=`` → a free slug made from it; ``?slug=`` → whether that one can be used.

    ``article`` names the article being edited (its own addresses count as free).
    """
    article = queries.find_by_slug(request.args.get("article", ""))[0]
    if "title" in request.args:
        return {"slug": slugs.suggest(request.args["title"], article), "problem": None,
                "message": ""}
    slug = request.args.get("slug", "").strip().lower()
    problem = slugs.check(slug, article)
    messages = {"format": _("Use lower-case letters, digits and '-' only (a-z, 0-9, -)."),
                "taken": _("Another article has (or had) this address; choose another.")}
    return {"slug": slug, "problem": problem,
            "message": messages.get(problem, _("This address is free."))}


@bp.route("/a/<slug>/edit", methods=["GET", "POST"])
@body_limit(_article_limit)
@require("trainer")
def edit_article(slug: str):
    """Edit the newest revision; saving on top of a newer one shows the conflict page."""
    article = _article_or_404(slug)
    if article.slug != slug:
        return redirect(url_for("kb_editor.edit_article", slug=article.slug))
    form = ArticleForm()
    if request.method == "GET":
        form.fill(editing.revision_content(article.head_revision), article)
        form.base_revision_id.data = article.head_revision_id
        form.save_key.data = new_save_key()
    form.load_choices(_locale())
    if request.method == "POST" and not (form.slug.data or "").strip():
        form.slug.data = article.slug  # an emptied address field keeps the address
    if form.validate_on_submit():
        base_id = request.form.get("base_revision_id", type=int)
        if has_markers(form.body.data or ""):
            flash(_("Resolve the conflict blocks (<<<<<<< … >>>>>>>) before saving."), "error")
            return _editor(form, article)
        try:
            rev = editing.save_article(article, form.to_input(), current_user, base_id,
                                       note=form.note.data or "")
            if request.form.get("submit_review") and article.head_revision.status == "draft":
                workflow.submit_for_review(article, current_user, article.head_revision_id)
            transaction.commit()
        except ConflictError as exc:
            transaction.rollback()
            return _conflict(form, article, exc.base_revision_id)
        except KbError as exc:
            transaction.rollback()
            flash(str(exc), "error")
            return _editor(form, article)
        if rev is None:
            flash(_("Saved (no change to the text)."), "info")
        else:
            flash(_("Saved as revision %(n)s.", n=rev.number), "success")
        return redirect(url_for("kb_editor.edit_article", slug=article.slug))
    return _editor(form, article)


def new_save_key() -> str:
    """A fresh idempotency key for one editing session (see ``editing.save_article``)."""
    return secrets.token_urlsafe(16)


def _editor(form, article, status: int = 200):
    attachments = db.session.scalars(db.select(Attachment).where(
        Attachment.article_id == article.id).order_by(Attachment.id)).all()
    return render_template(
        "kb/editor.html", form=form, article=article, templates=(), attachments=attachments,
        **workflow.buttons_context(article, current_user),
        note_required=editing.note_is_required(article, form.category.data or "")), status


def _conflict(form, article, base_id: int | None):
    """Show theirs (the head now), yours (the form), their diff, and a merge to edit and save."""
    head = article.head_revision
    base = db.session.get(Revision, base_id) if base_id else None
    if base is None or base.article_id != article.id:
        base = head
    mine_input = form.to_input()
    mine = mine_input.content()
    theirs = editing.revision_content(head)
    merged, result = merge_content(
        editing.revision_content(base), mine, theirs, mine_label=_("your version"),
        theirs_label=_("revision %(n)s by %(who)s", n=head.number,
                       who=head.author.name if head.author else "?"))
    form.fill(merged, None)
    form.base_revision_id.data = head.id
    newer = article.revisions.filter(Revision.number > base.number).all() \
        if base is not head else [head]
    base_body = base.body
    return render_template(
        "kb/conflict.html", form=form, article=article, theirs=head, mine=mine, newer=newer,
        base=base, their_diff=diff_texts(base_body, theirs["body"]),
        my_diff=diff_texts(base_body, mine["body"]), result=result,
        note_required=editing.note_is_required(article, mine_input.category_key)), 409


@bp.route("/kb/preview", methods=["POST"])
@body_limit(_article_limit)
@require("trainer")
def preview():
    """Render Markdown exactly as the article page will (same renderer, same link check,
    same size limit and render budget as a save: what previews will save)."""
    body = request.form.get("body", "")
    try:
        error = size_limit_error(body, current_app.config["KB_ARTICLE_MAX_BYTES"])
        if error:
            raise error
        rendered = render_budgeted(body)
    except RenderError as exc:
        return {"error": explain(exc), "reason": exc.reason}, 422
    known = queries.resolvable_slugs()
    return {"html": mark_broken_links(rendered.html, known.__contains__), "toc": rendered.toc,
            "broken": sorted({link["slug"] for link in rendered.links} - known)}
