"""GIFT, Moodle's text format for question banks, read and written as Moodle means it.

Reading follows Moodle's own importer (``qformat_gift``) rule for rule:

* questions are separated by blank lines; lines starting with ``//`` are comments, where
  Moodle's ``[id:…]`` and ``[tag:…]`` give the question's id and tags (and this portal's
  ``// article: slug#anchor`` and ``// points: 2`` what GIFT cannot say);
* ``$CATEGORY: a/b`` puts the questions after it into that bank category (created if missing);
* ``::Title::`` is the question's title; ``[html]``, ``[markdown]``, ``[plain]``, ``[moodle]``
  before the text set its format (none means Moodle's auto-format, shown here as plain text);
* the answers are between the first ``{`` and the first ``}``; text after them makes a
  missing-word question (``_____`` marks the gap); ``####`` starts the general feedback
  (kept as the explanation) and ``#`` an answer's own feedback;
* ``{~…}`` is multiple choice: with an ``=`` answer it is *single* choice (``~%50%B`` gives
  partial credit), without one it is *multiple* with the ``~%n%`` weights (negative ones
  allowed, the question floored at 0); ``{=a->b …}`` matching; ``{T}``/``{FALSE#wrong#right}``
  true/false; ``{=a =%50%b}`` short answer (``*`` is a wildcard);
* ``\\~ \\= \\# \\{ \\} \\: \\\\`` are literal characters and ``\\n`` a line break.

Numerical (``{#…}``), essay (``{}``), description (no braces) and embedded-answer (Cloze)
questions are *skipped* and reported with their line and title; the rest of the file is
imported. :func:`dump_gift` writes what :func:`parse_gift` reads, so an exported bank imports
unchanged (ordering questions, which GIFT cannot express, are left out with a comment).
"""
import hashlib
import re
from dataclasses import dataclass, field

from .errors import TrainingError
from .question_file import QuestionFile, parse_question

_PLACEHOLDERS = {"\\\\": "\ue006", "\\~": "\ue000", "\\=": "\ue001", "\\#": "\ue002",
                 "\\{": "\ue003", "\\}": "\ue004", "\\:": "\ue005", "\\n": "\ue007"}
_RESTORE = {"\ue006": "\\", "\ue000": "~", "\ue001": "=", "\ue002": "#", "\ue003": "{",
            "\ue004": "}", "\ue005": ":", "\ue007": "\n"}
_FORMATS = {"html": "html", "markdown": "markdown", "plain": "plain", "moodle": "plain"}
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d*)?)%")
# Linear on any input (tests/test_regex_linearity.py): no two adjacent \s* that can split the
# same spaces ("\s*\d*\s*" was quadratic on a run of spaces), and an id or tag is at most 200
# characters, so a line of "[id:[id:…" without "]" is not scanned to its end from every "[".
_CLOZE = re.compile(r"^\s*(?:\d+\s*)?:\s*(MULTICHOICE|MC|MULTIRESPONSE|MR|SHORTANSWER|SA|MW|"
                    r"NUMERICAL|NM)\w*\s*:", re.I)
_ID = re.compile(r"\[id:((?:\\\]|[^\]\x00-\x1f]){1,200})\]")
_TAG = re.compile(r"\[tag:((?:\\\]|[^\]<>`\x00-\x1f]){1,200})\]")
_EXTRA = re.compile(r"^//\s*(article|points|tags)\s*:\s*(.*)$")


@dataclass
class GiftQuestion:
    question: QuestionFile
    category: str  # the ``$CATEGORY`` path in force ('' = the import's default category)
    line: int


@dataclass
class Skipped:
    line: int
    title: str
    reason: str


@dataclass
class GiftBank:
    questions: list[GiftQuestion] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _hide(text: str) -> str:
    for escaped, placeholder in _PLACEHOLDERS.items():
        text = text.replace(escaped, placeholder)
    return text


