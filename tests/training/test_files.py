"""Quiz and track files: parsing, reasons for rejection, import idempotence, GIFT round trip."""
import textwrap

import pytest

from kb_portal.extensions import db
from kb_portal.importing import import_paths
from kb_portal.training.bank_models import Question, QuestionVersion
from kb_portal.training.errors import TrainingError
from kb_portal.training.files import dump_quiz, dump_track, parse_quiz, parse_track
from kb_portal.training.models import Quiz, Track
from kb_portal.training.quiz_import import quiz_to_file

from .conftest import QUIZ_YAML

TRACK_YAML = textwrap.dedent("""\
    kind: track
    title: 新员工入职培训
    slug: onboarding
    due_days: 14
    steps:
      - article: complaint-intake
      - quiz: complaint-process
""")


def test_a_quiz_file_parses_into_canonical_questions():
    doc = parse_quiz(QUIZ_YAML, "fallback")
    assert doc.slug == "complaint-process" and doc.pass_mark == 80
    assert [q.type for q in doc.questions] == ["single", "short_text", "ordering", "true_false"]
    assert doc.questions[1].definition == {"answer": ["12315", "12315热线"]}
    assert doc.questions[0].article == "complaint-intake#受理确认时限"


@pytest.mark.parametrize(("change", "reason"), [
    (("title: 投诉处理流程测验", "title: ''"), "missing title"),
    (("answer: 2小时内", "answer: 3小时内"), r"question 1 \(intake-ack\): answer"),
    (("id: hotline", "id: intake-ack"), "used twice"),
    (("type: ordering", "type: essay"), r"question 3 \(steps\): unknown type"),
    (("pass_mark: 80", "pass_mark: 180"), "pass_mark"),
    (("review: explanations", "review: everything"), "review must be"),
    (("slug: complaint-process", "slug: Bad Slug"), "bad slug"),
    (("pass_mark: 80", "pass_mark: 80\ncolour: red"), "unknown field"),
    (("pass_mark: 80", "pass_mark: [80"), "YAML error"),
])
def test_bad_quiz_files_are_rejected_with_a_reason(change, reason):
    with pytest.raises(TrainingError, match=reason):
        parse_quiz(QUIZ_YAML.replace(*change), "x")


def test_quiz_yaml_round_trips():
    doc = parse_quiz(QUIZ_YAML, "x")
    text = dump_quiz(doc)
    assert parse_quiz(text, "x") == doc
    assert dump_quiz(parse_quiz(text, "x")) == text


def test_track_yaml_round_trips():
    doc = parse_track(TRACK_YAML, "x")
    assert doc.steps == [("read", "complaint-intake"), ("quiz", "complaint-process")]
    assert parse_track(dump_track(doc), "x") == doc
    with pytest.raises(TrainingError, match="step 1"):
        parse_track(TRACK_YAML.replace("article: complaint-intake", "video: x"), "x")


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_import_is_idempotent_and_reports_bad_files(app, articles, tmp_path):
    folder = tmp_path / "quizzes"
    _write(folder, "complaint-process.yaml", QUIZ_YAML)
    _write(folder, "tracks/onboarding.yaml", TRACK_YAML)
    _write(folder, "broken.yaml", "title: [unclosed")
    _write(folder, "bad-anchor.yaml", QUIZ_YAML.replace("slug: complaint-process", "slug: b")
           .replace("#受理确认时限", "#no-such-heading"))
    _write(folder, "latin1.gift", "")
    (folder / "latin1.gift").write_bytes("::q:: caf\xe9 {T}".encode("latin-1"))

    report = import_paths([folder])
    errors = dict(report.errors)
    assert set(errors) == {str(folder / n) for n in ("broken.yaml", "bad-anchor.yaml",
                                                      "latin1.gift")}
    assert "YAML error" in errors[str(folder / "broken.yaml")]
    assert "no section #no-such-heading" in errors[str(folder / "bad-anchor.yaml")]
    assert "not UTF-8" in errors[str(folder / "latin1.gift")]
    assert report.summaries == ["quizzes and tracks: 2 created, 0 updated, 0 unchanged, "
                                "3 rejected, 0 questions skipped"]
    track = db.session.scalar(db.select(Track))
    assert [s.kind for s in track.steps] == ["read", "quiz"]

    again = import_paths([folder / "complaint-process.yaml", folder / "tracks"])
    assert again.summaries == ["quizzes and tracks: 0 created, 0 updated, 2 unchanged, "
                               "0 rejected, 0 questions skipped"]
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 4


def test_reimport_keeps_question_ids_and_retires_removed_questions(app, articles, tmp_path):
    path = _write(tmp_path, "complaint-process.yaml", QUIZ_YAML)
    import_paths([path])
    ids = {q.key: q.id for q in db.session.scalars(db.select(Question))}
    shorter = QUIZ_YAML.split("  - id: refund-original")[0].replace("**2 小时**", "**两小时**")
    _write(tmp_path, "complaint-process.yaml", shorter)
    report = import_paths([path])
    assert report.summaries[0].startswith("quizzes and tracks: 0 created, 1 updated")
    quiz = db.session.scalar(db.select(Quiz))
    assert {q.key: q.id for q in db.session.scalars(db.select(Question))} == ids
    assert [q.key for q in quiz.fixed_questions] == ["intake-ack", "hotline", "steps"]
    retired = db.session.scalar(db.select(Question).where(Question.key == "refund-original"))
    assert retired.retired and retired.category is quiz.home_category
    # The changed explanation made a second version; the others stayed at version 1.
    changed = db.session.scalar(db.select(Question).where(Question.key == "intake-ack"))
    assert changed.version == 2 and [v.number for v in changed.versions] == [1, 2]
    assert db.session.scalar(db.select(db.func.count()).select_from(QuestionVersion)) == 5


def test_a_track_with_a_missing_quiz_is_rejected(app, articles, tmp_path):
    path = _write(tmp_path, "t.yaml", TRACK_YAML.replace("quiz: complaint-process", "quiz: nope"))
    report = import_paths([path])
    assert report.errors == [(str(path), "step 2: quiz 'nope' does not exist")]


def test_quiz_to_file_matches_the_imported_file(app, quiz):
    assert quiz_to_file(quiz) == parse_quiz(QUIZ_YAML, "x")


def test_a_file_refused_half_way_leaves_nothing_behind(app, articles, tmp_path):
    """The slot check fails after the quiz, its bank category and its questions were written:
    none of it may stay (the files imported with it do)."""
    from kb_portal.training.bank_models import QuestionCategory

    folder = tmp_path / "quizzes"
    _write(folder, "complaint-process.yaml", QUIZ_YAML)
    _write(folder, "half.yaml", QUIZ_YAML.replace("slug: complaint-process", "slug: half")
           .replace("title: 投诉处理流程测验", "title: 半途")
           + "slots:\n  - question: intake-ack\n"
           "  - {question: nowhere, category: 投诉处理流程测验}\n")
    report = import_paths([folder])
    assert "no question 'nowhere'" in dict(report.errors)[str(folder / "half.yaml")]
    assert db.session.scalars(db.select(Quiz.slug)).all() == ["complaint-process"]
    assert db.session.scalar(db.select(QuestionCategory).where(
        QuestionCategory.name == "半途")) is None
    assert db.session.scalar(db.select(db.func.count()).select_from(Question)) == 4
