"""`flask catalog load [PATH]`: load or re-load model packs (safe to repeat)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from saas.catalog.errors import PackError
from saas.catalog.loader import load_pack, load_packs
from saas.extensions import db

catalog_cli = AppGroup("catalog", help="The improvement models: areas, goals and practices.")


@catalog_cli.command("load")
@click.argument("path", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def load(path: Path | None) -> None:
    """Load the pack at PATH, or every shipped pack; rows are matched by key and never deleted."""
    try:
        reports = [load_pack(path)] if path else load_packs()
    except PackError as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    for report in reports:
        click.echo(str(report))