def _show(text: str) -> str:
    for placeholder, char in _RESTORE.items():
        text = text.replace(placeholder, char)
    return text.strip()


def _formatted(text: str) -> tuple[str | None, str]:
    """``[html]text`` → ("html", "text"); no or an unknown tag → (None, text)."""
    text = text.strip()
    match = re.match(r"^\[(\w+)\]", text)
    if match and match.group(1).lower() in _FORMATS:
        return _FORMATS[match.group(1).lower()], text[match.end():]
    return None, text


def _plain(text: str) -> str:
    return _show(_formatted(text)[1])


def _blocks(text: str):
    """(first line number, comment lines, text lines) per blank-line separated block."""
    comments, lines, first = [], [], 0
    for number, line in enumerate([*text.lstrip("\ufeff").splitlines(), ""], 1):
        stripped = line.strip()
        if not stripped:
            if lines:
                yield first, comments, lines
            comments, lines = [], []
        elif stripped.startswith("//"):
            comments.append(stripped)
        else:
            first = first if lines else number
            lines.append(line)


class _UnsupportedError(Exception):
    """This question cannot be imported (the reason is the message)."""


def _weighted(answer: str, default: float) -> tuple[float, str]:
    match = _WEIGHT.match(answer)
    return (float(match.group(1)), answer[match.end():]) if match else (default, answer)


def _choices(answers: str) -> dict:
    """``{~…}`` → the file-format fields of a single or multiple choice question."""
    single = "=" in answers
    parts = [p.strip() for p in answers.replace("=", "~=").split("~")]
    entries = []
    for part in (p for p in parts if p):
        weight, part = (100.0, part[1:]) if part.startswith("=") else _weighted(part, 0.0)
        text, _hash, note = part.partition("#")
        entries.append((_plain(text), weight, _plain(note)))
    if len(entries) < 2:
        raise _UnsupportedError("a multiple-choice question needs at least two answers")
    choices = [t for t, _w, _n in entries]
    feedback = {t: n for t, _w, n in entries if n}
    if single:
        answer = next(t for t, w, _n in entries if w == 100)
        partial = {t: w for t, w, _n in entries if w and t != answer}
        return {"type": "single", "choices": choices, "answer": answer, "partial": partial,
                "feedback": feedback}
    weights = {t: w for t, w, _n in entries if w}
    return {"type": "multiple", "choices": choices, "weights": weights, "feedback": feedback}


def _matching(answers: str) -> dict:
    pairs = []
    for part in (p.strip() for p in answers.split("=") if p.strip()):
        if "->" not in part:
            raise _UnsupportedError("each matching answer needs 'left -> right'")
        left, right = part.split("->", 1)
        pairs.append([_plain(left), _plain(right)])
    if len(pairs) < 2:
        raise _UnsupportedError("a matching question needs at least two pairs")
    return {"type": "matching", "pairs": pairs}


def _true_false(answers: str) -> dict:
    value, wrong, right = ([*answers.split("#", 2), "", ""])[:3]
    answer = value.strip() in ("T", "TRUE")
    right, wrong = _plain(right), _plain(wrong)
    feedback = {"true": right if answer else wrong, "false": wrong if answer else right}
    return {"type": "true_false", "answer": answer,
            "feedback": {k: v for k, v in feedback.items() if v}}


def _short(answers: str) -> dict:
    accepted, partial, feedback = [], {}, {}
    for part in (p.strip() for p in answers.split("=") if p.strip()):
        weight, part = _weighted(part, 100.0)
        text, _hash, note = part.partition("#")
        text = _plain(text)
        accepted.append(text)
        if weight != 100:
            partial[text] = weight
        if _plain(note):
            feedback[text] = _plain(note)
    if not accepted:
        raise _UnsupportedError("a short-answer question needs an answer")
    return {"type": "short_text", "answer": accepted, "partial": partial, "feedback": feedback}


