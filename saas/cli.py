"""Top-level commands: `flask demo seed`. Wings register their own groups (catalog, jobs)."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

demo_cli = AppGroup("demo", help="The demo organisation of the quick start.")


@demo_cli.command("seed")
def seed() -> None:
    """Create the demo organisation and its people (idempotent); print the logins."""
    from saas.demo import seed_demo

    for line in seed_demo():
        click.echo(line)


def init_app(app: Flask) -> None:
    app.cli.add_command(demo_cli)
