"""The question bank: nested categories, the bank page (browse, search, tag filter, tag, move,
hide, add to a quiz), random draws from a category with its subcategories, one question in
several quizzes, and versions when a question is edited."""
import itertools
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb_portal.extensions import db
from kb_portal.training import bank, editing, services
from kb_portal.training.bank_models import Question, QuestionCategory
from kb_portal.training.errors import TrainingError
from kb_portal.training.models import Quiz
from kb_portal.training.question_file import QuestionFile
from tests.conftest import csrf_token


def add(path: str, key: str, prompt: str, tags=()) -> Question:
    qf = QuestionFile(id=key, type="true_false", prompt=prompt, definition={"answer": True},
                      tags=list(tags))
    question, _outcome = bank.save_question(bank.category_for_path(path), qf)
    return question


@pytest.fixture
def billing(app):
    """Support/Billing (two questions) with Support/Billing/Refunds (two more) below it."""
    questions = {
        "invoice": add("Support/Billing", "invoice", "发票七日内开具。", ["发票"]),
        "late-fee": add("Support/Billing", "late-fee", "滞纳金可以减免。"),
        "window": add("Support/Billing/Refunds", "window", "退款窗口三十天。", ["退款"]),
        "route": add("Support/Billing/Refunds", "route", "退款原路退回。", ["退款", "发票"]),
    }
    db.session.commit()
    return questions


def new_quiz(slug: str) -> Quiz:
    quiz = Quiz(slug=slug, title=slug)
    db.session.add(quiz)
    db.session.flush()
    return quiz


def test_category_paths_nest_like_moodles_and_a_move_into_itself_is_refused(app):
    leaf = bank.category_for_path("$course$/top/Support/Billing//Refunds/Codes")
    assert [c.name for c in leaf.ancestry] == ["Support", "Billing/Refunds", "Codes"]
    assert leaf.path == "Support/Billing//Refunds/Codes"
    assert bank.category_for_path("Support/Billing//Refunds/Codes") is leaf  # found, not new
    top = leaf.ancestry[0]
    with pytest.raises(TrainingError, match="inside itself"):
        bank.move_category(top, leaf)
    other = bank.category_for_path("Sales/Codes")
    with pytest.raises(TrainingError, match="already a category"):
        bank.move_category(other, leaf.parent)
    bank.move_category(other, leaf.parent, "Sales codes")
    assert other.path == "Support/Billing//Refunds/Sales codes"


def test_a_random_slot_draws_from_the_category_and_below_limited_by_tags(billing):
    billing_category = billing["invoice"].category
    assert {q.key for q in bank.pool(billing_category)} == set(billing)
    assert {q.key for q in bank.pool(billing_category, include_subcategories=False)} == \
        {"invoice", "late-fee"}
    assert {q.key for q in bank.pool(billing_category, tags=["发票"])} == {"invoice", "route"}
    quiz = new_quiz("billing")
    editing.add_random(quiz, billing_category, 3, tags=["退款", "发票"])
    db.session.commit()
    drawn = {tuple(sorted(q.key for q in services.draw_questions(quiz, random.Random(seed))))
             for seed in range(5)}
    assert drawn == {("invoice", "route", "window")}  # the three tagged ones, whatever the seed


def test_a_draw_never_takes_a_question_a_fixed_slot_shows(billing):
    """A fixed question after a random slot over the same category: the draw leaves it to its
    own slot, so the attempt has as many questions as the quiz page promised."""
    quiz = new_quiz("mixed")
    editing.add_random(quiz, billing["invoice"].category, 3)
    editing.add_fixed(quiz, [billing["window"]])
    db.session.commit()
    assert services.question_count(quiz) == 4
    for seed in range(8):
        keys = [q.key for q in services.draw_questions(quiz, random.Random(seed))]
        assert len(keys) == 4 and keys[-1] == "window" and len(set(keys)) == 4


def test_overlapping_draws_are_made_together_so_the_count_holds(billing):
    """3 from Billing and below, then 2 from Refunds: drawn slot after slot, the first could
    take both refund questions and leave the second empty. Drawn together, every attempt has
    the 4 questions there are (the second slot at least one of its own), and the count
    promised says 4, not 3 + 2."""
    quiz = new_quiz("overlap")
    editing.add_random(quiz, billing["invoice"].category, 3)
    editing.add_random(quiz, billing["window"].category, 2)
    db.session.commit()
    assert services.question_count(quiz) == 4
    drawn = set()
    for seed in range(12):
        keys = [q.key for q in services.draw_questions(quiz, random.Random(seed))]
        assert len(set(keys)) == len(keys) == 4 and keys[-1] in {"window", "route"}, keys
        drawn.add(tuple(keys))
    assert len(drawn) > 1  # which slot shows which question is still random


def _best_total(pools) -> int:
    """The most candidates the slots can take, by trying every assignment (tiny cases)."""
    candidates = sorted({c for _count, pool in pools for c in pool})
    best = 0
    for owners in itertools.product(range(-1, len(pools)), repeat=len(candidates)):
        load = [0] * len(pools)
        ok = True
        for candidate, i in zip(candidates, owners, strict=True):
            if i >= 0:
                load[i] += 1
                ok = ok and candidate in pools[i][1] and load[i] <= pools[i][0]
        if ok:
            best = max(best, sum(load))
    return best


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.lists(st.integers(0, 4), unique=True)),
                max_size=3))
