"""Question types: one small class per type, kept in a registry (as CTFd registers challenges).

Each type knows how to

* ``validate(definition)`` — check and normalise the type-specific fields of the file format
  (``choices``, ``answer``, ``pairs``); the definition stored in the database *is* that format;
* ``make_layout(definition, rng, shuffle)`` — fix the display order when an attempt starts;
* ``view(definition, layout)`` — what the form shows. Form values are *display positions*, never
  indices into the definition: for ordering questions (whose choices are stored in the correct
  order) the original index would give the answer away;
* ``read(definition, layout, raw)`` — turn submitted form values into a canonical response that
  no longer depends on the layout, and ``shown(…)`` the reverse, to pre-fill a resumed attempt;
* ``grade(definition, response)`` → a fraction in [0, 1] (the rules of /docs/training.md).
"""
from . import arrange, choice, text  # noqa: F401 (each module registers its types)
from .base import QUESTION_TYPES, QuestionError, QuestionType, get_type, register

__all__ = ["QUESTION_TYPES", "QuestionError", "QuestionType", "get_type", "register"]
