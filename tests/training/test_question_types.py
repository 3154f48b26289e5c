"""Does every question type grade as /docs/training.md says, including the edge cases?"""
import random

import pytest

from kb_portal.training.question_types import QuestionError, get_type

SINGLE = {"choices": ["1小时内", "2小时内", "24小时内"], "answer": "2小时内"}
MULTI = {"choices": ["媒体曝光", "开发票", "安全事故", "第三次投诉", "改地址"],
         "answer": ["媒体曝光", "安全事故", "第三次投诉"]}
ORDER = {"choices": ["受理登记", "调查核实", "制定方案并答复", "回访"]}
MATCH = {"pairs": [["及时率", "≥ 95%"], ["重派率", "≤ 5%"], ["重复投诉率", "≤ 2%"]]}


def grade(type_name, definition, response):
    qtype = get_type(type_name)
    return qtype.grade(qtype.validate(definition), response)


@pytest.mark.parametrize(("response", "expected"), [(1, 1.0), (0, 0.0), (None, 0.0), (7, 0.0),
                                                    ("1", 0.0)])
def test_single_choice(response, expected):
    assert grade("single", SINGLE, response) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ([0, 2, 3], 1.0),            # all right picks
    ([0, 2], 2 / 3),             # partial credit
    ([0, 2, 3, 1], 0.5),         # one wrong of two wrong choices costs 1/2
    ([0, 1, 2, 3, 4], 0.0),      # every box ticked: +1 −1
    ([1, 4], 0.0),               # only wrong picks: floored at 0, never negative
    ([], 0.0), (None, 0.0),      # empty answer
    ([0, 0, 0], 1 / 3),          # a repeated pick counts once
])
def test_multiple_choice_partial_credit(response, expected):
    assert grade("multiple", MULTI, response) == pytest.approx(expected, abs=1e-6)


def test_multiple_choice_when_every_choice_is_right_has_no_penalty_term():
    definition = {"choices": ["a", "b"], "answer": ["a", "b"]}
    assert grade("multiple", definition, [0]) == 0.5
    assert grade("multiple", definition, [0, 1]) == 1.0


@pytest.mark.parametrize(("answer", "response", "expected"), [
    (True, True, 1.0), (True, False, 0.0), (False, False, 1.0), (True, None, 0.0),
    ("false", False, 1.0), (True, "true", 0.0),
])
def test_true_false(answer, response, expected):
    assert grade("true_false", {"answer": answer}, response) == expected


@pytest.mark.parametrize(("response", "expected"), [
    ("12315", 1.0),
    ("１２３１５", 1.0),          # full-width digits
    (" 12315 ", 1.0),            # surrounding space
    ("12315熱線", 1.0),           # traditional characters
    ("１２３１５ 热线", 1.0),       # space next to Chinese characters does not count
    ("1231 5", 0.0),             # but an inner space between digits makes another answer
    ("", 0.0), (None, 0.0), ("   ", 0.0),
    ("12316", 0.0),
])
def test_short_text_folds_width_script_and_case(response, expected):
    assert grade("short_text", {"answer": ["12315", "12315热线"]}, response) == expected


def test_short_text_is_case_insensitive_and_accepts_a_single_string():
    assert grade("short_text", {"answer": "Ticket"}, "TICKET") == 1.0
    assert grade("short_text", {"answer": "E-102"}, "ｅ－１０２") == 1.0


@pytest.mark.parametrize(("response", "expected"), [
    ([0, 1, 2, 3], 1.0), ([1, 0, 2, 3], 0.5), ([3, 2, 1, 0], 0.0),
    ([None, None, None, None], 0.0), ([], 0.0), (None, 0.0), ([0, 0, 0, 0], 0.25),
])
def test_ordering_counts_items_in_their_place(response, expected):
    assert grade("ordering", ORDER, response) == expected


@pytest.mark.parametrize(("response", "expected"), [
    (["≥ 95%", "≤ 5%", "≤ 2%"], 1.0), (["≤ 5%", "≥ 95%", "≤ 2%"], 1 / 3),
    ([None, None, None], 0.0), (None, 0.0), (["≤ 2%", "≤ 2%", "≤ 2%"], 1 / 3),
])
def test_matching_counts_pairs(response, expected):
    assert grade("matching", MATCH, response) == pytest.approx(expected)


@pytest.mark.parametrize(("type_name", "definition", "reason"), [
    ("single", {"choices": ["a", "b"], "answer": "c"}, "not one of the choices"),
    ("single", {"choices": ["a"], "answer": "a"}, "at least 2"),
    ("single", {"choices": ["a", "a"], "answer": "a"}, "twice"),
    ("multiple", {"choices": ["a", "b"], "answer": []}, "correct choices"),
    ("true_false", {"answer": "maybe"}, "true or false"),
    ("short_text", {"answer": [""]}, "empty"),
    ("matching", {"pairs": [["a", "1"]]}, "at least 2"),
    ("ordering", {"choices": "a, b"}, "list"),
])
def test_bad_definitions_are_rejected_with_a_reason(type_name, definition, reason):
    with pytest.raises(QuestionError, match=reason):
        get_type(type_name).validate(definition)


def test_unknown_type():
    with pytest.raises(QuestionError, match="unknown type"):
        get_type("essay")


@pytest.mark.parametrize(("type_name", "definition"), [
    ("single", SINGLE), ("multiple", MULTI), ("ordering", ORDER), ("matching", MATCH)])
def test_form_values_map_back_through_the_layout(type_name, definition):
    """Whatever the shuffle, answering what is shown right gets full marks."""
    qtype = get_type(type_name)
    definition = qtype.validate(definition)
    for seed in range(20):
        layout = qtype.make_layout(definition, random.Random(seed), True)
        view = qtype.view(definition, layout)
        raw = _right_raw(type_name, definition, view)
        response = qtype.read(definition, layout, raw)
        assert qtype.grade(definition, response) == 1.0
        assert qtype.read(definition, layout, qtype.shown(definition, layout, response)) \
            == response


def _right_raw(type_name, definition, view):
    if type_name == "single":
        return next(str(p) for p, text in view["options"] if text == definition["answer"])
    if type_name == "multiple":
        return [str(p) for p, text in view["options"] if text in definition["answer"]]
    if type_name == "ordering":
        return {str(p): definition["choices"].index(text) for p, text in view["entries"]}
    rights = {text: p for p, text in view["right"]}
    answer = dict(definition["pairs"])
    return {str(p): rights[answer[left]] for p, left in view["left"]}


def test_ordering_and_matching_are_never_shown_in_answer_order():
    for seed in range(50):
        rng = random.Random(seed)
        layout = get_type("ordering").make_layout(ORDER, rng, False)
        assert layout["order"] != [0, 1, 2, 3]
        layout = get_type("matching").make_layout(MATCH, rng, False)
        assert layout["right"] != layout["left"]
