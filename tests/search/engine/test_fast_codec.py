"""The fast engine's write path (engine/fast/codec.py, fields.py, termpool.py) writes what
Whoosh itself writes."""
import random

import pytest
from whoosh import index as whoosh_index
from whoosh.codec.whoosh3 import W3Codec
from whoosh.fields import KEYWORD, TEXT
from whoosh.writing import SegmentWriter

from kb_portal.search.analysis import fold_long, latin_words
from kb_portal.search.engine.fast.codec import KbCodec, KbSegmentWriter
from kb_portal.search.engine.fast.fields import MatchText, WordList
from kb_portal.search.engine.fast.termpool import TermPool, packed_count
from kb_portal.search.engine.schema import AnalyzerTokenizer, make_schema

WORDS = ["退款", "申请", "退款申请流程", "投诉", "客户", "回访", "工单", "E-102", "YF-S2",
         "refund", "refunds", "complaint", "callback", "400-820-6688", "保修", "質保", "的",
         "了", "escalation", "handover", "云帆", "服务", "态度"]


def _documents(count: int, seed: int = 7):
    rng = random.Random(seed)
    for n in range(count):
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 400)))
        title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
        tags = rng.sample(WORDS, rng.randint(0, 3))
        yield {"id": str(n), "rev": n * 3, "slug": f"a-{n}", "title": title,
               "tags": " , ".join(tags), "text": f"{title}\n{body}", "body": body,
               "summary": "", "folded": body, "tag": ",".join(tags), "words": body,
               "category": rng.choice(["sop", "policy"]), "language": "zh",
               "updated": 1_700_000_000 + n, "headings": []}


@pytest.fixture(scope="module")
def fast_schema(analyzer):
    return make_schema(analyzer, MatchText, WordList)


def _dump(path, schema):
    """Every term's postings (with block statistics), stored fields, lengths, columns."""
    ix = whoosh_index.open_dir(str(path), schema=schema)
    with ix.reader() as reader:
        terms = {}
        for field, text in reader.all_terms():
            info = reader.term_info(field, text)
            postings = reader.postings(field, text)
            items = list(postings.items_as("weight"))
            terms[field, text] = (items, info.weight(), info.doc_frequency(),
                                  info.min_length(), info.max_length(), info.max_weight())
        stored = [reader.stored_fields(n) for n in range(reader.doc_count_all())]
        lengths = [(reader.doc_field_length(n, "text"), reader.doc_field_length(n, "title"))
                   for n in range(reader.doc_count_all())]
        columns = [list(reader.column_reader(name)) for name in ("id", "rev", "updated")]
    return terms, stored, lengths, columns


def _build(path, schema, writer_class, docs, **options):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), schema)
    for chunk in (docs[:150], docs[150:]):  # two segments, then a merge
        writer = writer_class(ix, **options)
        for doc in chunk:
            writer.update_document(**doc)
        writer.commit(merge=False)
    writer = writer_class(ix, **options)
    writer.delete_by_term("id", "3")
    writer.commit(optimize=True)
    return path


def test_fast_writer_writes_the_same_index_as_whoosh(tmp_path, fast_schema, analyzer):
    docs = list(_documents(300))
    ours = _build(tmp_path / "ours", fast_schema, KbSegmentWriter, docs)
    theirs = _build(tmp_path / "theirs", fast_schema, SegmentWriter, docs, codec=W3Codec())
    assert _dump(ours, fast_schema) == _dump(theirs, fast_schema)
    # and what the reference engine writes: stock fields, stock writer
    stock_schema = make_schema(analyzer)
    stock = _build(tmp_path / "stock", stock_schema, SegmentWriter, docs, codec=W3Codec())
    assert _dump(stock, stock_schema) == _dump(ours, fast_schema)


def test_small_block_limit_splits_postings_the_same_way(tmp_path, fast_schema):
    docs = list(_documents(120, seed=3))
    ours = _build(tmp_path / "ours", fast_schema, KbSegmentWriter, docs,
                  codec=KbCodec(blocklimit=7))
    theirs = _build(tmp_path / "theirs", fast_schema, SegmentWriter, docs,
                    codec=W3Codec(blocklimit=7))
    assert _dump(ours, fast_schema) == _dump(theirs, fast_schema)


def test_word_list_indexes_like_a_keyword_field():
    plain, fast = KEYWORD(scorable=False), WordList()
    for doc in _documents(40, seed=12):
        value = " ".join(sorted(latin_words(fold_long(doc["text"])))) + " e102  yfs2\tabc"
        assert fast.index(value) == sorted(plain.index(value))


def test_match_text_indexes_like_a_plain_text_field(analyzer):
    tokenizer = AnalyzerTokenizer(analyzer)
    plain = TEXT(analyzer=tokenizer, phrase=False)
    fast = MatchText(tokenizer)
    for doc in _documents(40, seed=11):
        assert fast.index(doc["text"]) == sorted(plain.index(doc["text"]))


def test_term_pool_returns_each_terms_postings_in_document_order():
    pool = TermPool()
    for posting in [("text", b"b", 5, 1.0, b"x"), ("text", b"a", 9, 2.0, b""),
                    ("text", b"b", 2, 3.0, b"y"), ("tag", b"z", 1, 1.0, None),
                    ("text", b"b", 7, 1.0, b"z"), ("text", b"a", -1, 1.0, b"")]:
        pool.add(posting)
    assert list(pool.iter_postings()) == [
        ("tag", b"z", 1, 1.0, b""), ("text", b"a", 9, 2.0, b""),
        ("text", b"b", 2, 3.0, b"y"), ("text", b"b", 5, 1.0, b"x"), ("text", b"b", 7, 1.0, b"z")]
    assert pool.fieldnames == {"text", "tag"}


def test_term_pool_counts_path_gives_frequency_postings_merged_with_generic_ones():
    pool = TermPool()
    pool.add_counts("text", 0, {"退款": 2, "b": 1})
    pool.add(("text", b"b", 1, 3.0, packed_count(3)))  # a merged segment's posting
    pool.add_counts("text", 2, {"b": 300})
    pool.add_counts("words", 0, {"e102": 1}, boost=2.0)
    assert list(pool.iter_postings()) == [
        ("text", b"b", 0, 1.0, packed_count(1)), ("text", b"b", 1, 3.0, packed_count(3)),
        ("text", b"b", 2, 300.0, packed_count(300)),
        ("text", "退款".encode(), 0, 2.0, packed_count(2)),
        ("words", b"e102", 0, 2.0, packed_count(1))]
