"""Hostile article bodies (issue 11 points 2–4, 6): bounded cost, no poisoned renderer, a clean
message within the time budget, and an import that goes on past a bad file."""
import threading

import pytest

from kb_portal.kb import render_budget
from kb_portal.kb.importer import import_article_files
from kb_portal.kb.rendering import RenderError, render_markdown
from kb_portal.kb.services import get_article
from kb_portal.search.documents import plain_text

from ..conftest import csrf_token
from .helpers import draft

HELLO = "<p>hello</p>\n<p>world</p>"
DEEP_BODIES = {
    "list markers on one line": "- " * 600 + "x",
    "numbered markers on one line": "1. " * 600,
    "quote markers": "> " * 1200 + "x",
    "indented list, 400 levels": "\n".join("    " * i + "- x" for i in range(400)),
}


@pytest.mark.parametrize("body", DEEP_BODIES.values(), ids=DEEP_BODIES.keys())
def test_deep_nesting_renders_and_leaves_the_renderer_working(body):
    rendered = render_markdown(body)
    assert "x" in rendered.html or "1." in rendered.html
    assert render_markdown("hello\n\nworld").html == HELLO


def test_the_nesting_cap_keeps_the_rest_of_the_line_as_text():
    html = render_markdown("- " * 40 + "deep").html
    assert html.count("<ul>") == 16 and "- - deep" in html


def test_code_fences_are_not_touched_by_the_caps():
    body = "```\n" + "- " * 40 + "\n" + " " * 100 + "x\n```"
    assert "- " * 39 in render_markdown(body).html
    assert " " * 100 + "x" in render_markdown(body).html


def test_a_failure_inside_markdown_never_poisons_the_next_render():
    # Whatever happens in one render (here an interrupt in the middle), the next is intact.
    with pytest.raises(RenderError) as caught:
        render_budget.render_with_alarm("[a](" * 200_000, 0.05)
    assert caught.value.reason == "timeout"
    assert render_markdown("hello\n\nworld").html == HELLO


@pytest.mark.parametrize("pump", ["[", "![", "[a](", "[a][", "[]"])
def test_brackets_render_with_bounded_scans(pump):
    body = pump * (20_000 // len(pump))
    rendered = render_budget.render_with_alarm(body, 30)  # minutes before the fix
    assert rendered.html.startswith("<p>")


def test_links_still_work_with_bounded_scans():
    html = render_markdown('[a [nested] text](refund-rules#步骤 "t") and ![i](x.png)').html
    assert 'href="/a/refund-rules#%E6%AD%A5%E9%AA%A4"' in html and "a [nested] text" in html
    assert '<img alt="i" src="x.png">' in html


def test_reference_links_and_a_link_after_a_flood_of_unclosed_ones():
    # The scans' fast paths (the first "]" or ")" found by str.find) keep Markdown's meaning.
    body = "[Refund][r] and [r][] and [r] and [two [words]][r]\n\n[r]: refund-rules \"T\""
    html = render_markdown(body).html
    assert html.count('href="/a/refund-rules"') == 4 and "two [words]" in html
    assert 'title="T"' in html and "[r]" not in html
    html = render_markdown("[a](" * 2000 + " [ok](refund-rules) [no](x").html
    assert html.count("<a ") == 1
    assert 'href="/a/refund-rules" rel="noopener noreferrer">ok</a>' in html


def test_plain_text_extraction_of_a_table_rule_flood():
    # 800 lines of two spaces took 24 s (cubic); it must come out as nothing, quickly enough
    # that the linear-regex test (tests/test_regex_linearity.py) guards the speed.
    assert plain_text("  \n" * 800) == ""
    assert plain_text("| a | b |\n|---|:--:|\n| 1 | 2 |") == "a b \n 1 2"


def test_the_helper_process_path_stops_a_render_over_budget(app):
    """gthread workers cannot use signals: the render runs in a helper process."""
    app.config["KB_RENDER_BUDGET_SECONDS"] = 0.5
    results = {}

    def work():
        with app.app_context():
            for name, text in (("slow", "[a](" * 400_000), ("fine", "hello\n\nworld")):
                try:
                    results[name] = render_budget.render_budgeted(text).html
                except RenderError as exc:
                    results[name] = exc.reason

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    assert results == {"slow": "timeout", "fine": HELLO}
    app.extensions["kb_render_helpers"].close()


def test_a_save_over_budget_is_refused_with_a_message_and_nothing_is_written(app, users):
    app.config["KB_RENDER_BUDGET_SECONDS"] = 0.05
    with pytest.raises(Exception, match="too long"):
        draft(users["trainer"], slug="slow", body="[a](" * 400_000)
    from kb_portal.extensions import db
    db.session.rollback()
    assert get_article("slow") is None


def test_preview_answers_a_clear_message_not_a_500(app, users, as_role):
    app.config["KB_RENDER_BUDGET_SECONDS"] = 0.05
    trainer = as_role("trainer")
    token = csrf_token(trainer, "/kb/new")
    response = trainer.post("/kb/preview", data={"body": "[a](" * 400_000, "csrf_token": token})
    assert response.status_code == 422
    assert response.json["reason"] == "timeout" and "too long" in response.json["error"]
    ok = trainer.post("/kb/preview", data={"body": "- " * 600 + "x", "csrf_token": token})
    assert ok.status_code == 200 and "<li>" in ok.json["html"]


def test_one_bad_file_does_not_abort_an_import(app, tmp_path):
    good = "---\ntitle: 好文章\ncategory: sop\n---\n正文\n"
    files = {
        "good.md": good,
        "bad-date.md": "---\ntitle: x\ncategory: sop\nreview_by: 2027-02-30\n---\nbody\n",
        "brackets.md": "---\ntitle: " + "[" * 5000 + "\ncategory: sop\n---\nbody\n",
        "deep-list.md": "---\ntitle: deep\ncategory: sop\n---\n" + "\n".join(
            "    " * i + "- x" for i in range(300)) + "\n",
        "too-slow.md": "---\ntitle: slow\ncategory: sop\n---\n" + "[a](" * 400_000 + "\n",
    }
    paths = []
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    # 0.3 s per started MB: the deep list (0.2 MB) renders in about 0.05 s, the slow file
    # (1.6 MB: 0.6 s allowed) in about 2 s on the development machine — a margin of three
    # or more either way, whether the machine is faster or slower.
    app.config["KB_RENDER_BUDGET_SECONDS"] = 0.3
    report = import_article_files(paths)
    errors = {path.rsplit("/", 1)[-1]: reason for path, reason in report.errors}
    assert set(errors) == {"bad-date.md", "brackets.md", "too-slow.md"}
    assert "out of range" in errors["bad-date.md"] and "nested" in errors["brackets.md"]
    assert "too long" in errors["too-slow.md"]
    assert report.created == 2 and get_article("good") and get_article("deep-list")
