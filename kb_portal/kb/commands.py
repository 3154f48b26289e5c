"""``flask kb export`` (articles back to files)."""
from pathlib import Path

import click
from flask.cli import with_appcontext


def register(group) -> None:
    """Add the knowledge-base commands to the ``flask kb`` group."""
    group.add_command(export_command)


@click.command("export")
@with_appcontext
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def export_command(target):
    """Write every article to TARGET/<slug>.md in the import format."""
    from ..cli import progress_reporter
    from .importer import export_articles

    count = export_articles(target, progress=progress_reporter("Exporting"))
    click.echo(f"exported {count} articles to {target}")
