"""Faster writing of Whoosh's own on-disk format (W3), through Whoosh's extension points.

Whoosh is pure Python and spent most of an index build in per-posting Python calls. The
classes here subclass Whoosh's W3 codec and segment writer and override only write paths;
Whoosh's own readers read the result, and ``tests/search/engine/test_fast_codec.py`` checks
that every term's postings and statistics, the stored fields, lengths and columns equal what
Whoosh's own writer produces:

* :class:`KbSegmentWriter` collects postings per term in a :class:`~.termpool.TermPool`
  instead of one tuple per posting (sorted, spilled to disk and merged by Whoosh);
* :class:`KbFieldWriter` hands each term's postings over in one call and reads the documents'
  field lengths once per field (Whoosh looks them up per posting, with a ``stat()`` call each
  time for fields that have none);
* :class:`KbPostingsWriter` appends a term's postings in slices of the block size, and keeps
  posting lists of fewer than :data:`INLINE_LIMIT` documents inside the term entry.

The codec is pickled into the index's segment list, so this module's path is part of the
index: :data:`kb_portal.search.engine.fast.FastEngine.FORMAT` covers changes here.
"""
from ..whoosh_private import (
    SegmentWriter,
    W3Codec,
    W3FieldWriter,
    W3PostingsWriter,
    byte_to_length,
    length_to_byte,
)
from .termpool import TermPool

INLINE_LIMIT = 8  # posting lists shorter than this are stored in the term entry


class KbCodec(W3Codec):
    """Whoosh's W3 codec with the batched write paths of this module."""

    def field_writer(self, storage, segment):
        return KbFieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        return KbPostingsWriter(dbfile, blocklimit=self._blocklimit, byteids=byteids,
                                compression=self._compression, inlinelimit=self._inlinelimit)


class KbFieldWriter(W3FieldWriter):
    def add_grouped(self, schema, lengths, terms):
        """Write ``(fieldname, btext, docnums, weights, values)`` per term, in term order;
        each field's document lengths are read once (Whoosh reads them per posting)."""
        fieldname = None
        field_lengths: list = []
        for name, btext, ids, weights, values in terms:
            if name != fieldname:
                if fieldname is not None:
                    self.finish_field()
                fieldname = name
                self.start_field(name, schema[name])
                field_lengths = _field_lengths(lengths, name, schema[name])
            self.start_term(btext)
            self._postwriter.add_postings(
                ids, weights, values, [field_lengths[n] for n in ids] if field_lengths else None)
            self.finish_term()
        if fieldname is not None:
            self.finish_field()


def _field_lengths(lengths, fieldname: str, fieldobj) -> list:
    """Every document's length of ``fieldname`` in the segment being written ([] if none)."""
    if lengths is None or not fieldobj.scorable:
        return []
    count = lengths.doc_count_all()
    # Lengths are stored as one byte (a log scale); decoding through the byte keeps the
    # values exactly what Whoosh's own writer records in the block statistics.
    return [byte_to_length(length_to_byte(lengths.doc_field_length(n, fieldname, 0) or 0))
            or None for n in range(count)]


class KbPostingsWriter(W3PostingsWriter):
    def add_postings(self, ids, weights, values, lengths) -> None:
        """Add one term's postings (ascending ids) in slices of the block size."""
        limit = self._blocklimit
        start = 0
        while start < len(ids):
            if len(self._ids) >= limit:
                self._write_block()
            room = limit - len(self._ids)
            end = start + room
            self._ids.extend(ids[start:end])
            chunk_weights = weights[start:end]
            self._weights.extend(chunk_weights)
            self._maxweight = max(self._maxweight, max(chunk_weights))
            chunk_values = [v for v in values[start:end] if v]
            self._values.extend(chunk_values)
            if lengths is not None:
                present = [n for n in lengths[start:end] if n]
                if present:
                    low, high = min(present), max(present)
                    if self._minlength is None or low < self._minlength:
                        self._minlength = low
                    self._maxlength = max(self._maxlength, high)
            start = end

    def finish_postings(self):
        """Finish a term, keeping a short posting list inside the term's entry ("inlined").

        Whoosh reads inlined postings but its writer never produces them (it calls a method
        that does not exist), so every term, even one in a single document, cost a pickled,
        compressed block in the postings file. Most terms are rare, so this is most of them.
        """
        if not self.written() and len(self._ids) < self._inlinelimit:
            terminfo, self._terminfo = self._terminfo, None
            terminfo.add_block(self)
            terminfo.set_inlined(self._ids, self._weights, self._values)
            return terminfo
        return super().finish_postings()


class KbSegmentWriter(SegmentWriter):
    """``SegmentWriter`` whose ``add_document`` feeds the pool one field at a time."""

    def __init__(self, ix, **kwargs):
        kwargs.setdefault("codec", KbCodec(inlinelimit=INLINE_LIMIT))
        super().__init__(ix, **kwargs)
        self.pool = TermPool()
        self._helpers: list = []

    def attach_helpers(self, helpers) -> None:
        """Let ``helpers`` (a :class:`~.parallel.ParallelAdder`) add the
        segments its processes wrote to this writer's commit, or stop them on cancel."""
        self._helpers.append(helpers)

    def commit(self, mergetype=None, optimize=None, merge=None):
        """``SegmentWriter.commit``, plus the helpers' segments: this process finishes its
        own segment while the helpers finish theirs, then all join one table of contents."""
        self._check_state()
        segments = self._merge_segments(mergetype, optimize, merge)
        if self._added:
            segments.append(self._finalize_segment())
        else:
            self._close_segment()
        try:
            for helpers in self._helpers:
                segments.extend(helpers.collect())
        except BaseException:
            self._stop_helpers()
            self._finish()
            raise
        self._commit_toc(segments)
        self._finish()

    def _flush_segment(self):
        # SegmentWriter._flush_segment, handing the pool's terms over whole.
        self.perdocwriter.close()
        lengths = self.per_document_reader()
        self.fieldwriter.add_grouped(self.schema, lengths, self.pool.grouped())
        self.fieldwriter.close()
        lengths.close()

    def cancel(self):
        self._stop_helpers()
        super().cancel()

    def _stop_helpers(self) -> None:
        for helpers in self._helpers:
            helpers.stop()

    def add_document(self, **fields):
        """Index one document (no ``_boost``/``_stored_*`` keys or vector fields: the schema
        of :mod:`..schema` uses none)."""
        self._check_state()
        schema, docnum, perdoc = self.schema, self.docnum, self.perdocwriter
        names = sorted(fields)
        self._check_fields(schema, names)
        perdoc.start_doc(docnum)
        try:
            for name in names:
                value = fields[name]
                if value is not None:
                    self._add_field(name, schema[name], value, docnum)
        except Exception:
            perdoc.cancel_doc()
            raise
        perdoc.finish_doc()
        self._added = True
        self.docnum += 1

    def _add_field(self, name: str, field, value, docnum: int) -> None:
        length = 0
        if hasattr(field, "index_counts"):  # fields.py's Frequency-format fields
            counts = field.index_counts(value)
            if field.scorable:
                length = sum(counts.values())
            self.pool.add_counts(name, docnum, counts, field.format.field_boost)
        elif field.indexed:
            postings = list(field.index(value))
            if field.scorable:
                length = sum(p[1] for p in postings)
            self.pool.add_field(name, docnum, ((t, w, v) for t, _f, w, v in postings))
        self.perdocwriter.add_field(name, field, value if field.stored else None, length)
        if field.column_type:
            self.perdocwriter.add_column_value(name, field.column_type,
                                               field.to_column_value(value))
