"""Flask commands: users (create, create-first-admin, set-role, deactivate, activate,
refresh-identity), seed-demo, demo simulate, refresh-dashboards, crisis train; and what the
`flask` command says when the settings refuse to start (app.create_cli_app, .flaskenv's
FLASK_APP)."""

import os

import click
from flask.cli import AppGroup

from app.models import Role
from app.services.shared.errors import DomainError

users_cli = AppGroup("users", help="Manage users.")
demo_cli = AppGroup("demo", help="The demo data.")


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


@users_cli.command("create-first-admin")
def create_first_admin_command():
    """Create the first admin from ADMIN_EMAIL, ADMIN_PASSWORD (and ADMIN_NAME), unless an admin
    exists: app.json's post-deploy step, so a one-click deploy can be signed in to at once."""
    import os

    from app.services.identity import users

    if users.has_admin():
        click.echo("an admin exists already: nothing to do")
        return
    email, password = os.environ.get("ADMIN_EMAIL", "").strip(), os.environ.get("ADMIN_PASSWORD", "")
    if not email or len(password) < 8:
        raise click.ClickException("set ADMIN_EMAIL and ADMIN_PASSWORD (8+ characters) to create the first admin")
    try:
        user = users.create_user(email, password, os.environ.get("ADMIN_NAME") or "Administrator", Role.ADMIN.value)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"created admin {user.email} (id {user.id})")


def _change(email, changes):
    """Apply `changes` to the user with `email` through the one path the API uses too."""
    from app.services.accounts import changes as account_changes
    from app.services.identity import users

    user = users.get_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    try:
        user = account_changes.update(user.id, changes)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    state = "active" if user.is_active else "inactive"
    click.echo(f"{user.email} (id {user.id}) is now {user.role.value}, {state}, tier {user.tier}")


@users_cli.command("set-role")
@click.option("--email", required=True)
@click.option("--role", required=True, type=click.Choice([r.value for r in Role]))
def set_role_command(email, role):
    """Change a user's role; tokens naming the old role are refused and their sockets end."""
    _change(email, {"role": role})


@users_cli.command("deactivate")
@click.option("--email", required=True)
def deactivate_command(email):
    """Deactivate a user: their tokens, sockets and streams end at once, for good."""
    _change(email, {"is_active": False})


@users_cli.command("activate")
@click.option("--email", required=True)
def activate_command(email):
    """Activate a user again (tokens issued before the deactivation stay refused)."""
    _change(email, {"is_active": True})


@users_cli.command("refresh-identity")
@click.option("--email", "emails", multiple=True, help="The user changed by hand (repeatable).")
@click.option("--all", "everyone", is_flag=True, help="Every user (after a bulk SQL change).")
def refresh_identity_command(emails, everyone):
    """After changing users by SQL: drop their cached identity and end what no longer holds."""
    from sqlalchemy import select

    from app.extensions import db
    from app.models import User
    from app.services.accounts import changes as account_changes
    from app.services.identity import users

    if not emails and not everyone:
        raise click.UsageError("name --email (repeatable) or --all")
    if everyone:
        ids = list(db.session.scalars(select(User.id).order_by(User.id)))
    else:
        ids = []
        for email in emails:
            user = users.get_by_email(email)
            if user is None:
                raise click.ClickException(f"no user with email {email}")
            ids.append(user.id)
    for user_id in ids:
        account_changes.refresh_identity(user_id)
    click.echo(f"identity refreshed for {len(ids)} user(s)")


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


@demo_cli.command("simulate")
@click.option(
    "--rate", type=click.FloatRange(min=0.01, max=100), default=1.0, show_default=True, help="Changes per second."
)
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=300.0,
    show_default=True,
    help="Seconds to run; it stops by itself.",
)
@click.option("--steps", type=click.IntRange(min=1), default=None, help="Stop after this many changes instead.")
@click.option("--quiet", is_flag=True, help="Do not print each change.")
def demo_simulate_command(rate, duration, steps, quiet):
    """Keep changing the demo data through the services (grades, attendance, entries, tasks,
    lessons, now and then a crisis message) so every live dashboard moves."""
    from app.services.demo import simulate

    made = simulate.simulate(rate, duration, steps, echo=None if quiet else click.echo)
    click.echo("simulated: " + (", ".join(f"{k} {v}" for k, v in sorted(made.items())) or "nothing"))


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
    app.cli.add_command(demo_cli)
    app.cli.add_command(refresh_dashboards_command)
    app.cli.add_command(crisis_cli)


def advice(exc):
    """One sentence for a refused start: what to run instead."""
    if not os.environ.get("PULSE_ENV"):
        return (
            "pulse: PULSE_ENV is not set, so these are the production settings, which need SECRET_KEY, "
            "JWT_SECRET_KEY and CHATBOT_API_KEYS; on your own machine run `PULSE_ENV=development flask ...`."
        )
    return f"pulse: {exc}"


def subcommand(args):
    """The first word that is not an option (`flask --app x run` -> "run"), or None."""
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg in ("--app", "-A", "--env-file", "-e"):
            skip = True
        elif not arg.startswith("-"):
            return arg
    return None


def asks_for_help(args):
    return subcommand(args) is None or "--help" in args or "-h" in args


def commands_only_app():
    """An app that only lists the commands (for --help): nothing is connected or read."""
    from flask import Flask
    from flask_migrate.cli import db as db_cli_group

    app = Flask("pulse")
    register_cli_commands(app)
    app.cli.add_command(db_cli_group)
    return app
