"""The shared YAML loader: hostile files are refused with a reason, never expanded or crashed on
(issue 11 point 5); article front matter and quiz files both go through it."""
import pytest

from kb_portal import safe_yaml
from kb_portal.kb.files import FileError, parse_article
from kb_portal.training.errors import TrainingError
from kb_portal.training.files import load_yaml


def alias_bomb(depth: int) -> str:
    """The 414-byte quiz title of issue 11: nine aliases per level, ``depth`` levels."""
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for level in range(1, depth + 1):
        prev = f"*a{level - 1}"
        lines.append(f"a{level}: &a{level} [{', '.join([prev] * 9)}]")
    return "\n".join(lines) + f"\ntitle: *a{depth}\n"


@pytest.mark.parametrize("depth", [7, 9])
def test_an_alias_bomb_is_refused_before_it_expands(depth):
    text = alias_bomb(depth)
    assert len(text) < 700
    with pytest.raises(safe_yaml.YamlError, match="expand"):
        safe_yaml.load(text)
    with pytest.raises(TrainingError, match="expand"):
        load_yaml(text)


def test_aliases_that_stay_small_are_fine():
    text = "choices: &c [left, right]\nq1: *c\nq2: *c\n"
    assert safe_yaml.load(text) == {"choices": ["left", "right"], "q1": ["left", "right"],
                                    "q2": ["left", "right"]}


@pytest.mark.parametrize("text, reason", [
    ("a: " + "[" * 5000 + "]" * 5000, "nested more than"),
    ("a: " + "[" * 200_000 + "]" * 200_000, "nested more than"),  # a C-stack overflow once
    ("a: " + "[" * 5000, "nested more than"),
    ("a: &a [*a]", "contains it"),
    ("a: *nowhere", "no anchor"),
    ("review_by: 2027-02-30", "day is out of range"),
    ("a: [1, 2", "expected"),
])
def test_hostile_yaml_gives_a_reason(text, reason):
    limits = safe_yaml.Limits(max_bytes=len(text) + 1)
    with pytest.raises(safe_yaml.YamlError, match=reason):
        safe_yaml.load(text, limits)


def test_oversized_text_is_refused_unread():
    with pytest.raises(safe_yaml.YamlError, match="larger than 1 KB"):
        safe_yaml.load("a: " + "x" * 2000, safe_yaml.Limits(max_bytes=1024))


def test_front_matter_goes_through_the_safe_loader():
    body = "正文"
    for meta, reason in [(alias_bomb(7), "expand"), ("title: [" + "[" * 5000, "nested"),
                         ("title: x\ncategory: sop\nreview_by: 2027-02-30", "out of range")]:
        with pytest.raises(FileError, match=reason):
            parse_article(f"---\n{meta}\n---\n{body}\n", "x")
    doc = parse_article("---\ntitle: x\ncategory: sop\nreview_by: 2027-03-31\n---\nbody", "x")
    assert str(doc.review_by) == "2027-03-31"
