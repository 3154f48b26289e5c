"""Starting points for new articles (an SOP skeleton with Purpose / Scope / Steps / Escalation /
Records, a policy, a product FAQ …).

Templates are Markdown files in ``kb/article_templates/<key>.md`` with a small front matter
(``name``, ``category``, ``language``): adding one is adding a file, reviewed like code. The
``name`` is written in English and translated like every interface string: ``babel.cfg`` runs
:func:`extract_names` over the files, so ``make translations`` picks new names up.
"""
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from .. import safe_yaml
from .files import split_front_matter

TEMPLATE_DIR = Path(__file__).parent / "article_templates"


@dataclass(frozen=True)
class ArticleTemplate:
    key: str
    name: str
    category: str
    language: str
    body: str


@cache
def article_templates() -> tuple[ArticleTemplate, ...]:
    """All templates, sorted by key (read once per process)."""
    out = []
    for path in sorted(TEMPLATE_DIR.glob("*.md")):
        meta_text, body = split_front_matter(path.read_text(encoding="utf-8"))
        meta = safe_yaml.load_mapping(meta_text, safe_yaml.FRONT_MATTER)
        out.append(ArticleTemplate(key=path.stem, name=str(meta["name"]),
                                   category=str(meta.get("category", "sop")),
                                   language=str(meta.get("language", "zh-Hans")),
                                   body=body.strip("\n") + "\n"))
    return tuple(out)


def extract_names(fileobj, keywords, comment_tags, options):
    """Babel extractor: the ``name`` of one template file, as a message to translate."""
    meta_text, _body = split_front_matter(fileobj.read().decode("utf-8"))
    name = safe_yaml.load_mapping(meta_text, safe_yaml.FRONT_MATTER).get("name")
    if name:
        yield 2, "gettext", str(name), []


def get_template(key: str | None) -> ArticleTemplate | None:
    return next((t for t in article_templates() if t.key == key), None)
