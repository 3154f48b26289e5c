"""Fuzzing what trainers write (issue 11): Markdown bodies, front matter and quiz files through
render, plain-text extraction (the index), preview, save, import and search.

The property everywhere: the only failures are the clean ones (``RenderError``, ``FileError``,
``TrainingError``, a 4xx page); nothing escapes as an exception or a 500, and no call runs over
its time budget — the render budget for renders, ``CALL_BUDGET`` for everything else (enforced
with ``SIGALRM``, generous, so a busy machine does not fail it; a super-linear path does).

Hypothesis runs derandomized with a bounded number of examples, so the suite is repeatable and
stays under a minute; the strategies build texts from Markdown's and YAML's own special pieces,
repeated, because that is where parsers go wrong.
"""
import itertools
import signal
from contextlib import contextmanager, suppress

import pytest
from flask import g
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb_portal import create_app, safe_yaml
from kb_portal.config import TestConfig
from kb_portal.extensions import db
from kb_portal.importing import import_paths
from kb_portal.kb.files import FileError, parse_article
from kb_portal.kb.render_budget import render_with_alarm
from kb_portal.kb.rendering import RenderError, render_markdown
from kb_portal.kb.services import ensure_default_categories
from kb_portal.search.documents import plain_text
from kb_portal.training.errors import TrainingError
from kb_portal.training.files import parse_quiz

from . import factories
from .conftest import csrf_token, login

CALL_BUDGET = 20.0  # seconds for one non-render call, far above what any should take
RENDER_BUDGET = 1.0  # per MB: the pathological bodies fail fast, the others fit
SLUGS = itertools.count()
FUZZ = settings(max_examples=40, derandomize=True, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

MD_PIECES = ["- ", "* ", "+ ", "1. ", "> ", "[", "]", "(", ")", "![", "](", "][", "*", "**",
             "_", "`", "```\n", "~~~\n", "~~", "|", "|---|", "---", "# ", "## ", "\n", "\n\n",
             "    ", "\t", "{: .x #y}", "!!! note", "??? note", ":   ", "<", ">", "&", "&#",
             "\\", "[TOC]", "[a]: b", "<http://x>", "字", "繁體", "a", " ", "\r\n", "\x00",
             "\u200b", "$$", "^^", "==", "{", "}", '"', "'"]
YAML_PIECES = ["&a ", "*a", "&b ", "*b", "[", "]", "{", "}", ": ", "- ", "\n", "  ", "title",
               "category", "review_by", "2027-02-30", "2027-03-31", "sop", "!!binary ", "!!set ",
               "!!python/object:os.system ", "'", '"', "? ", "|", ">", "%YAML 1.1\n", "---",
               "...", "#", ",", "<<: *a", "1e400", ".inf", ".nan", "~", "字", "\t", "\\"]


def _texts(pieces: list[str], max_size: int) -> st.SearchStrategy[str]:
    joined = st.lists(st.sampled_from(pieces), max_size=max_size).map("".join)
    pumped = st.tuples(st.lists(st.sampled_from(pieces), min_size=1, max_size=4),
                       st.integers(1, 3000)).map(lambda t: "".join(t[0]) * t[1])
    return st.one_of(joined, pumped, st.text(max_size=max_size),
                     st.lists(st.one_of(joined, pumped), max_size=3).map("\n".join))


BODIES = _texts(MD_PIECES, 300)
YAML_TEXTS = _texts(YAML_PIECES, 200)


@contextmanager
def call_budget(seconds: float = CALL_BUDGET):
    def over(_signum, _frame):
        raise AssertionError(f"a call ran over its {seconds} s budget")

    previous = signal.signal(signal.SIGALRM, over)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture(scope="module")
def fuzz_app(tmp_path_factory):
    app = create_app(TestConfig(tmp_path_factory.mktemp("fuzz") / "data"))
    app.config["KB_RENDER_BUDGET_SECONDS"] = RENDER_BUDGET

    @app.before_request
    def _fresh_g():  # as in conftest.app: one app context serves several clients
        for name in list(g):
            g.pop(name)

    with app.app_context():
        db.create_all()
        ensure_default_categories()
        factories.user("fuzz-trainer", "trainer")
        factories.user("fuzz-agent", "agent")
        yield app
        db.session.remove()
        db.drop_all()


@pytest.fixture(scope="module")
def trainer(fuzz_app):
    client = fuzz_app.test_client()
    assert login(client, "fuzz-trainer").status_code == 302
    return client


@FUZZ
@given(body=BODIES)
def test_render_and_plain_text_fail_only_cleanly(body):
    try:
        rendered = render_with_alarm(body, RENDER_BUDGET)
    except RenderError:
        pass
    else:
        assert isinstance(rendered.html, str)
    with call_budget():
        assert isinstance(plain_text(body), str)
    assert render_markdown("a\n\nb").html == "<p>a</p>\n<p>b</p>"  # never poisoned


@FUZZ
@given(meta=YAML_TEXTS, body=BODIES)
def test_front_matter_fails_only_with_a_file_error(meta, body):
    with call_budget(), suppress(FileError):
        parse_article(f"---\n{meta}\n---\n{body}", "fuzz")


@FUZZ
@given(text=YAML_TEXTS)
def test_quiz_files_fail_only_with_a_training_error(text):
    question = f"title: t\nquestions:\n  - id: q\n    type: single\n    prompt: {text}"
    for candidate in (text, question):
        with call_budget(), suppress(TrainingError, safe_yaml.YamlError):
            parse_quiz(candidate, "fuzz")


@FUZZ
@given(body=BODIES)
def test_preview_and_save_never_answer_500(fuzz_app, trainer, body):
    token = csrf_token(trainer, "/kb/new")
    with call_budget():
        response = trainer.post("/kb/preview", data={"body": body, "csrf_token": token},
                                content_type="multipart/form-data")
    assert response.status_code in (200, 422), response.status_code
    form = {"title": "模糊测试", "slug": f"fuzz-save-{next(SLUGS)}", "category": "sop",
            "language": "zh-Hans", "tags": "", "summary": "", "note": "fuzz",
            "owner": "fuzz-trainer",
            "review_by": "", "body": body, "csrf_token": token}
    with call_budget():
        response = trainer.post("/kb/new", data=form, content_type="multipart/form-data")
    assert response.status_code in (200, 302), response.status_code


@pytest.fixture(scope="module")
def agent(fuzz_app):
    client = fuzz_app.test_client()
    assert login(client, "fuzz-agent").status_code == 302
    return client


@settings(FUZZ, max_examples=8)
@given(files=st.lists(st.tuples(YAML_TEXTS, BODIES), min_size=1, max_size=3),
       quiz=YAML_TEXTS)
def test_import_goes_on_past_bad_files_and_search_still_answers(fuzz_app, agent,
                                                                tmp_path_factory, files, quiz):
    folder = tmp_path_factory.mktemp("import")
    good = "---\ntitle: 好的文章\ncategory: sop\n---\n退款须在三个工作日内完成。\n"
    (folder / "good.md").write_text(good, encoding="utf-8")
    for n, (meta, body) in enumerate(files):
        text = f"---\ntitle: f{n}\ncategory: sop\n{meta}\n---\n{body}"
        (folder / f"fuzz-{n}.md").write_bytes(text.encode("utf-8", "surrogatepass"))
    (folder / "fuzz-quiz.yaml").write_bytes(quiz.encode("utf-8", "surrogatepass"))
    with call_budget(60):
        report = import_paths([folder])
    assert not any(path.endswith("good.md") for path, _reason in report.errors)
    with call_budget():
        response = agent.get("/search?q=退款")
    assert response.status_code == 200
