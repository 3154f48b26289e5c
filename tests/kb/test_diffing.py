"""Word-level diffs (jieba for Chinese) and the three-way merge of the conflict page."""
from kb_portal.kb.diffing import diff_fields, diff_texts, tokens
from kb_portal.kb.merging import has_markers, merge_content, merge_text


def test_chinese_is_cut_into_words_not_characters():
    assert tokens("客户投诉受理") == ["客户", "投诉", "受理"]


def test_traditional_chinese_is_segmented_like_simplified_and_keeps_its_characters():
    words = tokens("客戶投訴受理")
    assert "".join(words) == "客戶投訴受理" and len(words) == 3


def test_latin_words_and_codes_stay_whole():
    assert tokens("error E-102 isn't") == ["error", " ", "E-102", " ", "isn't"]


def test_a_changed_chinese_word_is_marked_as_a_word():
    diff = diff_texts("客户投诉必须在24小时内受理", "客户投诉必须在48小时内登记")
    (row,) = diff.rows
    assert row.kind == "replace"
    assert "<del>24</del>" in row.left and "<ins>48</ins>" in row.right
    assert "<del>受理</del>" in row.left and "<ins>登记</ins>" in row.right
    assert "客户" in row.inline and "<del>" not in row.right


def test_inserted_and_deleted_lines_and_folded_context():
    old = "\n".join(f"line {i}" for i in range(20))
    new = old.replace("line 10", "line ten") + "\nextra"
    diff = diff_texts(old, new)
    kinds = [r.kind for r in diff.rows]
    assert kinds[0] == "skip" and "replace" in kinds and kinds[-1] == "insert"
    assert diff.added == 2 and diff.removed == 1
    assert len(diff_texts(old, new, context=-1).rows) == 21


def test_diff_output_is_escaped():
    diff = diff_texts("<b>a</b>", "<script>x</script>")
    right = str(diff.rows[0].right)
    assert "<script" not in right and "&lt;/" in right


def test_field_diffs_list_only_changed_short_fields():
    changes = diff_fields({"title": "旧标题", "tags": ["a"], "body": "x"},
                          {"title": "新标题", "tags": ["a"], "body": "y"})
    assert [name for name, _l, _r in changes] == ["title"]


def test_merge_takes_both_sides_non_overlapping_changes():
    base = "a\nb\nc\nd"
    text, conflicts = merge_text(base, "A\nb\nc\nd", "a\nb\nc\nD")
    assert (text, conflicts) == ("A\nb\nc\nD", 0)


def test_merge_marks_overlapping_changes():
    text, conflicts = merge_text("a\nb\nc", "a\nmine\nc", "a\ntheirs\nc",
                                 mine_label="yours", theirs_label="r3")
    assert conflicts == 1 and has_markers(text)
    assert text.splitlines() == ["a", "<<<<<<< yours", "mine", "=======", "theirs",
                                 ">>>>>>> r3", "c"]


def test_merge_content_merges_fields_too():
    base = {"title": "t", "summary": "s", "body": "x"}
    merged, result = merge_content(base, {"title": "T", "summary": "s", "body": "x"},
                                   {"title": "t", "summary": "S", "body": "x"})
    assert merged == {"title": "T", "summary": "S", "body": "x"}
    assert result.conflicts == 0 and result.field_conflicts == []
    merged, result = merge_content(base, {"title": "mine", "summary": "s", "body": "x"},
                                   {"title": "theirs", "summary": "s", "body": "x"})
    assert merged["title"] == "mine" and result.field_conflicts == ["title"]
