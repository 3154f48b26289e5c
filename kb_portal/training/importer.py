"""Import quiz and track files into the database, and convert database rows back to files.

Mirrors the article importer: idempotent (a file whose content hash matches the stored one
changes nothing), every bad file is reported with its path and reason, the good ones are
imported. Questions are matched by their ``id``, so re-importing an edited quiz keeps question
statistics; questions missing from the file are retired (past attempts still point at them).
Track steps are matched by (kind, target), so completions survive reordering.
"""
from pathlib import Path

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..kb.importer import ImportReport
from ..kb.models import Article, ArticleSlug
from .errors import TrainingError
from .files import (
    QuestionFile,
    QuizFile,
    TrackFile,
    load_yaml,
    parse_quiz,
    parse_track,
    question_problem,
)
from .gift import parse_gift
from .models import Question, Quiz, Track, TrackStep


def find_article(slug: str) -> Article | None:
    """The article with this slug, following renames."""
    article = db.session.scalar(select(Article).where(Article.slug == slug))
    if article is None:
        old = db.session.get(ArticleSlug, slug)
        article = db.session.get(Article, old.article_id) if old else None
    return article


def resolve_article_ref(ref: str) -> tuple[Article, str]:
    """``slug#anchor`` → (article, anchor).

    :raise TrainingError: for a missing article or section.
    """
    slug, _, anchor = ref.partition("#")
    article = find_article(slug)
    if article is None:
        raise TrainingError(_l("article %(slug)s does not exist", slug=repr(slug)))
    if anchor:
        anchors = [h["id"] for h in (article.current.toc if article.current else [])]
        if anchor not in anchors:
            raise TrainingError(_l("article %(slug)s has no section #%(anchor)s (its sections: "
                               "%(sections)s)", slug=repr(slug), anchor=anchor,
                               sections=", ".join(anchors) or "—"))
    return article, anchor


def _check_refs(doc: QuizFile) -> dict[str, tuple[Article | None, str]]:
    refs = {}
    for n, q in enumerate(doc.questions, 1):
        try:
            refs[q.id] = resolve_article_ref(q.article) if q.article else (None, "")
        except TrainingError as exc:
            raise TrainingError(question_problem(n, q.id, exc)) from None
    for slug in doc.articles:
        if find_article(slug) is None:
            raise TrainingError(_l("articles: %(slug)s does not exist", slug=repr(slug)))
    return refs


def apply_quiz_file(doc: QuizFile) -> str:
    """Create or update the quiz in ``doc`` (not committed): created / updated / unchanged.

    :raise TrainingError: when a referenced article or section does not exist.
    """
    chash = doc.content_hash()
    quiz = db.session.scalar(select(Quiz).where(Quiz.slug == doc.slug))
    if quiz is not None and quiz.content_hash == chash:
        return "unchanged"
    refs = _check_refs(doc)
    outcome = "updated" if quiz else "created"
    if quiz is None:
        quiz = Quiz(slug=doc.slug)
        db.session.add(quiz)
    for name in ("title", "description", "pass_mark", "time_limit_minutes", "max_attempts",
                 "attempt_delay_minutes", "shuffle_questions", "shuffle_choices", "draw",
                 "review"):
        setattr(quiz, name, getattr(doc, name))
    quiz.draw_tags, quiz.article_slugs = doc.draw_tags, doc.articles
    existing = {q.key: q for q in quiz.questions}
    for position, qf in enumerate(doc.questions):
        question = existing.pop(qf.id, None) or Question(key=qf.id)
        if question.id is None:
            quiz.questions.append(question)
        _fill_question(question, qf, position, *refs[qf.id])
    for leftover in existing.values():
        leftover.retired = True
    quiz.content_hash = chash
    return outcome


def _fill_question(question: Question, qf: QuestionFile, position: int, article, anchor) -> None:
    question.position, question.type, question.prompt = position, qf.type, qf.prompt
    question.definition, question.explanation = qf.definition, qf.explanation
    question.article, question.article_anchor = article, anchor
    question.tags, question.points, question.retired = qf.tags, qf.points, False


def quiz_to_file(quiz: Quiz) -> QuizFile:
    """The file form of a quiz in the database (active questions only)."""
    questions = [QuestionFile(id=q.key, type=q.type, prompt=q.prompt, definition=q.definition,
                              explanation=q.explanation, article=q.article_ref, tags=q.tags,
                              points=q.points) for q in quiz.active_questions]
    return QuizFile(
        slug=quiz.slug, title=quiz.title, description=quiz.description,
        pass_mark=quiz.pass_mark, time_limit_minutes=quiz.time_limit_minutes,
        max_attempts=quiz.max_attempts, attempt_delay_minutes=quiz.attempt_delay_minutes,
        shuffle_questions=quiz.shuffle_questions, shuffle_choices=quiz.shuffle_choices,
        draw=quiz.draw, draw_tags=quiz.draw_tags, review=quiz.review,
        articles=quiz.article_slugs, questions=questions)


