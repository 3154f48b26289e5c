"""Quiz attempts, run on the server: start, save as you go, submit once, grade.

These functions *flush*; the view or command that calls them commits once (or rolls back), so
one request is one transaction (DESIGN.md §7).

* **Start** fixes the questions (a random draw from the tagged pool when the quiz says so), their
  order, each question's choice order and the deadline, and snapshots each definition.
* **Save** stores canonical answers while the new hire works, so a reload resumes the attempt.
  Nothing is saved after the deadline (plus :data:`GRACE` for the network).
* **Submit** is idempotent: ``submitted_at`` is set by a conditional UPDATE (``… WHERE
  submitted_at IS NULL``) and only the request whose UPDATE changed a row grades. A double
  click, two tabs or two workers grade once.
* An attempt past its deadline is graded on what was saved, whoever notices first (the
  new hire's next request, a trainer's report) — see :func:`close_expired`.
"""
import contextlib
import math
import random
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from ..accounts.models import utcnow
from ..extensions import db
from . import bank, scheduling
from .bank_models import Question
from .errors import TrainingError
from .grading import after_grading, flag_close_answer, total_attempt
from .models import Attempt, Quiz, Response, finite_points
from .question_types import get_type

GRACE = timedelta(seconds=10)  # allowance for the last save travelling over a slow network

def draw_questions(quiz: Quiz, rng: random.Random) -> list[Question]:
    """The questions of a new attempt, in the order they will be shown: each slot's fixed
    question, or its random draw from the bank (never the same question twice). A draw leaves
    out every fixed question of the quiz, even one in a later slot, and draws overlapping
    pools jointly (:func:`_assign`), so an attempt has exactly as many questions as
    :func:`question_count` promised."""
    drawn = iter(_assign(quiz, rng))
    chosen: list[Question] = []
    for slot in quiz.slots:
        if not slot.is_random:
            if slot.question not in chosen:
                chosen.append(slot.question)
            continue
        chosen.extend(next(drawn))
    if quiz.shuffle_questions:
        rng.shuffle(chosen)
    return chosen


def question_count(quiz: Quiz) -> int:
    """How many questions an attempt will have (a draw from a small pool gives fewer)."""
    fixed = {s.question_id for s in quiz.slots if not s.is_random}
    return len(fixed) + sum(len(taken) for taken in _assign(quiz, None))


def _assign(quiz: Quiz, rng: random.Random | None) -> list[list[Question]]:
    """The questions of each random slot (:func:`match_slots` over the slots' pools, fixed
    questions left out). With ``rng`` each pool is shuffled first (which questions is random,
    how many is not); without, the pools' order is kept (the count alone)."""
    fixed = {s.question for s in quiz.slots if not s.is_random}
    pools = []
    for slot in (s for s in quiz.slots if s.is_random):
        pool = [q for q in bank.pool(slot.category, slot.include_subcategories, slot.tags)
                if q not in fixed]
        if rng is not None:
            rng.shuffle(pool)
        pools.append((slot.count, pool))
    return match_slots(pools)


def match_slots(pools: list[tuple[int, list]]) -> list[list]:
    """For ``(count, candidates)`` per slot, the candidates each slot takes: as many as the
    slots can take in all, each candidate at most once — a maximum matching of slots
    (``count`` places each) to candidates, grown by augmenting paths, trying candidates in the
    order given. Drawing slot after slot could not promise a count: with a slot of 3 from
    {a, b, c, d} before a slot of 2 from {c, d}, the first draw may take both c and d."""
    owner: dict = {}
    taken: list[list] = [[] for _ in pools]

    def place(i: int, seen: set) -> bool:
        """Give slot ``i`` one more candidate, moving others' along a path (the recursion
        only passes through candidates already taken: depth ≤ the number taken)."""
        for candidate in pools[i][1]:
            if candidate in seen:
                continue
            seen.add(candidate)
            j = owner.get(candidate)
            if j == i:
                continue  # already this slot's
            if j is None or place(j, seen):
                if j is not None:
                    taken[j].remove(candidate)
                owner[candidate] = i
                taken[i].append(candidate)
                return True
        return False

    for i, (count, _pool) in enumerate(pools):
        while len(taken[i]) < count and place(i, set()):
            pass
    return taken


