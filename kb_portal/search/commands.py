"""``flask kb reindex``, ``flask kb check-index [--fix]`` and ``flask kb search``."""
import json
import sys

import click


def register(group) -> None:
    """Add the search commands to the ``flask kb`` group."""
    group.add_command(reindex_command)
    group.add_command(check_index_command)
    group.add_command(search_command)


@click.command("reindex")
def reindex_command():
    """Rebuild the search index from the database (searches keep working meanwhile)."""
    from ..cli import progress_reporter
    from .reconcile import rebuild
    from .runtime import runtime

    count = rebuild(runtime().index, progress=progress_reporter("Indexing"))
    click.echo(f"indexed {count} published articles")


@click.command("check-index")
@click.option("--fix", is_flag=True, help="Repair the differences found.")
def check_index_command(fix):
    """Compare the index with the database; exit 1 when they differ (unless --fix)."""
    from .reconcile import check, reconcile
    from .runtime import runtime

    index = runtime().index
    drift = check(index)
    click.echo(f"index: {drift.summary()}")
    if drift and fix:
        repaired = reconcile(index)
        click.echo(f"repaired: {repaired.summary()}")
    elif drift:
        for label, ids in (("missing", drift.missing), ("stale", drift.stale),
                           ("extra", drift.extra)):
            if ids:
                click.echo(f"  {label}: article ids {', '.join(map(str, ids[:20]))}"
                           + (" …" if len(ids) > 20 else ""))
        sys.exit(1)


@click.command("search")
@click.argument("query")
@click.option("--category", default="", help="Only this category (key).")
@click.option("--tag", default="", help="Only articles with this tag.")
@click.option("--language", default="", help="zh-Hans, zh-Hant or en.")
@click.option("--limit", default=10, type=click.IntRange(1, 50), show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print the API's JSON shape.")
def search_command(query, category, tag, language, limit, as_json):
    """Search published articles as an agent would."""
    from .runtime import runtime
    from .services import SearchParams, search

    runtime().maybe_sync(timeout=60, wait=True)  # a one-off process: wait for a rebuild
    result = search(SearchParams(q=query, category=category, tag=tag, language=language,
                                 limit=limit))
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
