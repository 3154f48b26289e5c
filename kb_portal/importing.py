"""``flask kb import``: route each file to the importer for its format.

Articles (``.md``) are handled by ``kb.importer``; other features register importers for their
extensions in ``IMPORTERS`` (training registers ``.yaml``/``.yml``/``.gift``).
"""
from dataclasses import dataclass, field
from pathlib import Path

from .kb.importer import ImportReport, import_article_files

# extension → (noun for the summary, function(paths, progress) -> ImportReport)
IMPORTERS: dict[str, tuple[str, object]] = {".md": ("articles", import_article_files)}


@dataclass
class CombinedReport:
    errors: list[tuple[str, str]] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)


def _collect(paths) -> list[Path]:
    files = []
    for path in paths:
        path = Path(path)
        if path.is_dir():
            files.extend(p for p in sorted(path.rglob("*")) if p.is_file()
                         and not p.name.startswith("."))
        else:
            files.append(path)
    return files


def import_paths(paths, progress=None) -> CombinedReport:
    """Import every file under ``paths``; unknown file types are reported, not ignored."""
    combined = CombinedReport()
    by_kind: dict[str, list[Path]] = {}
    for path in _collect(paths):
        if path.stem.lower() == "readme":
            continue  # folders may explain themselves
        suffix = path.suffix.lower()
        kind = next((k for k in IMPORTERS if suffix in k.split("|")), None)
        if kind is None:
            combined.errors.append((str(path), f"unknown file type {suffix or '(none)'}"))
            continue
        by_kind.setdefault(kind, []).append(path)
    for kind, files in by_kind.items():
        noun, importer = IMPORTERS[kind]
        report: ImportReport = importer(files, progress=progress)
        combined.errors.extend(report.errors)
        combined.summaries.append(report.summary(noun))
    return combined
