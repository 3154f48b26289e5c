"""Import quiz, track and GIFT bank files; tracks to files.

Mirrors the article importer: idempotent (a file whose content hash matches the stored one
changes nothing; a GIFT question that did not change stays as it is), every bad file is
reported with its path and reason, the good ones are imported. A GIFT file is a question bank
(as in Moodle): its questions go to their ``$CATEGORY`` (or a category named after the file);
questions GIFT has but this portal does not are reported with their line and title, and the
rest of the file is imported — like a rejected article among good ones, such a skip makes
``flask kb import`` exit 1. Track steps are matched by (kind, target), so completions survive
reordering.
"""
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from ..extensions import db
from ..kb.importer import ImportReport
from . import bank
from .errors import TrainingError
from .files import TrackFile, load_yaml, parse_quiz, parse_track
from .gift import GiftBank, Skipped, parse_gift
from .models import Quiz, Track, TrackStep
from .quiz_import import apply_quiz_file
from .refs import find_article, resolve_article_ref
from .rendering import check_question_texts


def apply_track_file(doc: TrackFile) -> str:
    """Create or update the track in ``doc`` (not committed).

    :raise TrainingError: on bad steps.
    """
    chash = doc.content_hash()
    track = db.session.scalar(select(Track).where(Track.slug == doc.slug))
    if track is not None and track.content_hash == chash:
        return "unchanged"
    targets = []
    for n, (kind, slug) in enumerate(doc.steps, 1):
        target = find_article(slug) if kind == "read" else \
            db.session.scalar(select(Quiz).where(Quiz.slug == slug))
        if target is None:
            what = "article" if kind == "read" else "quiz"
            raise TrainingError(f"step {n}: {what} {slug!r} does not exist")
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


@dataclass
class TrainingImportReport(ImportReport):
    """An import report that also counts the GIFT questions left out (they are in ``errors``
    too, with ``path:line``, so the command lists them and exits 1)."""

    skipped: list[tuple[str, str]] = field(default_factory=list)

    def summary(self, noun: str = "quizzes and tracks") -> str:
        rejected = len(self.errors) - len(self.skipped)
        return (f"{noun}: {self.created} created, {self.updated} updated, {self.unchanged} "
                f"unchanged, {rejected} rejected, {len(self.skipped)} questions skipped")


def _read(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainingError(f"not UTF-8 (byte {exc.start})") from None
    except OSError as exc:
        raise TrainingError(f"cannot read: {exc.strerror}") from None


def parse_text(filename: str, text: str):
    """(kind, parsed file) from a file's name and text: ``quiz``, ``track`` or ``bank``.

    :raise TrainingError: for a file that cannot be read as any of them.
    """
    stem, _dot, suffix = filename.lower().rpartition(".")
    if suffix == "gift":
        return "bank", parse_gift(text)
    if suffix not in ("yaml", "yml"):
        raise TrainingError("use a .yaml, .yml or .gift file")
    data = load_yaml(text)
    kind = str(data.get("kind") or "quiz")
    if kind == "track":
        return "track", parse_track(data, stem)
    if kind != "quiz":
        raise TrainingError(f"kind must be quiz or track, not {kind!r}")
    return "quiz", parse_quiz(data, stem)


def apply_bank(doc: GiftBank, default_category: str, actor=None) -> tuple[str, list[Skipped]]:
    """Save a GIFT file's questions; (outcome, skipped questions incl. bad article links).

    :raise TrainingError: when not a single question could be imported.
    """
    skipped, outcomes = list(doc.skipped), set()
    for item in doc.questions:
        q = item.question
        try:
            check_question_texts(q)
            article, anchor = resolve_article_ref(q.article) if q.article else (None, "")
        except TrainingError as exc:
            skipped.append(Skipped(item.line, q.title or q.id, str(exc)))
            continue
        category = bank.category_for_path(item.category or default_category)
        outcomes.add(bank.save_question(category, q, article, anchor, actor)[1])
    if not outcomes:
        reasons = "; ".join(f"line {s.line} ({s.title}): {s.reason}" for s in skipped[:3])
        raise TrainingError(f"no question could be imported — {reasons or 'the file is empty'}")
    outcome = "created" if "created" in outcomes else \
        "updated" if "updated" in outcomes else "unchanged"
    return outcome, sorted(skipped, key=lambda s: s.line)


def _apply(kind: str, doc, name: str, actor=None) -> tuple[str, list[Skipped]]:
    if kind == "bank":
        return apply_bank(doc, name, actor)
    return (apply_quiz_file(doc, actor) if kind == "quiz" else apply_track_file(doc)), []


def import_upload(filename: str, data: bytes, category: str = "",
                  actor=None) -> tuple[str, str, list[Skipped]]:
    """Import one uploaded file: (kind, name, skipped GIFT questions). Flushes.

    :raise TrainingError: with the reason the file was refused.
    """
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TrainingError(f"not UTF-8 (byte {exc.start})") from None
    kind, doc = parse_text(filename, text)
    name = category.strip() or filename.rpartition(".")[0] or filename
    _outcome, skipped = _apply(kind, doc, name, actor)
    db.session.flush()
    return kind, name if kind == "bank" else doc.slug, skipped


def import_training_files(paths: list[Path], actor=None, progress=None) -> ImportReport:
    """Import quiz, track and bank files: banks, then quizzes, then tracks (which refer to
    quizzes, which may draw from the bank). Commits: the import command's unit of work."""
    report = TrainingImportReport()
    parsed: list[tuple[str, Path, object]] = []
    seen: dict[tuple[str, str], str] = {}
    for i, path in enumerate(sorted(paths), 1):
        if progress:
            progress(i, len(paths), path)
        try:
            kind, doc = parse_text(path.name, _read(path))
            slug = getattr(doc, "slug", str(path))
            if (kind, slug) in seen:
                raise TrainingError(f"duplicate {kind} slug {slug!r} (also in {seen[kind, slug]})")
            seen[kind, slug] = str(path)
            parsed.append((kind, path, doc))
        except TrainingError as exc:
            report.errors.append((str(path), str(exc)))
    parsed.sort(key=lambda item: ("bank", "quiz", "track").index(item[0]))
    for kind, path, doc in parsed:
        savepoint = db.session.begin_nested()  # a file refused half-way leaves nothing behind
        try:
            outcome, skipped = _apply(kind, doc, path.stem, actor)
        except TrainingError as exc:
            savepoint.rollback()
            report.errors.append((str(path), str(exc)))
            continue
        savepoint.commit()
        for s in skipped:
            entry = (f"{path}:{s.line}", f"question “{s.title}” skipped: {s.reason}")
            report.skipped.append(entry)
            report.errors.append(entry)
        setattr(report, outcome, getattr(report, outcome) + 1)
    db.session.commit()
    return report
