"""What trainers do on the Synonyms page: their own groups, the built-in lexicon's groups
(switch off, add words), and the suggestions mined from the search log.

Services flush; the view commits once (one transaction per request).
"""
from dataclasses import dataclass

from sqlalchemy import select

from ..extensions import db
from .lexicon import LexiconGroup
from .models import LexiconOverride, SuggestionDecision, SynonymGroup, split_group, split_terms
from .state import search_state
from .synonyms import key_of

MAX_WORDS = 40


class SynonymError(ValueError):
    """A group the trainer typed cannot be saved. ``code`` says why (the view words it in the
    trainer's language): too_few, too_many, same_words, duplicate, unknown_group,
    unknown_decision."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


def all_groups() -> list[SynonymGroup]:
    return list(db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def get_group(group_id: int) -> SynonymGroup | None:
    return db.session.get(SynonymGroup, group_id)


def _keys(words) -> frozenset:
    return frozenset(k for k in (key_of(w) for w in words) if k)


def _check(narrow: list[str], broad: list[str], group: SynonymGroup | None) -> None:
    """Refuse groups that add nothing: too few words, or words another group already joins."""
    if len(narrow) + len(broad) < 2:
        raise SynonymError("too_few")
    if len(narrow) + len(broad) > MAX_WORDS:
        raise SynonymError("too_many")
    keys = _keys(narrow + broad)
    if len(keys) < 2:
        raise SynonymError("same_words")
    for other in all_groups():
        if other is group:
            continue
        other_narrow, other_broad = other.sides
        if bool(broad) == bool(other_broad) and keys <= _keys(other_narrow + other_broad):
            raise DuplicateGroupError(other.terms_text)
    if not broad:
        for built_in in enabled_lexicon_groups():
            if not built_in.one_way and keys <= _keys(built_in.members):
                raise DuplicateGroupError(built_in.title, built_in=True)


class DuplicateGroupError(SynonymError):
    """Every word is already in one group (``existing``): saving would change nothing."""

    def __init__(self, existing: str, built_in: bool = False):
        super().__init__("duplicate")
        self.existing = existing
        self.built_in = built_in


def save_group(text: str, actor=None, group: SynonymGroup | None = None) -> SynonymGroup:
    """Create or update a group from ``a, b, c`` or one-way ``narrow > broad``.

    :raise SynonymError: when the group would be empty, too big or a duplicate.
    """
    narrow, broad = split_group(text)
    _check(narrow, broad, group)
    if group is None:
        group = SynonymGroup(terms_text="")
        db.session.add(group)
    group.terms_text = ", ".join(narrow) + (" > " + ", ".join(broad) if broad else "")
    group.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    return group


def delete_group(group: SynonymGroup) -> None:
    db.session.delete(group)
    db.session.flush()


# -- the built-in lexicon ---------------------------------------------------------------------

@dataclass
class LexiconRow:
    group: LexiconGroup
    enabled: bool
    extra: list[str]


def _overrides() -> dict[str, LexiconOverride]:
    return {o.key: o for o in db.session.scalars(select(LexiconOverride))}


def enabled_lexicon_groups() -> list[LexiconGroup]:
    overrides = _overrides()
    return [g for g in search_state().synonyms.lexicon.groups
            if not (g.key in overrides and overrides[g.key].disabled)]


def lexicon_rows(text: str = "", section: str = "") -> list[LexiconRow]:
    """The built-in groups with the trainers' changes, filtered by a word (any member, after
    folding) and/or a section."""
    overrides = _overrides()
    wanted = key_of(text) if text.strip() else ()
    rows = []
    for group in search_state().synonyms.lexicon.groups:
        if section and group.section != section:
            continue
        override = overrides.get(group.key)
        extra = override.extra_terms if override else []
        if wanted and not any(_contains(key_of(w), wanted) for w in (*group.members, *extra)):
            continue
        rows.append(LexiconRow(group, not (override and override.disabled), extra))
    return rows


def _contains(key: tuple, part: tuple) -> bool:
    n = len(part)
    return any(key[i:i + n] == part for i in range(len(key) - n + 1))


def set_lexicon_group(key: str, enabled: bool, extra_text: str, actor=None) -> LexiconGroup:
    """Switch a built-in group on or off and set the words trainers added to it.

    :raise SynonymError: for an unknown key or too many words.
    """
    group = search_state().synonyms.lexicon.by_key().get(key)
    if group is None:
        raise SynonymError("unknown_group")
    extra = [w for w in split_terms(extra_text) if w not in group.members]
    if len(extra) > MAX_WORDS:
        raise SynonymError("too_many")
    override = db.session.scalar(select(LexiconOverride).where(LexiconOverride.key == key))
    if override is None:
        if enabled and not extra:
            return group
        override = LexiconOverride(key=key)
        db.session.add(override)
    override.disabled = not enabled
    override.extra_text = ", ".join(extra)
    override.updated_by_id = getattr(actor, "id", None)
    db.session.flush()
    return group


# -- decisions on mined suggestions -------------------------------------------------------------

DECISIONS = ("group", "one_way", "dismissed")


def decide(source: str, target: str, decision: str, actor=None) -> SynonymGroup | None:
    """Accept a mined pair as a group (``group``) or one-way (``one_way``: the source words
    find the target's articles), or dismiss it; either way it is not suggested again.

    :raise SynonymError: for an unknown decision, or an accepted pair that adds nothing.
    """
    if decision not in DECISIONS:
        raise SynonymError("unknown_decision")
    group = None
    if decision == "group":
        group = save_group(f"{source}, {target}", actor)
    elif decision == "one_way":
        group = save_group(f"{source} > {target}", actor)
    row = db.session.scalar(select(SuggestionDecision).where(
        SuggestionDecision.source == source[:200], SuggestionDecision.target == target[:200]))
    if row is None:
        row = SuggestionDecision(source=source[:200], target=target[:200])
        db.session.add(row)
    row.decision = decision
    row.decided_by_id = getattr(actor, "id", None)
    db.session.flush()
    return group
