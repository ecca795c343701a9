"""Flask commands: users create, seed-demo, refresh-dashboards, crisis train."""

import click
from flask.cli import AppGroup

from app.models import Role
from app.services.shared.errors import DomainError

users_cli = AppGroup("users", help="Manage users.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
def create_user_command(email, password, name, role):
    """Create a user of any role (the first admin is made this way)."""
    from app.services.identity import users

    if len(password) < 8:
        raise click.BadParameter("at least 8 characters", param_hint="--password")
    try:
        user = users.create_user(email, password, name, role)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created {user.role.value} {user.email} (id {user.id})")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only seed a database that has no users.")
def seed_demo_command(if_empty):
    """Load demo users and cohorts (idempotent)."""
    from app.services.demo import seed as demo

    created = demo.seed(only_if_empty=if_empty)
    if created is None:
        click.echo("database already has users; demo data not loaded")
        return
    click.echo(f"demo data ready ({created} new users). Log in with any of:")
    for email, password, role in demo.CREDENTIALS:
        click.echo(f"  {role:<8} {email:<28} {password}")


@click.command("refresh-dashboards")
@click.option("--queue-only", "mode", flag_value="queue", help="Only drain the refresh queue.")
@click.option("--stale-only", "mode", flag_value="stale", help="Only refresh stale (or missing) aggregates.")
def refresh_dashboards_command(mode):
    """Drain the student dashboard refresh queue, then refresh stale aggregates."""
    from app.services.dashboard.drain import refresh_dashboards_now

    result = refresh_dashboards_now(mode or "all")
    click.echo(", ".join(f"{k.replace('_', ' ')}: {v}" for k, v in result.items()))


crisis_cli = AppGroup("crisis", help="The crisis text check.")


@crisis_cli.command("train")
@click.option("--without-field", is_flag=True, help="Only the corpus in the repository, not the database's reports.")
def crisis_train_command(without_field):
    """Retrain the crisis model from the corpus and the field's reports; writes the artefact."""
    from app.services.crisis import missed
    from app.services.crisis.detection import model, training

    extra = [] if without_field else missed.training_rows()
    meta = training.train_and_save(extra=extra)
    model.reset()
    click.echo(
        f"trained on {meta['rows']} messages ({meta['crisis_rows']} crisis, {meta['field_rows']} from the field); "
        f"threshold {meta['threshold']}; wrote {training.ARTEFACT}"
    )


def register_cli_commands(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(refresh_dashboards_command)
    app.cli.add_command(crisis_cli)
