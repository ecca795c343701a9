"""Two Pulse deployments on one Redis server, for tests/realtime/test_namespaces.py.

Deployment A uses the test database; B a second one (`<test database>_b`, created and
dropped here). Neither sets PULSE_NAMESPACE or SOCKETIO_CHANNEL: each derives its
namespace from its database, as a real deployment does. Each has an app in this process
(for its services and test client), a live web server and, when a test asks, a worker.
B uses A's Redis database number, or another one (TEST_REDIS_URL_B, by default the next
number on the same server).
"""

import os
import socket
import subprocess
import sys
import time
from urllib.parse import urlparse

import psycopg2
import redis
from rq.job import Job
from rq.worker_registration import WORKERS_BY_QUEUE_KEY
from sqlalchemy import text

from app import create_app
from app.extensions import db
from app.namespace import namespaced
from tests.conftest import (
    DATABASE_URL,
    REDIS_URL,
    ROOT,
    child_env,
    free_port,
    recreate_database,
    stop,
    wait_for_worker,
)

LOGIN_LIMIT = 3  # per minute, in both deployments' web servers


def database_b_url():
    parsed = urlparse(DATABASE_URL)
    return DATABASE_URL.replace(parsed.path, parsed.path + "_b")


def redis_b_url():
    """TEST_REDIS_URL_B, or the database number after TEST_REDIS_URL's on the same server."""
    if os.environ.get("TEST_REDIS_URL_B"):
        return os.environ["TEST_REDIS_URL_B"]
    parsed = urlparse(REDIS_URL)
    number = int(parsed.path.lstrip("/") or 0)
    return parsed._replace(path=f"/{(number + 1) % 16}").geturl()


def drop_database(url):
    parsed = urlparse(url)
    dsn = url.replace("postgresql+psycopg2://", "postgresql://").replace(parsed.path, "/postgres")
    admin = psycopg2.connect(dsn)
    admin.autocommit = True
    with admin.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{parsed.path.lstrip("/")}" WITH (FORCE)')
    admin.close()


class Deployment:
    def __init__(self, label, database_url, redis_url, session_app):
        self.label, self.database_url, self.redis_url = label, database_url, redis_url
        self.app = create_app(
            "testing",
            SQLALCHEMY_DATABASE_URI=database_url,
            REDIS_URL=redis_url,
            PULSE_NAMESPACE=None,  # derived from the database, as in a real deployment
            SOCKETIO_CHANNEL=None,
            # Flask-Limiter is one object per process: keep the test run's storage for it
            # (rate limits are tested on the live servers, one process per deployment).
            RATELIMIT_STORAGE_URI=REDIS_URL,
            RATELIMIT_STORAGE_OPTIONS=dict(session_app.config["RATELIMIT_STORAGE_OPTIONS"]),
        )
        self.env = child_env(
            TEST_DATABASE_URL=database_url,
            TEST_REDIS_URL=redis_url,
            PULSE_NAMESPACE="",
            SOCKETIO_CHANNEL="",
            LOGIN_RATE_LIMIT=f"{LOGIN_LIMIT} per minute",
        )
        self.web = self.web_url = self.web_log = None

    @property
    def namespace(self):
        return self.app.config["PULSE_NAMESPACE"]

    def context(self):
        return self.app.app_context()

    def client(self):
        return self.app.test_client()

    def redis(self):
        return redis.Redis.from_url(self.redis_url)

    def _spawn(self, args, log_path, **env):
        log = open(log_path, "wb")  # a file, not a pipe nobody reads: a full pipe blocks the child
        proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=log)
        log.close()
        return proc

    def start_web(self, log_dir, **env):
        port = free_port()
        self.web_log = os.path.join(log_dir, f"web-{self.label}.log")
        self.web = self._spawn(
            ["wsgi.py"], self.web_log, SOCKETIO_ASYNC_MODE="eventlet", PORT=str(port), HOST="127.0.0.1", **env
        )
        deadline = time.monotonic() + 30
        while True:
            if self.web.poll() is not None:
                raise RuntimeError(f"web {self.label} exited: {self.log_tail(self.web_log)}")
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"web {self.label} did not start") from None
                time.sleep(0.1)
        self.web_url = f"http://127.0.0.1:{port}"
        return self.web_url

    def start_worker(self, log_dir):
        """A real worker with its scheduler and its clock (the periodic jobs)."""
        log_path = os.path.join(log_dir, f"worker-{self.label}.log")
        proc = self._spawn(["worker.py"], log_path)
        wait_for_worker(proc, self.redis_url, self.namespace, timeout=60)
        return proc

    def worker_keys(self):
        """The RQ keys of the workers listening on this deployment's queues."""
        return {k.decode() for k in self.redis().smembers(WORKERS_BY_QUEUE_KEY % f"{self.namespace}:high")}

    def wait_for_job(self, job_id, timeout=60):
        """The job once it finished (fails on a failed job)."""
        deadline = time.monotonic() + timeout
        while True:
            job = Job.fetch(job_id, connection=self.redis())
            status = job.get_status()
            if status == "finished":
                return job
            assert status != "failed", job.exc_info
            assert time.monotonic() < deadline, f"job {job_id} still {status}"
            time.sleep(0.05)

    def wait_for_clock_job(self, name, timeout=60):
        """The first job this deployment's clock enqueued for periodic job `name`, once finished.
        The clock claims `<namespace>:clock:periodic:<name>:<slot>` and enqueues the job with the
        id `<namespace>-periodic-<name>-<slot>` (app/jobs/clock.py, app/services/shared/queues.py)."""
        pattern = namespaced(f"clock:periodic:{name}:*", self.namespace)
        deadline = time.monotonic() + timeout
        while not (claims := self.redis().keys(pattern)):
            assert time.monotonic() < deadline, f"the clock of {self.label} enqueued no {name}"
            time.sleep(0.05)
        slot = min(int(k.decode().rsplit(":", 1)[1]) for k in claims)
        job_id = f"{self.namespace}-periodic-{name.replace('.', '_')}-{slot}"
        return self.wait_for_job(job_id, timeout)

    def truncate(self):
        with self.context():
            tables = ", ".join(t.name for t in db.metadata.sorted_tables)
            db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
            db.session.commit()
            db.session.remove()

    @staticmethod
    def log_tail(path):
        with open(path, "rb") as f:
            return f.read().decode(errors="replace")[-3000:]


def build_database_b(session_app):
    """A fresh second database, built by the migrations."""
    from flask_migrate import upgrade

    url = database_b_url()
    recreate_database(url)
    app = create_app(
        "testing",
        SQLALCHEMY_DATABASE_URI=url,
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_STORAGE_OPTIONS=dict(session_app.config["RATELIMIT_STORAGE_OPTIONS"]),
    )
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


def stop_all(*procs):
    for proc in procs:
        if proc is not None:
            stop(proc)
