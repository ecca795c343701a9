"""app.json (Heroku's "Deploy" button, Dokku) against what config.py requires in production:
every required production setting is provided by the manifest (a value, a generated secret,
or an add-on's URL), the Procfile's processes and release step are the ones the formation
and docs name, and the post-deploy script creates the first admin (once)."""

import json
import os
import subprocess
import sys

from app.extensions import db
from app.models import Role, User
from config import REQUIRED_SECRETS
from tests.conftest import ROOT

MANIFEST = json.load(open(os.path.join(ROOT, "app.json")))
ENV = MANIFEST["env"]
# Each add-on sets its URL: heroku-postgresql DATABASE_URL, heroku-redis REDIS_URL.
ADDON_SETTINGS = {"heroku-postgresql": "DATABASE_URL", "heroku-redis": "REDIS_URL"}


def _procfile():
    with open(os.path.join(ROOT, "Procfile")) as f:
        return dict(line.split(":", 1) for line in f.read().splitlines() if line.strip())


def _provided():
    """The settings a one-click deploy starts with: values, generated secrets, add-on URLs."""
    settings = {}
    for name, spec in ENV.items():
        if "value" in spec:
            settings[name] = spec["value"]
        elif spec.get("generator") == "secret":
            settings[name] = os.urandom(32).hex()  # what Heroku generates: 64 hex characters
        elif spec.get("required", True):
            settings[name] = f"given-{name.lower()}-at-deploy"  # the form asks for it
    for addon in MANIFEST["addons"]:
        settings[ADDON_SETTINGS[addon["plan"].split(":")[0]]] = "addon-url"
    return settings


def _production_check(settings):
    """config.py's own start-up check, in a clean environment holding only `settings`."""
    env = {"PATH": os.environ["PATH"], **settings}
    return subprocess.run(
        [sys.executable, "-c", "from config import get_config; get_config().check()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_every_required_production_setting_is_provided_or_generated():
    provided = _provided()
    for name in REQUIRED_SECRETS:
        assert ENV[name].get("generator") == "secret", f"{name} must be generated, not a value in the repository"
    assert {"DATABASE_URL", "REDIS_URL"} <= provided.keys()
    assert provided["PULSE_ENV"] == "production"
    result = _production_check(provided)
    assert result.returncode == 0, result.stderr


def test_the_check_is_real_without_a_secret_production_refuses():
    for name in REQUIRED_SECRETS:
        settings = {k: v for k, v in _provided().items() if k != name}
        result = _production_check(settings)
        assert result.returncode != 0 and f"{name} is not set" in result.stderr


def test_heroku_specific_settings():
    assert ENV["TRUSTED_PROXY_HOPS"]["value"] == "1"  # the router, one proxy
    assert ENV["REDIS_TLS_VERIFY"]["value"] == "0"  # Heroku Redis: self-signed TLS
    assert {a["plan"].split(":")[0] for a in MANIFEST["addons"]} == {"heroku-postgresql", "heroku-redis"}


def test_the_formation_and_release_follow_the_procfile():
    procfile = _procfile()
    assert set(MANIFEST["formation"]) == {"web", "worker"} <= procfile.keys()
    assert "db upgrade" in procfile["release"]  # Heroku and Dokku run the Procfile's release step
    with open(os.path.join(ROOT, ".python-version")) as f:
        assert f.read().strip() == "3.11"


def test_the_post_deploy_script_creates_the_first_admin_once(app, monkeypatch):
    assert MANIFEST["scripts"]["postdeploy"] == "flask --app app:create_app users create-first-admin"
    assert MANIFEST["scripts"]["dokku"]["postdeploy"] == MANIFEST["scripts"]["postdeploy"]
    assert not ENV["ADMIN_EMAIL"].get("value") and not ENV["ADMIN_PASSWORD"].get("value")  # asked at deploy
    runner = app.test_cli_runner()
    args = MANIFEST["scripts"]["postdeploy"].split()[3:]

    monkeypatch.delenv("ADMIN_EMAIL", raising=False)
    missing = runner.invoke(args=args)
    assert missing.exit_code != 0 and "ADMIN_EMAIL" in missing.output

    monkeypatch.setenv("ADMIN_EMAIL", "Owner@Example.test")
    monkeypatch.setenv("ADMIN_PASSWORD", "long-enough-secret")
    first = runner.invoke(args=args)
    assert first.exit_code == 0, first.output
    admin = db.session.query(User).filter_by(email="owner@example.test").one()
    assert admin.role == Role.ADMIN and admin.check_password("long-enough-secret")

    monkeypatch.setenv("ADMIN_EMAIL", "someone-else@example.test")
    again = runner.invoke(args=args)  # Dokku runs it after every deploy
    assert again.exit_code == 0 and "exists already" in again.output
    assert db.session.query(User).filter_by(role=Role.ADMIN).count() == 1