def user_attempts(quiz: Quiz, user) -> list[Attempt]:
    return db.session.scalars(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id).order_by(Attempt.number)).all()


def start_refusal(quiz: Quiz, user, attempts: list[Attempt], now: datetime) -> str | None:
    """Why a new attempt may not start now (a message), or None when it may."""
    window = scheduling.window_refusal(quiz, user, now)
    if window:
        return window
    allowed = scheduling.attempts_allowed(quiz, user)
    if allowed and len(attempts) >= allowed:
        return _("You have used all %(n)d attempts allowed for this quiz.", n=allowed)
    finished = [a.submitted_at for a in attempts if a.submitted_at]
    if quiz.attempt_delay_minutes and finished:
        ready = max(finished) + timedelta(minutes=quiz.attempt_delay_minutes)
        if now < ready:
            minutes = math.ceil((ready - now).total_seconds() / 60)
            return _("You can start your next attempt in %(n)d minutes.", n=minutes)
    if not quiz.slots or not question_count(quiz):
        return _("This quiz has no questions yet.")
    return None


def start_attempt(quiz: Quiz, user, rng: random.Random | None = None,
                  now: datetime | None = None) -> Attempt:
    """Resume the user's open attempt, or start a new one.

    :raise TrainingError: over the attempt limit or before the delay between attempts ended.
    """
    now = now or utcnow()
    close_expired(quiz=quiz, user=user, now=now)
    attempts = user_attempts(quiz, user)
    open_attempt = next((a for a in attempts if a.in_progress), None)
    if open_attempt:
        return open_attempt
    refusal = start_refusal(quiz, user, attempts, now)
    if refusal:
        raise TrainingError(refusal)
    rng = rng or random.Random()
    attempt = Attempt(quiz=quiz, user=user, number=len(attempts) + 1, started_at=now,
                      deadline=scheduling.deadline(quiz, user, now))
    for slot, question in enumerate(draw_questions(quiz, rng)):
        qtype = get_type(question.type)
        attempt.responses.append(Response(
            slot=slot, question=question, type=question.type, prompt=question.prompt,
            prompt_format=question.prompt_format, question_version=question.version,
            definition_json=question.definition_json,
            layout_json=Response.dumps(qtype.make_layout(question.definition, rng,
                                                         quiz.shuffle_choices)),
            points=finite_points(question.points)))
    attempt.max_score = sum(r.points for r in attempt.responses)
    db.session.add(attempt)
    try:
        db.session.flush()
    except IntegrityError:  # a second "start" won the race; the caller rolls back
        raise TrainingError(_("Another attempt was just started; reload the page.")) from None
    return attempt


