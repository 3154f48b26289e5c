"""Article addresses (slugs) made from titles: ``发票重开`` → ``fa-piao-chong-kai``,
``Invoice Reissue`` → ``invoice-reissue``.

Chinese (simplified or traditional) becomes toneless pinyin, one syllable per character, joined
with ``-`` (readable, and what people type when they guess a URL); Latin words are lower-cased;
digits stay; everything else separates words. pypinyin picks a character's reading from its
phrase dictionary; :data:`READINGS` adds the support-centre words it reads wrongly (重开 is
*chong* kai, "open again", not *zhong* kai). The editor asks :func:`suggest` as the title is
typed; without JavaScript the server fills an empty slug the same way.
"""
import re
import unicodedata

from pypinyin import Style, lazy_pinyin, load_phrases_dict
from sqlalchemy import select

from ..extensions import db
from ..textnorm import CJK_RE
from .files import SLUG_RE
from .models import Article, ArticleSlug

MAX_LENGTH = 80  # of a generated slug (SLUG_RE allows 120 for slugs typed by hand)
# Reviewed readings: 重 before a verb means "again" (chong), which pypinyin often misses.
READINGS = {word: [["chóng"], [reading]] for word, reading in {
    "重开": "kāi", "重置": "zhì", "重发": "fā", "重装": "zhuāng", "重寄": "jì", "重签": "qiān",
    "重办": "bàn", "重填": "tián", "重设": "shè", "重录": "lù", "重选": "xuǎn", "重审": "shěn",
    "重算": "suàn", "重做": "zuò", "重连": "lián", "重登": "dēng", "重试": "shì", "重绑": "bǎng",
    "重開": "kāi", "重發": "fā", "重裝": "zhuāng", "重簽": "qiān", "重辦": "bàn",
    "重設": "shè", "重錄": "lù", "重選": "xuǎn", "重審": "shěn", "重連": "lián", "重試": "shì",
    "重綁": "bǎng",
}.items()}
load_phrases_dict(READINGS)  # pypinyin's own dictionary: loaded once, the same for every app
_SEPARATORS = re.compile(r"[^a-z0-9]+")


def slugify(title: str) -> str:
    """A slug for ``title`` (may be empty when the title has no letters, digits or Chinese)."""
    text = unicodedata.normalize("NFKC", title).lower()
    words = []
    for chunk in lazy_pinyin(text, style=Style.NORMAL, errors="default"):
        if CJK_RE.fullmatch(chunk or ""):
            continue  # a rare character without a reading: leave it out
        words.extend(w for w in _SEPARATORS.split(_ascii(chunk)) if w)
    slug = words[0][:MAX_LENGTH] if words else ""
    for word in words[1:]:  # cut at a word boundary
        if len(slug) + len(word) + 1 > MAX_LENGTH:
            break
        slug = f"{slug}-{word}"
    return slug


def _ascii(text: str) -> str:
    """Accented Latin letters as plain ones (café → cafe); other scripts are dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def is_free(slug: str, article: Article | None = None) -> bool:
    """Whether ``slug`` is neither another article's address nor one of its former ones."""
    own_id = article.id if article is not None else None
    other = db.session.scalar(select(Article.id).where(Article.slug == slug))
    former = db.session.get(ArticleSlug, slug)
    return (other is None or other == own_id) and (former is None or former.article_id == own_id)


def unique_slug(base: str, article: Article | None = None) -> str:
    """``base``, or ``base-2``, ``base-3`` … — the first that is free."""
    base = base or "article"
    candidate, number = base, 1
    while not is_free(candidate, article):
        number += 1
        candidate = f"{base[:MAX_LENGTH - 1 - len(str(number))]}-{number}"
    return candidate


def suggest(title: str, article: Article | None = None) -> str:
    """A free slug for ``title`` (what the editor fills in as the title is typed)."""
    return unique_slug(slugify(title), article)


def check(slug: str, article: Article | None = None) -> str | None:
    """Why ``slug`` cannot be used (a code: ``format`` or ``taken``), or None when it can."""
    if not SLUG_RE.match(slug):
        return "format"
    return None if is_free(slug, article) else "taken"
