"""Saving, the optimistic lock, change notes, restore, slug renames and the audit log."""
import pytest
from sqlalchemy import select

from kb_portal.audit import AuditEntry
from kb_portal.extensions import db
from kb_portal.kb import workflow
from kb_portal.kb.editing import restore_revision
from kb_portal.kb.models import Category
from kb_portal.kb.services import ConflictError, KbError
from tests import factories

from .helpers import act, draft, edit


def test_every_save_is_a_new_revision_with_author_and_note(app, users):
    article = draft(users["trainer"])
    rev = edit(article, users["trainer2"], body="second", note="why")
    assert [r.number for r in article.revisions] == [1, 2]
    assert rev.author_id == users["trainer2"].id and rev.note == "why"
    assert rev.base_revision_id == article.revisions[0].id


def test_saving_unchanged_content_creates_no_revision(app, users):
    article = draft(users["trainer"])
    assert edit(article, users["trainer"]) is None
    assert article.revisions.count() == 1


def test_second_save_from_the_same_base_is_a_conflict_not_a_lost_update(app, users):
    article = draft(users["trainer"])
    base = article.head_revision_id
    edit(article, users["trainer"], body="first browser", base=base)
    with pytest.raises(ConflictError) as caught:
        edit(article, users["trainer2"], body="second browser", base=base)
    assert caught.value.base_revision_id == base
    assert article.head_revision.body == "first browser"
    assert article.revisions.count() == 2


def test_a_save_replayed_after_someone_else_saved_is_the_same_save(app, users):
    """Its answer was lost and the browser sent it again, late: no conflict, nothing new."""
    article = draft(users["trainer"])
    base = article.head_revision_id
    mine = edit(article, users["trainer"], body="my text", base=base, save_key="replay-key-1")
    edit(article, users["trainer2"], body="their text")
    again = edit(article, users["trainer"], body="my text", base=base, save_key="replay-key-1")
    assert again.id == mine.id and article.revisions.count() == 3
    assert article.head_revision.body == "their text"


def test_change_note_policy_published_is_the_default(app, users):
    article = draft(users["trainer"], note="")
    edit(article, users["trainer"], body="no note while a draft", note="")
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    with pytest.raises(KbError, match="change note"):
        edit(article, users["trainer"], body="published: note needed", note="  ")
    edit(article, users["trainer"], body="published: note given", note="typo")


def test_change_note_policy_always_and_never(app, users):
    categories = {c.key: c for c in db.session.scalars(select(Category))}
    categories["sop"].note_required = "always"
    categories["product"].note_required = "never"
    db.session.commit()
    with pytest.raises(KbError):
        draft(users["trainer"], note="", slug="needs-note")
    article = draft(users["trainer"], category="product", slug="no-note")
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    assert edit(article, users["trainer"], body="fine", note="") is not None


def test_restore_makes_a_new_revision_with_the_old_content(app, users):
    article = draft(users["trainer"], body="v1")
    edit(article, users["trainer"], body="v2")
    rev = act(restore_revision, article, 1, users["trainer2"], article.head_revision_id)
    assert rev.number == 3 and rev.body == "v1" and rev.note.startswith("Restored revision 1")
    assert [r.body for r in article.revisions] == ["v1", "v2", "v1"]
    with pytest.raises(KbError):
        act(restore_revision, article, 3, users["trainer2"], article.head_revision_id)
    with pytest.raises(ConflictError):
        act(restore_revision, article, 2, users["trainer2"], article.revisions[0].id)


def test_restoring_on_a_published_article_leaves_agents_text_alone(app, users):
    article = draft(users["trainer"], body="v1")
    edit(article, users["trainer"], body="v2")
    act(workflow.publish, article, users["trainer"], article.head_revision_id)
    act(restore_revision, article, 1, users["trainer"], article.head_revision_id)
    assert article.published_revision.body == "v2" and article.head_revision.body == "v1"


def test_rename_keeps_old_url_and_links(app, users, as_role):
    trainer = users["trainer"]
    target = draft(trainer, slug="old-name", body="## 要点\ntext")
    act(workflow.publish, target, trainer, target.head_revision_id)
    factories.article("linker", "Linker", "see [it](old-name#要点)")
    edit(target, trainer, slug="new-name", note="rename")
    assert target.slug == "new-name"
    agent = as_role("agent")
    response = agent.get("/a/old-name")
    assert response.status_code == 301 and response.headers["Location"].endswith("/a/new-name")
    page = agent.get("/a/linker").get_data(as_text=True)
    assert 'data-kb-slug="old-name"' in page and "broken" not in page
    # renaming back frees the former slug instead of shadowing it
    edit(target, trainer, slug="old-name", note="back")
    assert agent.get("/a/old-name").status_code == 200
    assert agent.get("/a/new-name").status_code == 301


def test_slugs_in_use_or_formerly_used_by_another_article_are_refused(app, users):
    trainer = users["trainer"]
    first = draft(trainer, slug="first")
    draft(trainer, slug="second")
    with pytest.raises(KbError):
        edit(first, trainer, slug="second")
    edit(first, trainer, slug="first-renamed")
    with pytest.raises(KbError):
        draft(trainer, slug="first")  # still redirects to the renamed article


def test_invalid_input_is_refused(app, users):
    with pytest.raises(KbError):
        draft(users["trainer"], title="  ")
    with pytest.raises(KbError):
        draft(users["trainer"], slug="Bad Slug")
    with pytest.raises(KbError):
        draft(users["trainer"], category="nope")
    with pytest.raises(KbError):
        draft(users["trainer"], language="fr")


def test_audit_log_records_create_edit_publish_archive_restore(app, users, as_role):
    t = users["trainer"]
    article = draft(t)
    edit(article, t, body="v2")
    act(workflow.publish, article, t, article.head_revision_id)
    act(restore_revision, article, 1, t, article.head_revision_id, note="oops")
    act(workflow.archive, article, t, article.head_revision_id, "superseded")
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["article.create", "article.edit", "article.publish",
                                           "article.restore", "article.archive"]
    assert all(e.actor_id == t.id and e.target_label == "refund-rules" for e in entries)
    assert entries[3].detail == {"restored": 1, "revision": 3}
    page = as_role("admin").get("/admin/audit").get_data(as_text=True)
    assert "restored revision 1 as revision 3" in page
    assert as_role("trainer").get("/admin/audit").status_code == 403
