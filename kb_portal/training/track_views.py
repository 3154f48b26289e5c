"""Trainer pages: the track builder (details and steps) and assigning tracks to people."""
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms.fields.choices import SelectChoice

from ..accounts.access import require
from ..accounts.models import User
from ..extensions import db
from ..kb.models import Article
from . import editing, tracks
from .errors import TrainingError
from .files import dump_track
from .forms import AddStepForm, AssignForm, TrackForm
from .importer import track_to_file
from .manage_views import submit_form
from .models import Assignment, Quiz, Track

bp = Blueprint("training_tracks", __name__, url_prefix="/training/manage/tracks")


def track_or_404(slug: str) -> Track:
    """:raise 404: when there is no track with this slug."""
    return db.session.scalar(select(Track).where(Track.slug == slug)) or abort(404)


@bp.route("/new", methods=["GET", "POST"])
@require("trainer")
def track_new():
    return _track_builder(None)


@bp.route("/<track_slug>", methods=["GET", "POST"])
@require("trainer")
def track_edit(track_slug: str):
    return _track_builder(track_or_404(track_slug))


def _track_builder(track: Track | None):
    """The track builder: details, and steps to add, move and remove."""
    form = TrackForm(obj=track)
    saved = submit_form(form, lambda data: editing.save_track(track, data), _("Track saved."))
    if saved is not None:
        return redirect(url_for("training_tracks.track_edit", track_slug=saved.slug))
    add_form = AddStepForm()
    add_form.target.choices = _step_choices()
    return render_template("training/track_edit.html", track=track, form=form,
                           add_form=add_form, yaml=dump_track(track_to_file(track))
                           if track else "")


def _step_choices() -> list[tuple[str, str]]:
    articles = db.session.scalars(select(Article).where(Article.status == "published")
                                  .order_by(Article.slug)).all()
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.title)).all()
    return [SelectChoice(f"read:{a.slug}", _("Read: %(title)s", title=a.current.title))
            for a in articles] + \
        [SelectChoice(f"quiz:{q.slug}", _("Pass: %(title)s", title=q.title)) for q in quizzes]


@bp.route("/<track_slug>/steps", methods=["POST"])
@require("trainer")
def track_step(track_slug: str):
    track = track_or_404(track_slug)
    try:
        editing.change_step(track, request.form.get("action", ""),
                            request.form.get("step_id", type=int),
                            request.form.get("target", ""))
    except TrainingError as exc:
        db.session.rollback()
        flash(str(exc), "error")
    else:
        db.session.commit()
    return redirect(url_for("training_tracks.track_edit", track_slug=track.slug))


@bp.route("/<track_slug>/assign", methods=["GET", "POST"])
@require("trainer")
def track_assign(track_slug: str):
    track = track_or_404(track_slug)
    form = AssignForm()
    agents = db.session.scalars(select(User).where(User.active.is_(True))
                                .order_by(User.username)).all()
    form.users.choices = [SelectChoice(u.id, f"{u.name} ({u.username})") for u in agents]
    if form.validate_on_submit():
        if form.start_date.data:
            created = tracks.assign_by_start_date(track, form.start_date.data,
                                                  form.due_date.data, current_user)
        else:
            chosen = [u for u in agents if u.id in (form.users.data or [])]
            created = tracks.assign_track(track, chosen, form.due_date.data,
                                          actor=current_user)
        db.session.commit()
        flash(_("Assigned to %(n)d people (already assigned people are left as they were).",
                n=len(created)), "success")
        return redirect(url_for("training_tracks.track_assign", track_slug=track.slug))
    assigned = [tracks.progress(a) for a in _assignments(track)]
    return render_template("training/track_assign.html", track=track, form=form,
                           assigned=assigned)


def _assignments(track: Track):
    return db.session.scalars(select(Assignment).where(Assignment.track_id == track.id)
                              .order_by(Assignment.assigned_at)).all()
