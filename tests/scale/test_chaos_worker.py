"""Chaos: an RQ worker SIGKILLed in the middle of a job. The job runs again (RQ retries an
abandoned job that was declared with retry) and its side effect happens once."""

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta

import psycopg2
import pytest
from rq.job import Job
from rq.registry import StartedJobRegistry
from sqlalchemy import func, select

from app.extensions import db, get_redis
from app.models import AlertStep, CrisisAlert, Notification
from app.services.shared.queues import JOBS, enqueue, get_queue
from config import TestingConfig
from tests.conftest import DATABASE_URL, REDIS_URL, ROOT, child_env, stop, wait_for_worker
from tests.helpers import crisis, make_user

pytestmark = pytest.mark.chaos

CHECK = "app.jobs.alerts.check_alert"


def _worker(*flags):
    """A real worker in its own process group (so SIGKILL takes its work horse too)."""
    proc = subprocess.Popen(
        [sys.executable, "worker.py", "--no-cron", *flags],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_worker(proc, REDIS_URL, TestingConfig.PULSE_NAMESPACE)
    return proc


def _children(pid):
    """Processes whose parent is `pid` (the work horse: RQ puts it in a process group of its own)."""
    out = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if entry.isdigit() and int(f.read().rsplit(")", 1)[1].split()[1]) == pid:
                    out.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return out


def _kill_worker(proc):
    """SIGKILL the worker, its work horse and anything else it started: no cleanup runs."""
    for pid in _children(proc.pid):
        os.kill(pid, signal.SIGKILL)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)


def _until(condition, what, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what() if callable(what) else what}")
        time.sleep(0.05)


def _effects(alert_id):
    db.session.expire_all()
    alert = db.session.get(CrisisAlert, alert_id)
    escalations = db.session.scalar(
        select(func.count())
        .select_from(AlertStep)
        .where(AlertStep.alert_id == alert_id, AlertStep.action == "escalated")
    )
    told = db.session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.alert_id == alert_id, Notification.title.like("Escalated%"))
    )
    db.session.rollback()
    return alert.escalation_level, escalations, told


def test_worker_killed_mid_job_the_job_runs_again_and_escalates_once(client):
    assert JOBS[CHECK].retry is not None  # what makes RQ run an abandoned job again
    mentor = make_user("mentor")
    make_user("admin")
    student = make_user(mentor=mentor, name="Robin")
    alert_id = crisis(client, student)["alert"]["id"]
    due = db.session.get(CrisisAlert, alert_id).next_check_at + timedelta(seconds=1)
    assert _effects(alert_id) == (0, 0, 0)
    db.session.remove()

    # Hold the alert's row: the job will start, take its transaction, and wait on this lock.
    url = DATABASE_URL.replace("postgresql+psycopg2://", "postgresql://")
    holder, watcher = psycopg2.connect(url), psycopg2.connect(url)
    watcher.autocommit = True  # pg_stat_activity is a snapshot per transaction
    dsn = holder.get_dsn_parameters()["dbname"]
    with holder.cursor() as cur:
        cur.execute("SELECT id FROM crisis_alerts WHERE id = %s FOR UPDATE", (alert_id,))
    doomed = _worker("--no-scheduler")  # another worker (below) holds the scheduler, as in a deployment
    rescuer = None
    try:
        job = enqueue(CHECK, alert_id, now=due.isoformat())
        started = StartedJobRegistry(queue=get_queue(JOBS[CHECK].queue))

        def waiting_on_the_lock():
            with watcher.cursor() as cur:
                cur.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'", (dsn,)
                )
                return cur.fetchone()[0] > 0

        _until(
            lambda: job.id in started.get_job_ids() and waiting_on_the_lock(),
            lambda: f"the job to be mid-way (status {job.get_status()})",
        )
        rescuer = _worker()  # started now, so the job in flight is the doomed worker's
        horses = _children(doomed.pid)
        assert horses  # the job runs in a work horse
        _kill_worker(doomed)
        holder.rollback()  # the dead worker's transaction never commits
        assert Job.fetch(job.id, connection=get_redis()).get_status() == "started"  # abandoned

        # Its heartbeat would lapse in ~90 s and maintenance would find it; drive that time.
        started.cleanup(timestamp=time.time() + 3600)
        _until(lambda: Job.fetch(job.id, connection=get_redis()).get_status() == "finished", "the retry")
        again = Job.fetch(job.id, connection=get_redis())
        assert again.retries_left == JOBS[CHECK].retry.max - 1
        assert again.return_value() == {"alert_id": alert_id, "action": "escalated"}
        assert _effects(alert_id) == (1, 1, 2)  # one escalation: mentor and admin told once

        # A duplicate run (e.g. the sweep) finds nothing due: still once.
        duplicate = enqueue(CHECK, alert_id, now=due.isoformat())
        _until(lambda: Job.fetch(duplicate.id, connection=get_redis()).get_status() == "finished", "the duplicate")
        assert Job.fetch(duplicate.id, connection=get_redis()).return_value()["action"] is None
        assert _effects(alert_id) == (1, 1, 2)
    finally:
        holder.close()
        watcher.close()
        if doomed.poll() is None:
            _kill_worker(doomed)
        if rescuer is not None:
            stop(rescuer)
