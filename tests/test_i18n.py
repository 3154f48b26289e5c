"""Is every interface string translated in every shipped language, and are the catalogues current?

Shipped languages are the catalogues under kb_portal/translations/ (zh, and zh_Hant generated
from it). The page-level check — no English left on Chinese pages, flash messages and history
wording included — is tests/i18n/test_no_english_left.py.
"""
import gettext
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from kb_portal.i18n import LANGUAGES, hant

ROOT = Path(__file__).resolve().parents[1]
TRANSLATIONS = ROOT / "kb_portal" / "translations"
METHODS = [("kb_portal/**.py", "python"), ("templates/**.html", "jinja2"),
           ("kb_portal/kb/article_templates/*.md",
            "kb_portal.kb.article_templates:extract_names")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None,
            "lazy_ngettext": (1, 2)}
SHIPPED = sorted(p.parent.parent.name for p in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))
PLACEHOLDER = re.compile(r"%\((\w+)\)[-#0 +]*\d*(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS):
        found.update(message if isinstance(message, tuple) else (message,))
    return found


def load_catalog(locale: str):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po", "rb") as fh:
        return read_po(fh, locale=locale)


def _strings(message) -> tuple[str, ...]:
    return message.string if isinstance(message.string, tuple) else (message.string,)


def test_the_shipped_catalogues_are_the_interface_languages():
    assert sorted(code for code, _name in LANGUAGES if code != "en") == SHIPPED


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_interface_string_is_translated(locale):
    translated = set()
    for msg in load_catalog(locale):
        if msg.id and all(_strings(msg)) and "fuzzy" not in msg.flags:
            translated.update(msg.id if isinstance(msg.id, tuple) else (msg.id,))
    missing = sorted(source_messages() - translated)
    assert not missing, f"untranslated in {locale} (run `make translations`, then translate " \
        "the zh catalogue):\n" + "\n".join(missing)


@pytest.mark.parametrize("locale", SHIPPED)
def test_translations_keep_every_placeholder(locale):
    wrong = []
    for msg in load_catalog(locale):
        ids = msg.id if isinstance(msg.id, tuple) else (msg.id,)
        wanted = set(PLACEHOLDER.findall(ids[-1]))
        for text in _strings(msg):
            if text and set(PLACEHOLDER.findall(text)) != wanted:
                wrong.append(f"{ids[0]!r} → {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", SHIPPED)
def test_compiled_catalogue_matches_the_po_file(locale):
    with open(TRANSLATIONS / locale / "LC_MESSAGES" / "messages.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msg in load_catalog(locale):
        if msg.id and isinstance(msg.id, str) and msg.string:
            assert compiled.gettext(msg.id) == msg.string, "run `make translations` (compile)"


def test_traditional_catalogue_is_generated_from_the_simplified_one():
    committed = (TRANSLATIONS / "zh_Hant" / "LC_MESSAGES" / "messages.po").read_bytes()
    assert committed == hant.render(hant.generate()), \
        "zh_Hant is stale or edited by hand: run `make translations`"


def test_traditional_conversion_uses_the_reviewed_interface_terms():
    assert hant.convert("保存并提交审核") == "儲存並提交審核"
    assert hant.convert("搜索文章") == "搜尋文章"
    assert hant.convert("请选择“是”或“否”。") == "請選擇「是」或「否」。"
    assert hant.convert("故障代码") == "故障代碼"  # not s2twp's 程式碼
    assert hant.convert("批准并发布") == "批准並發布"


def _recorded_actions() -> set[str]:
    """Every action name the code passes to ``audit.record`` (literals and ``a if c else b``)."""
    import ast

    actions = set()
    for path in (ROOT / "kb_portal").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                    node.func.attr == "record" and getattr(node.func.value, "id", "") == "audit":
                action = node.args[1]
                for part in (action.body, action.orelse) if isinstance(action, ast.IfExp) \
                        else (action,):
                    assert isinstance(part, ast.Constant), f"{path}: action not a literal"
                    actions.add(part.value)
    return actions


def test_every_audit_action_is_described_for_the_reader(app):
    actions = _recorded_actions()
    assert "article.publish" in actions and "user.create" in actions
    described = app.extensions["kb_audit_actions"]
    missing = sorted(actions - set(described))
    assert not missing, "add to the feature's AUDIT_ACTIONS (kb_portal/audit.py): " + \
        ", ".join(missing)


@pytest.mark.parametrize("locale", SHIPPED)
def test_the_catalogues_pass_babels_checks(locale):
    """What `pybabel compile` refuses (a msgid read as python-format — "80% up" — whose
    translation has other conversions) fails here, not as an error in `make translations`."""
    problems = [f"{msg.id!r}: {'; '.join(map(str, errors))}"
                for msg, errors in load_catalog(locale).check()]
    assert not problems, "\n".join(problems)
