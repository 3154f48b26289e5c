"""Training's ``flask kb`` commands: ``assign`` and ``export-quizzes``.

Each command is a few lines around a service and commits once; ``kb_portal.cli`` adds them to
the ``flask kb`` group through :func:`register`.
"""
from pathlib import Path

import click
from sqlalchemy import select


def _date(value):
    return None if value is None else value.date()


@click.command("assign")
@click.argument("track_slug")
@click.argument("usernames", nargs=-1)
@click.option("--start-date", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Assign to every active user with this start date (YYYY-MM-DD).")
@click.option("--due", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="Due date (default: start date + the track's due_days).")
def assign_command(track_slug, usernames, start_date, due):
    """Assign an onboarding track to USERNAMES or to everyone with --start-date."""
    from ..accounts.services import find_user
    from ..cli import fail
    from ..extensions import db
    from .models import Track
    from .tracks import assign_by_start_date, assign_track

    track = db.session.scalar(select(Track).where(Track.slug == track_slug)) or \
        fail(f"no track {track_slug!r}")
    if start_date:
        created = assign_by_start_date(track, _date(start_date), _date(due))
    elif usernames:
        users = [find_user(u) or fail(f"no user {u!r}") for u in usernames]
        created = assign_track(track, users, _date(due))
    else:
        fail("name users or give --start-date")
    db.session.commit()
    click.echo(f"assigned {track.slug} to {len(created)} user(s)")


@click.command("export-quizzes")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
@click.option("--gift", is_flag=True,
              help="Also write the whole question bank to TARGET/bank.gift (Moodle's format).")
def export_quizzes_command(target, gift):
    """Write quizzes to TARGET/<slug>.yaml and tracks to TARGET/tracks/<slug>.yaml."""
    from ..extensions import db
    from .bank_models import Question, QuestionCategory
    from .files import dump_quiz, dump_track
    from .gift_export import dump_gift
    from .importer import track_to_file
    from .models import Quiz, Track
    from .quiz_import import question_to_file, quiz_to_file

    (target / "tracks").mkdir(parents=True, exist_ok=True)
    quizzes = db.session.scalars(select(Quiz).order_by(Quiz.slug)).all()
    for quiz in quizzes:
        (target / f"{quiz.slug}.yaml").write_text(dump_quiz(quiz_to_file(quiz)),
                                                   encoding="utf-8")
    tracks = db.session.scalars(select(Track).order_by(Track.slug)).all()
    for track in tracks:
        (target / "tracks" / f"{track.slug}.yaml").write_text(
            dump_track(track_to_file(track)), encoding="utf-8")
    if gift:
        questions = db.session.scalars(select(Question).join(QuestionCategory).where(
            Question.retired.is_(False)).order_by(Question.category_id, Question.id)).all()
        questions.sort(key=lambda q: (q.category.path, q.key))
        (target / "bank.gift").write_text(
            dump_gift((q.category.path, question_to_file(q)) for q in questions),
            encoding="utf-8")
    db.session.commit()  # quiz_to_file gives a quiz without one its home category
    click.echo(f"exported {len(quizzes)} quizzes and {len(tracks)} tracks to {target}")


OUTCOMES = {"sent": "e-mailed", "logged": "written to the log",
            "already": "already sent today", "failed": "failed (tried again on the next run)"}


@click.command("remind")
@click.option("--date", "day", type=click.DateTime(["%Y-%m-%d"]), default=None,
              help="The day to remind for (default: today in KB_TIMEZONE).")
def remind_command(day):
    """E-mail learners and their trainers a digest of due-soon and overdue track steps
    (once per person per day; safe to run from cron as often as you like)."""
    from flask import current_app

    from ..localtime import local_today
    from .reminders import send_reminders

    def progress(number, total, user, kind, outcome):
        click.echo(f"[{number}/{total}] {user.username} ({kind}): {OUTCOMES[outcome]}")

    counts = send_reminders(_date(day) or local_today(), current_app.config["KB_REMIND_DAYS"],
                            progress)
    click.echo(f"reminders: {counts['sent']} e-mailed, {counts['logged']} written to the log, "
               f"{counts['already']} already sent today, {counts['failed']} failed")
    if counts["failed"]:
        raise SystemExit(1)


@click.command("set-email")
@click.argument("username")
@click.argument("address", required=False, default="")
def set_email_command(username, address):
    """Set (or, without ADDRESS, clear) the e-mail address reminders go to."""
    from ..accounts.services import find_user
    from ..cli import fail
    from ..extensions import db

    user = find_user(username) or fail(f"no user {username!r}")
    address = address.strip()
    if address and ("@" not in address or len(address) > 254 or " " in address):
        fail(f"{address!r} is not an e-mail address")
    user.email = address or None
    db.session.commit()
    click.echo(f"{username}: {address or 'no e-mail address'}")


COMMANDS = (assign_command, export_quizzes_command, remind_command, set_email_command)


def register(group) -> None:
    """Add the training commands to the ``flask kb`` group."""
    for command in COMMANDS:
        group.add_command(command)
