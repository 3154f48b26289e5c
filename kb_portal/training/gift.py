"""GIFT, Moodle's text format for question banks: import and export.

One ``.gift`` file is one quiz (quiz settings take their defaults; the title comes from a
``// quiz: …`` comment, else the file name). Supported: multiple choice with one right answer
(``single``), with weights (``multiple``), true/false, short answer, matching. GIFT has no
ordering type, so those questions are left out of an export with a comment saying so.
Numerical and essay questions are refused on import with the question's number.

What GIFT cannot say, kb_portal writes as comments right above the question, which Moodle
ignores: ``// article: slug#heading``, ``// tags: a, b``, ``// points: 2``. The ``::title::``
carries the question id.
"""
import re

from flask_babel import lazy_gettext as _l

from .errors import TrainingError
from .files import KEY_RE, QuestionFile, QuizFile, parse_question, question_problem

# Escaped special characters are swapped for private-use characters while parsing.
_ESCAPES = {"\\\\": "\ue006", "\\~": "\ue000", "\\=": "\ue001", "\\#": "\ue002",
            "\\{": "\ue003", "\\}": "\ue004", "\\:": "\ue005", "\\n": "\n"}
_RESTORE = {v: k[1] for k, v in _ESCAPES.items() if k != "\\n"}
_META_RE = re.compile(r"^//\s*(article|tags|points|quiz)\s*:\s*(.*)$")
_TRUE_FALSE = {"T": True, "TRUE": True, "F": False, "FALSE": False}


def _hide_escapes(text: str) -> str:
    for escaped, placeholder in _ESCAPES.items():
        text = text.replace(escaped, placeholder)
    return text


