"""Write bank questions as GIFT that :func:`.gift.parse_gift` (and Moodle) read back unchanged.

Each category starts with a ``$CATEGORY:`` line; each question carries Moodle's ``[id:…]`` and
``[tag:…]`` comments, this portal's ``// article:`` and ``// points:`` comments, its
``::title::``, its text format and every weight and feedback. Ordering questions have no GIFT
form: they are left out with a comment saying so.
"""
from .question_file import QuestionFile

_RESERVED = str.maketrans({"\\": "\\\\", "~": "\\~", "=": "\\=", "#": "\\#", "{": "\\{",
                           "}": "\\}", ":": "\\:", "\n": "\\n", "\r": ""})


def escape(text: str) -> str:
    return text.translate(_RESERVED)


def _tag_text(text: str) -> str:
    return text.replace("]", "\\]")


def _percent(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def _note(feedback: dict, key: str) -> str:
    return f"#{escape(feedback[key])}" if feedback.get(key) else ""


def _answers(q: QuestionFile) -> list[str]:
    d = q.definition
    notes = d.get("feedback", {})
    if q.type == "true_false":
        right, wrong = ("true", "false") if d["answer"] else ("false", "true")
        tail = f"#{escape(notes.get(wrong, ''))}#{escape(notes[right])}" if notes.get(right) \
            else _note(notes, wrong)
        return ["TRUE" + tail if d["answer"] else "FALSE" + tail]
    if q.type == "single":
        partial = d.get("partial", {})
        return [("=" if c == d["answer"] else f"~%{_percent(partial[c])}%" if c in partial
                 else "~") + escape(c) + _note(notes, c) for c in d["choices"]]
    if q.type == "multiple":
        from .question_types.choice import _default_weights

        weights = d.get("weights") or _default_weights(d["choices"], d["answer"])
        return [(f"~%{_percent(weights[c])}%" if weights.get(c) else "~") + escape(c) +
                _note(notes, c) for c in d["choices"]]
    if q.type == "short_text":
        partial = d.get("partial", {})
        return [("=" if a not in partial else f"=%{_percent(partial[a])}%") + escape(a) +
                _note(notes, a) for a in d["answer"]]
    return [f"={escape(left)} -> {escape(right)}" for left, right in d["pairs"]]


def _comments(q: QuestionFile) -> list[str]:
    ids = f"// [id:{_tag_text(q.id)}]" + "".join(f" [tag:{_tag_text(t)}]" for t in q.tags)
    out = [ids]
    if q.article:
        out.append(f"// article: {q.article}")
    if q.points != 1:
        out.append(f"// points: {q.points:g}")
    return out


def question_gift(q: QuestionFile) -> list[str]:
    """The lines of one question (a comment only, for a type GIFT cannot express)."""
    if q.type == "ordering":
        return [f"// {q.id}: ordering questions cannot be written in GIFT (left out)"]
    title = f"::{escape(q.title)}::" if q.title else ""
    general = f"\t####{escape(q.explanation)}" if q.explanation else ""
    lines = [*_comments(q), f"{title}[{q.prompt_format}]{escape(q.prompt)} {{"]
    lines += [f"\t{a}" for a in _answers(q)]
    if general:
        lines.append(general)
    return [*lines, "}"]


def dump_gift(entries) -> str:
    """``entries``: (category path, :class:`QuestionFile`) pairs, in the order to write."""
    out, category = [], None
    for path, question in entries:
        if path != category:
            out += [f"$CATEGORY: {path}", ""]
            category = path
        out += [*question_gift(question), ""]
    return "\n".join(out)
