"""Pulse over a real TLS Redis with a self-signed certificate, as Heroku's Redis is.

The test starts Debian's redis-server on a TLS port only (`--port 0`), with a certificate
made by `openssl req -x509` in a temporary directory. With REDIS_TLS_VERIFY=0 two web
processes and a worker run on `rediss://`: a login (identity cache, rate limit), a crisis
alert raised through one process and delivered to a socket on the other (the Socket.IO
message queue), a job run by the worker (RQ), a rate-limit counter in the TLS Redis. With
verification on (the default) the same server is refused: readiness fails, the worker
exits with the certificate error.
"""

import shutil
import subprocess
import sys
import time

import pytest
import redis
import requests
from rq import Queue
from rq.job import Job

from app.redis_tls import with_tls_verify
from app.services.shared.queues import queue_name
from tests.conftest import ROOT, child_env, free_port, start_web, stop
from tests.helpers import CHATBOT_KEY, PASSWORD, make_user, token_for


class TLSRedis:
    """redis-server speaking only TLS, with a fresh self-signed certificate."""

    def __init__(self, tmp_path):
        self.dir, self.port = tmp_path, free_port()
        self.url = f"rediss://127.0.0.1:{self.port}/0"
        self.proc = None

    def start(self):
        cert, key = self.dir / "cert.pem", self.dir / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1", "-subj", "/CN=localhost",
             "-keyout", str(key), "-out", str(cert)],
            check=True, capture_output=True,
        )  # fmt: skip
        self.proc = subprocess.Popen(
            [shutil.which("redis-server"), "--port", "0", "--tls-port", str(self.port), "--bind", "127.0.0.1",
             "--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-auth-clients", "no",
             "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                if self.client().ping():
                    return
            except redis.RedisError:
                time.sleep(0.05)
        raise RuntimeError("TLS redis did not start")

    def client(self):
        """A client of the test's own, told (as Pulse is with REDIS_TLS_VERIFY=0) not to verify."""
        return redis.Redis.from_url(with_tls_verify(self.url, verify=False))

    def stop(self):
        self.proc.kill()
        self.proc.wait()


@pytest.fixture
def tls_redis(tmp_path):
    server = TLSRedis(tmp_path)
    server.start()
    yield server
    server.stop()


def _worker(tls_url, **env):
    return subprocess.run(
        [sys.executable, "worker.py", "--burst"],
        cwd=ROOT,
        env=child_env(TEST_REDIS_URL=tls_url, **env),
        capture_output=True,
        timeout=60,
    )


def test_a_smoke_path_over_rediss_with_verification_off(tls_redis, live_client):
    env = {"TEST_REDIS_URL": tls_redis.url, "REDIS_TLS_VERIFY": "0"}
    mentor = make_user("mentor")
    student = make_user(mentor=mentor)
    procs = []
    try:
        for mode in ("eventlet", "gevent"):
            procs.append(start_web(mode, **env))
        (_, web1), (_, web2) = procs
        assert requests.get(f"{web1}/readyz", timeout=10).json()["checks"]["redis"] is True

        # login: the identity cache and the login rate limits live in the TLS Redis
        res = requests.post(f"{web1}/api/v1/auth/login", json={"email": mentor.email, "password": PASSWORD}, timeout=10)
        assert res.status_code == 200, res.text
        store = tls_redis.client()
        counters = [k for k in store.scan_iter(match="*limits*") if store.type(k) == b"string"]
        assert counters and all(int(store.get(k)) >= 1 for k in counters), "no rate limit counted in the TLS Redis"

        # a crisis raised through one process reaches the mentor's socket on the other:
        # published and heard over the TLS Redis message queue
        sock = live_client(web2)
        sock.connect(token_for(mentor))
        body = {"student_id": student.id, "message": "I want to end my life", "intent": "crisis", "confidence": 0.95}
        res = requests.post(
            f"{web1}/api/v1/chatbot/intents", json=body, headers={"X-Chatbot-Key": CHATBOT_KEY}, timeout=10
        )
        assert res.status_code == 201, res.text
        sock.wait_for("notification", lambda d: d.get("type") == "crisis_alert", timeout=15)
    finally:
        for proc, _ in procs:
            stop(proc)

    # a job on this deployment's queue in the TLS Redis, run by the worker
    job = Queue(queue_name("default"), connection=tls_redis.client()).enqueue("app.jobs.maintenance.relay_outbox")
    result = _worker(tls_redis.url, REDIS_TLS_VERIFY="0")
    assert result.returncode == 0, result.stderr.decode()[-3000:]
    assert Job.fetch(job.id, connection=tls_redis.client()).get_status() == "finished"


def test_verification_on_refuses_the_self_signed_server(tls_redis):
    # REDIS_TLS_VERIFY unset: on. Both processes stop at start with one sentence saying why.
    for command in (["wsgi.py"], ["worker.py", "--burst"]):
        result = subprocess.run(
            [sys.executable, *command],
            cwd=ROOT,
            env=child_env(TEST_REDIS_URL=tls_redis.url, SOCKETIO_ASYNC_MODE="gevent", PORT=str(free_port())),
            capture_output=True,
            timeout=60,
        )
        assert result.returncode == 1, result.stderr.decode()[-3000:]
        last = result.stderr.decode().strip().splitlines()[-1]
        assert last.startswith("pulse: Redis's TLS certificate was refused") and "REDIS_TLS_VERIFY=0" in last
        assert "certificate verify failed" in last


def test_readiness_fails_when_the_certificate_is_refused(make_app, tls_redis):
    app = make_app(REDIS_URL=tls_redis.url, REDIS_TLS_VERIFY=True)
    res = app.test_client().get("/readyz")
    assert res.status_code == 503 and res.get_json()["error"]["details"]["redis"] is False


def test_every_client_is_built_without_verification_when_it_is_off(make_app, tls_redis):
    """The clients built in this process (cache, RQ, limits, the dashboard stream hub) connect
    without verification; the Socket.IO message queue, built by web processes only, is shown
    by the smoke path above (an alert crosses from one web process to the other)."""
    import ssl

    from app.api.limit_storage import CountingRedisStorage
    from app.extensions import get_redis
    from app.services.shared.queues import get_queue

    # the limits' storage URI set on its own (the default is "pulse+" + REDIS_URL) honours it too
    app = make_app(REDIS_URL=tls_redis.url, REDIS_TLS_VERIFY=False, RATELIMIT_STORAGE_URI="pulse+" + tls_redis.url)
    assert "ssl_cert_reqs=none" in app.config["REDIS_URL"]
    assert app.config["RATELIMIT_STORAGE_URI"] == "pulse+" + app.config["REDIS_URL"]
    with app.app_context():
        assert get_redis().ping() and get_queue().connection.ping()
        assert get_redis().connection_pool.connection_kwargs["ssl_cert_reqs"] == "none"
    # flask-limiter's storage (app/api/limit_storage.py) and the dashboard stream hub build theirs
    # from these URLs
    storage = CountingRedisStorage(app.config["RATELIMIT_STORAGE_URI"])
    assert storage.check() and storage.get_connection().connection_pool.get_connection().cert_reqs == ssl.CERT_NONE
    hub = redis.Redis.from_url(app.config["REDIS_URL"])
    assert hub.ping() and hub.connection_pool.get_connection().cert_reqs == ssl.CERT_NONE