def _answer_fields(answers: str) -> dict:
    """Moodle's order of tests decides the type."""
    if _CLOZE.match(_show(answers)):
        raise _UnsupportedError("embedded-answer (Cloze) questions are not supported")
    if answers == "":
        raise _UnsupportedError("essay questions are not supported")
    if answers.startswith("#"):
        raise _UnsupportedError("numerical questions are not supported")
    if "~" in answers:
        return _choices(answers)
    if "=" in answers and "->" in answers:
        return _matching(answers)
    if answers.split("#", 1)[0].strip() in ("T", "TRUE", "F", "FALSE"):
        return _true_false(answers)
    return _short(answers)


def _title(text: str) -> tuple[str, str]:
    """``::Title::rest`` → ("Title", "rest"); no title → ("", text)."""
    if text.startswith("::") and "::" in text[2:]:
        title, text = text[2:].split("::", 1)
        return _show(title), text.strip()
    return "", text


def _question(title: str, text: str, comments: list[str]) -> dict:
    """One question block (escapes hidden, title taken off) → its file-format mapping.

    :raise _UnsupportedError: for what this portal cannot import.
    """
    start, end = text.find("{"), text.find("}")
    if start < 0 and end < 0:
        raise _UnsupportedError("description items (text without answers) are not supported")
    if start < 0 or end < start:
        raise _UnsupportedError("the braces around the answers do not match")
    if "{" in text[end:] or "}" in text[end + 1:]:
        raise _UnsupportedError("several answer blocks in one question (Cloze) are not supported")
    answers = text[start + 1:end].strip()
    blank = "" if text.endswith("}") else "_____"
    prompt = text[:start] + blank + text[end + 1:]
    answers, _sep, general = answers.rpartition("####") if "####" in answers else \
        (answers, "", "")
    prompt_format, prompt = _formatted(prompt)
    data = {"title": title, "format": prompt_format or "plain", "prompt": _show(prompt),
            "explanation": _plain(general), **_answer_fields(answers.strip())}
    return _with_comments(data, comments)


def _with_comments(data: dict, comments: list[str]) -> dict:
    joined = "\n".join(comments)
    found = _ID.search(joined)
    tags = [t.replace("\\]", "]").strip() for t in _TAG.findall(joined)]
    for line in comments:
        match = _EXTRA.match(line)
        if match and match.group(1) == "tags":
            tags += [t.strip() for t in match.group(2).split(",")]
        elif match:
            data[match.group(1)] = match.group(2).strip()
    data["id"] = found.group(1).replace("\\]", "]").strip() if found else ""
    data["tags"] = [t for t in tags if t]
    return data


def _key(data: dict, used: set[str]) -> str:
    """The question's id: ``[id:…]``, else its title, else a digest of its text; unique in
    the file so that re-importing it updates the same questions."""
    key = data["id"] or data["title"][:100] or \
        "q-" + hashlib.sha256(data["prompt"].encode()).hexdigest()[:10]
    base, n = key[:95], 2
    while key in used:
        key, n = f"{base} ({n})", n + 1
    used.add(key)
    return key


def parse_gift(text: str) -> GiftBank:
    """Every question of a GIFT file, with its category; unsupported ones in ``skipped``."""
    bank, category, used = GiftBank(), "", set()
    for number, comments, lines in _blocks(text):
        body = _hide("\n".join(lines).strip())
        if body.startswith("$CATEGORY:"):
            category, used = _show(body[len("$CATEGORY:"):]), set()
            continue
        title, rest = _title(body)
        try:
            data = _question(title, rest, comments)
            data["id"] = _key(data, used)
            question = parse_question(data, len(bank.questions) + len(bank.skipped) + 1)
        except (_UnsupportedError, TrainingError) as exc:
            reason = str(exc).split(": ", 1)[-1] if isinstance(exc, TrainingError) else str(exc)
            bank.skipped.append(Skipped(number, title or _show(body)[:40], reason))
            continue
        bank.questions.append(GiftQuestion(question, category, number))
    return bank
