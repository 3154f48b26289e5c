"""Certificates: a code on the printable page, verified inside the portal, revocable."""
import re

from kb_portal.audit import AuditEntry
from kb_portal.extensions import db
from kb_portal.training import certificates, tracks
from kb_portal.training.files import TrackFile
from kb_portal.training.importer import apply_track_file
from kb_portal.training.models import Certificate, Track
from tests.conftest import csrf_token


def _complete_track(users, as_role):
    apply_track_file(TrackFile(slug="t", title="新员工入职培训",
                               steps=[("read", "complaint-intake")]))
    (assignment,) = tracks.assign_track(db.session.scalar(db.select(Track)), [users["agent"]])
    db.session.commit()
    client = as_role("agent")
    client.get("/a/complaint-intake")
    client.post("/training/read/complaint-intake",
                data={"csrf_token": csrf_token(client, "/a/complaint-intake")})
    return client, assignment


def test_a_completed_track_gets_a_code_anyone_can_verify(articles, users, as_role):
    client, assignment = _complete_track(users, as_role)
    page = client.get(f"/training/certificate/{assignment.id}").get_data(as_text=True)
    code = re.search(r"KB-[A-Z0-9]{4}-[A-Z0-9]{4}", page).group(0)
    again = client.get(f"/training/certificate/{assignment.id}").get_data(as_text=True)
    assert code in again  # issued once
    assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == 1
    other = as_role("admin")
    result = other.get(f"/training/verify?code={code.lower().replace('-', ' ')}")
    text = result.get_data(as_text=True)
    assert "Valid" in text and "Agent1" in text and "新员工入职培训" in text
    assert "No certificate has this code" in other.get("/training/verify/KB-0000-0000")\
        .get_data(as_text=True)
    assert "Revoke this certificate" not in client.get(f"/training/verify/{code}")\
        .get_data(as_text=True)  # agents verify, trainers revoke


def test_a_trainer_revokes_with_a_reason_audited(articles, users, as_role):
    client, assignment = _complete_track(users, as_role)
    client.get(f"/training/certificate/{assignment.id}")
    certificate = db.session.scalar(db.select(Certificate))
    trainer = as_role("trainer")
    url = f"/training/verify/{certificate.code}"
    token = csrf_token(trainer, url)
    assert "Say why" in trainer.post(url, data={"csrf_token": token, "reason": " "},
                                     follow_redirects=True).get_data(as_text=True)
    trainer.post(url, data={"csrf_token": token, "reason": "冒名顶替考试"})
    page = as_role("admin").get(url).get_data(as_text=True)
    assert "Revoked" in page and "冒名顶替考试" in page
    assert "was revoked" in client.get(f"/training/certificate/{assignment.id}")\
        .get_data(as_text=True)
    entry = db.session.scalar(db.select(AuditEntry).where(
        AuditEntry.action == "training.certificate_revoke"))
    assert entry.detail == {"code": certificate.code, "reason": "冒名顶替考试"}
    # an agent cannot revoke (the form is not there, and a crafted POST changes nothing)
    agent_token = csrf_token(client, url)
    client.post(url, data={"csrf_token": agent_token, "reason": "x"})


def test_codes_are_typed_loosely():
    assert certificates.normalise(" kb abcd 2345 ") == "KB-ABCD-2345"
    assert certificates.normalise("ABCD-2345") == "KB-ABCD-2345"
    assert re.fullmatch(r"KB-[A-Z2-9]{4}-[A-Z2-9]{4}", certificates.new_code())
