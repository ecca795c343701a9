"""A worker stopped as the platform stops a dyno: SIGTERM to every one of its processes
(the worker, its work horse, the clock and the live lane), SIGKILL 30 s later. The job in
hand finishes, once (RQ's warm shutdown, the horse kept alive), and every process is gone
well within the 30 s."""

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

from app.extensions import db, get_redis
from app.models import CrisisAlert
from app.services.shared.queues import JOBS, enqueue, get_queue
from config import TestingConfig
from tests.conftest import DATABASE_URL, REDIS_URL, ROOT, child_env, wait_for_worker
from tests.helpers import crisis, make_user
from tests.scale.test_chaos_worker import CHECK, _effects, _until

pytestmark = pytest.mark.chaos

PLATFORM_GRACE = 30  # seconds between the platform's SIGTERM and its SIGKILL


def _descendants(pid):
    """Every process below `pid` (the horse sits in a process group of its own)."""
    parents = {}
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                if entry.isdigit():
                    parents[int(entry)] = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
    found, frontier = [], [pid]
    while frontier:
        current = frontier.pop()
        children = [p for p, parent in parents.items() if parent == current]
        found += children
        frontier += children
    return found


def _alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has ended
    except OSError:
        return False


def test_sigterm_mid_job_the_job_completes_once_and_every_process_stops(client):
    mentor = make_user("mentor")
    make_user("admin")
    student = make_user(mentor=mentor)
    alert_id = crisis(client, student)["alert"]["id"]
    due = db.session.get(CrisisAlert, alert_id).next_check_at + timedelta(seconds=1)
    db.session.remove()

    # Hold the alert's row so the job is caught mid-way, waiting on the lock.
    url = DATABASE_URL.replace("postgresql+psycopg2://", "postgresql://")
    holder, watcher = psycopg2.connect(url), psycopg2.connect(url)
    watcher.autocommit = True
    with holder.cursor() as cur:
        cur.execute("SELECT id FROM crisis_alerts WHERE id = %s FOR UPDATE", (alert_id,))
    # The whole worker: its clock and live lane too (the live lane may be the one that takes the job).
    proc = subprocess.Popen(
        [sys.executable, "worker.py"],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_for_worker(proc, REDIS_URL, TestingConfig.PULSE_NAMESPACE)
        job = enqueue(CHECK, alert_id, now=due.isoformat())
        started = StartedJobRegistry(queue=get_queue(JOBS[CHECK].queue))

        def waiting_on_the_lock():
            with watcher.cursor() as cur:
                cur.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
                return cur.fetchone()[0] > 0

        _until(lambda: job.id in started.get_job_ids() and waiting_on_the_lock(), "the job to be mid-way")
        everyone = [proc.pid, *_descendants(proc.pid)]
        assert len(everyone) >= 3  # the worker, the clock, the live lane (and a horse)
        stopped_at = time.monotonic()
        for pid in everyone:  # as the platform does: every process of the dyno at once
            os.kill(pid, signal.SIGTERM)
        time.sleep(0.5)
        holder.rollback()  # the job can go on now
        proc.wait(timeout=PLATFORM_GRACE)
        _until(lambda: not any(_alive(pid) for pid in everyone), "every child to stop", timeout=PLATFORM_GRACE)
        took = time.monotonic() - stopped_at
        assert took < PLATFORM_GRACE - 5, f"stopping took {took:.1f}s"
        assert proc.returncode == 0

        done = Job.fetch(job.id, connection=get_redis())
        assert done.get_status() == "finished"
        assert done.return_value() == {"alert_id": alert_id, "action": "escalated"}
        assert _effects(alert_id) == (1, 1, 2)  # escalated once: mentor and admin told once
    finally:
        holder.close()
        watcher.close()
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
