"""Small builders for test data that go through the real services."""
from kb_portal import transaction
from kb_portal.accounts.models import User
from kb_portal.extensions import db
from kb_portal.kb.files import ArticleFile
from kb_portal.kb.importer import apply_article_file
from kb_portal.kb.services import get_article, notify

PASSWORD = "correct horse battery"


def user(username: str, role: str = "agent", password: str = PASSWORD) -> User:
    u = User(username=username, role=role, display_name=username.title())
    u.set_password(password)
    db.session.add(u)
    db.session.commit()
    return u


def article(slug: str, title: str = "", body: str = "", category: str = "sop",
            tags=(), status: str = "published", language: str = "zh-Hans", **extra):
    """Create (or update) an article as the importer would, and notify subscribers."""
    doc = ArticleFile(slug=slug, title=title or slug, category=category, body=body,
                      tags=list(tags), status=status, language=language, **extra)
    apply_article_file(doc, "factory")
    a = get_article(slug)
    notify([a.id], [a.id] if status == "published" else [])
    transaction.commit()
    return a


def attachment(filename: str, data: bytes, article=None):
    """Store ``data`` as an uploaded file through the real upload checks."""
    import io

    from kb_portal.kb.uploads import save_upload

    att = save_upload(io.BytesIO(data), filename, None, article)
    transaction.commit()
    return att


def training_samples(owner: User) -> dict:
    """A quiz, a track assigned to ``owner`` and an attempt of theirs, as URL sample values."""
    from kb_portal.training import services, tracks
    from kb_portal.training.files import TrackFile, parse_quiz
    from kb_portal.training.importer import apply_track_file
    from kb_portal.training.models import Quiz, Track
    from kb_portal.training.quiz_import import apply_quiz_file

    quiz_doc = parse_quiz("title: 投诉测验\nquestions:\n  - {id: q1, type: true_false, "
                          "prompt: 先记录再解释, answer: true, article: complaint-intake}\n",
                          "complaint-quiz")
    apply_quiz_file(quiz_doc)
    apply_track_file(TrackFile(slug="onboarding", title="入职", steps=[
        ("read", "complaint-intake"), ("quiz", "complaint-quiz")]))
    db.session.commit()
    quiz = db.session.scalar(db.select(Quiz))
    (assignment,) = tracks.assign_track(db.session.scalar(db.select(Track)), [owner])
    attempt = services.start_attempt(quiz, owner)
    db.session.commit()
    return {"quiz_slug": quiz.slug, "track_slug": "onboarding", "attempt_id": attempt.id,
            "assignment_id": assignment.id, "question_id": quiz.slots[0].question_id,
            "category_id": quiz.home_category_id, "fmt": "yaml"}
