"""The shipped lexicon: does it load, does it apply, and can a trainer switch a built-in group
off or add words to it (one-way groups too)?"""
import pytest
from sqlalchemy import select

from kb_portal import create_app
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.search import lexicon
from kb_portal.search.models import LexiconOverride, SynonymGroup
from kb_portal.search.state import search_state
from kb_portal.search.synonyms import key_of
from tests import factories

from ..conftest import csrf_token
from .helpers import slugs

DOMAINS = ("billing", "refunds", "delivery", "complaints", "compensation", "warranty",
           "faults", "network", "accounts", "privacy", "marketing", "scheduling", "quality",
           "kpi", "conduct")


def test_the_shipped_lexicon_loads_with_400_groups_over_every_domain():
    lex = lexicon.load()
    two_way = [g for g in lex.groups if not g.one_way]
    assert lex.version >= 1 and len(two_way) >= 400
    assert set(DOMAINS) <= set(lex.sections())
    assert len({g.key for g in lex.groups}) == len(lex.groups)
    for group in two_way:  # a formal term and at least one other way to say it
        assert group.formal and len(group.members) >= 2, group.key
    assert sum(bool(g.english) for g in two_way) > 0.9 * len(two_way)
    assert sum(bool(g.regional) for g in two_way) > 0.5 * len(two_way)
    assert any(g.one_way for g in lex.groups)


@pytest.mark.parametrize("line, message", [
    ("refund | 退款 | 退钱", "expected"),
    ("refund | 退款 | - | - | -", "at least two words"),
    ("refund | 退款 | 钱 | - | refund", "one-character"),
    ("narrow | 滚刷 >", "both sides"),
])
def test_a_bad_lexicon_line_is_reported_with_its_line_number(line, message):
    with pytest.raises(lexicon.LexiconError, match=message) as info:
        lexicon.parse(f"# version: 3\n@ refunds\n{line}\n", "mine.txt")
    assert "mine.txt:3" in str(info.value)


def test_a_lexicon_line_names_its_roles():
    lex = lexicon.parse("# version: 2\n@ billing\n"
                        "invoice | 发票 | 开票, 收据 | 統一發票 | invoice, receipt\n"
                        "parts | 滚刷, 边刷 > 耗材\n")
    invoice, parts = lex.groups
    assert invoice.key == "billing.invoice" and invoice.formal == ("发票",)
    assert invoice.callers == ("开票", "收据") and invoice.regional == ("統一發票",)
    assert invoice.english == ("invoice", "receipt") and not invoice.one_way
    assert parts.one_way and parts.narrow == ("滚刷", "边刷") and parts.broad == ("耗材",)


def test_match_keys_fold_script_width_case_and_endings():
    assert key_of("退錢") == key_of("退钱") == ("退", "钱")
    assert key_of("Refunds") == key_of("refund") == ("refund",)
    assert key_of("Ｅ-１０２") == ("e102",)
    assert key_of("proof of purchase") == ("proof", "purchas")


@pytest.fixture
def corpus(app):
    factories.article("refund", "退款说明", "退款在仓库收货后三个工作日内原路退回。",
                      category="policy")
    factories.article("consumables", "耗材价格", "各类耗材的价格与更换周期。")
    factories.article("brush", "滚刷清理", "滚刷缠绕毛发时的清理步骤。")
    factories.article("charging", "充电异常处理", "机器充电异常时先擦拭触片。")


def test_callers_words_find_the_formal_article(corpus):
    assert slugs("退钱")[:1] == ["refund"]
    assert slugs("money back")[:1] == ["refund"]  # an English member of the group
    assert slugs("充不进电")[:1] == ["charging"]  # a caller's phrase inside no article


def test_one_way_groups_find_the_broader_article_not_the_reverse(corpus):
    assert "consumables" in slugs("滚刷")  # built in: 滚刷, 边刷 … > 耗材
    assert "brush" not in slugs("耗材")


def test_a_trainer_switches_a_built_in_group_off_and_extends_another(as_role, corpus):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    assert slugs("退钱")[:1] == ["refund"]
    client.post("/search/synonyms/built-in/refunds.refund",
                data={"extra": "", "csrf_token": token})  # the checkbox left unticked
    assert db.session.scalar(select(LexiconOverride)).disabled
    assert "refund" not in slugs("退钱")
    page = client.get("/search/synonyms?q=退钱").get_data(as_text=True)
    assert "refunds.refund" in page and "switched-off" in page
    client.post("/search/synonyms/built-in/refunds.refund",
                data={"enabled": "1", "extra": "银子回笼", "csrf_token": token})
    assert slugs("退钱")[:1] == ["refund"] and slugs("银子回笼")[:1] == ["refund"]
    # the file is untouched
    assert search_state().synonyms.lexicon.by_key()["refunds.refund"].formal == ("退款",)


def test_an_unknown_built_in_group_is_a_clear_message(as_role, app):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    page = client.post("/search/synonyms/built-in/no.such", data={"csrf_token": token},
                       follow_redirects=True).get_data(as_text=True)
    assert "There is no such built-in group." in page


def test_a_trainers_one_way_group(as_role, corpus):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    client.post("/search/synonyms", data={"terms": "毛发清理 > 耗材", "csrf_token": token})
    group = db.session.scalar(select(SynonymGroup))
    assert group.one_way and group.sides == (["毛发清理"], ["耗材"])
    assert "consumables" in slugs("毛发清理")
    assert "brush" not in slugs("耗材")


def test_duplicate_groups_are_refused_with_a_message(as_role, app):
    client = as_role("trainer")
    token = csrf_token(client, "/search/synonyms")
    client.post("/search/synonyms", data={"terms": "银子, 银两", "csrf_token": token})
    again = client.post("/search/synonyms", data={"terms": "銀兩, 银子", "csrf_token": token},
                        follow_redirects=True).get_data(as_text=True)
    assert "already joins these words" in again
    built_in = client.post("/search/synonyms", data={"terms": "退款, 退钱", "csrf_token": token},
                           follow_redirects=True).get_data(as_text=True)
    assert "the built-in group" in built_in and "退款" in built_in
    assert db.session.scalar(select(db.func.count()).select_from(SynonymGroup)) == 1


def test_the_lexicon_can_be_replaced_or_switched_off(tmp_path):
    own = tmp_path / "mine.txt"
    own.write_text("# version: 7\n@ house\nfruit | 苹果 | 红富士 | - | apple\n", "utf-8")
    for setting, groups in ((str(own), 1), ("off", 0)):
        config = TestConfig(tmp_path / setting.replace("/", "_"))
        config.KB_SEARCH_LEXICON = setting
        app = create_app(config)
        assert len(search_state(app).synonyms.lexicon.groups) == groups
