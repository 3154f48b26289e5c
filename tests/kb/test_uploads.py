"""Uploads: type by content, size limit, safe serving."""
import io
import zipfile

import pytest
from sqlalchemy import select

from kb_portal.extensions import db
from kb_portal.kb import workflow
from kb_portal.kb.models import Attachment
from kb_portal.kb.uploads import clean_filename

from ..conftest import csrf_token
from .helpers import act, draft, edit

PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
       b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N"
       b"\x00\x00\x00\x00IEND\xaeB`\x82")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def trainer(as_role):
    return as_role("trainer")


def upload(client, name, data, article=""):
    token = csrf_token(client, "/kb/new")
    return client.post("/kb/uploads", data={"csrf_token": token, "article": article,
                                            "file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def test_an_image_is_stored_and_served_inline_with_safe_headers(app, users, trainer, as_role):
    article = draft(users["trainer"])
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    response = upload(trainer, "流程图.png", PNG, article="refund-rules")
    assert response.status_code == 201
    data = response.get_json()
    assert data["image"] and data["markdown"] == f"![流程图]({data['url']})"
    att = db.session.scalars(select(Attachment)).one()
    assert att.content_type == "image/png" and att.article_id is not None
    assert (app.config["KB_UPLOAD_DIR"] + "/" + att.stored_name).endswith(".png")
    edit(article, users["trainer"], body=data["markdown"], note="picture")
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    served = as_role("agent").get(data["url"])
    assert served.status_code == 200 and served.data == PNG
    assert served.headers["Content-Type"] == "image/png"
    assert served.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert not served.headers.get("Content-Disposition", "").startswith("attachment")


def test_other_files_are_downloads_never_pages(app, users, trainer):
    data = upload(trainer, "policy.pdf", PDF).get_json()
    assert data["markdown"] == f"[policy.pdf]({data['url']})"
    served = trainer.get(data["url"])
    assert served.headers["Content-Disposition"].startswith("attachment")
    assert served.headers["Content-Type"] == "application/pdf"


def test_a_file_lying_about_its_type_is_refused(app, users, trainer):
    page = b"<html><script>alert(document.cookie)</script></html>"
    response = upload(trainer, "photo.png", page)
    assert response.status_code == 400 and "not allowed" in response.get_json()["error"]
    response = upload(trainer, "report.pdf", PNG)  # a real PNG calling itself a PDF
    assert response.status_code == 400 and "does not match" in response.get_json()["error"]
    assert db.session.scalars(select(Attachment)).all() == []


def test_disallowed_types_are_refused_even_when_named_honestly(app, users, trainer):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    assert upload(trainer, "logo.svg", svg).status_code == 400
    exe = b"MZ" + b"\x00" * 64
    assert upload(trainer, "tool.exe", exe).status_code == 400
    zipped = io.BytesIO()
    with zipfile.ZipFile(zipped, "w") as archive:
        archive.writestr("a.txt", "x")
    assert upload(trainer, "bundle.zip", zipped.getvalue()).status_code == 400


def test_text_files_must_be_utf8_text(app, users, trainer):
    assert upload(trainer, "codes.csv", "代码,含义\nE-102,漏水\n".encode()).status_code == 201
    assert upload(trainer, "codes.csv", "代码".encode("gbk")).status_code == 400
    assert upload(trainer, "notes.txt", b"a\x00b").status_code == 400


def test_an_oversized_file_is_refused(app, users, trainer):
    app.config["KB_UPLOAD_MAX_BYTES"] = len(PNG) - 1
    response = upload(trainer, "big.png", PNG)
    assert response.status_code == 413 and "larger than" in response.get_json()["error"]
    app.config["KB_UPLOAD_MAX_BYTES"] = len(PNG)
    assert upload(trainer, "exact.png", PNG).status_code == 201


def test_requests_far_over_the_limit_are_cut_off_with_a_json_413(app, users, trainer):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(trainer, "huge.png", PNG + b"\x00" * 4096)
    assert response.status_code == 413 and response.is_json  # the editor's script reads it
    assert "larger than" in response.get_json()["error"]


def test_an_upload_for_an_unknown_article_is_refused_clearly(app, users, trainer):
    response = upload(trainer, "a.png", PNG, article="no-such-article")
    assert response.status_code == 400 and "no-such-article" in response.get_json()["error"]
    assert db.session.scalars(select(Attachment)).all() == []


def test_a_drafts_attachments_follow_the_drafts_visibility(app, users, trainer, as_role):
    agent = as_role("agent")
    article = draft(users["trainer"])
    url = upload(trainer, "draft.png", PNG, article="refund-rules").get_json()["url"]
    edit(article, users["trainer"], body=f"![草稿图]({url})", note="picture")
    assert agent.get(url).status_code == 404  # the draft is not the agents' yet
    assert trainer.get(url).status_code == 200
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    assert agent.get(url).status_code == 200


def test_a_file_added_in_a_pending_draft_waits_for_its_publication(app, users, trainer,
                                                                    as_role):
    """The article is published, the new image is only in the draft revision on top of it."""
    agent = as_role("agent")
    article = draft(users["trainer"])
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    url = upload(trainer, "next.png", PNG, article="refund-rules").get_json()["url"]
    edit(article, users["trainer"], body=f"![新流程]({url})", note="new picture")
    assert agent.get(url).status_code == 404
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    assert agent.get(url).status_code == 200
    act(workflow.archive, article, users["trainer"], article.head_revision_id, note="gone")
    assert agent.get(url).status_code == 404  # archived: agents no longer read it


def test_files_uploaded_before_the_article_existed_join_it_when_saved(app, users, trainer,
                                                                      as_role):
    agent = as_role("agent")
    url = upload(trainer, "early.pdf", PDF).get_json()["url"]  # the new-article editor
    assert agent.get(url).status_code == 404  # belongs to no article: trainers only
    article = draft(users["trainer"], body=f"[早期附件]({url})")
    assert db.session.scalars(select(Attachment)).one().article_id == article.id
    assert agent.get(url).status_code == 404
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    assert agent.get(url).status_code == 200


def test_a_file_reused_in_another_published_article_is_readable_there(app, users, trainer,
                                                                      as_role):
    owner = draft(users["trainer"], slug="owner-draft")
    url = upload(trainer, "shared.png", PNG, article="owner-draft").get_json()["url"]
    other = draft(users["trainer"], slug="other")
    act(workflow.publish, other, users["trainer"], other.head_revision_id)
    assert as_role("agent").get(url).status_code == 404
    edit(other, users["trainer"], body=f"![共享]({url})", note="reuse")
    act(workflow.publish, other, users["trainer"], other.head_revision_id)
    assert owner.status == "draft" and as_role("agent").get(url).status_code == 200


def test_agents_cannot_upload_and_unknown_files_are_404(app, users, as_role):
    agent = as_role("agent")
    assert upload(agent, "a.png", PNG).status_code == 403
    assert agent.get("/files/0123abcd.png").status_code == 404


def test_file_names_are_cleaned():
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("C:\\temp\\退款 流程.pdf") == "退款 流程.pdf"
    assert clean_filename('a"<b>.png') == "a_b_.png"
    assert clean_filename("...") == "file"


@pytest.fixture
def small_disk(tmp_path):
    """A real 64 KiB file system (tmpfs), mounted for the test; needs root, as CI has."""
    import subprocess

    mount = tmp_path / "small-disk"
    mount.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0700", "tmpfs",
                           str(mount)], capture_output=True, check=False)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_a_full_disk_refuses_the_upload_clearly_and_leaves_nothing(app, users, trainer,
                                                                   small_disk):
    app.config["KB_UPLOAD_DIR"] = str(small_disk)
    (small_disk / "filler").write_bytes(b"\x00" * 48 * 1024)
    response = upload(trainer, "manual.pdf", PDF + b"%" * 30 * 1024)
    assert response.status_code == 400
    assert "disk is full" in response.get_json()["error"]
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler"]  # no half-written file
    assert db.session.scalars(select(Attachment)).all() == []
    (small_disk / "filler").unlink()
    assert upload(trainer, "manual.pdf", PDF + b"%" * 30 * 1024).status_code == 201
