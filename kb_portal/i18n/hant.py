"""Generate the Traditional Chinese catalogue (``zh_Hant``) from the Simplified one (``zh``).

Nobody translates zh-Hant by hand: each ``msgstr`` of ``zh/LC_MESSAGES/messages.po`` goes
through OpenCC's ``s2tw`` (Simplified → Traditional characters, Taiwan standard forms, no
phrase rewriting), then through the reviewed list of interface terms in ``hant_terms.tsv``
(e.g. 保存 → 儲存, 搜索 → 搜尋, 文件 → 檔案: the words Taiwan and Hong Kong software uses), then
Chinese quotation marks become corner brackets (“…” → 「…」). OpenCC's phrase mode ``s2twp``
was tried and rejected: it turns 发布 into 釋出, 审核 into 稽核 and 故障代码 into 故障程式碼.

``make translations`` runs ``python -m kb_portal.i18n.hant``; ``tests/test_i18n.py`` fails when
the committed catalogue differs from what this module generates, so the zh catalogue is the
only one anybody maintains.
"""
import sys
from copy import copy
from functools import cache
from io import BytesIO
from pathlib import Path

import opencc
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE.parent / "translations"
SOURCE = TRANSLATIONS / "zh" / "LC_MESSAGES" / "messages.po"
TARGET = TRANSLATIONS / "zh_Hant" / "LC_MESSAGES" / "messages.po"
TERMS = HERE / "hant_terms.tsv"
QUOTES = str.maketrans({"“": "「", "”": "」", "‘": "『", "’": "』"})
HEADER = ("# Traditional Chinese, GENERATED from zh/LC_MESSAGES/messages.po by kb_portal/i18n/"
          "hant.py.\n# Do not edit: change the zh catalogue or kb_portal/i18n/hant_terms.tsv, "
          "then run `make translations`.")


@cache
def terms() -> tuple[tuple[str, str], ...]:
    """The reviewed (OpenCC output, interface term) pairs, longest first."""
    pairs = []
    for number, line in enumerate(TERMS.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0] or not fields[1]:
            raise ValueError(f"{TERMS.name}:{number}: expected 'from<TAB>to<TAB>why'")
        pairs.append((fields[0], fields[1]))
    return tuple(sorted(pairs, key=lambda pair: -len(pair[0])))


def convert(text: str, converter=None) -> str:
    """Simplified interface text → Traditional interface text (see the module docstring)."""
    if not text:
        return text
    converted = (converter or opencc.OpenCC("s2tw")).convert(text)
    for old, new in terms():
        converted = converted.replace(old, new)
    return converted.translate(QUOTES)


def generate(source: Path = SOURCE) -> Catalog:
    """The zh_Hant catalogue for the zh catalogue at ``source``."""
    with open(source, "rb") as fh:
        simplified = read_po(fh, locale="zh")
    converter = opencc.OpenCC("s2tw")
    catalog = Catalog(locale="zh_Hant", header_comment=HEADER, project="kb_portal",
                      creation_date=simplified.creation_date,
                      revision_date=simplified.creation_date, fuzzy=False)
    for message in simplified:
        if not message.id:
            continue
        copied = copy(message)
        if isinstance(message.string, tuple):
            copied.string = tuple(convert(s, converter) for s in message.string)
        else:
            copied.string = convert(message.string, converter)
        catalog[message.id] = copied
    return catalog


def render(catalog: Catalog) -> bytes:
    buffer = BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    return buffer.getvalue()


def main() -> int:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    TARGET.write_bytes(render(generate()))
    print(f"wrote {TARGET.relative_to(HERE.parent.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
