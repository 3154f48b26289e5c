"""Training fixtures: two small articles with sections and a quiz that links to them."""
import textwrap

import pytest

from kb_portal.extensions import db
from kb_portal.training.files import parse_quiz
from kb_portal.training.models import Quiz
from kb_portal.training.quiz_import import apply_quiz_file
from tests import factories

QUIZ_YAML = textwrap.dedent("""\
    title: 投诉处理流程测验
    slug: complaint-process
    pass_mark: 80
    review: explanations
    articles: [complaint-intake]
    questions:
      - id: intake-ack
        type: single
        prompt: 受理投诉后，需要在多长时间内向客户确认已受理？
        choices: [1小时内, 2小时内, 24小时内]
        answer: 2小时内
        explanation: 受理确认时限为 **2 小时**。
        article: complaint-intake#受理确认时限
        tags: [投诉, 时限]
      - id: hotline
        type: short_text
        prompt: 市场监管投诉热线号码是？
        answer: ["12315", "12315热线"]
        explanation: 见升级规定。
        article: complaint-escalation#立即升级
      - id: steps
        type: ordering
        prompt: 把投诉处理步骤按正确顺序排列
        choices: [受理登记, 调查核实, 制定方案并答复, 回访]
        article: complaint-intake
      - id: refund-original
        type: true_false
        prompt: 退款一律原路退回。
        answer: true
""")


@pytest.fixture
def articles(app):
    """``complaint-intake`` and ``complaint-escalation``, each with a couple of sections."""
    return {
        "complaint-intake": factories.article(
            "complaint-intake", "客户投诉受理与记录规范",
            "## 受理原则\n首问负责。\n\n## 受理确认时限\n2 小时内确认。\n", tags=["投诉"]),
        "complaint-escalation": factories.article(
            "complaint-escalation", "投诉升级流程",
            "## 立即升级\n客户威胁拨打 12315。\n\n## 升级权限\n组长。\n", tags=["投诉"]),
    }


def make_quiz(text: str = QUIZ_YAML, **overrides) -> Quiz:
    """Import a quiz from YAML text (with top-level fields overridden) and return it."""
    doc = parse_quiz(text, "quiz")
    for name, value in overrides.items():
        setattr(doc, name, value)
    apply_quiz_file(doc)
    db.session.commit()
    return db.session.scalar(db.select(Quiz).where(Quiz.slug == doc.slug))


@pytest.fixture
def quiz(articles):
    return make_quiz()