def apply_track_file(doc: TrackFile) -> str:
    """Create or update the track in ``doc`` (not committed). :raise TrainingError: on bad steps."""
    chash = doc.content_hash()
    track = db.session.scalar(select(Track).where(Track.slug == doc.slug))
    if track is not None and track.content_hash == chash:
        return "unchanged"
    targets = []
    for n, (kind, slug) in enumerate(doc.steps, 1):
        target = find_article(slug) if kind == "read" else \
            db.session.scalar(select(Quiz).where(Quiz.slug == slug))
        if target is None:
            missing = _l("step %(n)d: article %(slug)s does not exist") if kind == "read" \
                else _l("step %(n)d: quiz %(slug)s does not exist")
            raise TrainingError(missing.format(n=n, slug=repr(slug)) if False else
                            str(missing) % {"n": n, "slug": repr(slug)})
        targets.append((kind, target))
    outcome = "updated" if track else "created"
    if track is None:
        track = Track(slug=doc.slug)
        db.session.add(track)
    track.title, track.description, track.due_days = doc.title, doc.description, doc.due_days
    set_track_steps(track, targets)
    track.content_hash = chash
    return outcome


def set_track_steps(track: Track, targets: list[tuple[str, object]]) -> None:
    """Make the track's steps ``targets`` ([(kind, article or quiz)]), keeping matching rows."""
    existing = {(s.kind, s.article_id if s.kind == "read" else s.quiz_id): s for s in track.steps}
    steps = []
    for position, (kind, target) in enumerate(targets):
        step = existing.pop((kind, target.id), None) or TrackStep(kind=kind)
        step.position = position
        if kind == "read":
            step.article = target
        else:
            step.quiz = target
        steps.append(step)
    track.steps = steps  # delete-orphan removes dropped steps and their completions


def track_to_file(track: Track) -> TrackFile:
    return TrackFile(slug=track.slug, title=track.title, description=track.description,
                     due_days=track.due_days,
                     steps=[(s.kind, s.target_slug) for s in track.steps])


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainingError(_l("not UTF-8 (byte %(n)d)", n=exc.start)) from None
    except OSError as exc:
        raise TrainingError(_l("cannot read: %(reason)s", reason=exc.strerror)) from None


def _parse(path: Path):
    """(kind, parsed file) for a ``.yaml``/``.yml``/``.gift`` path. :raise TrainingError:."""
    return parse_text(path.name, _read(path))


def parse_text(filename: str, text: str):
    """(kind, parsed file) from a file's name and text. :raise TrainingError:."""
    stem, _dot, suffix = filename.lower().rpartition(".")
    if suffix == "gift":
        return "quiz", parse_gift(text, stem)
    if suffix not in ("yaml", "yml"):
        raise TrainingError(_l("use a .yaml, .yml or .gift file"))
    data = load_yaml(text)
    kind = str(data.get("kind") or "quiz")
    if kind == "track":
        return "track", parse_track(data, stem)
    if kind != "quiz":
        raise TrainingError(_l("kind must be quiz or track, not %(kind)s", kind=repr(kind)))
    return "quiz", parse_quiz(data, stem)


def import_upload(filename: str, data: bytes) -> tuple[str, str]:
    """Import one uploaded file: (kind, slug). :raise TrainingError: with the reason."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainingError(_l("not UTF-8 (byte %(n)d)", n=exc.start)) from None
    kind, doc = parse_text(filename, text)
    (apply_quiz_file if kind == "quiz" else apply_track_file)(doc)
    db.session.flush()
    return kind, doc.slug


def import_training_files(paths: list[Path], actor=None, progress=None) -> ImportReport:
    """Import quiz and track files: quizzes first, so tracks can refer to them."""
    report = ImportReport()
    parsed: list[tuple[str, str, object]] = []
    seen: dict[tuple[str, str], str] = {}
    for i, path in enumerate(sorted(paths), 1):
        if progress:
            progress(i, len(paths), path)
        try:
            kind, doc = _parse(path)
            if (kind, doc.slug) in seen:
                raise TrainingError(_l("duplicate slug %(slug)s (also in %(path)s)",
                                   slug=repr(doc.slug), path=seen[kind, doc.slug]))
            seen[kind, doc.slug] = str(path)
            parsed.append((kind, str(path), doc))
        except TrainingError as exc:
            report.errors.append((str(path), str(exc)))
    parsed.sort(key=lambda item: item[0] != "quiz")
    for kind, path, doc in parsed:
        apply = apply_quiz_file if kind == "quiz" else apply_track_file
        try:
            outcome = apply(doc)  # checks every reference before it changes anything
        except TrainingError as exc:
            report.errors.append((path, str(exc)))
            continue
        setattr(report, outcome, getattr(report, outcome) + 1)
    db.session.commit()
    return report
