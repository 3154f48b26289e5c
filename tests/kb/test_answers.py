"""Answer cards: where an article keeps them, which card a place in the article gets, and that
they travel through import, export and the editor."""
import pytest

from kb_portal.kb.answers import all_cards, answer_card, section_answers
from kb_portal.kb.files import FileError, dump_article, parse_article
from kb_portal.kb.importer import export_articles, import_article_files
from kb_portal.kb.rendering import render_markdown
from kb_portal.kb.services import get_article
from tests import factories

from .helpers import draft

BODY = """退款规则如下。

!!! answer
    退款在仓库收货后 **3 个工作日内**原路退回。

## 到账时限

!!! answer ""
    微信、支付宝当天到账：

    1. 微信
    2. 支付宝

### 银行卡

银行卡还需 1–5 个工作日。

## 例外审批

报主管审批。
"""


def test_answer_blocks_are_found_under_their_heading_with_list_numbers_kept():
    answers = section_answers(render_markdown(BODY).html)
    assert answers == {"": "退款在仓库收货后 3 个工作日内原路退回。",
                       "到账时限": "微信、支付宝当天到账：\n1. 微信\n2. 支付宝"}
    assert section_answers(render_markdown("## 无\n\n!!! warning\n    注意").html) == {}


def test_the_card_of_a_section_falls_back_to_the_enclosing_section_then_the_article(app):
    article = factories.article("refund", "退款", BODY, answer="三个工作日内原路退回。")
    rev = article.published_revision
    assert answer_card(rev, "到账时限")["text"].startswith("微信、支付宝当天到账")
    inner = answer_card(rev, "银行卡")  # an h3 without its own answer: its h2's
    assert inner["section_id"] == "到账时限" and inner["section"] == "到账时限"
    outside = answer_card(rev, "例外审批")  # no answer in or above it: the article's
    assert outside == {"text": "三个工作日内原路退回。", "section_id": "", "section": ""}
    assert [c["section_id"] for c in all_cards(rev)] == ["", "到账时限"]


def test_without_front_matter_answer_the_block_above_the_first_heading_is_the_articles(app):
    rev = factories.article("refund", "退款", BODY).published_revision
    assert answer_card(rev)["text"] == "退款在仓库收货后 3 个工作日内原路退回。"
    assert answer_card(factories.article("plain", "无", "## 一\n正文").published_revision) is None


def test_front_matter_answer_round_trips_and_is_checked():
    text = "---\ntitle: 退款\ncategory: policy\nanswer: 三个工作日内\n  原路退回。\n---\n正文\n"
    doc = parse_article(text, "refund")
    assert doc.answer == "三个工作日内 原路退回。"
    assert parse_article(dump_article(doc), "refund") == doc
    with pytest.raises(FileError, match="answer"):
        parse_article("---\ntitle: x\ncategory: sop\nanswer: " + "长" * 501 + "\n---\n", "x")


def test_adding_an_answer_to_a_file_is_one_new_revision_and_export_keeps_it(app, tmp_path):
    source = tmp_path / "in"
    source.mkdir()
    path = source / "refund.md"
    path.write_text("---\ntitle: 退款\ncategory: policy\n---\n正文\n", encoding="utf-8")
    import_article_files([path])
    path.write_text("---\ntitle: 退款\ncategory: policy\nanswer: 三天内退回。\n---\n正文\n",
                    encoding="utf-8")
    report = import_article_files([path])
    assert (report.updated, report.unchanged) == (1, 0)
    assert import_article_files([path]).unchanged == 1
    assert get_article("refund").published_revision.answer == "三天内退回。"
    export_articles(tmp_path / "out")
    assert "answer: 三天内退回。" in (tmp_path / "out" / "refund.md").read_text(encoding="utf-8")


def test_trainer_saves_an_answer_in_the_editor_and_agents_see_the_card(app, users, as_role):
    trainer = as_role("trainer")
    page = trainer.get("/kb/new").get_data(as_text=True)
    assert 'name="answer"' in page and 'id="preview-answer"' in page
    article = draft(users["trainer"], body=BODY, answer="三个工作日内原路退回。")
    assert article.head_revision.answer == "三个工作日内原路退回。"
    from kb_portal.kb import workflow
    workflow.publish(article, users["trainer"], article.head_revision_id)
    page = as_role("agent").get("/a/refund-rules").get_data(as_text=True)
    assert 'class="answer-card article-answer"' in page
    assert 'data-copy-text="三个工作日内原路退回。"' in page
