"""Flask commands: users create, seed-demo, demo simulate, refresh-dashboards."""

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


def register_cli_commands(app):
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(demo_cli)
    app.cli.add_command(refresh_dashboards_command)
