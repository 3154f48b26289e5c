"""The query plan an engine runs (built by the product's ``search/query.py``).

A plan is a list of *units* (one thing the user asked for), each a list of alternatives
``(weight, what)``:

* ``what`` a set of term texts — any of them matches (prefix expansions, typo candidates);
* ``what`` a list of :class:`Match` — all of them must match (a word, a synonym of several
  words). A match is its ``terms`` (all in the document, scores summed) plus, for codes, a
  ``joined`` form (``e102``) whose score is added wherever it occurs.

How alternatives and units combine is part of the engine contract, so both engines rank alike
(see ``engine/combine.py``): a unit scores its best alternative plus a fifth of the others
(disjunction-max with a tie-break); with one unit it must match; with two either may; with
three or more a document may miss one, and a missing unit costs a share of the score;
with ``spread`` set (the required units are words the index knows), when no document has all
but one, the best-covered documents answer.
``context`` (indexes of required units) names units that frame the question (a product
word): when some document matches every unit, the documents whose title or tags match such a
unit all get the best score any of them has for it, so the other units decide between them.
``optional`` units add score to documents that matched; ``phrase`` (terms in order) earns a
bonus when it occurs in the title; ``boost`` (document ``id`` → factor, the click boost)
multiplies the score of documents that matched anyway — it never adds one. Any object with
``terms`` and ``joined`` attributes is a match (the query builder's ``Unit`` is one).
"""
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Match:
    """Terms that must all occur, plus an optional joined code form."""

    terms: tuple[str, ...]
    joined: str = ""


@dataclass
class QueryPlan:
    """See the module docstring."""

    required: list = field(default_factory=list)
    optional: list = field(default_factory=list)
    phrase: list = field(default_factory=list)  # title terms in order, for the phrase bonus
    boost: dict = field(default_factory=dict)  # document id → factor ≥ 1 (only if matched)
    spread: bool = False  # fewer units may answer when no document has all but one
    context: frozenset = frozenset()  # indexes of required units naming a product