def test_slots_take_as_many_questions_as_possible_each_once_from_their_own_pool(pools):
    taken = services.match_slots(pools)
    flat = [c for part in taken for c in part]
    assert len(flat) == len(set(flat)) == _best_total(pools)
    for (count, pool), part in zip(pools, taken, strict=True):
        assert len(part) <= count and set(part) <= set(pool)


def test_the_bank_page_searches_filters_tags_moves_hides_and_fills_quizzes(billing, as_role):
    client = as_role("trainer")
    refunds = billing["window"].category
    page = client.get(f"/training/bank?category={billing['invoice'].category_id}&q=退款")
    html = page.get_data(as_text=True)
    assert "退款窗口三十天" in html and "退款原路退回" in html and "发票七日内开具" not in html
    html = client.get("/training/bank?tag=发票").get_data(as_text=True)
    assert "发票七日内开具" in html and "退款原路退回" in html and "退款窗口三十天" not in html

    token = csrf_token(client, "/training/bank")
    late_fee = billing["late-fee"]

    def act(action, ids, **extra):
        return client.post("/training/bank/questions", follow_redirects=True, data={
            "csrf_token": token, "action": action, "question_id": [str(i) for i in ids],
            **extra}).get_data(as_text=True)

    act("tag", [late_fee.id], tags="费用，减免")
    assert late_fee.tags == ["费用", "减免"]
    act("move", [late_fee.id], target_id=str(refunds.id))
    assert late_fee.category == refunds
    act("hide", [late_fee.id])
    assert late_fee.retired and late_fee not in bank.pool(refunds)
    assert "滞纳金可以减免" not in client.get("/training/bank").get_data(as_text=True)
    assert "滞纳金可以减免" in client.get("/training/bank?hidden=1").get_data(as_text=True)
    assert "Tick at least one question" in act("tag", [], tags="x")

    # One question, two quizzes.
    for slug in ("first", "second"):
        new_quiz(slug)
    db.session.commit()
    for slug in ("first", "second"):
        act("add_to_quiz", [billing["invoice"].id, billing["route"].id], quiz=slug)
    act("add_to_quiz", [billing["invoice"].id], quiz="first")  # already there: not twice
    quizzes = db.session.scalars(db.select(Quiz).where(Quiz.slug.in_(["first", "second"])))
    for quiz in quizzes:
        assert [q.key for q in quiz.fixed_questions] == ["invoice", "route"]


def test_the_bank_page_refuses_a_duplicate_key_in_the_target_category(billing, as_role):
    client = as_role("trainer")
    clash = add("Support/Billing/Refunds", "invoice", "另一题，同一个 id。")
    db.session.commit()
    html = client.post("/training/bank/questions", follow_redirects=True, data={
        "csrf_token": csrf_token(client, "/training/bank"), "action": "move",
        "question_id": [str(billing["invoice"].id)],
        "target_id": str(clash.category_id)}).get_data(as_text=True)
    assert "already has a question invoice" in html
    db.session.expire_all()
    assert billing["invoice"].category.name == "Billing"


def test_categories_are_made_renamed_and_moved_from_the_page(billing, as_role):
    client = as_role("trainer")
    token = csrf_token(client, "/training/bank")
    client.post("/training/bank/categories", data={"csrf_token": token, "name": "Scripts"})
    scripts = db.session.scalar(db.select(QuestionCategory).where(
        QuestionCategory.name == "Scripts"))
    assert scripts is not None and scripts.parent is None
    support = billing["invoice"].category.parent
    client.post("/training/bank/categories", data={
        "csrf_token": token, "category_id": str(scripts.id), "parent_id": str(support.id),
        "name": "Call scripts"})
    db.session.expire_all()
    assert scripts.path == "Support/Call scripts"
    html = client.post("/training/bank/categories", follow_redirects=True, data={
        "csrf_token": token, "category_id": str(support.id),
        "parent_id": str(scripts.id)}).get_data(as_text=True)
    assert "cannot be moved inside itself" in html
    db.session.expire_all()
    assert support.parent is None


def test_one_question_in_two_quizzes_versions_on_edit_and_attempts_keep_theirs(
        billing, users, as_role):
    question = billing["invoice"]
    quizzes = [new_quiz("first"), new_quiz("second")]
    for quiz in quizzes:
        editing.add_fixed(quiz, [question])
    db.session.commit()
    before = services.start_attempt(quizzes[1], users["agent"])
    db.session.commit()

    client = as_role("trainer")
    url = f"/training/manage/questions/{question.id}"
    response = client.post(url, data={
        "csrf_token": csrf_token(client, url), "key": "invoice", "type": "true_false",
        "prompt": "发票十五日内开具。", "answer": "false", "points": "1", "format": "markdown",
        "action": "save"})
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    assert question.version == 2 and [v.number for v in question.versions] == [1, 2]
    assert [v.prompt for v in question.versions] == ["发票七日内开具。", "发票十五日内开具。"]
    for quiz in quizzes:  # the one question, changed in both quizzes
        page = client.get(f"/training/manage/quizzes/{quiz.slug}").get_data(as_text=True)
        assert "发票十五日内开具" in page
    after = services.start_attempt(quizzes[0], users["agent"])
    assert [r.question_version for r in before.responses] == [1]
    assert [r.question_version for r in after.responses] == [2]
    assert before.responses[0].definition["answer"] is True
    assert after.responses[0].definition["answer"] is False
