"""``flask kb remind`` against a real SMTP server (aiosmtpd, started here on a free port): one
digest per learner and per trainer per day, none again on a re-run, the log without SMTP, and
the learner's home-page notice."""
import email
import smtplib
import socket
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller

from kb_portal.extensions import db
from kb_portal.training import tracks
from kb_portal.training.files import TrackFile
from kb_portal.training.importer import apply_track_file
from kb_portal.training.models import ReminderLog, Track
from tests import factories

TODAY = date(2026, 12, 10)


class Inbox:
    """Keeps every message and the client address (host, port) of its connection; refuses
    the addresses in ``refuse``."""

    def __init__(self, refuse=()):
        self.messages, self.peers, self.refuse = [], [], set(refuse)

    async def handle_RCPT(self, server, session, envelope, address, options):  # noqa: N802
        if address in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
        self.peers.append(session.peer)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(inbox: Inbox, port: int, **options) -> Controller:
    """A real SMTP server (aiosmtpd) for ``inbox`` on a loopback port, started."""
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    return controller


@pytest.fixture
def smtp(app):
    port = free_port()
    inbox = Inbox()
    controller = serve(inbox, port)
    app.config["KB_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    yield inbox
    controller.stop()


@pytest.fixture
def assigned(quiz, articles, users):
    """Two learners on a track due in two days, one more whose track is overdue."""
    apply_track_file(TrackFile(slug="t", title="入职培训", steps=[
        ("read", "complaint-intake"), ("quiz", quiz.slug)]))
    track = db.session.scalar(db.select(Track))
    late = factories.user("late1", "agent")
    for user in (users["agent"], users["admin"], late):
        user.email = f"{user.username}@example.test"
    tracks.assign_track(track, [users["agent"], users["admin"]],
                        due_date=TODAY + timedelta(days=2), actor=users["trainer"])
    tracks.assign_track(track, [late], due_date=TODAY - timedelta(days=1))  # from the CLI
    users["trainer"].email = "trainer1@example.test"
    users["trainer2"].email = "trainer2@example.test"
    db.session.commit()
    return users


def test_one_digest_per_person_per_day_over_real_smtp(assigned, smtp, runner):
    result = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "[1/5] " in lines[0] and "[5/5] " in lines[4] and len(lines) == 6
    assert "late1 (learner): e-mailed" in result.output
    assert "trainer2 (trainer): e-mailed" in result.output
    assert lines[-1] == "reminders: 5 e-mailed, 0 written to the log, 0 already sent today, " \
        "0 failed"
    got = {next(iter(to)): message for to, message in smtp.messages}
    # Three learners; trainer1 assigned two of them, the CLI-assigned one goes to every trainer.
    assert sorted(got) == ["admin1@example.test", "agent1@example.test", "late1@example.test",
                           "trainer1@example.test", "trainer2@example.test"]
    late = got["late1@example.test"].get_payload(decode=True).decode()
    assert "入职培训" in late and "2026-12-09" in late and "客户投诉受理与记录规范" in late
    trainer = got["trainer1@example.test"].get_payload(decode=True).decode()
    assert "Agent1" in trainer and "Late1" in trainer and "Admin1" in trainer
    again = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
    assert "0 e-mailed" in again.output and "5 already sent today" in again.output
    assert again.output.count("): already sent today") == 5
    assert len(smtp.messages) == 5
    runner.invoke(args=["kb", "remind", "--date", (TODAY + timedelta(days=1)).isoformat()])
    assert len(smtp.messages) == 10  # a new day, a new digest


def test_steps_due_later_than_the_horizon_wait(assigned, smtp, runner):
    runner.invoke(args=["kb", "remind", "--date", (TODAY - timedelta(days=30)).isoformat()])
    assert smtp.messages == []
    # Three days before: only the track due the day before yesterday is "due soon".
    runner.invoke(args=["kb", "remind", "--date", (TODAY - timedelta(days=3)).isoformat()])
    assert sorted(next(iter(to)) for to, _m in smtp.messages) == [
        "late1@example.test", "trainer1@example.test", "trainer2@example.test"]


def test_one_connection_per_run_and_a_refused_address_fails_only_its_message(
        assigned, runner, app):
    port = free_port()
    inbox = Inbox(refuse={"agent1@example.test"})
    controller = serve(inbox, port)
    app.config["KB_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    try:
        result = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
        assert result.exit_code == 1 and "4 e-mailed" in result.output
        assert "agent1 (learner): failed" in result.output and len(inbox.messages) == 4
        assert len(set(inbox.peers)) == 1  # the four went through one connection
        inbox.refuse.clear()
        again = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
    finally:
        controller.stop()
    assert "1 e-mailed" in again.output and "4 already sent today" in again.output


def test_the_smtp_url_carries_the_login(assigned, runner, app):
    """``smtp://user:password@host:port`` logs in (percent-escapes decoded) before sending; a
    refused login fails the run and claims nothing."""
    from aiosmtpd.smtp import AuthResult

    logins = []

    def authenticator(_server, _session, _envelope, mechanism, data):
        logins.append((mechanism, data.login.decode(), data.password.decode()))
        return AuthResult(success=data.password == b"p@ss:w/rd", handled=False)

    port = free_port()
    inbox = Inbox()
    controller = serve(inbox, port, auth_require_tls=False, authenticator=authenticator)
    try:
        app.config["KB_SMTP_URL"] = f"smtp://kb%40centre:wrong@127.0.0.1:{port}"
        refused = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
        assert refused.exit_code == 1 and "5 failed" in refused.output and not inbox.messages
        app.config["KB_SMTP_URL"] = f"smtp://kb%40centre:p%40ss%3Aw%2Frd@127.0.0.1:{port}"
        result = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
    finally:
        controller.stop()
    assert result.exit_code == 0 and len(inbox.messages) == 5, result.output
    assert logins[-1][1:] == ("kb@centre", "p@ss:w/rd")


def test_without_smtp_the_messages_go_to_the_log(assigned, runner, app, caplog):
    app.config["KB_SMTP_URL"] = ""
    with caplog.at_level("INFO", logger="kb_portal.training"):
        result = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
    assert "0 e-mailed, 5 written to the log" in result.output
    assert "reminder (no KB_SMTP_URL, not sent) to agent1@example.test" in caplog.text
    assert db.session.scalar(db.select(db.func.count()).select_from(ReminderLog)) == 5


def test_an_smtp_failure_is_retried_on_the_next_run(assigned, runner, app, caplog):
    port = free_port()  # nothing listens there
    app.config["KB_SMTP_URL"] = f"smtp://127.0.0.1:{port}"
    with caplog.at_level("WARNING", logger="kb_portal.training"):
        result = runner.invoke(args=["kb", "remind", "--date", TODAY.isoformat()])
    assert result.exit_code == 1 and "5 failed" in result.output
    assert "agent1 (learner): failed (tried again on the next run)" in result.output
    # The dead server is tried once, not once per message.
    assert caplog.text.count("the remaining messages wait for the next run") == 1
    assert caplog.text.count("not tried: the server failed earlier") == 4
    assert db.session.scalar(db.select(db.func.count()).select_from(ReminderLog)) == 0


def test_the_learner_home_page_shows_the_notice(assigned, as_role, app):
    app.config["KB_REMIND_DAYS"] = 400  # "today" is the real date here: everything is soon
    page = as_role("agent").get("/").get_data(as_text=True)
    assert 'id="training-notice"' in page and "2 steps are due soon." in page


def test_the_outbox_reconnects_once_when_the_server_closed_an_idle_connection():
    from email.message import EmailMessage

    from kb_portal.training.mailer import Outbox

    def message(to):
        m = EmailMessage()
        m["From"], m["To"], m["Subject"] = "kb@example.test", to, "提醒"
        m.set_content("正文")
        return m

    port = free_port()
    inbox = Inbox()
    controller = serve(inbox, port)
    with Outbox(f"smtp://127.0.0.1:{port}") as outbox:
        outbox.send(message("a@example.test"))
        controller.stop()  # the server goes away and comes back: the old connection is dead
        controller = serve(inbox, port)
        try:
            assert outbox.send(message("b@example.test")) == "smtp"
        finally:
            controller.stop()
    assert [to for to, _m in inbox.messages] == [["a@example.test"], ["b@example.test"]]
    assert outbox.broken is None and len(set(inbox.peers)) == 2


def test_a_server_that_never_answers_fails_the_run_after_the_configured_timeout():
    import threading
    from email.message import EmailMessage

    from kb_portal.training.mailer import Outbox

    silent = socket.socket()  # accepts connections (the kernel's backlog) but never greets
    silent.bind(("127.0.0.1", 0))
    silent.listen(1)
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "kb@example.test", "a@x.test", "提醒"
    message.set_content("正文")
    failures = []

    def run():
        with Outbox(f"smtp://127.0.0.1:{silent.getsockname()[1]}", timeout=0.5) as outbox:
            for _ in range(2):
                try:
                    outbox.send(message)
                except (OSError, smtplib.SMTPException) as exc:
                    failures.append(exc)

    try:
        sender = threading.Thread(target=run)
        sender.start()
        sender.join(20)  # the default 30 s would still be waiting
        assert not sender.is_alive()
    finally:
        silent.close()
    # The first message waited for the greeting and gave up; the second was not tried.
    assert "timed out" in str(failures[0]) and "not tried" in str(failures[1])
