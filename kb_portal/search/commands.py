"""``flask kb reindex``, ``flask kb check-index [--fix]`` and ``flask kb search``.

Another process writing the index (an import, a reindex on another terminal) is not an error
in the code: the commands say who holds the index and exit 1, never with a traceback.
"""
import json
import sys

import click

from .engine import IndexBusyError


def register(group) -> None:
    """Add the search commands to the ``flask kb`` group."""
    group.add_command(reindex_command)
    group.add_command(check_index_command)
    group.add_command(search_command)


def _busy(exc: IndexBusyError):
    click.echo(f"error: {exc}. Try again when it has finished (bulk writes wait "
               f"KB_SEARCH_LOCK_TIMEOUT seconds for it).", err=True)
    sys.exit(1)


@click.command("reindex")
def reindex_command():
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    from ..cli import progress_reporter
    from .reconcile import rebuild
    from .state import search_state

    try:
        count = rebuild(search_state(), progress=progress_reporter("Indexing"))
    except IndexBusyError as exc:
        _busy(exc)
    click.echo(f"indexed {count} published articles")


@click.command("check-index")
@click.option("--fix", is_flag=True, help="Repair the differences found.")
def check_index_command(fix):
    """Read every segment of the index and compare the index with the database; exit 1 on
    damage or drift (unless --fix repairs it)."""
    from .reconcile import check, rebuild, reconcile
    from .state import search_state

    state = search_state()
    problems = state.engine.verify(full=True)
    for problem in problems:
        click.echo(f"damaged: {problem}")
    try:
        if problems and fix:
            count = rebuild(state)
            click.echo(f"rebuilt: {count} published articles indexed")
            return
        if problems:
            sys.exit(1)
        drift = check(state)
        click.echo(f"index: {drift.summary()}")
        if drift and fix:
            repaired = reconcile(state)
            click.echo(f"repaired: {repaired.summary()}")
        elif drift:
            for label, ids in (("missing", drift.missing), ("stale", drift.stale),
                               ("extra", drift.extra)):
                if ids:
                    click.echo(f"  {label}: article ids {', '.join(map(str, ids[:20]))}"
                               + (" …" if len(ids) > 20 else ""))
            sys.exit(1)
    except IndexBusyError as exc:
        _busy(exc)


@click.command("search")
@click.argument("query")
@click.option("--category", default="", help="Only this category (key).")
@click.option("--tag", default="", help="Only articles with this tag.")
@click.option("--language", default="", help="zh-Hans, zh-Hant or en.")
@click.option("--limit", default=10, type=click.IntRange(1, 50), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON shape.")
def search_command(query, category, tag, language, limit, as_json):
    """Search published articles as an agent would."""
    from .services import SearchParams, SearchUnavailableError, search
    from .state import search_state

    search_state().maybe_sync(timeout=60, wait=True)  # a one-off process: wait for a rebuild
    try:
        result = search(SearchParams(q=query, category=category, tag=tag, language=language,
                                     limit=limit))
    except SearchUnavailableError as exc:
        click.echo(f"error: the search index is damaged ({exc}); run flask kb check-index "
                   f"--fix", err=True)
        sys.exit(1)
    if as_json:
        data = result.as_dict()
        data["results"] = [{k: hit[k] for k in ("slug", "title", "category", "score",
                                                "snippet", "section", "section_id", "answer")}
                           for hit in data["results"]]
        click.echo(json.dumps({k: data[k] for k in ("query", "total", "results",
                                                     "did_you_mean")}, ensure_ascii=False))
        return
    click.echo(f"{result.total} result(s) for {query!r} in {result.took_ms:.1f} ms")
    if result.did_you_mean:
        click.echo(f"did you mean: {result.did_you_mean}")
    for hit in result.results:
        section = f" › {hit.section}" if hit.section else ""
        click.echo(f"  {hit.score:7.2f}  {hit.slug}  {hit.title}{section}  [{hit.category}]")
