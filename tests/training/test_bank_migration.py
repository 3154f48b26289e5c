"""The question-bank migration on data of the old shape (one quiz per question), on SQLite and
PostgreSQL (``KB_TEST_DATABASE_URL``)."""
import math

import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db

BEFORE = "7d3a9c5e1b20"  # the last revision with Question.quiz_id
NOW = "2026-11-01 08:00:00"


def _insert(conn, table: str, **values) -> None:
    columns = ", ".join(values)
    marks = ", ".join(f":{k}" for k in values)
    sql = f'INSERT INTO "{table}" ({columns}) VALUES ({marks})'  # noqa: S608 (test names)
    conn.execute(sa.text(sql), values)


def _old_shape(conn) -> None:
    quiz = {"description": "", "pass_mark": 80, "time_limit_minutes": 0, "max_attempts": 0,
            "attempt_delay_minutes": 0, "shuffle_questions": False, "shuffle_choices": False,
            "review": "explanations", "articles_json": "[]", "created_at": NOW,
            "updated_at": NOW}
    _insert(conn, "quiz", id=1, slug="fixed", title="投诉测验", draw=None, draw_tags_json="[]",
            **quiz)
    _insert(conn, "quiz", id=2, slug="drawn", title="投诉测验", draw=2,
            draw_tags_json='["时限"]', **quiz)
    question = {"type": "true_false", "prompt": "P", "definition_json": '{"answer": true}',
                "explanation": "", "article_anchor": "", "tags_json": "[]",
                "needs_review": False}
    for qid, quiz_id, key, position, points, retired in [
            (1, 1, "b", 1, 1.0, False), (2, 1, "a", 0, math.inf, False),
            (3, 1, "gone", 2, 1.0, True), (4, 2, "a", 0, 2.0, False)]:
        _insert(conn, "question", id=qid, quiz_id=quiz_id, key=key, position=position,
                points=points, retired=retired, **question)
    _insert(conn, "user", id=1, username="u", display_name="U", password_hash="x",
            role="agent", active=True, session_version=1, created_at=NOW)
    _insert(conn, "attempt", id=1, quiz_id=1, user_id=1, number=1, started_at=NOW,
            late=False, max_score=2)
    _insert(conn, "response", attempt_id=1, slot=0, question_id=2, type="true_false",
            definition_json='{"answer": true}', layout_json="{}", points=1.0)


def test_quizzes_move_into_bank_categories_named_after_them(tmp_path):
    app = create_app(TestConfig(tmp_path / "data"))
    with app.app_context():
        directory = app.extensions["migrate"].directory
        db.drop_all()  # on PostgreSQL the suite shares one database: start from nothing
        with db.engine.begin() as conn:
            conn.execute(sa.text("DROP TABLE IF EXISTS alembic_version"))
        upgrade(directory=directory, revision=BEFORE)
        with db.engine.begin() as conn:
            _old_shape(conn)
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            rows = lambda sql: conn.execute(sa.text(sql)).all()  # noqa: E731
            categories = rows("SELECT id, name, parent_id FROM question_category ORDER BY id")
            assert [(name, parent) for _id, name, parent in categories] == [
                ("投诉测验", None), ("投诉测验 (drawn)", None)]
            homes = rows("SELECT slug, home_category_id FROM quiz ORDER BY id")
            assert homes == [("fixed", categories[0][0]), ("drawn", categories[1][0])]
            assert rows("SELECT id, category_id, points, retired FROM question ORDER BY id") == [
                (1, categories[0][0], 1.0, False), (2, categories[0][0], 1.0, False),
                (3, categories[0][0], 1.0, True), (4, categories[1][0], 2.0, False)]
            # Fixed slots in the old order, retired questions left out; a draw stays a draw.
            assert rows("SELECT quiz_id, position, question_id, category_id, count, tags_json "
                        "FROM quiz_slot ORDER BY quiz_id, position") == [
                (1, 0, 2, None, 1, "[]"), (1, 1, 1, None, 1, "[]"),
                (2, 0, None, categories[1][0], 2, '["时限"]')]
            assert rows("SELECT question_id, number FROM question_version ORDER BY 1") == \
                [(1, 1), (2, 1), (3, 1), (4, 1)]
            assert rows("SELECT question_id FROM response") == [(2,)]
        downgrade(directory=directory, revision=BEFORE)  # and back, keeping the data
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, quiz_id, key FROM question ORDER BY id"))\
                .all() == [(1, 1, "b"), (2, 1, "a"), (3, 1, "gone"), (4, 2, "a")]
            assert conn.execute(sa.text("SELECT draw FROM quiz ORDER BY id")).all() == \
                [(None,), (2,)]
        downgrade(directory=directory, revision="base")
        db.session.remove()