def _claim_open(attempt: Attempt, **values) -> bool:
    """UPDATE the attempt only while it is not submitted; True when a row changed.

    Used both to submit (setting ``submitted_at``) and, with no real change, to take the row
    lock before saving answers, so a save and a submit of the same attempt never interleave.
    """
    values = values or {"id": attempt.id}
    result = db.session.execute(update(Attempt).where(
        Attempt.id == attempt.id, Attempt.submitted_at.is_(None)).values(**values)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def is_expired(attempt: Attempt, now: datetime) -> bool:
    return attempt.deadline is not None and now > attempt.deadline + GRACE


def save_answers(attempt: Attempt, raw_by_slot: dict[int, object],
                 now: datetime | None = None) -> int:
    """Store answers (raw form values per slot); return how many slots were saved.

    :raise TrainingError: when the attempt is submitted or its time is up. The caller grades
        an expired attempt first (:func:`is_expired`): the refusal changes nothing.
    """
    now = now or utcnow()
    if is_expired(attempt, now):
        raise TrainingError(_("Time is up: answers can no longer be saved."))
    if not _claim_open(attempt):
        raise TrainingError(_("This attempt has already been submitted."))
    saved = 0
    for response in attempt.responses:
        if response.slot in raw_by_slot:
            qtype = get_type(response.type)
            response.answer = qtype.read(response.definition, response.layout,
                                         raw_by_slot[response.slot])
            response.saved_at = now
            saved += 1
    db.session.flush()
    return saved


def submit_attempt(attempt: Attempt, now: datetime | None = None, late: bool = False) -> bool:
    """Grade the attempt once. Returns True for the call that graded, False for repeats."""
    now = now or utcnow()
    late = late or is_expired(attempt, now)
    if not _claim_open(attempt, submitted_at=now, late=late):
        db.session.refresh(attempt)
        return False
    db.session.refresh(attempt)  # the UPDATE bypassed the session
    for response in attempt.responses:
        response.fraction = get_type(response.type).grade(response.definition, response.answer)
        flag_close_answer(response)
    total_attempt(attempt)
    after_grading(attempt)
    return True


WITHDRAW_WINDOW = timedelta(minutes=2)


def blank_numbers(attempt: Attempt) -> list[int]:
    """The question numbers (1-based) the learner has not answered at all."""
    return [r.slot + 1 for r in attempt.responses if get_type(r.type).is_blank(r.answer)]


def may_withdraw(attempt: Attempt, now: datetime | None = None) -> bool:
    """An attempt started by mistake may be withdrawn — and then does not count — while
    nothing is answered and it is less than :data:`WITHDRAW_WINDOW` old (long enough to
    notice the wrong quiz, too short to read the questions and start again fresh)."""
    now = now or utcnow()
    return attempt.in_progress and now - attempt.started_at < WITHDRAW_WINDOW and \
        len(blank_numbers(attempt)) == len(attempt.responses)


def withdraw(attempt: Attempt, now: datetime | None = None) -> None:
    """Delete an attempt the learner did not mean to start.

    :raise TrainingError: when it has answers or is too old (see :func:`may_withdraw`).
    """
    if not may_withdraw(attempt, now):
        raise TrainingError(_("This attempt can no longer be withdrawn: it has answers or "
                              "started more than two minutes ago."))
    db.session.delete(attempt)
    db.session.flush()


def finish_attempt(attempt: Attempt, raw_by_slot: dict[int, object],
                   now: datetime | None = None) -> bool:
    """The submit button: save the form's answers unless time is up, then grade once."""
    now = now or utcnow()
    if attempt.in_progress and not is_expired(attempt, now):
        # Submitted meanwhile (a double click)? Then the grading below is a no-op too.
        with contextlib.suppress(TrainingError):
            save_answers(attempt, raw_by_slot, now)
    return submit_attempt(attempt, now)


def close_expired(quiz: Quiz | None = None, user=None, now: datetime | None = None) -> int:
    """Grade open attempts whose deadline has passed, on what was saved; return how many."""
    now = now or utcnow()
    query = select(Attempt).where(Attempt.submitted_at.is_(None),
                                  Attempt.deadline < now - GRACE)
    if quiz is not None:
        query = query.where(Attempt.quiz_id == quiz.id)
    if user is not None:
        query = query.where(Attempt.user_id == user.id)
    return sum(submit_attempt(a, now, late=True) for a in db.session.scalars(query).all())


def best_attempt(quiz: Quiz, user) -> Attempt | None:
    return db.session.scalar(select(Attempt).where(
        Attempt.quiz_id == quiz.id, Attempt.user_id == user.id, Attempt.percent.is_not(None))
        .order_by(Attempt.percent.desc()).limit(1))

