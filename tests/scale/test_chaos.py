"""Chaos: PostgreSQL backends terminated under traffic."""

import threading

import psycopg2
import pytest
import requests

from app.extensions import db
from tests.conftest import DATABASE_URL, start_web, stop
from tests.helpers import auth_for, make_user

pytestmark = pytest.mark.chaos


def _terminate_backends():
    conn = psycopg2.connect(DATABASE_URL.replace("postgresql+psycopg2://", "postgresql://"))
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        killed = cur.fetchone()[0]
    conn.close()
    return killed


@pytest.mark.parametrize("mode", ["gevent", "eventlet"])
def test_terminated_backends_under_traffic_no_5xx_after_the_in_flight_ones(mode):
    mentor = make_user("mentor")
    make_user(mentor=mentor)
    headers = auth_for(mentor)
    db.session.remove()
    db.engine.dispose()  # this test process holds no connection: only the server's are killed
    proc, url = start_web(mode, DB_POOL_SIZE="4")
    stop_traffic = threading.Event()
    during = []

    def traffic():
        with requests.Session() as s:
            while not stop_traffic.is_set():
                during.append(s.get(f"{url}/api/v1/mentor/students", headers=headers, timeout=10).status_code)

    try:
        with requests.Session() as s:
            for _ in range(8):  # every pooled connection in use once
                assert s.get(f"{url}/api/v1/mentor/students", headers=headers, timeout=10).status_code == 200
        workers = [threading.Thread(target=traffic) for _ in range(4)]
        for w in workers:
            w.start()
        while len(during) < 20:
            threading.Event().wait(0.01)
        assert _terminate_backends() > 0
        stop_traffic.set()
        for w in workers:
            w.join(timeout=30)
        # The in-flight requests may have failed; every request after them succeeds.
        with requests.Session() as s:
            after = [s.get(f"{url}/api/v1/mentor/students", headers=headers, timeout=10).status_code for _ in range(30)]
    finally:
        stop_traffic.set()
        stop(proc)
    assert after == [200] * 30
    assert set(during) <= {200, 500, 503}