def _restore(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def _blocks(text: str):
    """Yield (metadata, question text) per blank-line separated block; also the quiz title."""
    meta: dict[str, str] = {}
    lines: list[str] = []
    for line in [*text.lstrip("\ufeff").splitlines(), ""]:
        stripped = line.strip()
        match = _META_RE.match(stripped)
        if match:
            meta[match.group(1)] = match.group(2).strip()
        elif stripped.startswith("//") or stripped.startswith("$CATEGORY"):
            continue
        elif stripped:
            lines.append(line)
        elif lines:
            yield meta, "\n".join(lines)
            meta, lines = {}, []
        elif "quiz" in meta:
            yield meta, ""
            meta = {}


def _split_answers(body: str):
    """``=a#fb ~%50%b`` → [(mark, weight, text)]; feedback per answer is dropped."""
    answers = []
    for mark, chunk in re.findall(r"([=~])([^=~]*)", body):
        chunk = chunk.split("#", 1)[0]
        weight = None
        match = re.match(r"\s*%(-?[\d.]+)%(.*)$", chunk, re.S)
        if match:
            weight, chunk = float(match.group(1)), match.group(2)
        answers.append((mark, weight, _restore(chunk)))
    return answers


def _definition(body: str) -> tuple[str, dict]:
    """Work out the question type from the answer block; return (type, file-format fields)."""
    head = body.split("#", 1)[0].strip().upper()
    if head in _TRUE_FALSE:
        return "true_false", {"answer": _TRUE_FALSE[head]}
    if body.strip().startswith("#"):
        raise TrainingError(_l("numerical questions ({#…}) are not supported"))
    answers = _split_answers(body)
    if not answers:
        raise TrainingError(_l("essay questions ({}) are not supported"))
    if all(mark == "=" for mark, _w, _t in answers):
        if all("->" in text for _m, _w, text in answers):
            pairs = [[_restore(p) for p in text.split("->", 1)] for _m, _w, text in answers]
            return "matching", {"pairs": pairs}
        return "short_text", {"answer": [text for _m, _w, text in answers]}
    choices = [text for _m, _w, text in answers]
    if any(weight is not None for _m, weight, _t in answers):
        right = [text for mark, weight, text in answers if (weight or 0) > 0 or
                 (mark == "=" and weight is None)]
        return "multiple", {"choices": choices, "answer": right}
    right = [text for mark, _w, text in answers if mark == "="]
    if len(right) != 1:
        raise TrainingError(_l("a multiple-choice question needs exactly one '=' answer or "
                           "weights"))
    return "single", {"choices": choices, "answer": right[0]}


def _question(meta: dict, block: str, number: int) -> QuestionFile:
    text = _hide_escapes(block)
    key = ""
    title = re.match(r"^\s*::(.*?)::", text, re.S)
    if title:
        key = _restore(title.group(1)).lower()
        text = text[title.end():]
    if not KEY_RE.match(key):
        key = f"q{number}"
    text = re.sub(r"^\s*\[(markdown|html|moodle|plain)\]", "", text)
    match = re.search(r"\{(.*)\}", text, re.S)
    if not match:
        raise TrainingError(question_problem(number, key, _l("no answer block {…}")))
    body, _, explanation = match.group(1).partition("####")
    before, after = text[:match.start()], text[match.end():]
    prompt = _restore(before) + (f" ____ {_restore(after)}" if after.strip() else "")
    try:
        qtype, fields = _definition(body)
    except TrainingError as exc:
        raise TrainingError(question_problem(number, key, exc)) from None
    data = {"id": key, "type": qtype, "prompt": prompt, **fields,
            "explanation": _restore(explanation), "article": meta.get("article", ""),
            "tags": meta.get("tags", ""), "points": float(meta.get("points") or 1)}
    return parse_question(data, number)


def parse_gift(text: str, slug: str) -> QuizFile:
    """Parse a GIFT file into a quiz. :raise TrainingError: naming the first bad question."""
    title, questions = slug, []
    for meta, block in _blocks(text):
        title = meta.get("quiz", title) if not questions else title
        if block:
            questions.append(_question(meta, block, len(questions) + 1))
    if not questions:
        raise TrainingError(_l("no questions found"))
    keys = [q.id for q in questions]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate:
        raise TrainingError(_l("question id %(key)s is used twice", key=repr(duplicate)))
    return QuizFile(slug=slug, title=title, questions=questions)


def _escape(text: str) -> str:
    text = text.replace("\\", "\\\\")
    for char in "~=#{}:":
        text = text.replace(char, "\\" + char)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _weight(share: float) -> str:
    return f"{share:.5f}".rstrip("0").rstrip(".")


def _answers(q: QuestionFile) -> str:
    d = q.definition
    if q.type == "true_false":
        return "TRUE" if d["answer"] else "FALSE"
    if q.type == "single":
        return " ".join(("=" if c == d["answer"] else "~") + _escape(c) for c in d["choices"])
    if q.type == "multiple":
        right, wrong = len(d["answer"]), len(d["choices"]) - len(d["answer"])
        return " ".join(
            f"~%{_weight(100 / right)}%{_escape(c)}" if c in d["answer"]
            else f"~%-{_weight(100 / wrong)}%{_escape(c)}" for c in d["choices"])
    if q.type == "short_text":
        return " ".join("=" + _escape(a) for a in d["answer"])
    return " ".join(f"={_escape(left)} -> {_escape(right)}" for left, right in d["pairs"])


def dump_gift(quiz: QuizFile) -> str:
    """Write ``quiz`` as GIFT; ordering questions become a comment (GIFT has no such type)."""
    out = [f"// quiz: {quiz.title}", ""]
    for q in quiz.questions:
        if q.type == "ordering":
            out += [f"// {q.id}: ordering questions cannot be written in GIFT (left out)", ""]
            continue
        if q.article:
            out.append(f"// article: {q.article}")
        if q.tags:
            out.append(f"// tags: {', '.join(q.tags)}")
        if q.points != 1:
            out.append(f"// points: {q.points:g}")
        feedback = f"####{_escape(q.explanation)}" if q.explanation else ""
        out += [f"::{q.id}:: [markdown]{_escape(q.prompt)} {{{_answers(q)}{feedback}}}", ""]
    return "\n".join(out)
