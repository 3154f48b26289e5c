"""The one YAML loader for files people upload or import (article front matter, quiz files).

``yaml.safe_load`` stops code execution, not resource exhaustion. Three things a 400-byte file
can do to it, all seen in issue 11:

* **alias bombs** — ``a: &a [x, x]``, ``b: &b [*a, *a]``, … nested ten deep is a few hundred
  bytes that expand to gigabytes as soon as anything walks the data (``str()``, JSON, a page);
* **deep nesting** — ``[[[[…]]]]`` a few thousand deep exhausts Python's recursion limit in the
  constructor, and libyaml's C composer overflows the C stack (a segfault, not an exception) at
  about a hundred thousand;
* **values the constructor rejects** — ``review_by: 2027-02-30`` raises ``ValueError``, which is
  not a ``YAMLError`` and used to abort a whole import.

:func:`load_mapping` reads the parser's *event stream* first (libyaml's parser is a flat state
machine: no recursion, linear time) and measures the document as it would be after alias
expansion — nesting depth and a weight (one per node plus the length of every scalar). Only a
document within :class:`Limits` is composed and constructed, and every failure on the way is a
:class:`YamlError` with a message a trainer can act on. Anchors and aliases stay allowed (a quiz
may reuse a list of choices): what counts is the size they expand to, not that they are used.
"""
from dataclasses import dataclass

import yaml
from flask_babel import lazy_gettext as _l

# libyaml's C parser when available (several times faster on big imports); same safe subset.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class YamlError(ValueError):
    """A YAML text that cannot be loaded safely; the message says why."""


@dataclass(frozen=True)
class Limits:
    """Bounds on one document. ``max_weight`` is in "expanded characters": the weight of a
    document without aliases is about its length, so the default allows aliases to double it
    (plus some slack for small files) and refuses anything that expands further."""

    max_bytes: int = 1024 * 1024
    max_depth: int = 32
    expansion: int = 2
    slack: int = 20_000

    def max_weight(self, text: str) -> int:
        return self.expansion * len(text) + self.slack


FRONT_MATTER = Limits(max_bytes=64 * 1024)
DATA_FILE = Limits()


def _measure(text: str, limits: Limits) -> None:
    """Walk the event stream; :raise YamlError: when the expanded document is too deep or big."""
    max_weight = limits.max_weight(text)
    weights: dict[str, int] = {}  # anchor → weight of its node, expanded
    stack: list[list] = [[None, 0]]  # [anchor, weight so far] per open collection
    loader = SAFE_LOADER(text)
    try:
        while (event := loader.get_event()) is not None:
            if isinstance(event, yaml.CollectionStartEvent):
                if len(stack) > limits.max_depth:
                    raise YamlError(_l("nested more than %(n)d levels deep", n=limits.max_depth))
                stack.append([event.anchor, 0])
                continue
            if isinstance(event, yaml.CollectionEndEvent):
                anchor, weight = stack.pop()
                weight += 1
            elif isinstance(event, yaml.ScalarEvent):
                anchor, weight = event.anchor, len(event.value) + 1
            elif isinstance(event, yaml.AliasEvent):
                anchor, weight = None, _alias_weight(event.anchor, weights, stack)
            else:
                continue  # stream and document boundaries
            if anchor is not None:
                weights[anchor] = weight
            stack[-1][1] += weight
            if stack[-1][1] > max_weight:
                raise YamlError(_l("aliases (*name) expand to far more text than the file "
                                   "holds"))
    finally:
        loader.dispose()


def _alias_weight(name: str, weights: dict[str, int], stack: list[list]) -> int:
    if any(anchor == name for anchor, _weight in stack):
        raise YamlError(_l("alias *%(name)s refers to a collection that contains it", name=name))
    if name not in weights:
        raise YamlError(_l("alias *%(name)s refers to no anchor &%(name)s above it", name=name))
    return weights[name]


def load(text: str, limits: Limits = DATA_FILE):
    """Load one YAML document within ``limits``. :raise YamlError: for any problem."""
    text = text.lstrip("\ufeff")
    if len(text.encode("utf-8", "surrogatepass")) > limits.max_bytes:
        raise YamlError(_l("larger than %(n)d KB", n=limits.max_bytes // 1024))
    try:
        _measure(text, limits)
        loader = SAFE_LOADER(text)
        try:
            return loader.get_single_data()
        finally:
            loader.dispose()
    except YamlError:
        raise
    except yaml.YAMLError as exc:
        raise YamlError(_syntax_problem(exc)) from None
    except (ValueError, TypeError, OverflowError) as exc:  # e.g. 2027-02-30 as a date
        raise YamlError(_l("a value cannot be read: %(reason)s", reason=exc)) from None


def _syntax_problem(exc: yaml.YAMLError):
    """Where the syntax error is, in the reader's language; the parser's own words (English,
    from PyYAML) follow in brackets for those who can use them."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None) or " ".join(str(exc).split())
    if mark is None:
        return _l("the YAML syntax is wrong (%(problem)s)", problem=problem)
    return _l("the YAML syntax is wrong at line %(line)d, column %(column)d (%(problem)s)",
              line=mark.line + 1, column=mark.column + 1, problem=problem)


def load_mapping(text: str, limits: Limits = DATA_FILE) -> dict:
    """Like :func:`load`, for documents that must be a mapping (empty text gives ``{}``)."""
    data = load(text, limits)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise YamlError(_l("must be a mapping of fields (title: …)"))
    return data
