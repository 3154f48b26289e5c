"""Is every interface string translated into 简体中文, and is the compiled catalogue current?"""
import gettext
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
CATALOG = ROOT / "kb_portal" / "translations" / "zh" / "LC_MESSAGES"
METHODS = [("kb_portal/**.py", "python"), ("templates/**.html", "jinja2")]
KEYWORDS = {"_": None, "_l": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None}


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _ctx in extract_from_dir(
            str(ROOT), METHODS, keywords=KEYWORDS):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def load_catalog():
    with open(CATALOG / "messages.po", "rb") as fh:
        return read_po(fh, locale="zh")


def test_every_interface_string_has_a_chinese_translation():
    catalog = load_catalog()
    translated = {}
    for msg in catalog:
        if msg.id:
            key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
            value = msg.string if isinstance(msg.string, str) else "".join(msg.string)
            translated[key] = value and "fuzzy" not in msg.flags
    missing = sorted(m for m in source_messages() if not translated.get(m))
    assert not missing, "untranslated (run `make translations`, then translate):\n" + \
        "\n".join(missing)


def test_compiled_catalogue_matches_the_po_file():
    with open(CATALOG / "messages.mo", "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    for msg in load_catalog():
        if msg.id and isinstance(msg.id, str) and msg.string:
            assert compiled.gettext(msg.id) == msg.string, "run `make translations` (compile)"
