"""The knowledge base: articles, revisions, rendering, import/export, reading UI."""
