"""Production is the default and refuses to start without real secrets; tokens signed with
the published development secret are refused by a production server."""

import os
import subprocess
import sys
import tempfile
import time

import jwt as pyjwt
import requests

from config import DEV_CHATBOT_KEY, DEV_JWT_SECRET_KEY, DEV_SECRET_KEY, ProductionConfig
from tests.conftest import DATABASE_URL, REDIS_URL, ROOT, free_port, stop, wait_for_port
from tests.helpers import PASSWORD, make_user

SECRETS = ("SECRET_KEY", "JWT_SECRET_KEY", "CHATBOT_API_KEYS", "PULSE_ENV", "FLASK_ENV")
PROD_SECRETS = {
    "SECRET_KEY": "prod-secret-0a9f8e7d6c5b4a39281706f5e4d3c2b1",
    "JWT_SECRET_KEY": "prod-jwt-secret-5f4e3d2c1b0a99887766554433221100",
    "CHATBOT_API_KEYS": "prod-chatbot-key-77aa66bb55cc",
}


def bare_env(**extra):
    """The machine's environment without any Pulse choice or secret."""
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(PYTHONWARNINGS="ignore", **extra)
    return env


def run(args, **extra):
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=bare_env(**extra), capture_output=True, text=True, timeout=60
    )


def test_production_is_the_default_and_refuses_to_start_without_secrets():
    for command in (["wsgi.py"], ["worker.py", "--burst"]):
        result = run(command, SOCKETIO_ASYNC_MODE="threading")
        assert result.returncode == 1, result.stderr[-2000:]
        assert "Pulse refuses to start in production" in result.stderr
        for name in ("SECRET_KEY is not set", "JWT_SECRET_KEY is not set", "CHATBOT_API_KEYS is not set"):
            assert name in result.stderr
        assert "PULSE_ENV=development" in result.stderr  # says how to choose development
        assert "Traceback" not in result.stderr


def test_production_refuses_the_published_development_secrets():
    result = run(
        ["wsgi.py"],
        SOCKETIO_ASYNC_MODE="threading",
        SECRET_KEY=DEV_SECRET_KEY,
        JWT_SECRET_KEY=DEV_JWT_SECRET_KEY,
        CHATBOT_API_KEYS=DEV_CHATBOT_KEY,
    )
    assert result.returncode == 1
    for name in ("SECRET_KEY", "JWT_SECRET_KEY", "CHATBOT_API_KEYS"):
        assert f"{name} is a published development or test value" in result.stderr


def test_the_release_command_and_the_worker_refuse_too_and_run_with_the_settings():
    refused = run(["-m", "flask", "--app", "app:create_app", "db", "current"])
    assert refused.returncode != 0 and "Pulse refuses to start in production" in refused.stderr
    ok = run(
        ["-m", "flask", "--app", "app:create_app", "db", "current"],
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        **PROD_SECRETS,
    )
    assert ok.returncode == 0, ok.stderr[-2000:]
    worker = run(["worker.py", "--burst"], DATABASE_URL=DATABASE_URL, REDIS_URL=REDIS_URL, **PROD_SECRETS)
    assert worker.returncode == 0, worker.stderr[-2000:]
    assert '"level": "info"' in worker.stderr  # production logs are JSON lines


def test_development_is_chosen_explicitly_and_listens_on_loopback():
    assert ProductionConfig.FORCE_HTTPS is True or os.environ.get("FORCE_HTTPS")
    from config import DevelopmentConfig

    assert DevelopmentConfig.DEFAULT_HOST == "127.0.0.1"
    with open(os.path.join(ROOT, "Procfile")) as f:
        procfile = f.read()
    assert "HOST=${HOST:-0.0.0.0} python wsgi.py" in procfile  # the platform's router needs all interfaces
    with open(os.path.join(ROOT, "Makefile")) as f:
        makefile = f.read()
    assert "run: export PULSE_ENV ?= development" in makefile
    assert "test: export PULSE_ENV ?= testing" in makefile


def start_production_server(**extra):
    port = free_port()
    env = bare_env(
        PULSE_ENV="production",
        DATABASE_URL=DATABASE_URL,
        REDIS_URL=REDIS_URL,
        PORT=str(port),
        SOCKETIO_ASYNC_MODE="eventlet",
        TRUSTED_PROXY_HOPS="1",
        PULSE_NAMESPACE=os.environ["PULSE_NAMESPACE"],  # this test run's own Redis names
        **PROD_SECRETS,
        **extra,
    )
    log_file = tempfile.TemporaryFile()
    proc = subprocess.Popen([sys.executable, "wsgi.py"], cwd=ROOT, env=env, stdout=log_file, stderr=subprocess.STDOUT)
    proc.log_file = log_file
    wait_for_port(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def test_a_token_signed_with_the_development_secret_is_refused_in_production(app):
    with app.app_context():
        admin = make_user("admin", email="root@example.test")
        admin_id = admin.id
    now = int(time.time())
    forged = pyjwt.encode(
        {"sub": str(admin_id), "role": "admin", "type": "access", "jti": "forged", "iat": now, "exp": now + 600},
        DEV_JWT_SECRET_KEY,
        algorithm="HS256",
    )
    proc, url = start_production_server()
    try:
        https = {"X-Forwarded-Proto": "https"}  # as the platform's router says (one trusted hop)
        res = requests.get(f"{url}/api/v1/auth/me", headers={**https, "Authorization": f"Bearer {forged}"}, timeout=10)
        assert res.status_code == 401 and res.json()["error"]["code"] == "token_invalid"
        res = requests.post(
            f"{url}/api/v1/chatbot/intents",
            json={"message": "hi", "intent": "greeting", "confidence": 0.9, "student_id": admin_id},
            headers={**https, "X-Chatbot-Key": DEV_CHATBOT_KEY},
            timeout=10,
        )
        assert res.status_code == 401
        # The real secret works, so the refusal above is about the secret alone.
        credentials = {"email": "root@example.test", "password": PASSWORD}
        good = requests.post(f"{url}/api/v1/auth/login", json=credentials, headers=https, timeout=10)
        assert good.status_code == 200
        token = good.json()["access_token"]
        me = requests.get(f"{url}/api/v1/auth/me", headers={**https, "Authorization": f"Bearer {token}"}, timeout=10)
        assert me.status_code == 200 and me.json()["user"]["role"] == "admin"
        # Production: plain HTTP is redirected, HSTS is sent.
        plain = requests.get(f"{url}/api/v1/auth/me", allow_redirects=False, timeout=10)
        assert plain.status_code == 308 and plain.headers["Location"].startswith("https://")
        assert "max-age=" in me.headers["Strict-Transport-Security"]
        assert requests.get(f"{url}/healthz", timeout=10).status_code == 200  # probes are not redirected
    finally:
        stop(proc)
